import { CfnParameter, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { FanOutTopic } from '../../lib';
import { testApp, testStack } from '../support/app';
import { expectConsoleOutput } from '../support/console-guard';
import { alarmActionsById, alarmShapes, DLQ_DEPTH, snsAction } from './alarm-expectations';

describe('FanOutTopic', () => {
  describe('defaults', () => {
    let template: Template;
    let fanOut: FanOutTopic;
    beforeAll(() => {
      // GIVEN / WHEN
      const stack = testStack();
      fanOut = new FanOutTopic(stack, 'FanOut', { subscribers: { Billing: {}, Audit: {} } });
      template = Template.fromStack(stack);
    });

    test('creates one topic encrypted with a new customer-managed key with rotation', () => {
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FanOutKey'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });

    test('topic policy denies publishing without TLS', () => {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          })]),
        },
      });
    });

    test('each subscriber gets a queue, a dead-letter queue and a subscription dead-letter queue, all on the key', () => {
      // 2 subscribers x (queue + DLQ + subscription DLQ)
      template.resourceCountIs('AWS::SQS::Queue', 6);
      const queues = template.findResources('AWS::SQS::Queue');
      for (const [logicalId, queue] of Object.entries(queues)) {
        expect({ logicalId, key: queue.Properties.KmsMasterKeyId }).toEqual({
          logicalId, key: { 'Fn::GetAtt': [expect.stringMatching(/^FanOutKey/), 'Arn'] },
        });
        expect({ logicalId, deletion: queue.DeletionPolicy }).toEqual({ logicalId, deletion: 'Retain' });
      }
      expect(Object.keys(fanOut.subscribers)).toEqual(['Billing', 'Audit']);
    });

    test('queues redrive to their dead-letter queue after 5 receives', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FanOutBillingDeadLetterQueue'), 'Arn'] },
          maxReceiveCount: 5,
        },
      });
    });

    test('subscriptions are SQS, not raw, and have a subscription dead-letter queue', () => {
      template.resourceCountIs('AWS::SNS::Subscription', 2);
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'sqs',
        RawMessageDelivery: false,
        Endpoint: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FanOutBillingQueue'), 'Arn'] },
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FanOutBillingSubscriptionDeadLetterQueue'), 'Arn'] } },
      });
    });

    test('the key policy lets only this topic\'s SNS use the key', () => {
      // The topic has an explicit name so the key policy can name it without a dependency cycle.
      const topicName = Object.values(template.findResources('AWS::SNS::Topic'))[0].Properties.TopicName;
      expect(topicName).toMatch(/^TestStackFanOut[0-9A-F]{8}$/);
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: {
              ArnEquals: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${topicName}`]],
                },
              },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          })]),
        },
      });
    });

    test('queue policy lets only this topic send and denies non-TLS access', () => {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Condition: { ArnEquals: { 'aws:SourceArn': { Ref: Match.stringLikeRegexp('^FanOut') } } },
            }),
          ]),
        },
      });
    });

    test('subscriptions wait for the queue policy so the first messages are not dropped', () => {
      const subscriptions = template.findResources('AWS::SNS::Subscription');
      for (const subscription of Object.values(subscriptions)) {
        expect(subscription.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/QueuePolicy/)]));
      }
    });

    test('alarms on each dead-letter queue and each subscription dead-letter queue', () => {
      expect(alarmShapes(template)).toEqual(Array(4).fill(DLQ_DEPTH));
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FanOutBillingDeadLetterQueue'), 'QueueName'] } }],
      });
    });
  });

  describe('alarm actions', () => {
    test('alarmActions reach the alarms of subscribers from the props and of subscribers added later', () => {
      const stack = testStack();
      const { action, ref } = snsAction(stack, 'OnCall');
      const fanOut = new FanOutTopic(stack, 'FanOut', { alarmActions: [action], subscribers: { Billing: {} } });
      fanOut.addSubscriber('Audit', {});
      expect(fanOut.alarms).toHaveLength(4);
      expect(fanOut.alarms).toEqual(Object.values(fanOut.subscribers).flatMap((s) => [s.deadLetterQueueAlarm, s.subscriptionDeadLetterQueueAlarm]));
      expect(Object.values(alarmActionsById(Template.fromStack(stack)))).toEqual(Array(4).fill([ref]));
    });

    test('addAlarmActions reaches existing alarms and those of subscribers added afterwards', () => {
      const stack = testStack();
      const { action, ref } = snsAction(stack, 'OnCall');
      const fanOut = new FanOutTopic(stack, 'FanOut', { subscribers: { Billing: {} } });
      fanOut.addAlarmActions(action);
      fanOut.addSubscriber('Audit', {});
      expect(Object.values(alarmActionsById(Template.fromStack(stack)))).toEqual(Array(4).fill([ref]));
    });

    test('an existing queue gets only the subscription dead-letter queue alarm; metrics', () => {
      const stack = testStack();
      const key = new kms.Key(stack, 'QueueKey');
      const queue = new sqs.Queue(stack, 'Mine', { encryptionMasterKey: key });
      const fanOut = new FanOutTopic(stack, 'FanOut');
      const sub = fanOut.addSubscriber('Mine', { queue });
      expect(fanOut.alarms).toEqual([sub.subscriptionDeadLetterQueueAlarm]);
      expect(() => sub.metricDeadLetterQueueDepth()).toThrow(/FanOutSubscriber at 'TestStack\/FanOut\/Mine': metricDeadLetterQueueDepth\(\) needs the dead-letter queue/);
      expect(stack.resolve(sub.metricNumberOfMessagesSent().dimensions)).toEqual({ QueueName: stack.resolve(queue.queueName) });
      expect(sub.metricSubscriptionDeadLetterQueueDepth().metricName).toBe('ApproximateNumberOfMessagesVisible');
      expect(sub.metricApproximateNumberOfMessagesVisible().metricName).toBe('ApproximateNumberOfMessagesVisible');
    });
  });

  describe('subscriber options', () => {
    test('filter policy on attributes, raw delivery and maxReceiveCount', () => {
      const stack = testStack();
      new FanOutTopic(stack, 'FanOut', {
        subscribers: {
          Orders: {
            rawMessageDelivery: true,
            maxReceiveCount: 3,
            filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['order.created'] }) },
          },
        },
      });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::SNS::Subscription', {
        RawMessageDelivery: true,
        FilterPolicy: { eventType: ['order.created'] },
      });
      template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }) });
    });

    test('filter policy on the message body', () => {
      const stack = testStack();
      new FanOutTopic(stack, 'FanOut', {
        subscribers: {
          Large: { filterPolicyWithMessageBody: { amount: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.numericFilter({ greaterThan: 100 })) } },
        },
      });
      Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', {
        FilterPolicyScope: 'MessageBody',
        FilterPolicy: { amount: [{ numeric: ['>', 100] }] },
      });
    });

    test('addSubscriber after construction', () => {
      const stack = testStack();
      const fanOut = new FanOutTopic(stack, 'FanOut');
      const subscriber = fanOut.addSubscriber('Late', {});
      expect(subscriber.deadLetterQueue).toBeDefined();
      expect(Object.keys(fanOut.subscribers)).toHaveLength(1);
      Template.fromStack(stack).resourceCountIs('AWS::SNS::Subscription', 1);
    });

    test('an existing queue is subscribed as it is, without a new dead-letter queue', () => {
      const stack = testStack();
      const key = new kms.Key(stack, 'MyKey');
      const queue = new sqs.Queue(stack, 'MyQueue', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key });
      const fanOut = new FanOutTopic(stack, 'FanOut', { subscribers: { Mine: { queue } } });
      const template = Template.fromStack(stack);
      // the existing queue + the subscription DLQ
      template.resourceCountIs('AWS::SQS::Queue', 2);
      expect(Object.values(fanOut.subscribers)[0].deadLetterQueue).toBeUndefined();
      // the existing queue's own key lets the topic deliver
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'sns.amazonaws.com' } })]) },
      });
    });

    test('warns when an imported queue\'s policy cannot be changed', () => {
      const printed = expectConsoleOutput();
      const stack = testStack({ failOnWarnings: false });
      const queue = sqs.Queue.fromQueueArn(stack, 'Imported', 'arn:aws:sqs:us-east-1:123456789012:imported');
      new FanOutTopic(stack, 'FanOut', { subscribers: { Imported: { queue } } });
      Annotations.fromStack(stack).hasWarning('/TestStack/FanOut/Imported', Match.stringLikeRegexp('imported, so its queue policy cannot be changed'));
      expect(printed.text()).toContain('so its queue policy cannot be changed');
    });

    test('warns when a FIFO topic delivers to a standard queue', () => {
      const printed = expectConsoleOutput();
      const stack = testStack({ failOnWarnings: false });
      const queue = new sqs.Queue(stack, 'Standard', { encryption: sqs.QueueEncryption.SQS_MANAGED });
      new FanOutTopic(stack, 'FanOut', { fifo: true, subscribers: { S: { queue } } });
      Annotations.fromStack(stack).hasWarning('/TestStack/FanOut', Match.stringLikeRegexp('loses ordering'));
      expect(printed.text()).toContain('loses ordering');
    });
  });

  describe('FIFO', () => {
    test('a FIFO topic creates FIFO queues, FIFO dead-letter queues and FIFO subscription dead-letter queues', () => {
      const stack = testStack();
      new FanOutTopic(stack, 'FanOut', {
        fifo: true,
        contentBasedDeduplication: true,
        subscribers: { Ordered: { contentBasedDeduplication: true } },
      });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::SNS::Topic', { FifoTopic: true, ContentBasedDeduplication: true });
      const queues = Object.values(template.findResources('AWS::SQS::Queue'));
      expect(queues).toHaveLength(3);
      expect(queues.every((q) => q.Properties.FifoQueue === true)).toBe(true);
      template.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, ContentBasedDeduplication: true });
    });
  });

  describe('existing resources', () => {
    test('an existing topic is used, with a new key for the queues (no cycle through the topic\'s key)', () => {
      const stack = testStack();
      const topicKey = new kms.Key(stack, 'TopicKey');
      const topic = new sns.Topic(stack, 'Topic', { masterKey: topicKey });
      const fanOut = new FanOutTopic(stack, 'FanOut', { topic, subscribers: { A: {} } });
      expect(fanOut.topic).toBe(topic);
      expect(fanOut.encryptionKey).not.toBe(topicKey);
      const template = Template.fromStack(stack); // throws on a dependency cycle
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.resourceCountIs('AWS::KMS::Key', 2);
    });

    test('an existing key is used for the new topic and queues', () => {
      const stack = testStack();
      const key = new kms.Key(stack, 'MyKey');
      const fanOut = new FanOutTopic(stack, 'FanOut', { encryptionKey: key, subscribers: { A: {} } });
      expect(fanOut.encryptionKey).toBe(key);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyKey'), 'Arn'] } });
    });

    test('fails if the existing topic\'s own key is passed as encryptionKey', () => {
      const stack = testStack();
      const key = new kms.Key(stack, 'TopicKey');
      const topic = new sns.Topic(stack, 'Topic', { masterKey: key });
      expect(() => new FanOutTopic(stack, 'FanOut', { topic, encryptionKey: key }))
        .toThrow(/encryptionKey 'TestStack\/TopicKey': is the existing topic's own key.*dependency cycle.*remove encryptionKey/);
    });

    test('removalPolicy DESTROY opts out of retaining queues and key', () => {
      const stack = testStack();
      new FanOutTopic(stack, 'FanOut', { removalPolicy: RemovalPolicy.DESTROY, subscribers: { A: {} } });
      const template = Template.fromStack(stack);
      template.allResources('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
      template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    });
  });

  describe('grants and metrics', () => {
    test('grantPublish allows sns:Publish on the topic and use of its key', () => {
      const stack = testStack();
      const fanOut = new FanOutTopic(stack, 'FanOut', { subscribers: { A: {} } });
      const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      fanOut.grantPublish(role);
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: 'sns:Publish', Resource: { Ref: Match.stringLikeRegexp('^FanOut') } }),
            Match.objectLike({ Action: Match.arrayWith(['kms:GenerateDataKey*']) }),
          ]),
        },
      });
    });

    test('metrics point at the topic', () => {
      const stack = testStack();
      const fanOut = new FanOutTopic(stack, 'FanOut', { subscribers: { A: {} } });
      expect(fanOut.metricNumberOfNotificationsFailed().metricName).toBe('NumberOfNotificationsFailed');
      expect(fanOut.metricNumberOfMessagesPublished().namespace).toBe('AWS/SNS');
      expect(fanOut.metricNumberOfNotificationsFilteredOut().metricName).toBe('NumberOfNotificationsFilteredOut');
    });
  });

  describe('validation', () => {
    test('fails if a standard topic is given a FIFO queue', () => {
      const stack = testStack();
      const queue = new sqs.Queue(stack, 'Fifo', { fifo: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
      expect(() => new FanOutTopic(stack, 'FanOut', { subscribers: { F: { queue } } }))
        .toThrow(/FanOutTopic: subscribers\.F\.queue .*a standard SNS topic cannot deliver to a FIFO queue.*fifo: true/);
    });

    test('fails if a queue on the AWS-managed key is given', () => {
      const stack = testStack();
      const queue = new sqs.Queue(stack, 'Managed', { encryption: sqs.QueueEncryption.KMS_MANAGED });
      expect(() => new FanOutTopic(stack, 'FanOut', { subscribers: { M: { queue } } }))
        .toThrow(/subscribers\.M\.queue .*alias\/aws\/sqs.*silently drops every message.*customer-managed key/);
    });

    test('fails if an imported queue uses the AWS-managed key alias', () => {
      const stack = testStack();
      const queue = sqs.Queue.fromQueueAttributes(stack, 'Imported', {
        queueArn: 'arn:aws:sqs:us-east-1:123456789012:imported', keyArn: 'arn:aws:kms:us-east-1:123456789012:alias/aws/sqs',
      });
      expect(() => new FanOutTopic(stack, 'FanOut', { subscribers: { M: { queue } } })).toThrow(/alias\/aws\/sqs/);
    });

    test('fails if a FIFO queue gets a standard dead-letter queue', () => {
      const stack = testStack();
      const dlq = new sqs.Queue(stack, 'StandardDlq');
      expect(() => new FanOutTopic(stack, 'FanOut', { fifo: true, subscribers: { F: { deadLetterQueue: dlq } } }))
        .toThrow(/subscribers\.F\.deadLetterQueue .*the new queue is FIFO, and SQS requires its dead-letter queue to be of the same type.*use a FIFO dead-letter queue/);
    });

    test('fails if a FIFO topic gets a standard subscription dead-letter queue', () => {
      const stack = testStack();
      const dlq = new sqs.Queue(stack, 'StandardDlq');
      expect(() => new FanOutTopic(stack, 'FanOut', { fifo: true, subscribers: { F: { subscriptionDeadLetterQueue: dlq } } }))
        .toThrow(/subscriptionDeadLetterQueue .*FIFO topic to be FIFO/);
    });

    test.each([0, -1, 1001, 2.5])('fails if maxReceiveCount is %p', (maxReceiveCount) => {
      const stack = testStack();
      expect(() => new FanOutTopic(stack, 'FanOut', { subscribers: { A: { maxReceiveCount } } }))
        .toThrow(new RegExp(`subscribers\\.A\\.maxReceiveCount '${maxReceiveCount}': must be a whole number from 1 to 1000 \\(SQS API`));
    });

    test('a maxReceiveCount token is accepted', () => {
      const stack = testStack();
      const param = new CfnParameter(stack, 'Receives', { type: 'Number' });
      new FanOutTopic(stack, 'FanOut', {
        subscribers: { A: { maxReceiveCount: param.valueAsNumber }, B: { maxReceiveCount: Lazy.number({ produce: () => 4 }) } },
      });
      Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: Match.objectLike({ maxReceiveCount: { Ref: 'Receives' } }),
      });
    });

    test('fails if new-queue options are given with an existing queue', () => {
      const stack = testStack();
      const queue = new sqs.Queue(stack, 'Q', { encryption: sqs.QueueEncryption.SQS_MANAGED });
      expect(() => new FanOutTopic(stack, 'FanOut', { subscribers: { A: { queue, maxReceiveCount: 3, visibilityTimeout: Duration.minutes(1) } } }))
        .toThrow(/2 configuration error\(s\)[\s\S]*maxReceiveCount '3': only applies to a new queue[\s\S]*visibilityTimeout '1 minute'/);
    });

    test('fails if new-topic options are given with an existing topic', () => {
      const stack = testStack();
      const topic = new sns.Topic(stack, 'T');
      expect(() => new FanOutTopic(stack, 'FanOut', { topic, fifo: true })).toThrow(/FanOutTopic: fifo 'true': only applies to a new topic/);
    });

    test('fails if content-based deduplication is asked of a standard topic', () => {
      const stack = testStack();
      expect(() => new FanOutTopic(stack, 'FanOut', { contentBasedDeduplication: true }))
        .toThrow(/contentBasedDeduplication 'true': content-based deduplication exists only on FIFO topics.*fifo: true/);
    });

    test('fails if both attribute and body filter policies are set', () => {
      const stack = testStack();
      expect(() => new FanOutTopic(stack, 'FanOut', {
        subscribers: {
          A: {
            filterPolicy: { a: sns.SubscriptionFilter.existsFilter() },
            filterPolicyWithMessageBody: { b: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.existsFilter()) },
          },
        },
      })).toThrow(/one filter policy scope per subscription/);
    });

    test('fails if a subscriber ID is used twice, and nothing is half-created', () => {
      const stack = testStack();
      const fanOut = new FanOutTopic(stack, 'FanOut', { subscribers: { A: {} } });
      const before = stack.node.findAll().length;
      expect(() => fanOut.addSubscriber('A', {})).toThrow(/subscribers\.A 'A': a subscriber .* already exists/);
      expect(stack.node.findAll().length).toBe(before);
    });

    test('a rejected subscriber leaves nothing behind', () => {
      const stack = testStack();
      const fanOut = new FanOutTopic(stack, 'FanOut', { subscribers: { A: {} } });
      const before = stack.node.findAll().length;
      expect(() => fanOut.addSubscriber('B', { maxReceiveCount: 0 })).toThrow(/maxReceiveCount/);
      expect(stack.node.findAll().length).toBe(before);
      expect(Object.keys(fanOut.subscribers)).toHaveLength(1);
    });

    test('fails at synth if there are no subscribers', () => {
      const app = testApp();
      const stack = new Stack(app, 'TestStack');
      new FanOutTopic(stack, 'FanOut');
      expect(() => app.synth()).toThrow(/FanOutTopic at 'TestStack\/FanOut': subscribers is empty.*addSubscriber/);
    });
  });
});
