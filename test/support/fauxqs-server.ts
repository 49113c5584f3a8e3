/**
 * Starts fauxqs (SQS + SNS + S3 on one endpoint) on 127.0.0.1, on a port the OS picks, in a worker thread
 * of this process: fauxqs is ESM-only, and jest runs CommonJS here. Used by `useLocalAws()` in tests and
 * directly by the benchmarks (which have no jest hooks).
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface FauxqsServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startFauxqs(): Promise<FauxqsServer> {
  const worker = new Worker(path.join(__dirname, 'fauxqs-worker.mjs'));
  const endpoint = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`fauxqs worker exited with code ${code} before listening`)));
    worker.once('message', (msg: { type: string; address: string }) => resolve(msg.address));
  });
  return {
    endpoint,
    stop: async () => {
      await new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.postMessage({ type: 'stop' });
      });
      await worker.terminate();
    },
  };
}
