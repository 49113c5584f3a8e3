import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as ts from 'typescript';
import { FanOutTopic, FanOutTopicProps, QueueWorker, QueueWorkerProps, TopicSubscriber, TopicSubscriberProps } from '../../lib';
import { resolveFor, TEST_ACCOUNT, TEST_REGION } from '../support/contracts/deployments';
import { TemplateJson } from '../support/contracts/resolve-template';
import { simulate } from '../support/policy-simulator';
import { testApp } from '../support/app';
import { describeTokenMatrix, stackDependencies, synthesizeAll, twoStacks, validatingApp } from '../support/input-matrix';
import { twoStackExample } from '../messaging/two-stack-example';
import { EXAMPLE_STACKS } from '../../lib/stacks';
import { inlineFunction, INPUTS } from './messaging.cases';

const ENV = { account: '123456789012', region: 'us-east-1' };
const ROOT = path.join(__dirname, '..', '..');

function stack(app: App = validatingApp(), id = 'Test'): Stack {
  return new Stack(app, id, { env: ENV });
}

/** A queue on its own customer-managed key, as SNS needs. */
function encryptedQueue(scope: Stack, id: string, props: sqs.QueueProps = {}): sqs.Queue {
  return new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: new kms.Key(scope, `${id}Key`), ...props });
}

/** Stack-to-stack dependencies (asset artifacts left out). */
function dependencies(app: App): Record<string, string[]> {
  const all = stackDependencies(app);
  return Object.fromEntries(Object.entries(all).map(([name, deps]) => [name, deps.filter((d) => d in all)]));
}

function warningsOf(s: Stack): string[] {
  return Annotations.fromStack(s).findWarning('*', Match.anyValue()).map((m) => String(m.entry.data));
}

describe('messaging inputs', () => {
  describe('every validated prop as a token', () => {
    describeTokenMatrix(INPUTS);
  });

  describe('tokens beyond the props', () => {
    test.each([
      ['CfnParameter', (s: Stack) => Duration.seconds(new CfnParameter(s, 'Timeout', { type: 'Number', default: 30 }).valueAsNumber)],
      ['Lazy', () => Duration.seconds(Lazy.number({ produce: () => 30 }))],
    ])('QueueWorker on a function whose timeout is a %s synthesizes', (_label, timeout) => {
      const app = validatingApp();
      const s = stack(app);
      const worker = new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler', timeout(s)) });
      expect(synthesizeAll(app)).toEqual([]);
      expect(worker.visibilityTimeout).toBeDefined();
    });

    test('a Lazy function timeout gives the exact 6 x timeout visibility timeout', () => {
      const s = stack();
      new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler', Duration.seconds(Lazy.number({ produce: () => 20 }))) });
      Template.fromStack(s).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 120, RedrivePolicy: Match.anyValue() });
    });

    test('a CfnParameter function timeout falls back to 6 x Lambda\'s 900 s maximum, with a warning', () => {
      const s = stack();
      const timeout = new CfnParameter(s, 'Timeout', { type: 'Number', default: 30 });
      new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler', Duration.seconds(timeout.valueAsNumber)) });
      Template.fromStack(s).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 5400, RedrivePolicy: Match.anyValue() });
      expect(warningsOf(s).join('\n')).toMatch(/not known at synth.*visibility timeout is 5400 seconds.*set visibilityTimeout/);
    });

    test('a token topicName on a FIFO FanOutTopic synthesizes', () => {
      const app = validatingApp();
      const s = stack(app);
      const name = new CfnParameter(s, 'Name', { type: 'String', default: 'orders.fifo' }).valueAsString;
      new FanOutTopic(s, 'FanOut', { fifo: true, topicName: name, subscribers: { Orders: {} } });
      expect(synthesizeAll(app)).toEqual([]);
    });
  });

  describe('imported resources', () => {
    const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:orders';

    test('TopicSubscriber with Function.fromFunctionArn warns what to grant, as QueueWorker does', () => {
      const app = validatingApp();
      const s = stack(app);
      const handler = lambda.Function.fromFunctionArn(s, 'Handler', FUNCTION_ARN);
      new TopicSubscriber(s, 'Subscriber', { handler });
      expect(synthesizeAll(app)).toEqual([]);
      expect(warningsOf(s).join('\n')).toMatch(/imported without its role.*sqs:SendMessage.*on-failure queue/);
      Annotations.fromStack(s).hasWarning('/Test/Subscriber',
        Match.stringLikeRegexp('imported without its role.*cdk-reference-architectures:topicSubscriberImportedFunction'));
    });

    test('TopicSubscriber with an imported function and its role grants the role', () => {
      const s = stack();
      const handler = lambda.Function.fromFunctionAttributes(s, 'Handler', {
        functionArn: FUNCTION_ARN, role: iam.Role.fromRoleArn(s, 'Role', 'arn:aws:iam::123456789012:role/orders'), sameEnvironment: true,
      });
      new TopicSubscriber(s, 'Subscriber', { handler });
      Template.fromStack(s).hasResourceProperties('AWS::IAM::Policy', {
        Roles: ['orders'],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']) })]) },
      });
    });

    test('QueueWorker with Function.fromFunctionArn warns what to grant', () => {
      const app = validatingApp();
      const s = stack(app);
      new QueueWorker(s, 'Worker', { handler: lambda.Function.fromFunctionArn(s, 'Handler', FUNCTION_ARN), handlerTimeout: Duration.seconds(30) });
      expect(synthesizeAll(app)).toEqual([]);
      Annotations.fromStack(s).hasWarning('/Test/Worker', Match.stringLikeRegexp('imported without its role.*queueWorkerImportedFunction'));
    });

    test('QueueWorker with an imported queue and key consumes it', () => {
      const app = validatingApp();
      const s = stack(app);
      const queue = sqs.Queue.fromQueueAttributes(s, 'Queue', {
        queueArn: 'arn:aws:sqs:us-east-1:123456789012:orders', keyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      });
      new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler'), queue });
      expect(synthesizeAll(app)).toEqual([]);
      Template.fromStack(s).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt', Resource: Match.stringLikeRegexp('key/1234abcd') })]) },
      });
    });

    test('FanOutTopic with an imported topic, key and queues warns about every policy it cannot change', () => {
      const app = validatingApp();
      const s = stack(app);
      const key = kms.Key.fromKeyArn(s, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
      const topic = sns.Topic.fromTopicArn(s, 'Topic', 'arn:aws:sns:us-east-1:123456789012:events');
      new FanOutTopic(s, 'FanOut', {
        topic,
        encryptionKey: key,
        subscribers: {
          Orders: {
            queue: sqs.Queue.fromQueueAttributes(s, 'Queue', { queueArn: 'arn:aws:sqs:us-east-1:123456789012:orders', keyArn: key.keyArn }),
            subscriptionDeadLetterQueue: sqs.Queue.fromQueueArn(s, 'SubDlq', 'arn:aws:sqs:us-east-1:123456789012:orders-undeliverable'),
          },
        },
      });
      expect(synthesizeAll(app)).toEqual([]);
      const warnings = warningsOf(s).join('\n');
      expect(warnings).toMatch(/imported.*fanOutImportedKey/);
      expect(warnings).toMatch(/queue orders is imported.*fanOutImportedQueue/);
      expect(warnings).toMatch(/orders-undeliverable is imported.*sqs:SendMessage.*fanOutImportedQueue/);
    });

    test('TopicSubscriber with an imported subscription dead-letter queue warns that SNS needs sqs:SendMessage', () => {
      const s = stack();
      new TopicSubscriber(s, 'Subscriber', {
        handler: inlineFunction(s, 'Handler'),
        subscriptionDeadLetterQueue: sqs.Queue.fromQueueArn(s, 'SubDlq', 'arn:aws:sqs:us-east-1:123456789012:undeliverable'),
      });
      expect(warningsOf(s).join('\n')).toMatch(/undeliverable is imported.*sqs:SendMessage.*topicSubscriberImportedQueue/);
    });
  });

  describe('cross-stack: each input resource in another stack, both directions', () => {
    interface CrossStackCase {
      /** Builds the input resource in `input` and the construct using it in `owner`. */
      build(input: Stack, owner: Stack): void;
      /** The stack holding the glue, which depends on the other one. */
      readonly dependent: 'input' | 'owner';
    }
    const CASES: Record<string, CrossStackCase> = {
      'FanOutTopic.topic': {
        build: (i, o) => { new FanOutTopic(o, 'FanOut', { topic: new sns.Topic(i, 'Topic'), subscribers: { Orders: {} } }); },
        dependent: 'owner',
      },
      'FanOutTopic.encryptionKey': {
        build: (i, o) => { new FanOutTopic(o, 'FanOut', { encryptionKey: new kms.Key(i, 'Key'), subscribers: { Orders: {} } }); },
        dependent: 'owner',
      },
      'FanOutTopic subscriber queue': {
        build: (i, o) => { new FanOutTopic(o, 'FanOut', { subscribers: { Orders: { queue: encryptedQueue(i, 'Queue') } } }); },
        dependent: 'input',
      },
      'FanOutTopic subscriber deadLetterQueue': {
        build: (i, o) => { new FanOutTopic(o, 'FanOut', { subscribers: { Orders: { deadLetterQueue: encryptedQueue(i, 'Dlq') } } }); },
        dependent: 'owner',
      },
      'FanOutTopic subscriber subscriptionDeadLetterQueue': {
        build: (i, o) => { new FanOutTopic(o, 'FanOut', { subscribers: { Orders: { subscriptionDeadLetterQueue: encryptedQueue(i, 'SubDlq') } } }); },
        dependent: 'owner',
      },
      'QueueWorker.handler': {
        build: (i, o) => { new QueueWorker(o, 'Worker', { handler: inlineFunction(i, 'Handler') }); },
        dependent: 'owner',
      },
      'QueueWorker.queue': {
        build: (i, o) => { new QueueWorker(o, 'Worker', { handler: inlineFunction(o, 'Handler'), queue: encryptedQueue(i, 'Queue', { visibilityTimeout: Duration.minutes(3) }) }); },
        dependent: 'owner',
      },
      'QueueWorker.handler and queue (both in the input stack)': {
        build: (i, o) => { new QueueWorker(o, 'Worker', { handler: inlineFunction(i, 'Handler'), queue: encryptedQueue(i, 'Queue', { visibilityTimeout: Duration.minutes(3) }) }); },
        dependent: 'owner',
      },
      'QueueWorker.encryptionKey': {
        build: (i, o) => { new QueueWorker(o, 'Worker', { handler: inlineFunction(o, 'Handler'), encryptionKey: new kms.Key(i, 'Key') }); },
        dependent: 'owner',
      },
      'QueueWorker.deadLetterQueue': {
        build: (i, o) => { new QueueWorker(o, 'Worker', { handler: inlineFunction(o, 'Handler'), deadLetterQueue: encryptedQueue(i, 'Dlq') }); },
        dependent: 'owner',
      },
      'TopicSubscriber.handler': {
        build: (i, o) => { new TopicSubscriber(o, 'Subscriber', { handler: inlineFunction(i, 'Handler') }); },
        dependent: 'owner',
      },
      'TopicSubscriber.topic': {
        build: (i, o) => { new TopicSubscriber(o, 'Subscriber', { handler: inlineFunction(o, 'Handler'), topic: new sns.Topic(i, 'Topic') }); },
        dependent: 'owner',
      },
      'TopicSubscriber.encryptionKey': {
        build: (i, o) => { new TopicSubscriber(o, 'Subscriber', { handler: inlineFunction(o, 'Handler'), encryptionKey: new kms.Key(i, 'Key') }); },
        dependent: 'owner',
      },
      'TopicSubscriber.onFailureQueue': {
        build: (i, o) => { new TopicSubscriber(o, 'Subscriber', { handler: inlineFunction(o, 'Handler'), onFailureQueue: encryptedQueue(i, 'OnFailure') }); },
        dependent: 'owner',
      },
      'TopicSubscriber.subscriptionDeadLetterQueue': {
        build: (i, o) => { new TopicSubscriber(o, 'Subscriber', { handler: inlineFunction(o, 'Handler'), subscriptionDeadLetterQueue: encryptedQueue(i, 'SubDlq') }); },
        dependent: 'owner',
      },
      'TopicSubscriber on a FanOutTopic\'s topic': {
        build: (i, o) => {
          const fanOut = new FanOutTopic(i, 'FanOut', { subscribers: { Orders: {} } });
          new TopicSubscriber(o, 'Subscriber', { handler: inlineFunction(o, 'Handler'), topic: fanOut.topic });
        },
        dependent: 'owner',
      },
      'README wiring: a QueueWorker queue on the FanOutTopic key, subscribed to the topic': {
        build: (i, o) => {
          const fanOut = new FanOutTopic(i, 'FanOut');
          const worker = new QueueWorker(o, 'Worker', { handler: inlineFunction(o, 'Handler'), encryptionKey: fanOut.encryptionKey });
          fanOut.addSubscriber('Orders', { queue: worker.queue, rawMessageDelivery: true });
        },
        dependent: 'owner',
      },
      'README wiring with the worker\'s own key': {
        build: (i, o) => {
          const fanOut = new FanOutTopic(i, 'FanOut');
          fanOut.addSubscriber('Orders', { queue: new QueueWorker(o, 'Worker', { handler: inlineFunction(o, 'Handler') }).queue });
        },
        dependent: 'owner',
      },
      'QueueWorker consuming a FanOutTopic subscriber queue': {
        build: (i, o) => {
          const fanOut = new FanOutTopic(i, 'FanOut', { subscribers: { Orders: { visibilityTimeout: Duration.minutes(3) } } });
          new QueueWorker(o, 'Worker', { handler: inlineFunction(o, 'Handler'), queue: fanOut.subscriber('Orders').queue });
        },
        dependent: 'owner',
      },
    };
    const DIRECTIONS = [['input in Producer, construct in Consumer', false], ['input in Consumer, construct in Producer', true]] as const;
    const rows = Object.entries(CASES).flatMap(([name, c]) => DIRECTIONS.map(([direction, swap]) => [`${name}: ${direction}`, c, swap] as const));

    test.each(rows)('%s: no cycle, references one way', (_name, c, swap) => {
      const app = validatingApp();
      const { producer, consumer } = twoStacks(app);
      const [input, owner] = swap ? [consumer, producer] : [producer, consumer];
      c.build(input, owner);
      expect(synthesizeAll(app)).toEqual([]);
      const [dependent, other] = c.dependent === 'owner' ? [owner, input] : [input, owner];
      expect(dependencies(app)).toEqual({ [dependent.stackName]: [other.stackName], [other.stackName]: [] });
    });

    /**
     * The function (in Functions) and the construct granting it access (in Consumers): the grant is a
     * policy of the consumer stack attached to the function's role, and it evaluates to Allowed
     * for each action on the construct's queue and key (identity policy + key policy).
     */
    async function evaluateCrossStackGrant(build: (functions: Stack, consumers: Stack, handler: lambda.Function) => Construct,
      queueId: RegExp, keyId: RegExp, actions: string[], keyActions: string[]): Promise<Record<string, string>> {
      const app = testApp();
      const env = { account: TEST_ACCOUNT, region: TEST_REGION };
      const functions = new Stack(app, 'Functions', { env });
      const consumers = new Stack(app, 'Consumers', { env });
      const handler = inlineFunction(functions, 'Handler');
      const construct = build(functions, consumers, handler);
      const producerJson = Template.fromStack(functions).toJSON() as TemplateJson;
      const consumerJson = Template.fromStack(consumers).toJSON() as TemplateJson;
      const policies = Object.entries(consumerJson.Resources as Record<string, any>)
        .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith(`${construct.node.id}HandlerPolicy`));
      expect(policies).toHaveLength(1);
      const [policyId, policy] = policies[0];
      // attached to the function's role (the reference into the function's stack resolved there)
      const [fn] = Object.values(Template.fromStack(functions).findResources('AWS::Lambda::Function'));
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      const producer = resolveFor(producerJson, 'Functions');
      const consumer = resolveFor(consumerJson, 'Consumers');
      consumer.otherStacks.Functions = producer;
      expect(consumer.resolve(policy.Properties.Roles)).toEqual([producer.resolve({ Ref: roleId })]);
      const roleArn = String(producer.resolve({ 'Fn::GetAtt': [roleId, 'Arn'] }));
      const idOf = (type: string, pattern: RegExp) => Object.entries(consumerJson.Resources as Record<string, any>)
        .filter(([id, r]) => r.Type === type && pattern.test(id)).map(([id]) => id)[0];
      const queueArn = String(consumer.resolve({ 'Fn::GetAtt': [idOf('AWS::SQS::Queue', queueId), 'Arn'] }));
      const keyLogicalId = idOf('AWS::KMS::Key', keyId);
      const keyArn = String(consumer.resolve({ 'Fn::GetAtt': [keyLogicalId, 'Arn'] }));
      const identityPolicies = [consumer.resolve(policy.Properties.PolicyDocument) as any];
      const keyPolicy = consumer.resolve(consumerJson.Resources[keyLogicalId].Properties?.KeyPolicy) as any;
      const decisions: Record<string, string> = {};
      for (const action of actions) {
        decisions[action] = await simulate({ principal: roleArn, action, resource: queueArn, resourceAccount: TEST_ACCOUNT, identityPolicies });
      }
      for (const action of keyActions) {
        decisions[action] = await simulate({
          principal: roleArn, action, resource: keyArn, resourceAccount: TEST_ACCOUNT, identityPolicies, resourcePolicy: keyPolicy,
          context: { 'kms:ViaService': `sqs.${TEST_REGION}.amazonaws.com` },
        });
      }
      const dependents = Object.values(consumerJson.Resources as Record<string, any>)
        .filter((r) => (r.DependsOn ?? []).includes(policyId))
        .map((r) => r.Type);
      decisions.dependsOnPolicy = dependents.join(',');
      return decisions;
    }

    test('QueueWorker with the handler in another stack: the function\'s role may consume the queue and decrypt (evaluated)', async () => {
      const decisions = await evaluateCrossStackGrant((_f, c, handler) => new QueueWorker(c, 'Worker', { handler }),
        /^WorkerQueue/, /^WorkerKey/, ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'], ['kms:Decrypt']);
      expect(decisions).toEqual({
        'sqs:ReceiveMessage': 'Allowed', 'sqs:DeleteMessage': 'Allowed', 'sqs:ChangeMessageVisibility': 'Allowed',
        'sqs:GetQueueAttributes': 'Allowed', 'kms:Decrypt': 'Allowed', 'dependsOnPolicy': 'AWS::Lambda::EventSourceMapping',
      });
    });

    test('TopicSubscriber with the handler in another stack: the function\'s role may send to the on-failure queue (evaluated)', async () => {
      const decisions = await evaluateCrossStackGrant((_f, c, handler) => new TopicSubscriber(c, 'Subscriber', { handler }),
        /^SubscriberOnFailureQueue/, /^SubscriberKey/, ['sqs:SendMessage'], ['kms:GenerateDataKey', 'kms:Decrypt']);
      expect(decisions).toEqual({
        'sqs:SendMessage': 'Allowed', 'kms:GenerateDataKey': 'Allowed', 'kms:Decrypt': 'Allowed', 'dependsOnPolicy': 'AWS::Lambda::EventInvokeConfig',
      });
    });

    test('the subscription of a queue in another stack is created in the queue\'s stack (as SqsSubscription does)', () => {
      const app = validatingApp();
      const { producer, consumer } = twoStacks(app);
      new FanOutTopic(producer, 'FanOut', { subscribers: { Orders: { queue: encryptedQueue(consumer, 'Queue') } } });
      Template.fromStack(consumer).resourceCountIs('AWS::SNS::Subscription', 1);
      Template.fromStack(producer).resourceCountIs('AWS::SNS::Subscription', 0);
    });

    test('the README two-stack example synthesizes: the consumer depends on the producer only', () => {
      const app = validatingApp();
      const { events, orders } = twoStackExample(app);
      expect(synthesizeAll(app)).toEqual([]);
      expect(dependencies(app)).toEqual({ [events.stackName]: [], [orders.stackName]: [events.stackName] });
      expect(warningsOf(orders)).toEqual([]);
    });

    test('the README quotes the two-stack example verbatim', () => {
      const source = fs.readFileSync(path.join(ROOT, 'test', 'messaging', 'two-stack-example.ts'), 'utf8');
      const example = /\/\/ README:begin\n([\s\S]*?)\n\s*\/\/ README:end/.exec(source)![1];
      const dedented = example.split('\n').map((l) => l.replace(/^ {2}/, '')).join('\n');
      const readme = fs.readFileSync(path.join(ROOT, 'lib', 'messaging', 'README.md'), 'utf8');
      const quoted = /<!-- two-stack example: test\/messaging\/two-stack-example\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(readme);
      expect(quoted?.[1]).toEqual(dedented);
    });
  });

  describe('documented ranges: at the limit accepted, one past it rejected naming prop and range', () => {
    type Props = Record<string, unknown>;
    const worker = (extra: Props, timeout = Duration.seconds(1)) => {
      const s = stack(new App());
      new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler', timeout), ...extra } as QueueWorkerProps);
    };
    const fanOut = (extra: Props) => {
      const s = stack(new App());
      new FanOutTopic(s, 'FanOut', { subscribers: { Orders: extra } } as FanOutTopicProps);
    };
    const subscriber = (extra: Props) => {
      const s = stack(new App());
      new TopicSubscriber(s, 'Subscriber', { handler: inlineFunction(s, 'Handler'), ...extra } as TopicSubscriberProps);
    };
    const importedWorker = (extra: Props) => {
      const s = stack(new App());
      new QueueWorker(s, 'Worker', { handler: lambda.Function.fromFunctionArn(s, 'H', 'arn:aws:lambda:us-east-1:123456789012:function:f'), ...extra } as QueueWorkerProps);
    };
    const ROWS: Array<[string, (v: number) => void, number, number, RegExp]> = [
      ['QueueWorker.batchSize (standard, max)', (v) => worker({ batchSize: v, maxBatchingWindow: Duration.seconds(1) }), 10000, 10001, /batchSize '10001': must be a whole number from 1 to 10000/],
      ['QueueWorker.batchSize (min)', (v) => worker({ batchSize: v }), 1, 0, /batchSize '0': must be a whole number from 1 to 10000/],
      ['QueueWorker.batchSize (FIFO, max)', (v) => worker({ fifo: true, batchSize: v }), 10, 11, /batchSize '11': must be a whole number from 1 to 10 .*FIFO/],
      ['QueueWorker.maxBatchingWindow (seconds)', (v) => worker({ maxBatchingWindow: Duration.seconds(v) }), 300, 301, /maxBatchingWindow '5 minutes 1 second': must be a whole number from 0 to 300 seconds/],
      ['QueueWorker.maxConcurrency (min)', (v) => worker({ maxConcurrency: v }), 2, 1, /maxConcurrency '1': must be a whole number from 2 to 1000/],
      ['QueueWorker.maxConcurrency (max)', (v) => worker({ maxConcurrency: v }), 1000, 1001, /maxConcurrency '1001': must be a whole number from 2 to 1000/],
      ['QueueWorker.maxReceiveCount (min)', (v) => worker({ maxReceiveCount: v }), 1, 0, /maxReceiveCount '0': must be a whole number from 1 to 1000/],
      ['QueueWorker.maxReceiveCount (max)', (v) => worker({ maxReceiveCount: v }), 1000, 1001, /maxReceiveCount '1001': must be a whole number from 1 to 1000/],
      ['QueueWorker.visibilityTimeout (seconds, max)', (v) => worker({ visibilityTimeout: Duration.seconds(v) }), 43200, 43201, /visibilityTimeout .*: must be a whole number from 0 to 43200 seconds/],
      ['QueueWorker.retentionPeriod (seconds, min)', (v) => worker({ retentionPeriod: Duration.seconds(v) }), 60, 59, /retentionPeriod '59 seconds': must be a whole number from 60 to 1209600 seconds/],
      ['QueueWorker.retentionPeriod (seconds, max)', (v) => worker({ retentionPeriod: Duration.seconds(v) }), 1209600, 1209601, /retentionPeriod .*: must be a whole number from 60 to 1209600 seconds/],
      ['QueueWorker.handlerTimeout (seconds, max)', (v) => importedWorker({ handlerTimeout: Duration.seconds(v) }), 900, 901, /handlerTimeout '15 minutes 1 second': must be a whole number from 1 to 900 seconds/],
      ['QueueWorker.handlerTimeout (seconds, min)', (v) => importedWorker({ handlerTimeout: Duration.seconds(v) }), 1, 0, /handlerTimeout '0 seconds': must be a whole number from 1 to 900 seconds/],
      ['FanOutTopic subscriber maxReceiveCount (max)', (v) => fanOut({ maxReceiveCount: v }), 1000, 1001, /subscribers\.Orders\.maxReceiveCount '1001': must be a whole number from 1 to 1000/],
      ['FanOutTopic subscriber visibilityTimeout (seconds, max)', (v) => fanOut({ visibilityTimeout: Duration.seconds(v) }), 43200, 43201, /subscribers\.Orders\.visibilityTimeout .*: must be a whole number from 0 to 43200 seconds/],
      ['TopicSubscriber.retryAttempts (max)', (v) => subscriber({ retryAttempts: v }), 2, 3, /retryAttempts '3': must be a whole number from 0 to 2/],
      ['TopicSubscriber.retryAttempts (min)', (v) => subscriber({ retryAttempts: v }), 0, -1, /retryAttempts '-1': must be a whole number from 0 to 2/],
      ['TopicSubscriber.maxEventAge (seconds, min)', (v) => subscriber({ maxEventAge: Duration.seconds(v) }), 60, 59, /maxEventAge '59 seconds': must be a whole number from 60 to 21600 seconds/],
      ['TopicSubscriber.maxEventAge (seconds, max)', (v) => subscriber({ maxEventAge: Duration.seconds(v) }), 21600, 21601, /maxEventAge '6 hours 1 second': must be a whole number from 60 to 21600 seconds/],
    ];
    test.each(ROWS)('%s', (_name, build, limit, past, message) => {
      expect(() => build(limit)).not.toThrow();
      expect(() => build(past)).toThrow(message);
    });

    test.each([
      ['a 256-character topic name is accepted', 'a'.repeat(256), false, undefined],
      ['a 257-character topic name', 'a'.repeat(257), false, /topicName '.*': must be 1 to 256 letters, digits, hyphens or underscores/],
      ['a FIFO name that is 257 characters with .fifo', 'a'.repeat(252), true, /topicName '.*\.fifo': must be 1 to 256 .*ending in \.fifo/],
      ['a dot in a standard topic name', 'orders.events', false, /topicName 'orders\.events': must be 1 to 256 letters, digits, hyphens or underscores/],
      ['a standard topic name ending in .fifo', 'orders.fifo', false, /topicName 'orders\.fifo'/],
      ['a space', 'orders events', true, /topicName 'orders events\.fifo'/],
      ['an empty name', '', false, /topicName '': must be 1 to 256/],
    ])('FanOutTopic topicName: %s', (_name, topicName, fifo, message) => {
      const build = () => new FanOutTopic(stack(new App()), 'FanOut', { topicName, fifo, subscribers: { Orders: {} } });
      if (message) {
        expect(build).toThrow(message);
      } else {
        expect(build).not.toThrow();
      }
    });
  });

  describe('what AWS rejects or does differently', () => {
    test('fails if batchSize is above 10 with a zero batching window (Lambda needs at least 1 second)', () => {
      const s = stack(new App());
      expect(() => new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler'), batchSize: 11, maxBatchingWindow: Duration.seconds(0) }))
        .toThrow(/batchSize '11': Lambda requires a batching window of at least 1 second for batches larger than 10/);
    });

    test('fails if an existing queue\'s visibility timeout is below the function timeout (Lambda rejects the mapping)', () => {
      const s = stack(new App());
      const queue = encryptedQueue(s, 'Queue', { visibilityTimeout: Duration.seconds(20) });
      expect(() => new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler', Duration.seconds(30)), queue }))
        .toThrow(/queue .*: its visibility timeout \(20 seconds\) is less than the function timeout \(30 seconds\); Lambda rejects/);
    });

    test('warns if an existing queue\'s visibility timeout is below 6 x the function timeout (AWS\'s recommendation)', () => {
      const s = stack(validatingApp());
      const queue = encryptedQueue(s, 'Queue', { visibilityTimeout: Duration.seconds(60) });
      new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler', Duration.seconds(30)), queue });
      Annotations.fromStack(s).hasWarning('/Test/Worker',
        Match.stringLikeRegexp('60 seconds.*below 6 x the function timeout.*180 seconds.*queueWorkerVisibilityTimeout'));
    });

    test('warns if QueueWorker consumes a FanOutTopic queue with its 30 s default visibility timeout', () => {
      const s = stack(validatingApp());
      const fanOut = new FanOutTopic(s, 'FanOut', { subscribers: { Orders: {} } });
      new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler', Duration.seconds(30)), queue: fanOut.subscriber('Orders').queue });
      Annotations.fromStack(s).hasWarning('/Test/Worker', Match.stringLikeRegexp('30 seconds.*180 seconds.*queueWorkerVisibilityTimeout'));
    });

    test('an explicit visibilityTimeout below 6 x the function timeout is a warning; below the function timeout an error', () => {
      const s = stack(validatingApp());
      new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler', Duration.seconds(30)), visibilityTimeout: Duration.seconds(60) });
      Annotations.fromStack(s).hasWarning('/Test/Worker', Match.stringLikeRegexp('queueWorkerVisibilityTimeout'));
      expect(() => new QueueWorker(s, 'Worker2', { handler: inlineFunction(s, 'Handler2', Duration.seconds(30)), visibilityTimeout: Duration.seconds(29) }))
        .toThrow(/visibilityTimeout '29 seconds': is less than the function timeout \(30 seconds\); Lambda rejects/);
    });

    test('fails if the handler function\'s own timeout is over Lambda\'s 15-minute maximum (aws-cdk-lib passes it on)', () => {
      const s = stack(new App());
      expect(() => new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler', Duration.minutes(16)) }))
        .toThrow(/handler \(its timeout\) '16 minutes': must be a whole number from 1 to 900 seconds/);
    });

    test('fails if handlerTimeout differs from the timeout of the lambda.Function it describes', () => {
      const s = stack(new App());
      expect(() => new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler', Duration.seconds(30)), handlerTimeout: Duration.minutes(5) }))
        .toThrow(/handlerTimeout '5 minutes': differs from the function's own timeout \(30 seconds\)/);
      expect(() => new QueueWorker(s, 'Worker2', { handler: inlineFunction(s, 'Handler2', Duration.seconds(30)), handlerTimeout: Duration.seconds(30) }))
        .not.toThrow();
    });

    test('a token alarm threshold is described in words, not as a token', () => {
      const s = stack(new App());
      new QueueWorker(s, 'Worker', {
        handler: inlineFunction(s, 'Handler'), oldestMessageAgeAlarmThreshold: Duration.seconds(Lazy.number({ produce: () => 600 })),
      });
      const descriptions = JSON.stringify(Template.fromStack(s).findResources('AWS::CloudWatch::Alarm'));
      expect(descriptions).toContain('is older than the alarm threshold');
      expect(descriptions).not.toMatch(/<token>|\$\{Token/);
    });

    test('fails if handlerTimeout is over Lambda\'s 15-minute maximum', () => {
      const s = stack(new App());
      const handler = lambda.Function.fromFunctionArn(s, 'H', 'arn:aws:lambda:us-east-1:123456789012:function:f');
      expect(() => new QueueWorker(s, 'Worker', { handler, handlerTimeout: Duration.minutes(16) }))
        .toThrow(/handlerTimeout '16 minutes': must be a whole number from 1 to 900 seconds/);
    });
  });

  describe('every example stack', () => {
    /**
     * Each SQS event source mapping of a template whose queue's visibility timeout is below 6 x the
     * function timeout + the batching window (Lambda's 3 s and SQS's 30 s defaults when unset), and
     * how many mappings were checked.
     */
    function visibilityProblems(template: TemplateJson): { checked: number; problems: string[] } {
      const resources = template.Resources as Record<string, any>;
      const logicalId = (value: any): string | undefined => value?.['Fn::GetAtt']?.[0] ?? value?.Ref;
      const problems: string[] = [];
      let checked = 0;
      for (const [id, mapping] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping')) {
        const queue = resources[logicalId(mapping.Properties.EventSourceArn)!];
        if (queue?.Type !== 'AWS::SQS::Queue') {
          continue;
        }
        checked++;
        const timeout = resources[logicalId(mapping.Properties.FunctionName)!].Properties.Timeout ?? 3;
        const window = mapping.Properties.MaximumBatchingWindowInSeconds ?? 0;
        const visibility = queue.Properties.VisibilityTimeout ?? 30;
        if (typeof visibility !== 'number' || visibility < 6 * timeout + window) {
          problems.push(`${id}: visibility ${JSON.stringify(visibility)} < 6 x ${timeout} + ${window}`);
        }
      }
      return { checked, problems };
    }

    test.each(Object.keys(EXAMPLE_STACKS))('%s: every SQS event source mapping\'s queue has a visibility timeout >= 6 x the function timeout + the window', (name) => {
      const { checked, problems } = visibilityProblems(Template.fromStack(EXAMPLE_STACKS[name].build(testApp(), name)).toJSON() as TemplateJson);
      expect(problems).toEqual([]);
      if (name === 'FanOut' || name === 'QueueWorkers') {
        expect(checked).toBe(2);
      }
    });

    test('the check finds a queue consumed with too short a visibility timeout', () => {
      const s = stack(testApp({ failOnWarnings: false }));
      new QueueWorker(s, 'Worker', { handler: inlineFunction(s, 'Handler', Duration.seconds(30)), visibilityTimeout: Duration.seconds(60) });
      expect(visibilityProblems(Template.fromStack(s).toJSON() as TemplateJson).problems).toEqual([
        expect.stringMatching(/^WorkerEventSourceMapping\w+: visibility 60 < 6 x 30 \+ 0$/),
      ]);
    });
  });

  describe('API shape', () => {
    test('FanOutTopic.subscribers is a map keyed like the prop; subscriber(id) looks one up', () => {
      const s = stack(new App());
      const fanOut = new FanOutTopic(s, 'FanOut', { subscribers: { Orders: {} } });
      const audit = fanOut.addSubscriber('Audit');
      expect(fanOut.subscribers.Orders.node.id).toBe('Orders');
      expect(fanOut.subscribers.Audit).toBe(audit);
      expect(Object.keys(fanOut.subscribers)).toEqual(['Orders', 'Audit']);
      expect(fanOut.subscriber('Audit')).toBe(audit);
      expect(() => fanOut.subscriber('Billing')).toThrow(/FanOutTopic at 'Test\/FanOut': no subscriber 'Billing'; the subscribers are Orders, Audit/);
    });

    test('the public declarations of the messaging constructs expose no internal members', () => {
      for (const file of ['fan-out-topic.ts', 'queue-worker.ts', 'topic-subscriber.ts']) {
        const source = fs.readFileSync(path.join(ROOT, 'lib', 'messaging', file), 'utf8');
        const declarations = ts.transpileDeclaration(source, { fileName: file, compilerOptions: { strict: true } }).outputText;
        expect({ file, internal: declarations.match(/^\s+(?:public |readonly |get |static )*_\w+/gm) }).toEqual({ file, internal: null });
      }
    });
  });
});
