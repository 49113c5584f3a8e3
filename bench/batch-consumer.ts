/**
 * Overhead of the queue worker's batch machinery (Powertools batch processor + partial batch response)
 * over the bare per-record work (parse + validate + handleEvent) in a plain `for` loop: same process,
 * same records, rounds interleaved (alternating which side goes first) so drift (JIT, GC, CPU frequency)
 * hits both sides alike.
 */
import { performance } from 'node:perf_hooks';
import { BatchProcessor, EventType, SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchItemFailure, SQSEvent, SQSRecord } from 'aws-lambda';

type QueueWorker = typeof import('../lambda/queue-worker');

export interface BatchConsumerBenchOptions {
  /** @default 10_000 */
  readonly records?: number;
  /** Each round is only ~6 ms of work, so take many. @default 60 */
  readonly rounds?: number;
  /** @default 5 */
  readonly warmupRounds?: number;
  /** Overhead target as a fraction. @default 0.10 */
  readonly target?: number;
}

export interface BatchShapeResult {
  readonly shape: string;
  readonly plainRecordsPerSecond: number;
  readonly batchRecordsPerSecond: number;
  /** For reference: the same record handler through Powertools' BatchProcessor / SqsFifoPartialProcessorAsync. */
  readonly powertoolsRecordsPerSecond: number;
  /** processBatch time / plain loop time - 1: the median of the per-round ratios. */
  readonly overhead: number;
  /** Added time per record, in microseconds. */
  readonly overheadMicrosPerRecord: number;
  readonly withinTarget: boolean;
}

function buildRecords(n: number, queueArn: string, groups?: number): SQSRecord[] {
  const now = String(Date.now());
  return Array.from({ length: n }, (_, i) => ({
    messageId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    receiptHandle: `rh-${i}`,
    body: JSON.stringify({ id: `evt-${i}`, type: i % 3 === 0 ? 'Order.Created' : 'order.shipped', amount: (i % 1000) / 10 }),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: '000000000000',
      ApproximateFirstReceiveTimestamp: now,
      ...(groups ? { MessageGroupId: `g${i % groups}`, SequenceNumber: String(i + 1).padStart(20, '0') } : {}),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  }));
}

function inBatchesOf(records: SQSRecord[], size: number): SQSEvent[] {
  return Array.from({ length: Math.ceil(records.length / size) }, (_, i) => ({ Records: records.slice(i * size, (i + 1) * size) }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function runBatchConsumerBench(options: BatchConsumerBenchOptions = {}): Promise<BatchShapeResult[]> {
  const { records: n = 10_000, rounds = 60, warmupRounds = 5, target = 0.1 } = options;
  // Before the handler module loads: its Logger reads the level once, at construction.
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const worker: QueueWorker = await import('../lambda/queue-worker');

  let sink = 0; // consumed results, so the plain loop's work cannot be optimised away
  // Direct references on both sides, as processBatch calls its functions inside its module: a property load
  // on the module namespace per call is a getter under tsx, and would tilt whichever side made more of them.
  const { handleEvent, parseRecordBody, processBatch } = worker;
  const plain = (batch: SQSEvent): SQSBatchItemFailure[] => {
    const failures: SQSBatchItemFailure[] = [];
    for (const record of batch.Records) {
      try {
        sink += handleEvent(parseRecordBody(record.body)).amountCents;
      } catch {
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return failures;
  };

  const standard = buildRecords(n, 'arn:aws:sqs:us-east-1:000000000000:bench-orders');
  const fifo = buildRecords(n, 'arn:aws:sqs:us-east-1:000000000000:bench-orders.fifo', 10);
  const count = (x: number) => x.toLocaleString('en-US');
  const shapes = [
    // 10,000 is the largest batch Lambda delivers from a standard queue; 10 is the default (and the FIFO maximum).
    { shape: `standard, 1 x ${count(n)}`, batches: inBatchesOf(standard, n) },
    { shape: `standard, ${count(n / 10)} x 10`, batches: inBatchesOf(standard, 10) },
    { shape: `FIFO, ${count(n / 10)} x 10`, batches: inBatchesOf(fifo, 10) },
  ];

  // Reference only: how the worker would do on Powertools' stock processors (a fresh one per batch, as they keep per-batch state).
  const recordHandler = (record: SQSRecord) => worker.handleEvent(worker.parseRecordBody(record.body));
  const viaPowertools = async (batch: SQSEvent) =>
    worker.isFifoBatch(batch)
      ? processPartialResponse(batch, recordHandler, new SqsFifoPartialProcessorAsync(), { skipGroupOnError: true, throwOnFullBatchFailure: false })
      : processPartialResponse(batch, recordHandler, new BatchProcessor(EventType.SQS), { throwOnFullBatchFailure: false });

  const results: BatchShapeResult[] = [];
  for (const { shape, batches } of shapes) {
    const plainMs: number[] = [];
    const batchMs: number[] = [];
    const powertoolsMs: number[] = [];
    const ratios: number[] = [];
    let failed = 0;
    const timePlain = () => {
      const t = performance.now();
      for (const batch of batches) failed += plain(batch).length;
      return performance.now() - t;
    };
    const timeBatch = () => {
      const t = performance.now();
      for (const batch of batches) failed += processBatch(batch).batchItemFailures.length;
      return performance.now() - t;
    };
    const timePowertools = async () => {
      const t = performance.now();
      for (const batch of batches) failed += (await viaPowertools(batch)).batchItemFailures.length;
      return performance.now() - t;
    };
    for (let round = 0; round < warmupRounds + rounds; round++) {
      // Alternate which side goes first, so neither always pays the garbage the other left behind.
      let p: number;
      let b: number;
      if (round % 2 === 0) {
        p = timePlain();
        b = timeBatch();
      } else {
        b = timeBatch();
        p = timePlain();
      }
      if (round >= warmupRounds) {
        plainMs.push(p);
        batchMs.push(b);
        ratios.push(b / p);
      }
    }
    // After the measured pairs, so its garbage cannot land in them.
    for (let round = 0; round < warmupRounds + Math.min(rounds, 10); round++) {
      const pt = await timePowertools();
      if (round >= warmupRounds) powertoolsMs.push(pt);
    }
    if (failed !== 0) throw new Error(`benchmark records must all be valid, ${failed} failed`);
    const p = median(plainMs);
    const b = median(batchMs);
    const overhead = median(ratios) - 1;
    results.push({
      shape,
      plainRecordsPerSecond: n / (p / 1000),
      batchRecordsPerSecond: n / (b / 1000),
      powertoolsRecordsPerSecond: n / (median(powertoolsMs) / 1000),
      overhead,
      overheadMicrosPerRecord: (overhead * p * 1000) / n,
      withinTarget: overhead <= target,
    });
  }
  if (!Number.isFinite(sink)) throw new Error('unreachable'); // keeps `sink` observable

  console.log('Batch consumer: queue-worker processBatch vs a plain for loop doing the same per-record work');
  console.log(`  ${count(n)} in-memory SQS records per round; ${rounds} interleaved rounds after ${warmupRounds} warm-up; overhead = median of per-round ratios`);
  const col = (s: string, w: number) => s.padStart(w);
  console.log(
    `  ${'batches'.padEnd(24)}${col('plain rec/s', 13)}${col('batch rec/s', 13)}${col('overhead', 10)}${col('+us/record', 12)}  within ${target * 100}%` +
      `  ${col('stock Powertools rec/s (overhead), for reference', 50)}`,
  );
  for (const r of results) {
    console.log(
      `  ${r.shape.padEnd(24)}${col(count(Math.round(r.plainRecordsPerSecond)), 13)}${col(count(Math.round(r.batchRecordsPerSecond)), 13)}` +
        `${col(`${(r.overhead * 100).toFixed(1)}%`, 10)}${col(r.overheadMicrosPerRecord.toFixed(2), 12)}  ${(r.withinTarget ? 'yes' : 'NO').padEnd(10)}` +
        `${col(`${count(Math.round(r.powertoolsRecordsPerSecond))} (${(r.plainRecordsPerSecond / r.powertoolsRecordsPerSecond - 1) * 100 > 0 ? '+' : ''}${((r.plainRecordsPerSecond / r.powertoolsRecordsPerSecond - 1) * 100).toFixed(0)}%)`, 50)}`,
    );
  }
  const plainMicros = 1e6 / Math.min(...results.map((r) => r.plainRecordsPerSecond));
  console.log(`  per-record work here is ~${plainMicros.toFixed(2)} us, so ${target * 100}% is ~${(plainMicros * target * 1000).toFixed(0)} ns per record`);
  return results;
}
