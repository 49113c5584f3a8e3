import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FanOutTopic, QueueWorker, TopicSubscriber } from '../../lib';
import { ConstructInputs } from '../support/input-matrix';

/** A small inline function (no bundling). */
export function inlineFunction(scope: Construct, id: string, timeout: Duration = Duration.seconds(30)): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout,
  });
}

/** The messaging constructs' validated props (see test/inputs/README.md). */
export const INPUTS: ConstructInputs[] = [
  {
    construct: 'FanOutTopic',
    build: (scope, id, props) => new FanOutTopic(scope, id, props),
    baseProps: () => ({ subscribers: { Orders: {} } }),
    tokenProps: {
      'topicName': { kind: 'string', valid: 'orders-events' },
      'subscribers.Orders.maxReceiveCount': { kind: 'number', valid: 5 },
      'subscribers.Orders.visibilityTimeout': { kind: 'duration', valid: Duration.seconds(60) },
    },
  },
  {
    construct: 'QueueWorker',
    build: (scope, id, props) => new QueueWorker(scope, id, props),
    // An imported function with its role and timeout, so `handlerTimeout` is the timeout in use.
    baseProps: (scope) => ({
      handler: lambda.Function.fromFunctionAttributes(scope, 'Handler', {
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders',
        role: iam.Role.fromRoleArn(scope, 'HandlerRole', 'arn:aws:iam::123456789012:role/orders'),
        sameEnvironment: true,
      }),
      handlerTimeout: Duration.seconds(30),
    }),
    tokenProps: {
      handlerTimeout: { kind: 'duration', valid: Duration.seconds(30) },
      visibilityTimeout: { kind: 'duration', valid: Duration.seconds(180) },
      retentionPeriod: { kind: 'duration', valid: Duration.days(4) },
      batchSize: { kind: 'number', valid: 10 },
      maxBatchingWindow: { kind: 'duration', valid: Duration.seconds(5) },
      maxConcurrency: { kind: 'number', valid: 5 },
      maxReceiveCount: { kind: 'number', valid: 5 },
      oldestMessageAgeAlarmThreshold: { kind: 'duration', valid: Duration.minutes(15) },
    },
  },
  {
    construct: 'TopicSubscriber',
    build: (scope, id, props) => new TopicSubscriber(scope, id, props),
    baseProps: (scope) => ({ handler: inlineFunction(scope, 'Handler') }),
    tokenProps: {
      retryAttempts: { kind: 'number', valid: 1 },
      maxEventAge: { kind: 'duration', valid: Duration.hours(1) },
    },
  },
];
