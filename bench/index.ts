/** `npm run bench`: the queue worker's batch overhead, then handler bundle sizes and init times. */
import { runBatchConsumerBench } from './batch-consumer';
import { runBundleBench } from './bundles';

async function main(): Promise<void> {
  await runBatchConsumerBench();
  console.log('');
  await runBundleBench();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
