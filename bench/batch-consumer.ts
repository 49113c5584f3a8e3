/**
 * Overhead of the queue worker's batch machinery (Powertools batch processor + partial batch response)
 * over the bare per-record work (parse + validate + handleEvent) in a plain `for` loop: same process,
 * same records, rounds interleaved so drift (JIT, GC, CPU frequency) hits both sides alike.
 */
import { performance } from 'node:perf_hooks';
import type { SQSBatchItemFailure, SQSEvent, SQSRecord } from 'aws-lambda';

type QueueWorker = typeof import('../lambda/queue-worker');

export interface BatchConsumerBenchOptions {
  /** @default 10_000 */
  readonly records?: number;
  /** @default 10 */
  readonly rounds?: number;
  /** @default 3 */
  readonly warmupRounds?: number;
  /** Overhead target as a fraction. @default 0.10 */
  readonly target?: number;
}

export interface BatchShapeResult {
  readonly shape: string;
  readonly plainRecordsPerSecond: number;
  readonly batchRecordsPerSecond: number;
  /** processBatch time / plain loop time - 1 (medians). */
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
  const { records: n = 10_000, rounds = 10, warmupRounds = 3, target = 0.1 } = options;
  // Before the handler module loads: its Logger reads the level once, at construction.
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const worker: QueueWorker = await import('../lambda/queue-worker');

  let sink = 0; // consumed results, so the plain loop's work cannot be optimised away
  const plain = (batch: SQSEvent): SQSBatchItemFailure[] => {
    const failures: SQSBatchItemFailure[] = [];
    for (const record of batch.Records) {
      try {
        sink += worker.handleEvent(worker.parseRecordBody(record.body)).amountCents;
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

  const results: BatchShapeResult[] = [];
  for (const { shape, batches } of shapes) {
    const plainMs: number[] = [];
    const batchMs: number[] = [];
    for (let round = 0; round < warmupRounds + rounds; round++) {
      let failed = 0;
      let t = performance.now();
      for (const batch of batches) failed += plain(batch).length;
      const p = performance.now() - t;

      t = performance.now();
      for (const batch of batches) failed += (await worker.processBatch(batch)).batchItemFailures.length;
      const b = performance.now() - t;

      if (failed !== 0) throw new Error(`benchmark records must all be valid, ${failed} failed`);
      if (round >= warmupRounds) {
        plainMs.push(p);
        batchMs.push(b);
      }
    }
    const p = median(plainMs);
    const b = median(batchMs);
    results.push({
      shape,
      plainRecordsPerSecond: n / (p / 1000),
      batchRecordsPerSecond: n / (b / 1000),
      overhead: b / p - 1,
      overheadMicrosPerRecord: ((b - p) * 1000) / n,
      withinTarget: b / p - 1 <= target,
    });
  }
  if (!Number.isFinite(sink)) throw new Error('unreachable'); // keeps `sink` observable

  console.log(`Batch consumer: queue-worker processBatch vs a plain for loop doing the same per-record work`);
  console.log(`  ${count(n)} in-memory SQS records per round; median of ${rounds} interleaved rounds after ${warmupRounds} warm-up`);
  const col = (s: string, w: number) => s.padStart(w);
  console.log(
    `  ${'batches'.padEnd(24)}${col('plain rec/s', 13)}${col('batch rec/s', 13)}${col('overhead', 10)}${col('+us/record', 12)}  within ${target * 100}%`,
  );
  for (const r of results) {
    console.log(
      `  ${r.shape.padEnd(24)}${col(count(Math.round(r.plainRecordsPerSecond)), 13)}${col(count(Math.round(r.batchRecordsPerSecond)), 13)}` +
        `${col(`${(r.overhead * 100).toFixed(1)}%`, 10)}${col(r.overheadMicrosPerRecord.toFixed(2), 12)}  ${r.withinTarget ? 'yes' : 'NO'}`,
    );
  }
  const worst = Math.max(...results.map((r) => r.overheadMicrosPerRecord));
  const plainMicros = 1e6 / Math.min(...results.map((r) => r.plainRecordsPerSecond));
  console.log(
    `  per-record work here is ~${plainMicros.toFixed(2)} us; the fixed ~${worst.toFixed(1)} us/record would be within ${target * 100}% ` +
      `once the work per record takes >= ${(worst / target).toFixed(0)} us`,
  );
  return results;
}
