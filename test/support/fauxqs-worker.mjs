// Runs fauxqs (ESM-only, so jest's CommonJS module system cannot load it) in a worker thread of the
// test process. Listens on loopback only, on a port the OS picks, and reports that port to the parent.
import { parentPort } from 'node:worker_threads';
import { buildApp } from 'fauxqs';

const app = buildApp({ logger: false });
const address = await app.listen({ host: '127.0.0.1', port: 0 });
parentPort.postMessage({ type: 'listening', address });

parentPort.on('message', async (msg) => {
  if (msg?.type === 'stop') {
    await app.close();
    parentPort.postMessage({ type: 'stopped' });
  }
});
