/** `npm run bench`: the queue worker's batch overhead, handler bundle sizes and init times, then the thumbnail handler. */
import { runBatchConsumerBench } from './batch-consumer';
import { runBundleBench } from './bundles';
import { runThumbnailBench } from './thumbnail';

async function main(): Promise<void> {
  await runBatchConsumerBench();
  console.log('');
  await runBundleBench();
  console.log('');
  await runThumbnailBench();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
