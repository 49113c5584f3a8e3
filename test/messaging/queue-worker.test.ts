import { CfnParameter, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QueueWorker, QueueWorkerProps } from '../../lib';
import { testApp, testStack } from '../support/app';
import { expectConsoleOutput } from '../support/console-guard';
import { alarmActionsById, alarmShapes, DLQ_DEPTH, HANDLER_ERRORS, HANDLER_THROTTLES, oldestMessage, snsAction, sorted } from './alarm-expectations';

function newFunction(stack: Stack, timeout?: Duration): lambda.Function {
  return new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout,
  });
}

function worker(props: Partial<QueueWorkerProps> & { timeout?: Duration } = {}): { stack: Stack; worker: QueueWorker } {
  const stack = testStack();
  const { timeout, ...rest } = props;
  const w = new QueueWorker(stack, 'Worker', { handler: newFunction(stack, timeout ?? Duration.seconds(30)), ...rest });
  return { stack, worker: w };
}

describe('QueueWorker', () => {
  describe('defaults', () => {
    let template: Template;
    let queueWorker: QueueWorker;
    beforeAll(() => {
      const built = worker();
      queueWorker = built.worker;
      template = Template.fromStack(built.stack);
    });

    test('visibility timeout is 6 x the function timeout', () => {
      template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180, RedrivePolicy: Match.anyValue() });
      expect(queueWorker.visibilityTimeout?.toSeconds()).toBe(180);
    });

    test('queue and dead-letter queue are encrypted with a new rotating key and retained', () => {
      template.resourceCountIs('AWS::SQS::Queue', 2);
      template.allResourcesProperties('AWS::SQS::Queue', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkerKey'), 'Arn'] },
      });
      template.allResources('AWS::SQS::Queue', { DeletionPolicy: 'Retain' });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    test('messages move to the dead-letter queue after 5 receives; the DLQ keeps them 14 days', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkerDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
      });
      template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600 });
    });

    test('event source mapping reports batch item failures, batch size 10', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 10,
        EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkerQueue'), 'Arn'] },
      });
    });

    test('the function may consume and decrypt, nothing more', () => {
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: Match.arrayWith(['sqs:DeleteMessage', 'sqs:ReceiveMessage']),
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkerQueue'), 'Arn'] },
            }),
            Match.objectLike({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkerKey'), 'Arn'] } }),
          ]),
        },
      });
    });

    test('alarms on dead-letter depth, the age of the oldest message (15 minutes), handler errors and throttles', () => {
      expect(alarmShapes(template)).toEqual(sorted([DLQ_DEPTH, oldestMessage(900), HANDLER_ERRORS, HANDLER_THROTTLES]));
      expect(queueWorker.alarms).toEqual([queueWorker.deadLetterQueueAlarm, queueWorker.oldestMessageAgeAlarm,
        queueWorker.handlerErrorsAlarm, queueWorker.handlerThrottlesAlarm]);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^Handler') } }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^Handler') } }],
      });
      // no actions unless given
      expect(Object.values(alarmActionsById(template))).toEqual([undefined, undefined, undefined, undefined]);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkerDeadLetterQueue'), 'QueueName'] } }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900, ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WorkerQueue'), 'QueueName'] } }],
      });
    });

    test('metrics', () => {
      expect(queueWorker.metricApproximateAgeOfOldestMessage().metricName).toBe('ApproximateAgeOfOldestMessage');
      expect(queueWorker.metricDeadLetterQueueDepth().metricName).toBe('ApproximateNumberOfMessagesVisible');
      expect(queueWorker.metricApproximateNumberOfMessagesVisible().namespace).toBe('AWS/SQS');
      expect(queueWorker.metricHandlerErrors().metricName).toBe('Errors');
      expect(queueWorker.metricHandlerThrottles().metricName).toBe('Throttles');
      expect(queueWorker.metricHandlerInvocations().metricName).toBe('Invocations');
      expect(queueWorker.metricHandlerDuration().metricName).toBe('Duration');
      expect(queueWorker.metricNumberOfMessagesSent().metricName).toBe('NumberOfMessagesSent');
      expect(queueWorker.metricNumberOfMessagesDeleted().metricName).toBe('NumberOfMessagesDeleted');
    });
  });

  describe('alarm actions', () => {
    test('alarmActions reach every alarm', () => {
      const stack = testStack();
      const { action, ref } = snsAction(stack, 'OnCall');
      new QueueWorker(stack, 'Worker', { handler: newFunction(stack, Duration.seconds(30)), alarmActions: [action] });
      const actions = alarmActionsById(Template.fromStack(stack));
      expect(Object.keys(actions)).toHaveLength(4);
      expect(Object.values(actions)).toEqual(Array(4).fill([ref]));
    });

    test('addAlarmActions adds to every alarm, after the ones given as props', () => {
      const stack = testStack();
      const first = snsAction(stack, 'First');
      const second = snsAction(stack, 'Second');
      const w = new QueueWorker(stack, 'Worker', { handler: newFunction(stack, Duration.seconds(30)), alarmActions: [first.action] });
      w.addAlarmActions(second.action);
      expect(Object.values(alarmActionsById(Template.fromStack(stack)))).toEqual(Array(4).fill([first.ref, second.ref]));
    });

    test('handlerAlarms: false leaves the function without errors and throttles alarms', () => {
      const { stack, worker: w } = worker({ handlerAlarms: false });
      expect(alarmShapes(Template.fromStack(stack))).toEqual(sorted([DLQ_DEPTH, oldestMessage(900)]));
      expect(w.handlerErrorsAlarm).toBeUndefined();
      expect(w.alarms).toHaveLength(2);
    });

    test('oldestMessageAgeAlarmThreshold sets the threshold in seconds', () => {
      const { stack } = worker({ oldestMessageAgeAlarmThreshold: Duration.minutes(2) });
      expect(alarmShapes(Template.fromStack(stack))).toContainEqual(oldestMessage(120));
    });
  });

  describe('tuning', () => {
    test('visibility timeout adds the batching window; batch size, window and max concurrency are passed on', () => {
      const { stack } = worker({ timeout: Duration.seconds(10), batchSize: 100, maxBatchingWindow: Duration.seconds(5), maxConcurrency: 4 });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 65 });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 100, MaximumBatchingWindowInSeconds: 5, ScalingConfig: { MaximumConcurrency: 4 },
      });
    });

    test('a function without a timeout counts as Lambda\'s default of 3 seconds', () => {
      const stack = testStack();
      new QueueWorker(stack, 'Worker', { handler: newFunction(stack) });
      Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 18, RedrivePolicy: Match.anyValue() });
    });

    test('an explicit visibility timeout at or above the minimum is kept', () => {
      const { stack } = worker({ visibilityTimeout: Duration.minutes(5) });
      Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 300 });
    });

    test('partial batch responses can be turned off', () => {
      const { stack } = worker({ reportBatchItemFailures: false });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: Match.absent() });
    });

    test('removalPolicy DESTROY opts out of retention', () => {
      const { stack } = worker({ removalPolicy: RemovalPolicy.DESTROY });
      Template.fromStack(stack).allResources('AWS::SQS::Queue', { DeletionPolicy: 'Delete' });
    });

    test('an existing key is used', () => {
      const stack = testStack();
      const key = new kms.Key(stack, 'Shared');
      const w = new QueueWorker(stack, 'Worker', { handler: newFunction(stack, Duration.seconds(5)), encryptionKey: key });
      expect(w.encryptionKey).toBe(key);
      Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
    });

    test('an existing queue is consumed as it is', () => {
      const stack = testStack();
      const queue = new sqs.Queue(stack, 'Mine', { visibilityTimeout: Duration.minutes(10) });
      const w = new QueueWorker(stack, 'Worker', { handler: newFunction(stack, Duration.seconds(30)), queue });
      expect(w.queue).toBe(queue);
      expect(w.deadLetterQueue).toBeUndefined();
      expect(() => w.metricDeadLetterQueueDepth()).toThrow(/dead-letter queue, which is unknown for an existing queue/);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SQS::Queue', 1);
      expect(alarmShapes(template)).toEqual(sorted([oldestMessage(900), HANDLER_ERRORS, HANDLER_THROTTLES]));
    });

    test('an imported function works when its timeout is given', () => {
      const printed = expectConsoleOutput();
      const stack = new Stack(testApp({ failOnWarnings: false }), 'TestStack');
      const fn = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:us-east-1:123456789012:function:worker');
      new QueueWorker(stack, 'Worker', { handler: fn, handlerTimeout: Duration.seconds(20) });
      Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 120, RedrivePolicy: Match.anyValue() });
      // The user is told the imported function's role must be granted by them.
      Annotations.fromStack(stack).hasWarning('/TestStack/Worker', Match.stringLikeRegexp('imported without its role.*grant them'));
      expect(printed.text()).toContain('was imported without its role');
    });

    test('tokens for batch size, max concurrency and maxReceiveCount are accepted', () => {
      const stack = testStack();
      const batch = new CfnParameter(stack, 'Batch', { type: 'Number' });
      new QueueWorker(stack, 'Worker', {
        handler: newFunction(stack, Duration.seconds(5)),
        batchSize: batch.valueAsNumber,
        maxConcurrency: Lazy.number({ produce: () => 3 }),
        maxReceiveCount: Lazy.number({ produce: () => 2 }),
      });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: { Ref: 'Batch' }, ScalingConfig: { MaximumConcurrency: 3 } });
      template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 2 }) });
    });
  });

  describe('FIFO', () => {
    test('FIFO queue and FIFO dead-letter queue, content-based deduplication', () => {
      const { stack, worker: w } = worker({ fifo: true, contentBasedDeduplication: true });
      expect(w.fifo).toBe(true);
      const template = Template.fromStack(stack);
      template.allResourcesProperties('AWS::SQS::Queue', { FifoQueue: true });
      template.hasResourceProperties('AWS::SQS::Queue', { ContentBasedDeduplication: true, RedrivePolicy: Match.anyValue() });
    });
  });

  describe('validation', () => {
    test('fails if the visibility timeout is shorter than the function timeout (Lambda rejects the mapping)', () => {
      expect(() => worker({ timeout: Duration.seconds(30), visibilityTimeout: Duration.seconds(20), maxBatchingWindow: Duration.seconds(10) }))
        .toThrow(/QueueWorker: visibilityTimeout '20 seconds': is less than the function timeout \(30 seconds\); Lambda rejects .*at least 190 seconds \(6 x the function timeout \+ the batching window\)/);
    });

    test('warns if the visibility timeout is shorter than 6 x the function timeout + batching window (AWS\'s recommendation)', () => {
      const printed = expectConsoleOutput();
      const stack = new Stack(testApp({ failOnWarnings: false }), 'TestStack');
      new QueueWorker(stack, 'Worker', { handler: newFunction(stack, Duration.seconds(30)), visibilityTimeout: Duration.seconds(100), maxBatchingWindow: Duration.seconds(10) });
      Annotations.fromStack(stack).hasWarning('/TestStack/Worker', Match.stringLikeRegexp(
        'visibility timeout \\(100 seconds\\) is below 6 x the function timeout \\(30 seconds\\) \\+ the batching window \\(10 seconds\\) = 190 seconds.*Duration.seconds\\(190\\)'));
      expect(printed.text()).toContain('190 seconds');
    });

    test('fails if a FIFO queue gets a standard dead-letter queue', () => {
      const stack = testStack();
      const dlq = new sqs.Queue(stack, 'Dlq');
      expect(() => new QueueWorker(stack, 'Worker', { handler: newFunction(stack), fifo: true, deadLetterQueue: dlq }))
        .toThrow(/QueueWorker: deadLetterQueue .*the queue is FIFO, and SQS requires its dead-letter queue to be of the same type.*use a FIFO dead-letter queue/);
    });

    test('fails if a standard queue gets a FIFO dead-letter queue', () => {
      const stack = testStack();
      const dlq = new sqs.Queue(stack, 'Dlq', { fifo: true });
      expect(() => new QueueWorker(stack, 'Worker', { handler: newFunction(stack), deadLetterQueue: dlq }))
        .toThrow(/the queue is standard.*use a standard dead-letter queue/);
    });

    test.each([0, -3, 1001])('fails if maxReceiveCount is %p', (maxReceiveCount) => {
      expect(() => worker({ maxReceiveCount })).toThrow(new RegExp(`maxReceiveCount '${maxReceiveCount}': must be a whole number from 1 to 1000`));
    });

    test('fails if a FIFO queue gets a batching window', () => {
      expect(() => worker({ fifo: true, maxBatchingWindow: Duration.seconds(1) }))
        .toThrow(/maxBatchingWindow '1 second': Lambda does not support a batching window on FIFO queues.*remove maxBatchingWindow/);
    });

    test('fails if batch size is above 10 without a batching window', () => {
      expect(() => worker({ batchSize: 11 }))
        .toThrow(/batchSize '11': Lambda requires a batching window of at least 1 second for batches larger than 10.*set maxBatchingWindow/);
    });

    test('fails if a FIFO batch size is above 10', () => {
      expect(() => worker({ fifo: true, batchSize: 20 })).toThrow(/batchSize '20': must be a whole number from 1 to 10 \(Lambda API CreateEventSourceMapping, BatchSize \(Amazon SQS FIFO\)\)/);
    });

    test.each([0, 10001])('fails if batch size is %p', (batchSize) => {
      expect(() => worker({ batchSize, maxBatchingWindow: Duration.seconds(1) })).toThrow(new RegExp(`batchSize '${batchSize}'`));
    });

    test('fails if the batching window is above 300 seconds', () => {
      expect(() => worker({ maxBatchingWindow: Duration.minutes(6), visibilityTimeout: Duration.hours(1) }))
        .toThrow(/maxBatchingWindow '6 minutes': must be a whole number from 0 to 300 seconds/);
    });

    test.each([1, 1001])('fails if maxConcurrency is %p', (maxConcurrency) => {
      expect(() => worker({ maxConcurrency })).toThrow(new RegExp(`maxConcurrency '${maxConcurrency}': must be a whole number from 2 to 1000`));
    });

    test('fails if an imported function comes without its timeout', () => {
      const stack = testStack();
      const fn = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:us-east-1:123456789012:function:worker');
      expect(() => new QueueWorker(stack, 'Worker', { handler: fn }))
        .toThrow(/handlerTimeout \(not set\): the handler is imported.*set handlerTimeout/);
    });

    test('fails if new-queue options are given with an existing queue', () => {
      const stack = testStack();
      const queue = new sqs.Queue(stack, 'Mine');
      expect(() => new QueueWorker(stack, 'Worker', { handler: newFunction(stack), queue, maxReceiveCount: 2, fifo: true }))
        .toThrow(/2 configuration error\(s\)[\s\S]*fifo 'true': only applies to a new queue[\s\S]*maxReceiveCount '2': only applies to a new queue/);
    });

    test('fails if content-based deduplication is asked of a standard queue', () => {
      expect(() => worker({ contentBasedDeduplication: true })).toThrow(/contentBasedDeduplication 'true': content-based deduplication exists only on FIFO queues/);
    });

    test('reports every problem at once and creates nothing', () => {
      const stack = testStack();
      const fn = newFunction(stack, Duration.seconds(10));
      const before = stack.node.findAll().length;
      expect(() => new QueueWorker(stack, 'Worker', { handler: fn, fifo: true, maxBatchingWindow: Duration.seconds(2), maxReceiveCount: 0 }))
        .toThrow(/2 configuration error\(s\)/);
      // Only the (empty) Worker scope itself was added.
      expect(stack.node.findAll().length).toBe(before + 1);
      expect(stack.node.tryFindChild('Worker')?.node.children).toHaveLength(0);
    });
  });
});
