import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QueueWorkerProps } from '../../lib/messaging/queue-worker';
import { validateQueueWorkerProps } from '../../lib/messaging/validate-queue-worker-props';

// Fast unit tests of QueueWorker's rules: the validation is called directly on a bare stack (no synth),
// each rule at its documented limits and one past them, a valid value accepted, each message asserted whole.

const IMPORTED_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:worker';

interface Fixture {
  readonly stack: Stack;
  readonly scope: Construct;
  /** A lambda.Function with the given timeout (seconds; undefined leaves Lambda's 3-second default). */
  fn(timeoutSeconds?: number): lambda.Function;
  /** An imported function, whose timeout cannot be read. */
  imported(): lambda.IFunction;
  /** An imported queue (its type follows from the name). */
  importedQueue(name: string): sqs.IQueue;
}

function fixture(): Fixture {
  const stack = new Stack();
  const scope = new Construct(stack, 'W');
  let n = 0;
  return {
    stack,
    scope,
    fn: (timeoutSeconds) => new lambda.Function(stack, `F${n++}`, {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      timeout: timeoutSeconds === undefined ? undefined : Duration.seconds(timeoutSeconds),
    }),
    imported: () => lambda.Function.fromFunctionArn(stack, `I${n++}`, IMPORTED_ARN),
    importedQueue: (name) => sqs.Queue.fromQueueArn(stack, `Q${n++}`, `arn:aws:sqs:us-east-1:123456789012:${name}`),
  };
}

/** The function timeout as QueueWorker resolves it: a lambda.Function's own (3 s by default), else handlerTimeout. */
function functionTimeoutOf(props: QueueWorkerProps): Duration | undefined {
  return props.handler instanceof lambda.Function ? props.handler.timeout ?? Duration.seconds(3) : props.handlerTimeout;
}

/** The problem lines of the error `validateQueueWorkerProps` throws ([] when it throws none). */
function problems(f: Fixture, props: QueueWorkerProps): string[] {
  const fifo = props.queue ? props.queue.fifo : props.fifo ?? false;
  try {
    validateQueueWorkerProps(f.scope, props, fifo, functionTimeoutOf(props));
  } catch (e) {
    const [header, ...lines] = (e as Error).message.split('\n');
    expect(header).toBe(`QueueWorker at 'Default/W' has ${lines.length} configuration error(s):`);
    return lines;
  }
  return [];
}

/** The warnings recorded on the scope. */
function warnings(f: Fixture): string[] {
  return f.scope.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
}

/** The props of one problem line, e.g. 'maxReceiveCount' for "  - QueueWorker: maxReceiveCount '0': ...". */
function propsOf(lines: string[]): string[] {
  return lines.map((l) => /^ {2}- QueueWorker: (.+?) ('|\()/.exec(l)![1]);
}

describe('a valid configuration', () => {
  test('a lambda.Function with defaults passes without a warning', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30) })).toEqual([]);
    expect(warnings(f)).toEqual([]);
  });

  test('an imported function with handlerTimeout passes', () => {
    const f = fixture();
    expect(problems(f, { handler: f.imported(), handlerTimeout: Duration.seconds(30) })).toEqual([]);
  });

  test('tokens are skipped', () => {
    const f = fixture();
    const token = Lazy.number({ produce: () => 0 });
    expect(problems(f, {
      handler: f.fn(30),
      maxReceiveCount: token,
      batchSize: token,
      maxConcurrency: token,
      retentionPeriod: Duration.seconds(token),
      visibilityTimeout: Duration.seconds(token),
      maxBatchingWindow: Duration.seconds(token),
    })).toEqual([]);
    expect(warnings(f)).toEqual([]);
  });
});

describe('handlerTimeout', () => {
  test.each([1, 900])('%i seconds is accepted', (seconds) => {
    const f = fixture();
    expect(problems(f, { handler: f.imported(), handlerTimeout: Duration.seconds(seconds), visibilityTimeout: Duration.seconds(43200) })).toEqual([]);
  });

  test.each([0, 901])('%i seconds is refused', (seconds) => {
    const f = fixture();
    expect(propsOf(problems(f, { handler: f.imported(), handlerTimeout: Duration.seconds(seconds), visibilityTimeout: Duration.seconds(43200) })))
      .toEqual(['handlerTimeout']);
  });

  test('the message names the limit and the fix', () => {
    const f = fixture();
    expect(problems(f, { handler: f.imported(), handlerTimeout: Duration.seconds(901), visibilityTimeout: Duration.seconds(43200) })).toEqual([
      "  - QueueWorker: handlerTimeout '15 minutes 1 second': must be a whole number from 1 to 900 seconds (Lambda quotas: function timeout). "
      + "Fix: use the function's configured timeout, at most Duration.minutes(15).",
    ]);
  });

  test('an imported function needs it for a new queue', () => {
    const f = fixture();
    expect(problems(f, { handler: f.imported() })).toEqual([
      '  - QueueWorker: handlerTimeout (not set): the handler is imported, so its timeout cannot be read, and the queue visibility timeout is derived from it. '
      + "Fix: set handlerTimeout to the function's configured timeout.",
    ]);
  });

  test('an imported function needs none for an existing queue', () => {
    const f = fixture();
    expect(problems(f, { handler: f.imported(), queue: f.importedQueue('jobs') })).toEqual([]);
  });

  test("a lambda.Function's handlerTimeout must equal its own timeout", () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), handlerTimeout: Duration.seconds(30) })).toEqual([]);
    expect(problems(f, { handler: f.fn(30), handlerTimeout: Duration.seconds(31) })).toEqual([
      "  - QueueWorker: handlerTimeout '31 seconds': differs from the function's own timeout (30 seconds), which is the one the queue is sized and checked for. "
      + 'Fix: remove handlerTimeout (it is for imported functions, whose timeout cannot be read).',
    ]);
  });

  test("a lambda.Function's default timeout (3 s) is its own", () => {
    const f = fixture();
    expect(propsOf(problems(f, { handler: f.fn(), handlerTimeout: Duration.seconds(4) }))).toEqual(['handlerTimeout']);
    expect(problems(f, { handler: f.fn(), handlerTimeout: Duration.seconds(3) })).toEqual([]);
  });

  test("a lambda.Function's token timeout is not compared", () => {
    const f = fixture();
    const handler = new lambda.Function(f.stack, 'TokenTimeout', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      timeout: Duration.seconds(Lazy.number({ produce: () => 30 })),
    });
    expect(problems(f, { handler, handlerTimeout: Duration.seconds(31), visibilityTimeout: Duration.seconds(43200) })).toEqual([]);
  });

  test('a token handlerTimeout is not compared', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), handlerTimeout: Duration.seconds(Lazy.number({ produce: () => 31 })) })).toEqual([]);
  });
});

describe("the function's own timeout", () => {
  test('900 seconds is accepted', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(900), visibilityTimeout: Duration.seconds(43200) })).toEqual([]);
  });

  test('901 seconds is refused', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(901), visibilityTimeout: Duration.seconds(43200) })).toEqual([
      "  - QueueWorker: handler (its timeout) '15 minutes 1 second': must be a whole number from 1 to 900 seconds (Lambda quotas: function timeout). "
      + "Fix: set the function's timeout to Duration.minutes(15) or less.",
    ]);
  });
});

describe('an existing queue', () => {
  test.each<[keyof QueueWorkerProps, (f: Fixture) => unknown]>([
    ['fifo', () => false],
    ['contentBasedDeduplication', () => false],
    ['encryptionKey', (f) => ({ keyArn: 'k', node: f.scope.node })],
    ['visibilityTimeout', () => Duration.seconds(180)],
    ['retentionPeriod', () => Duration.days(4)],
    ['deadLetterQueue', (f) => f.importedQueue('dlq')],
    ['maxReceiveCount', () => 5],
    ['removalPolicy', () => 'retain'],
  ])('refuses %s, which only applies to a new queue', (prop, value) => {
    const f = fixture();
    const lines = problems(f, { handler: f.fn(30), queue: f.importedQueue('jobs'), [prop]: value(f) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^ {2}- QueueWorker: ${prop} .*: only applies to a new queue, but an existing queue was given\\. `
      + `Fix: configure the existing queue directly and remove ${prop}\\.$`));
  });

  test('the whole message', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), queue: f.importedQueue('jobs'), maxReceiveCount: 5 })).toEqual([
      "  - QueueWorker: maxReceiveCount '5': only applies to a new queue, but an existing queue was given. "
      + 'Fix: configure the existing queue directly and remove maxReceiveCount.',
    ]);
  });

  test("a visibility timeout below the function timeout is refused, naming the queue's own", () => {
    const f = fixture();
    const queue = new sqs.Queue(f.stack, 'Jobs', { visibilityTimeout: Duration.seconds(29) });
    expect(problems(f, { handler: f.fn(30), queue })).toEqual([
      "  - QueueWorker: queue 'Default/Jobs': its visibility timeout (29 seconds) is less than the function timeout (30 seconds); "
      + 'Lambda rejects an event source mapping whose queue visibility timeout is below the function timeout. '
      + 'Fix: make the visibility timeout at least 180 seconds (6 x the function timeout + the batching window).',
    ]);
  });

  test("a queue without a visibility timeout has SQS's 30 seconds", () => {
    const f = fixture();
    const queue = new sqs.Queue(f.stack, 'Jobs');
    expect(problems(f, { handler: f.fn(30), queue })).toEqual([]);
    expect(problems(f, { handler: f.fn(31), queue })[0]).toMatch(/its visibility timeout \(30 seconds\) is less than the function timeout \(31 seconds\)/);
  });

  test('a visibility timeout from the function timeout to below the recommendation is a warning', () => {
    const f = fixture();
    const queue = new sqs.Queue(f.stack, 'Jobs', { visibilityTimeout: Duration.seconds(179) });
    expect(problems(f, { handler: f.fn(30), queue })).toEqual([]);
    expect(warnings(f)).toEqual([
      "The queue's visibility timeout (179 seconds) is below 6 x the function timeout (30 seconds) + the batching window (0 seconds) = 180 seconds, "
      + "AWS's recommendation for SQS-triggered functions: a batch retried after a throttle can become visible again while it is still processed, "
      + "and run twice. Fix: set the queue's visibility timeout to Duration.seconds(180) or more. "
      + '[ack: cdk-reference-architectures:queueWorkerVisibilityTimeout]',
    ]);
  });

  test('a visibility timeout at the recommendation passes without a warning', () => {
    const f = fixture();
    const queue = new sqs.Queue(f.stack, 'Jobs', { visibilityTimeout: Duration.seconds(180) });
    expect(problems(f, { handler: f.fn(30), queue })).toEqual([]);
    expect(warnings(f)).toEqual([]);
  });

  test('an imported queue, whose visibility timeout is unknown, is not checked', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(900), queue: f.importedQueue('jobs') })).toEqual([]);
    expect(warnings(f)).toEqual([]);
  });
});

describe('a new queue', () => {
  test('contentBasedDeduplication needs a FIFO queue', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), contentBasedDeduplication: true })).toEqual([
      "  - QueueWorker: contentBasedDeduplication 'true': content-based deduplication exists only on FIFO queues. "
      + 'Fix: set fifo: true or remove contentBasedDeduplication.',
    ]);
    expect(problems(f, { handler: f.fn(30), contentBasedDeduplication: false })).toEqual([]);
    expect(problems(f, { handler: f.fn(30), fifo: true, contentBasedDeduplication: true })).toEqual([]);
  });

  test('a user-supplied dead-letter queue of the same type is accepted', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), deadLetterQueue: f.importedQueue('dlq') })).toEqual([]);
    expect(problems(f, { handler: f.fn(30), fifo: true, deadLetterQueue: f.importedQueue('dlq.fifo') })).toEqual([]);
  });

  test('a FIFO dead-letter queue of a standard queue is refused', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), deadLetterQueue: f.importedQueue('dlq.fifo') })).toEqual([
      "  - QueueWorker: deadLetterQueue 'dlq.fifo': the queue is standard, and SQS requires its dead-letter queue to be of the same type. "
      + 'Fix: use a standard dead-letter queue.',
    ]);
  });

  test('a standard dead-letter queue of a FIFO queue is refused', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), fifo: true, deadLetterQueue: f.importedQueue('dlq') })).toEqual([
      "  - QueueWorker: deadLetterQueue 'dlq': the queue is FIFO, and SQS requires its dead-letter queue to be of the same type. "
      + 'Fix: use a FIFO dead-letter queue.',
    ]);
  });

  test.each([1, 1000])('maxReceiveCount %i is accepted', (maxReceiveCount) => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), maxReceiveCount })).toEqual([]);
  });

  test.each([0, 1001])('maxReceiveCount %i is refused', (maxReceiveCount) => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), maxReceiveCount })).toEqual([
      `  - QueueWorker: maxReceiveCount '${maxReceiveCount}': must be a whole number from 1 to 1000 (SQS API SetQueueAttributes, RedrivePolicy maxReceiveCount). `
      + 'Fix: use 1 to 1000 (5 leaves room for transient failures).',
    ]);
  });

  test.each([60, 1209600])('retentionPeriod %i seconds is accepted', (seconds) => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), retentionPeriod: Duration.seconds(seconds) })).toEqual([]);
  });

  test.each([59, 1209601])('retentionPeriod %i seconds is refused', (seconds) => {
    const f = fixture();
    expect(propsOf(problems(f, { handler: f.fn(30), retentionPeriod: Duration.seconds(seconds) }))).toEqual(['retentionPeriod']);
  });

  test('the retentionPeriod message', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), retentionPeriod: Duration.seconds(59) })).toEqual([
      "  - QueueWorker: retentionPeriod '59 seconds': must be a whole number from 60 to 1209600 seconds (SQS API SetQueueAttributes, MessageRetentionPeriod). "
      + 'Fix: use Duration.minutes(1) to Duration.days(14).',
    ]);
  });

  test('visibilityTimeout 43200 seconds is accepted', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), visibilityTimeout: Duration.seconds(43200) })).toEqual([]);
    expect(warnings(f)).toEqual([]);
  });

  test('visibilityTimeout 43201 seconds is refused', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), visibilityTimeout: Duration.seconds(43201) })).toEqual([
      "  - QueueWorker: visibilityTimeout '12 hours 1 second': must be a whole number from 0 to 43200 seconds (SQS API SetQueueAttributes, VisibilityTimeout). "
      + 'Fix: use Duration.hours(12) or less.',
    ]);
  });

  test('a visibilityTimeout below the function timeout is refused', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), visibilityTimeout: Duration.seconds(29), maxBatchingWindow: Duration.seconds(5) })).toEqual([
      "  - QueueWorker: visibilityTimeout '29 seconds': is less than the function timeout (30 seconds); "
      + 'Lambda rejects an event source mapping whose queue visibility timeout is below the function timeout. '
      + 'Fix: make the visibility timeout at least 185 seconds (6 x the function timeout + the batching window).',
    ]);
  });

  test('a visibilityTimeout equal to the function timeout is a warning counting the batching window', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), visibilityTimeout: Duration.seconds(30), maxBatchingWindow: Duration.seconds(5) })).toEqual([]);
    expect(warnings(f)).toEqual([
      "The queue's visibility timeout (30 seconds) is below 6 x the function timeout (30 seconds) + the batching window (5 seconds) = 185 seconds, "
      + "AWS's recommendation for SQS-triggered functions: a batch retried after a throttle can become visible again while it is still processed, "
      + 'and run twice. Fix: set the visibilityTimeout to Duration.seconds(185) or more. '
      + '[ack: cdk-reference-architectures:queueWorkerVisibilityTimeout]',
    ]);
  });

  test('a visibilityTimeout one second below the recommendation warns, at it passes', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), visibilityTimeout: Duration.seconds(184), maxBatchingWindow: Duration.seconds(5) })).toEqual([]);
    expect(warnings(f)).toHaveLength(1);
    const g = fixture();
    expect(problems(g, { handler: g.fn(30), visibilityTimeout: Duration.seconds(185), maxBatchingWindow: Duration.seconds(5) })).toEqual([]);
    expect(warnings(g)).toEqual([]);
  });

  test('a token batching window or function timeout skips the visibility comparison', () => {
    const f = fixture();
    const token = Duration.seconds(Lazy.number({ produce: () => 300 }));
    expect(problems(f, { handler: f.fn(30), visibilityTimeout: Duration.seconds(1), maxBatchingWindow: token })).toEqual([]);
    expect(problems(f, { handler: f.imported(), handlerTimeout: token, visibilityTimeout: Duration.seconds(1) })).toEqual([]);
    expect(warnings(f)).toEqual([]);
  });
});

describe('maxBatchingWindow', () => {
  test.each([0, 300])('%i seconds is accepted', (seconds) => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), maxBatchingWindow: Duration.seconds(seconds) })).toEqual([]);
  });

  test('301 seconds is refused', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), maxBatchingWindow: Duration.seconds(301) })).toEqual([
      "  - QueueWorker: maxBatchingWindow '5 minutes 1 second': must be a whole number from 0 to 300 seconds "
      + '(Lambda API CreateEventSourceMapping, MaximumBatchingWindowInSeconds). Fix: use Duration.seconds(300) or less.',
    ]);
  });

  test('is refused on a FIFO queue', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), fifo: true, maxBatchingWindow: Duration.seconds(1) })).toEqual([
      "  - QueueWorker: maxBatchingWindow '1 second': Lambda does not support a batching window on FIFO queues. Fix: remove maxBatchingWindow.",
    ]);
  });
});

describe('batchSize', () => {
  test.each([1, 10])('%i is accepted on a standard queue without a batching window', (batchSize) => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), batchSize })).toEqual([]);
  });

  test.each([11, 10000])('%i is accepted on a standard queue with a 1-second batching window', (batchSize) => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), batchSize, maxBatchingWindow: Duration.seconds(1) })).toEqual([]);
  });

  test('above 10 with a token batching window is accepted', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), batchSize: 11, maxBatchingWindow: Duration.seconds(Lazy.number({ produce: () => 1 })) })).toEqual([]);
  });

  test.each([1, 10])('%i is accepted on a FIFO queue', (batchSize) => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), fifo: true, batchSize })).toEqual([]);
  });

  test('0 is refused on a standard queue', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), batchSize: 0 })).toEqual([
      "  - QueueWorker: batchSize '0': must be a whole number from 1 to 10000 (Lambda API CreateEventSourceMapping, BatchSize (Amazon SQS)). Fix: use 1 to 10000.",
    ]);
  });

  test('10000 on a standard queue without a batching window is refused for the window', () => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), batchSize: 10000 })[0]).toMatch(/^ {2}- QueueWorker: batchSize '10000': Lambda requires a batching window/);
  });

  test('10001 is refused on a standard queue, for its range only', () => {
    const f = fixture();
    expect(propsOf(problems(f, { handler: f.fn(30), batchSize: 10001 }))).toEqual(['batchSize']);
  });

  test.each([0, 11])('%i is refused on a FIFO queue', (batchSize) => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), fifo: true, batchSize })).toEqual([
      `  - QueueWorker: batchSize '${batchSize}': must be a whole number from 1 to 10 (Lambda API CreateEventSourceMapping, BatchSize (Amazon SQS FIFO)). Fix: use 1 to 10.`,
    ]);
  });

  test.each([undefined, 0])('11 on a standard queue is refused with a batching window of %s', (window) => {
    const f = fixture();
    const maxBatchingWindow = window === undefined ? undefined : Duration.seconds(window);
    expect(problems(f, { handler: f.fn(30), batchSize: 11, maxBatchingWindow })).toEqual([
      "  - QueueWorker: batchSize '11': Lambda requires a batching window of at least 1 second for batches larger than 10 "
      + '(CreateEventSourceMapping, MaximumBatchingWindowInSeconds). Fix: set maxBatchingWindow to Duration.seconds(1) or more, or use a batchSize of 10 or less.',
    ]);
  });

  test('11 on a standard queue is refused with a batching window below a second', () => {
    const f = fixture();
    expect(propsOf(problems(f, { handler: f.fn(30), batchSize: 11, maxBatchingWindow: Duration.millis(999) })))
      .toEqual(['maxBatchingWindow', 'batchSize']);
  });
});

describe('maxConcurrency', () => {
  test.each([2, 1000])('%i is accepted', (maxConcurrency) => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), maxConcurrency })).toEqual([]);
  });

  test.each([1, 1001])('%i is refused', (maxConcurrency) => {
    const f = fixture();
    expect(problems(f, { handler: f.fn(30), maxConcurrency })).toEqual([
      `  - QueueWorker: maxConcurrency '${maxConcurrency}': must be a whole number from 2 to 1000 (Lambda API ScalingConfig, MaximumConcurrency). `
      + 'Fix: use a value from 2 to 1000, or remove it for no limit.',
    ]);
  });
});

test('every problem is reported at once', () => {
  const f = fixture();
  expect(propsOf(problems(f, { handler: f.fn(30), maxReceiveCount: 0, batchSize: 0, maxConcurrency: 1 })))
    .toEqual(['maxReceiveCount', 'batchSize', 'maxConcurrency']);
});
