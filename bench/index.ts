/**
 * `npm run bench`: synth and test time against an empty app, a consumer app's synth of the packed
 * library against an empty app, the queue worker's batch overhead,
 * handler bundle sizes and init times, the thumbnail handler, then the cached API.
 * `npm run bench -- synth thumbnail` runs only those.
 */
import { runBatchConsumerBench } from './batch-consumer';
import { runBundleBench } from './bundles';
import { runCachedApiBench } from './cached-api';
import { runConsumerSynthBench } from './consumer-synth';
import { runSynthBench } from './synth';
import { runThumbnailBench } from './thumbnail';

const BENCHES: Record<string, () => Promise<unknown>> = {
  'synth': runSynthBench,
  'consumer': runConsumerSynthBench,
  'batch-consumer': runBatchConsumerBench,
  'bundles': runBundleBench,
  'thumbnail': runThumbnailBench,
  'cached-api': runCachedApiBench,
};

async function main(): Promise<void> {
  const selected = process.argv.slice(2);
  const unknown = selected.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  const names = selected.length > 0 ? selected : Object.keys(BENCHES);
  for (const [i, name] of names.entries()) {
    if (i > 0) console.log('');
    await BENCHES[name]();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
