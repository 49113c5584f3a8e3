/**
 * A local SQS + SNS + S3 endpoint (fauxqs) for handler tests.
 *
 * `useLocalAws()` registers `beforeAll`/`afterAll` hooks that start fauxqs on 127.0.0.1 on a free port and
 * point the standard AWS SDK environment at it (AWS_ENDPOINT_URL, AWS_REGION, dummy credentials), so
 * handlers run unmodified: their module-scope clients pick the endpoint up from the environment, exactly
 * as in Lambda. Import handler modules *after* the server is up (`await import(...)` in `beforeAll`).
 *
 * fauxqs is ESM-only and jest runs CommonJS here, so it runs in a worker thread of the test process.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { FauxqsServer, startFauxqs } from './fauxqs-server';

const ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
} as const;
/** Variables that could send requests elsewhere or change credentials; unset while the server runs. */
const CLEARED = [
  'AWS_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_DEFAULT_REGION',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_SNS',
  'AWS_ENDPOINT_URL_S3',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_USE_FIPS_ENDPOINT',
  'AWS_USE_DUALSTACK_ENDPOINT',
];

export interface LocalAws {
  /** `http://127.0.0.1:<port>`; valid once `beforeAll` has run. */
  readonly endpoint: string;
  /**
   * An SQS client for test code (arranging queues, emulating the event source mapping).
   *
   * fauxqs names queues `http://sqs.<region>.localhost:<port>/…`, which does not resolve here, and the
   * SDK would otherwise send requests to the queue URL's host; `useQueueUrlAsEndpoint: false` keeps them
   * on AWS_ENDPOINT_URL. (Handlers never need this: in AWS the queue URL host is the SQS endpoint.)
   */
  sqs(): SQSClient;
  /** An SNS client for test code. */
  sns(): SNSClient;
  /**
   * An S3 client for test code. The endpoint is an IP address, so the SDK addresses buckets path-style
   * (`http://127.0.0.1:<port>/<bucket>/<key>`) by itself, as handlers' clients do: no `forcePathStyle` needed.
   */
  s3(): S3Client;
}

export function useLocalAws(): LocalAws {
  let server: FauxqsServer | undefined;
  let endpoint: string | undefined;
  const saved: Record<string, string | undefined> = {};
  const clients: Array<{ destroy(): void }> = [];
  const track = <T extends { destroy(): void }>(client: T): T => {
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startFauxqs();
    endpoint = server.endpoint;
    for (const key of [...Object.keys(ENV), ...CLEARED, 'AWS_ENDPOINT_URL']) saved[key] = process.env[key];
    for (const key of CLEARED) delete process.env[key];
    Object.assign(process.env, ENV, { AWS_ENDPOINT_URL: endpoint });
  });

  afterAll(async () => {
    clients.splice(0).forEach((c) => c.destroy());
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await server?.stop();
  });

  return {
    get endpoint() {
      if (!endpoint) throw new Error('local AWS endpoint is not started yet: use it inside a test or a hook');
      return endpoint;
    },
    sqs: () => track(new SQSClient({ useQueueUrlAsEndpoint: false })),
    sns: () => track(new SNSClient({})),
    s3: () => track(new S3Client({})),
  };
}
