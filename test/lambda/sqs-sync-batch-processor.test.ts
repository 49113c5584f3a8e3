import {
  FullBatchFailureError,
  SqsFifoMessageGroupShortCircuitError,
  UnexpectedBatchTypeError,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { SqsSyncBatchProcessor } from '../../lambda/shared/sqs-sync-batch-processor';
import { toSqsRecord } from '../support/sqs-event-source';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:q.fifo';

function event(records: Array<{ id: string; body: string; group?: string }>): SQSEvent {
  return {
    Records: records.map((r) =>
      toSqsRecord({ MessageId: r.id, ReceiptHandle: `rh-${r.id}`, Body: r.body, Attributes: r.group ? { MessageGroupId: r.group } : {} }, QUEUE_ARN),
    ),
  };
}

/** Fails records whose body is `fail`; returns the body otherwise. */
const handler = (record: SQSRecord): string => {
  if (record.body === 'fail') throw new Error(`record ${record.messageId} failed`);
  return record.body;
};
const failedIds = (r: { batchItemFailures: Array<{ itemIdentifier: string }> }) => r.batchItemFailures.map((f) => f.itemIdentifier);
const OPTIONS = { throwOnFullBatchFailure: false };

describe('SqsSyncBatchProcessor', () => {
  test('reports only the records whose handler threw, and records every outcome in order', () => {
    const processor = new SqsSyncBatchProcessor();
    const response = processor.processBatch(event([{ id: 'a', body: 'ok' }, { id: 'b', body: 'fail' }, { id: 'c', body: 'ok' }]), handler, OPTIONS);
    expect(failedIds(response)).toEqual(['b']);
    expect(processor.successMessages.map((r) => (r as SQSRecord).messageId)).toEqual(['a', 'c']);
    expect(processor.errors.map((e) => e.message)).toEqual(['record b failed']);
  });

  test('returns an empty failure list when every record succeeds', () => {
    expect(new SqsSyncBatchProcessor().processBatch(event([{ id: 'a', body: 'ok' }]), handler, OPTIONS)).toEqual({ batchItemFailures: [] });
  });

  test('FIFO: skips the rest of a failed message group with the Powertools short-circuit error; other groups carry on', () => {
    const processor = new SqsSyncBatchProcessor({ fifo: true });
    const response = processor.processBatch(
      event([
        { id: 'a1', body: 'ok', group: 'A' },
        { id: 'a2', body: 'fail', group: 'A' },
        { id: 'b1', body: 'ok', group: 'B' },
        { id: 'a3', body: 'ok', group: 'A' },
        { id: 'b2', body: 'ok', group: 'B' },
      ]),
      handler,
      OPTIONS,
    );
    expect(failedIds(response)).toEqual(['a2', 'a3']);
    expect(processor.errors[1]).toBeInstanceOf(SqsFifoMessageGroupShortCircuitError);
  });

  test('standard (non-FIFO) mode does not skip records that share a group id', () => {
    const response = new SqsSyncBatchProcessor().processBatch(
      event([{ id: 'a1', body: 'fail', group: 'A' }, { id: 'a2', body: 'ok', group: 'A' }]),
      handler,
      OPTIONS,
    );
    expect(failedIds(response)).toEqual(['a1']);
  });

  test('one processor serves batch after batch: no failure or failed group carries over', () => {
    const processor = new SqsSyncBatchProcessor({ fifo: true });
    expect(failedIds(processor.processBatch(event([{ id: 'x', body: 'fail', group: 'A' }, { id: 'y', body: 'ok' }]), handler, OPTIONS))).toEqual(['x']);
    expect(failedIds(processor.processBatch(event([{ id: 'z', body: 'ok', group: 'A' }]), handler, OPTIONS))).toEqual([]);
    expect(processor.errors).toEqual([]);
  });

  test("a failure-free response is shared but frozen, so a caller's change cannot leak into the next batch", () => {
    const processor = new SqsSyncBatchProcessor();
    const first = processor.processBatch(event([{ id: 'a', body: 'ok' }]), handler, OPTIONS);
    expect(() => first.batchItemFailures.push({ itemIdentifier: 'a' })).toThrow(TypeError);
    expect(processor.processBatch(event([{ id: 'b', body: 'ok' }]), handler, OPTIONS)).toEqual({ batchItemFailures: [] });
  });

  test('a handler that returns a Promise fails its record with an error saying the handler must be synchronous', () => {
    const processor = new SqsSyncBatchProcessor();
    const response = processor.processBatch(event([{ id: 'a', body: 'ok' }, { id: 'b', body: 'ok' }]), async () => 'late', OPTIONS);
    expect(failedIds(response)).toEqual(['a', 'b']);
    expect(processor.errors[0].message).toMatch(/record handler returned a Promise; it must be synchronous/);
  });

  test('keeps Powertools semantics: throws FullBatchFailureError when every record fails, unless told not to', () => {
    const all = event([{ id: 'a', body: 'fail' }]);
    expect(() => new SqsSyncBatchProcessor().processBatch(all, handler)).toThrow(FullBatchFailureError);
    expect(failedIds(new SqsSyncBatchProcessor().processBatch(all, handler, OPTIONS))).toEqual(['a']);
  });

  test('fails if the event has no Records array, with the Powertools error', () => {
    expect(() => new SqsSyncBatchProcessor().processBatch({} as SQSEvent, handler)).toThrow(UnexpectedBatchTypeError);
  });

  test("also works as a processor for Powertools' processPartialResponse", async () => {
    const response = await processPartialResponse(event([{ id: 'a', body: 'fail' }, { id: 'b', body: 'ok' }]), handler, new SqsSyncBatchProcessor(), OPTIONS);
    expect(failedIds(response)).toEqual(['a']);
  });

  test('processPartialResponse path: FIFO group skipping and a Promise-returning handler behave as in processBatch', async () => {
    const fifo = event([
      { id: 'a1', body: 'fail', group: 'A' },
      { id: 'b1', body: 'ok', group: 'B' },
      { id: 'a2', body: 'ok', group: 'A' },
    ]);
    const processor = new SqsSyncBatchProcessor({ fifo: true });
    expect(failedIds(await processPartialResponse(fifo, handler, processor, OPTIONS))).toEqual(['a1', 'a2']);
    expect(processor.errors[1]).toBeInstanceOf(SqsFifoMessageGroupShortCircuitError);
    const asyncHandler = async () => 'late';
    expect(failedIds(await processPartialResponse(event([{ id: 'x', body: 'ok' }]), asyncHandler, new SqsSyncBatchProcessor(), OPTIONS))).toEqual(['x']);
  });

  describe('edges of the Powertools contract', () => {
    test('processPartialResponse without options: a partial failure is reported, a full one throws', async () => {
      expect(failedIds(await processPartialResponse(event([{ id: 'a', body: 'fail' }, { id: 'b', body: 'ok' }]), handler, new SqsSyncBatchProcessor())))
        .toEqual(['a']);
      await expect(processPartialResponse(event([{ id: 'a', body: 'fail' }]), handler, new SqsSyncBatchProcessor())).rejects.toThrow(FullBatchFailureError);
    });

    test.each([
      ['null', null],
      ['undefined', undefined],
      ['Records not an array', { Records: {} }],
    ])('fails if the event is %s, with the Powertools error', (_name, bad) => {
      expect(() => new SqsSyncBatchProcessor().processBatch(bad as unknown as SQSEvent, handler)).toThrow(UnexpectedBatchTypeError);
    });

    test('an empty batch is a success', () => {
      expect(new SqsSyncBatchProcessor().processBatch({ Records: [] }, handler, OPTIONS)).toEqual({ batchItemFailures: [] });
    });

    test('the handler gets the record and the invocation context, on both paths', async () => {
      const context = { awsRequestId: 'req-1' } as never;
      const seen: unknown[] = [];
      const spy = (record: SQSRecord, ctx?: unknown) => { seen.push([record.messageId, ctx]); };
      new SqsSyncBatchProcessor().processBatch(event([{ id: 'a', body: 'ok' }]), spy, { context });
      await processPartialResponse(event([{ id: 'b', body: 'ok' }]), spy, new SqsSyncBatchProcessor(), { context });
      expect(seen).toEqual([['a', context], ['b', context]]);
    });

    test('a handler that throws something other than an Error fails its record with that value as the message', () => {
      const processor = new SqsSyncBatchProcessor();
      // a handler may throw a non-Error value; the processor must still record the failure
      // eslint-disable-next-line no-throw-literal
      const response = processor.processBatch(event([{ id: 'a', body: 'ok' }, { id: 'b', body: 'ok' }]), () => { throw 'plain string'; }, OPTIONS);
      expect(failedIds(response)).toEqual(['a', 'b']);
      expect(processor.errors.map((e) => [e instanceof Error, e.message])).toEqual([[true, 'plain string'], [true, 'plain string']]);
    });

    test('the Promise error says what to do instead, whole', () => {
      const processor = new SqsSyncBatchProcessor();
      processor.processBatch(event([{ id: 'a', body: 'ok' }]), async () => 'late', OPTIONS);
      expect(processor.errors[0]).toEqual(new TypeError(
        'SqsSyncBatchProcessor: the record handler returned a Promise; it must be synchronous (use BatchProcessor for async handlers)'));
    });

    test('FIFO: a failed record without a message group does not skip other records without one', () => {
      const processor = new SqsSyncBatchProcessor({ fifo: true });
      const response = processor.processBatch(event([{ id: 'a', body: 'fail' }, { id: 'b', body: 'ok' }, { id: 'c', body: 'fail', group: 'G' }, { id: 'd', body: 'ok' }]), handler, OPTIONS);
      expect(failedIds(response)).toEqual(['a', 'c']);
      expect(processor.successMessages.map((r) => (r as SQSRecord).messageId)).toEqual(['b', 'd']);
    });

    test('processRecord, processRecordSync and processSync return Powertools entries for the registered handler', async () => {
      const processor = new SqsSyncBatchProcessor({ fifo: true });
      const records = event([{ id: 'a', body: 'fail', group: 'G' }, { id: 'b', body: 'ok', group: 'G' }, { id: 'c', body: 'ok' }]).Records;
      processor.register(records, handler, OPTIONS);
      expect(processor.processSync()).toEqual([
        ['fail', 'record a failed', records[0]],
        ['fail', 'A previous record from this message group failed processing', records[1]],
        ['success', 'ok', records[2]],
      ]);
      expect(await processor.process()).toHaveLength(3);
      // after a batch, the group state is that batch's: G failed, so G is skipped
      expect(processor.processRecordSync(records[1])).toEqual(['fail', 'A previous record from this message group failed processing', records[1]]);
      expect(await processor.processRecord(records[2])).toEqual(['success', 'ok', records[2]]);
      expect(processor.successMessages.map((r) => (r as SQSRecord).messageId)).toEqual(['c', 'c']);
    });

    test('a new processor has no records, outcomes or failures yet, as a Powertools processor', () => {
      const processor = new SqsSyncBatchProcessor();
      expect([processor.records, processor.successMessages, processor.failureMessages, processor.errors, processor.options])
        .toEqual([[], [], [], [], undefined]);
      expect(processor.response()).toEqual({ batchItemFailures: [] });
    });

    test('a handler\'s Promise that rejects later is caught, never an unhandled rejection', async () => {
      const unhandled: unknown[] = [];
      const listener = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', listener);
      try {
        const processor = new SqsSyncBatchProcessor();
        const response = processor.processBatch(event([{ id: 'a', body: 'ok' }]), () => Promise.reject(new Error('late failure')), OPTIONS);
        expect(failedIds(response)).toEqual(['a']);
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        process.off('unhandledRejection', listener);
      }
      expect(unhandled).toEqual([]);
    });

    test('prepare starts each batch with empty outcomes', () => {
      const processor = new SqsSyncBatchProcessor({ fifo: true });
      processor.processBatch(event([{ id: 'a', body: 'fail', group: 'G' }, { id: 'b', body: 'ok' }]), handler, OPTIONS);
      processor.prepare();
      expect([processor.successMessages, processor.failureMessages, processor.errors]).toEqual([[], [], []]);
      processor.register(event([{ id: 'c', body: 'ok', group: 'G' }]).Records, handler, OPTIONS);
      expect(processor.processRecordSync(processor.records[0])).toEqual(['success', 'ok', processor.records[0]]);
    });
  });

  describe('per-record cost', () => {
    const original = process.env;
    afterEach(() => {
      process.env = original;
    });

    /** Counts reads of each environment variable while `fn` runs. */
    function envReadsDuring(fn: () => void): Map<string, number> {
      const reads = new Map<string, number>();
      process.env = new Proxy(original, {
        get(target, key, receiver) {
          if (typeof key === 'string') reads.set(key, (reads.get(key) ?? 0) + 1);
          return Reflect.get(target, key, receiver);
        },
      });
      try {
        fn();
      } finally {
        process.env = original;
      }
      return reads;
    }

    test('reads no environment variable while processing a batch (Powertools reads one per state access)', () => {
      // GIVEN a processor built beforehand, as the queue worker does at module scope
      const processor = new SqsSyncBatchProcessor({ fifo: true });
      const big = event(Array.from({ length: 100 }, (_, i) => ({ id: `m${i}`, body: i % 7 ? 'ok' : 'fail', group: `g${i % 5}` })));
      // WHEN it processes 100 records
      const reads = envReadsDuring(() => processor.processBatch(big, handler, OPTIONS));
      // THEN nothing was read from process.env (each read costs ~150 ns: more than the work of a small record)
      expect(Object.fromEntries(reads)).toEqual({});
    });

    test('the check is sensitive: the same batch through a Powertools processor does read the environment', async () => {
      const { BatchProcessor, EventType } = await import('@aws-lambda-powertools/batch');
      const processor = new BatchProcessor(EventType.SQS);
      const small = event([{ id: 'a', body: 'ok' }]);
      let run: Promise<unknown> = Promise.resolve();
      const reads = envReadsDuring(() => {
        run = processPartialResponse(small, handler, processor, OPTIONS);
      });
      await run;
      expect(reads.get('AWS_LAMBDA_MAX_CONCURRENCY')).toBeGreaterThan(0);
    });
  });
});
