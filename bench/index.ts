/** `npm run bench`: the queue worker's batch overhead, handler bundle sizes and init times, the thumbnail handler, then the cached API. */
import { runBatchConsumerBench } from './batch-consumer';
import { runBundleBench } from './bundles';
import { runCachedApiBench } from './cached-api';
import { runThumbnailBench } from './thumbnail';

async function main(): Promise<void> {
  await runBatchConsumerBench();
  console.log('');
  await runBundleBench();
  console.log('');
  await runThumbnailBench();
  console.log('');
  await runCachedApiBench();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
