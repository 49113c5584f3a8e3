/**
 * Figure 1 of bench/thumbnail.ts, run in a process of its own: bench/thumbnail.ts bundles this file
 * with the handler as NodejsFunction bundles it for Lambda (esbuild, minified, source maps, `@aws-sdk/*`
 * and sharp outside the bundle), runs it with `node --enable-source-maps` as the function's NODE_OPTIONS
 * do, and reads one line of JSON from its stdout.
 *
 * The handler and the raw-sharp baseline share this process, as they would share a Lambda sandbox:
 * nothing else is loaded (the bench's own modules, tsx and esbuild would otherwise be part of every
 * heap a full GC marks).
 *
 * argv[2]: a JSON file of {@link Figure1Input}. The environment carries the handler's configuration
 * and the local S3 endpoint.
 */
import * as fs from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { processBatch, processObject, type S3ObjectEvent } from '../lambda/thumbnail';
import { interleaved, type InterleavedResult, rawSharp } from './thumbnail-shared';

export interface Figure1Input {
  /** Files holding the source images, in the order of `events` and of the batch's records. */
  readonly imageFiles: readonly string[];
  /** The same images as uploaded to the local S3 server. */
  readonly events: readonly S3ObjectEvent[];
  /** One SQS batch with a notification per image. */
  readonly batch: SQSEvent;
  readonly rounds: number;
  readonly warmupRounds: number;
}

export type Figure1Output = InterleavedResult;

async function main(): Promise<void> {
  const input = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as Figure1Input;
  const photos = input.imageFiles.map((f) => fs.readFileSync(f));
  const result = await interleaved(
    {
      // the batch is run once per round: charged to its first image, so the per-image figure is batch time / images
      endToEnd: async (i) => {
        if (i > 0) return;
        const { batchItemFailures } = await processBatch(input.batch);
        if (batchItemFailures.length > 0) throw new Error(`benchmark images must all succeed: ${JSON.stringify(batchItemFailures)}`);
      },
      processObject: async (i) => {
        const outcome = await processObject(input.events[i]);
        if (outcome.status !== 'written') throw new Error(`benchmark images must all succeed: ${JSON.stringify(outcome)}`);
      },
      rawSharp: (i) => rawSharp(photos[i]),
    },
    photos.length,
    input.rounds,
    input.warmupRounds,
  );
  process.stdout.write(`${JSON.stringify(result satisfies Figure1Output)}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
