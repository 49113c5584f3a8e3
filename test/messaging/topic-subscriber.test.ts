import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { TopicSubscriber, TopicSubscriberProps } from '../../lib';
import { testApp } from '../support/app';
import { alarmActionsById, alarmShapes, DLQ_DEPTH, HANDLER_ERRORS, HANDLER_THROTTLES, snsAction, sorted } from './alarm-expectations';

function build(props: Partial<TopicSubscriberProps> = {}, setup?: (stack: Stack) => Partial<TopicSubscriberProps>) {
  const stack = new Stack(testApp(), 'TestStack');
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    timeout: Duration.seconds(10),
  });
  const subscriber = new TopicSubscriber(stack, 'Subscriber', { handler, ...props, ...setup?.(stack) });
  return { stack, subscriber, handler };
}

describe('TopicSubscriber', () => {
  describe('defaults', () => {
    let template: Template;
    let subscriber: TopicSubscriber;
    beforeAll(() => {
      const built = build();
      subscriber = built.subscriber;
      template = Template.fromStack(built.stack);
    });

    test('a new standard topic encrypted with a new rotating key, TLS only', () => {
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SubscriberKey'), 'Arn'] },
        FifoTopic: Match.absent(),
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    test('lambda subscription with a subscription dead-letter queue', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'lambda',
        Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Handler'), 'Arn'] },
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SubscriberSubscriptionDeadLetterQueue'), 'Arn'] } },
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: { Ref: Match.stringLikeRegexp('^SubscriberTopic') },
      });
    });

    test('asynchronous invocation: 2 retries, 6 hours max age, on-failure destination queue', () => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SubscriberOnFailureQueue'), 'Arn'] } } },
      });
    });

    test('the function may send to the on-failure queue and encrypt with its key', () => {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SubscriberOnFailureQueue'), 'Arn'] } }),
            Match.objectLike({ Action: Match.arrayWith(['kms:GenerateDataKey*']), Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SubscriberKey'), 'Arn'] } }),
          ]),
        },
      });
    });

    test('the key lets only this topic\'s SNS use it for the subscription dead-letter queue', () => {
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Principal: { Service: 'sns.amazonaws.com' },
            Condition: Match.objectLike({ ArnEquals: { 'aws:SourceArn': Match.objectLike({ 'Fn::Join': Match.anyValue() }) } }),
          })]),
        },
      });
    });

    test('queues are encrypted, retained, keep 14 days; alarms on both', () => {
      template.resourceCountIs('AWS::SQS::Queue', 2);
      template.allResourcesProperties('AWS::SQS::Queue', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SubscriberKey'), 'Arn'] },
        MessageRetentionPeriod: 1209600,
      });
      template.allResources('AWS::SQS::Queue', { DeletionPolicy: 'Retain' });
      expect(subscriber.metricOnFailureQueueDepth().metricName).toBe('ApproximateNumberOfMessagesVisible');
      expect(subscriber.metricSubscriptionDeadLetterQueueDepth().metricName).toBe('ApproximateNumberOfMessagesVisible');
      expect(subscriber.metricHandlerErrors().metricName).toBe('Errors');
      expect(subscriber.metricHandlerThrottles().metricName).toBe('Throttles');
      expect(subscriber.metricHandlerInvocations().metricName).toBe('Invocations');
      expect(subscriber.metricHandlerDuration().metricName).toBe('Duration');
    });

    test('alarms: both queues, handler errors and throttles', () => {
      expect(alarmShapes(template)).toEqual(sorted([DLQ_DEPTH, DLQ_DEPTH, HANDLER_ERRORS, HANDLER_THROTTLES]));
      expect(subscriber.alarms).toEqual([subscriber.onFailureQueueAlarm, subscriber.subscriptionDeadLetterQueueAlarm,
        subscriber.handlerErrorsAlarm, subscriber.handlerThrottlesAlarm]);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^Handler') } }],
      });
    });
  });

  describe('alarm actions', () => {
    test('alarmActions and addAlarmActions reach every alarm', () => {
      let first!: ReturnType<typeof snsAction>;
      let second!: ReturnType<typeof snsAction>;
      const { stack, subscriber } = build({}, (s) => {
        first = snsAction(s, 'First');
        second = snsAction(s, 'Second');
        return { alarmActions: [first.action] };
      });
      subscriber.addAlarmActions(second.action);
      expect(Object.values(alarmActionsById(Template.fromStack(stack)))).toEqual(Array(4).fill([first.ref, second.ref]));
    });

    test('handlerAlarms: false keeps only the queue alarms', () => {
      const { stack, subscriber } = build({ handlerAlarms: false });
      expect(alarmShapes(Template.fromStack(stack))).toEqual([DLQ_DEPTH, DLQ_DEPTH]);
      expect(subscriber.handlerThrottlesAlarm).toBeUndefined();
    });
  });

  describe('options', () => {
    test('existing topic, filter policy, retries and max age', () => {
      const { stack } = build({
        retryAttempts: 0,
        maxEventAge: Duration.minutes(5),
        filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['order.cancelled'] }) },
      }, (s) => ({ topic: new sns.Topic(s, 'Existing') }));
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.hasResourceProperties('AWS::SNS::Subscription', {
        TopicArn: { Ref: Match.stringLikeRegexp('^Existing') }, FilterPolicy: { eventType: ['order.cancelled'] },
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 });
    });

    test('a token for retryAttempts is accepted', () => {
      const { stack } = build({ retryAttempts: Lazy.number({ produce: () => 1 }) });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 1 });
    });
  });

  describe('validation', () => {
    test('fails if the topic is FIFO', () => {
      expect(() => build({}, (s) => ({ topic: new sns.Topic(s, 'Fifo', { fifo: true, topicName: 'x.fifo' }) })))
        .toThrow(/TopicSubscriber: topic .*SNS FIFO topics deliver only to SQS queues, not to Lambda.*FanOutTopic with fifo: true and a QueueWorker/);
    });

    test.each([-1, 3])('fails if retryAttempts is %p', (retryAttempts) => {
      expect(() => build({ retryAttempts })).toThrow(new RegExp(`retryAttempts '${retryAttempts}': must be a whole number from 0 to 2 \\(Lambda API PutFunctionEventInvokeConfig`));
    });

    test.each([Duration.seconds(59), Duration.hours(7)])('fails if maxEventAge is %p', (maxEventAge) => {
      expect(() => build({ maxEventAge })).toThrow(/maxEventAge .*must be a whole number from 60 to 21600 seconds \(Lambda API PutFunctionEventInvokeConfig/);
    });

    test('fails if the on-failure queue is FIFO', () => {
      expect(() => build({}, (s) => ({ onFailureQueue: new sqs.Queue(s, 'F', { fifo: true }) })))
        .toThrow(/onFailureQueue .*must be a standard queue/);
    });

    test('fails if the subscription dead-letter queue uses the AWS-managed key', () => {
      expect(() => build({}, (s) => ({ subscriptionDeadLetterQueue: new sqs.Queue(s, 'M', { encryption: sqs.QueueEncryption.KMS_MANAGED }) })))
        .toThrow(/subscriptionDeadLetterQueue .*alias\/aws\/sqs, which SNS cannot use/);
    });

    test('fails if the existing topic\'s own key is passed as encryptionKey', () => {
      expect(() => build({}, (s) => {
        const key = new kms.Key(s, 'TopicKey');
        return { topic: new sns.Topic(s, 'T', { masterKey: key }), encryptionKey: key };
      })).toThrow(/encryptionKey 'TestStack\/TopicKey': is the existing topic's own key.*dependency cycle/);
    });

    test('fails if both attribute and body filter policies are set', () => {
      expect(() => build({
        filterPolicy: { a: sns.SubscriptionFilter.existsFilter() },
        filterPolicyWithMessageBody: { b: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.existsFilter()) },
      })).toThrow(/one filter policy scope per subscription/);
    });
  });
});
