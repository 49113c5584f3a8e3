import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createClient } from '@redis/client';
import { Sha256 } from '@smithy/core/checksum';
import { buildQueryString } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cached-api' });

/** An item of the table: `id` is the partition key; every other attribute is the caller's. */
export interface Item {
  readonly id: string;
  readonly [attribute: string]: unknown;
}

/** What a read did with the cache: served from it, filled it, or went around it (disabled or failing). */
export type CacheResult = 'hit' | 'miss' | 'error' | 'bypass';

/** The cache operations the read-through needs ({@link redisCache} adapts a node-redis client). */
export interface CacheClient {
  get(key: string): Promise<string | null>;
  /** Stores `value` under `key`, expiring after `ttlSeconds`. */
  set(key: string, value: string, ttlSeconds: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/** The table operations the API needs. */
export interface ItemTable {
  get(id: string): Promise<Item | undefined>;
  put(item: Item): Promise<void>;
  remove(id: string): Promise<void>;
}

/** The cache did not answer within the timeout. */
export class CacheTimeoutError extends Error {
  constructor(readonly operation: string, readonly timeoutMs: number) {
    super(`cache ${operation} did not answer within ${timeoutMs} ms`);
    this.name = 'CacheTimeoutError';
  }
}

/** The request is malformed; answered with 400. */
export class BadRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequestError';
  }
}

export interface ItemServiceOptions {
  readonly table: ItemTable;
  /** Undefined: every read goes to the table (`bypass`). */
  readonly cache?: CacheClient;
  /** Cache-aside TTL of an item, in seconds (at least 1). */
  readonly ttlSeconds: number;
  /** How long one cache call may take before the request degrades to the table. */
  readonly timeoutMs: number;
  /** Called once per read with what the cache did (metrics, logs). */
  readonly onCacheResult?: (result: CacheResult, id: string) => void;
}

/** The cache key of an item. */
export const cacheKey = (id: string): string => `item:${id}`;

/** Rejects with {@link CacheTimeoutError} when `promise` takes longer than `ms`; the timer never keeps the process alive. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CacheTimeoutError(operation, ms)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Cache-aside over the table: reads try the cache, fall back to the table on a miss and fill the
 * cache with a TTL; writes go to the table and then delete the cached copy. Every cache call has a
 * timeout and its failure is only logged, so a cache outage makes requests slower, never failed.
 */
export class ItemService {
  constructor(private readonly options: ItemServiceOptions) {}

  public async getItem(id: string): Promise<{ item?: Item; cache: CacheResult }> {
    const { cache, table, ttlSeconds, timeoutMs } = this.options;
    if (!cache) {
      return this.report({ item: await table.get(id), cache: 'bypass' }, id);
    }
    const key = cacheKey(id);
    let result: CacheResult = 'miss';
    try {
      const cached = await withTimeout(cache.get(key), timeoutMs, 'GET');
      if (cached !== null) {
        return this.report({ item: JSON.parse(cached) as Item, cache: 'hit' }, id);
      }
    } catch (e) {
      result = 'error';
      logger.warn('Cache read failed; reading the table', { key, error: e as Error });
    }
    const item = await table.get(id);
    // Only a healthy cache is filled; not-found is not cached, so a create is visible at once.
    if (item && result === 'miss') {
      try {
        await withTimeout(cache.set(key, JSON.stringify(item), ttlSeconds), timeoutMs, 'SET');
      } catch (e) {
        logger.warn('Cache fill failed', { key, error: e as Error });
      }
    }
    return this.report({ item, cache: result }, id);
  }

  public async putItem(item: Item): Promise<void> {
    await this.options.table.put(item);
    await this.invalidate(item.id);
  }

  public async deleteItem(id: string): Promise<void> {
    await this.options.table.remove(id);
    await this.invalidate(id);
  }

  /** A failed delete leaves the old copy until its TTL ends: staleness stays bounded by the TTL. */
  private async invalidate(id: string): Promise<void> {
    if (!this.options.cache) return;
    try {
      await withTimeout(this.options.cache.del(cacheKey(id)), this.options.timeoutMs, 'DEL');
    } catch (e) {
      logger.warn('Cache invalidation failed; the cached copy expires with its TTL', { key: cacheKey(id), error: e as Error });
    }
  }

  private report<T extends { cache: CacheResult }>(result: T, id: string): T {
    this.options.onCacheResult?.(result.cache, id);
    return result;
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Routes an API Gateway proxy event (`/items/{id}` with GET, PUT, DELETE) to the service. */
export async function handleRequest(service: ItemService, event: Pick<APIGatewayProxyEvent, 'httpMethod' | 'pathParameters' | 'body' | 'isBase64Encoded'>): Promise<APIGatewayProxyResult> {
  try {
    const id = event.pathParameters?.id;
    if (!id) throw new BadRequestError('missing item id in the path');
    switch (event.httpMethod) {
      case 'GET': {
        const { item, cache } = await service.getItem(id);
        const headers = { ...JSON_HEADERS, 'x-cache': cache };
        return item
          ? { statusCode: 200, headers, body: JSON.stringify(item) }
          : { statusCode: 404, headers, body: JSON.stringify({ message: `item '${id}' not found` }) };
      }
      case 'PUT': {
        const item = { ...parseBody(event), id };
        await service.putItem(item);
        return { statusCode: 200, headers: JSON_HEADERS, body: JSON.stringify(item) };
      }
      case 'DELETE':
        await service.deleteItem(id);
        return { statusCode: 204, headers: {}, body: '' };
      default:
        return { statusCode: 405, headers: { ...JSON_HEADERS, allow: 'GET, PUT, DELETE' }, body: JSON.stringify({ message: `${event.httpMethod} is not supported` }) };
    }
  } catch (e) {
    if (e instanceof BadRequestError) {
      return { statusCode: 400, headers: JSON_HEADERS, body: JSON.stringify({ message: e.message }) };
    }
    throw e;
  }
}

function parseBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Record<string, unknown> {
  const raw = event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let parsed: unknown;
  try {
    // Stryker disable next-line StringLiteral: equivalent, any text that is not JSON gets the same 400 as no body
    parsed = JSON.parse(raw ?? '');
  } catch {
    throw new BadRequestError('the body must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError('the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** The table as {@link ItemTable}, through the DynamoDB document client. */
export function dynamoDbTable(client: DynamoDBDocumentClient, tableName: string): ItemTable {
  return {
    get: async (id) => (await client.send(new GetCommand({ TableName: tableName, Key: { id } }))).Item as Item | undefined,
    put: async (item) => { await client.send(new PutCommand({ TableName: tableName, Item: item })); },
    remove: async (id) => { await client.send(new DeleteCommand({ TableName: tableName, Key: { id } })); },
  };
}

/** Where and how to reach the cache; read from the environment the construct sets. */
export interface CacheConnection {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly timeoutMs: number;
  /** IAM authentication: see {@link IamAuthTarget}. */
  readonly iam?: IamAuthTarget;
}

/** What an ElastiCache IAM authentication token is for. */
export interface IamAuthTarget {
  /** The IAM-enabled ElastiCache user's id (ElastiCache requires it to equal the user name). */
  readonly userId: string;
  /** The serverless cache name, or the replication group id of a node-based cache. */
  readonly cacheName: string;
  readonly region: string;
  /** Whether `cacheName` is a serverless cache (the construct creates one). @default true */
  readonly serverless?: boolean;
}

/**
 * A node-redis client that never waits for the cache: no offline queue (a command while disconnected
 * fails at once and the request goes to the table), reconnects backing off up to 1 s. With `iam`,
 * every (re)connection authenticates with a fresh IAM token. Not connected yet: {@link redisCache} connects.
 */
export function createRedisClient(connection: CacheConnection, token: () => Promise<string> = () => iamAuthToken(connection.iam!)) {
  const client = createClient({
    socket: {
      host: connection.host,
      port: connection.port,
      ...(connection.tls ? { tls: true as const, servername: connection.host } : {}),
      connectTimeout: Math.max(connection.timeoutMs * 10, 1000),
      reconnectStrategy: (retries: number) => Math.min(50 * (retries + 1), 1000),
    },
    disableOfflineQueue: true,
    credentialsProvider: connection.iam ? {
      type: 'async-credentials-provider',
      credentials: async () => ({ username: connection.iam!.userId, password: await token() }),
    } : undefined,
  });
  // Without a listener an 'error' event (cache down) would crash the process; outages are handled per call.
  client.on('error', () => undefined);
  return client;
}

/** The node-redis v5 client of {@link createRedisClient}. */
export type RedisClient = ReturnType<typeof createRedisClient>;

/**
 * The {@link CacheClient} over a node-redis client: connects on first use (waiting at most
 * `connectTimeoutMs`), and fails fast while the client is reconnecting.
 */
export function redisCache(client: RedisClient, connectTimeoutMs: number): CacheClient {
  let connecting: Promise<unknown> | undefined;
  const ready = async () => {
    if (client.isReady) return;
    if (!client.isOpen) {
      connecting = client.connect().catch((e: unknown) => {
        connecting = undefined;
        throw e;
      });
    }
    if (connecting) await withTimeout(connecting, connectTimeoutMs, 'CONNECT');
    if (!client.isReady) throw new Error('the cache connection is not ready (reconnecting)');
  };
  return {
    get: async (key) => { await ready(); return client.get(key); },
    set: async (key, value, ttlSeconds) => { await ready(); return client.set(key, value, { EX: ttlSeconds }); },
    del: async (key) => { await ready(); return client.del(key); },
  };
}

/** The Lambda function's credentials: the SDK's default chain, which reads the variables Lambda sets. */
const lambdaCredentials = defaultProvider();

/**
 * An ElastiCache IAM authentication token, presigned by the AWS SDK's SigV4 signer: a GET of
 * `http://<cacheName>/?Action=connect&User=<userId>` (plus `ResourceType=ServerlessCache` for a
 * serverless cache) for the `elasticache` service, valid 15 minutes, without the scheme. It is the
 * AUTH password; the connection then lasts up to 12 h, and node-redis asks for a new token on every
 * (re)connect.
 */
export async function iamAuthToken(
  target: IamAuthTarget,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider = lambdaCredentials,
  signingDate?: Date,
): Promise<string> {
  const signer = new SignatureV4({ service: 'elasticache', region: target.region, credentials, sha256: Sha256 });
  const presigned = await signer.presign({
    method: 'GET',
    protocol: 'http:',
    hostname: target.cacheName,
    path: '/',
    headers: { host: target.cacheName },
    query: { Action: 'connect', User: target.userId, ...((target.serverless ?? true) ? { ResourceType: 'ServerlessCache' } : {}) },
  }, { expiresIn: 900, signingDate });
  return `${presigned.hostname}${presigned.path}?${buildQueryString(presigned.query ?? {})}`;
}

/** Reads the construct's environment variables. Undefined when no cache is configured. */
export function cacheConnectionFromEnv(env: NodeJS.ProcessEnv): CacheConnection | undefined {
  if (!env.CACHE_HOST) return undefined;
  return {
    host: env.CACHE_HOST,
    port: Number(env.CACHE_PORT ?? 6379),
    tls: env.CACHE_TLS !== 'false',
    timeoutMs: Number(env.CACHE_TIMEOUT_MS ?? 100),
    iam: env.CACHE_IAM_USER && env.CACHE_NAME
      ? { userId: env.CACHE_IAM_USER, cacheName: env.CACHE_NAME, region: env.AWS_REGION ?? '' }
      : undefined,
  };
}

/** The metric each {@link CacheResult} counts (namespace `CachedApi`, dimension `service` = the function name). */
export const CACHE_METRIC_NAMES: Record<CacheResult, string> = {
  hit: 'CacheHit', miss: 'CacheMiss', error: 'CacheError', bypass: 'CacheBypass',
};

/**
 * Powertools Metrics for the cache results: namespace from `POWERTOOLS_METRICS_NAMESPACE` (set by the
 * construct), one dimension, `service`, holding the function's name, so the construct's alarms and
 * dashboard find the metrics of their own function.
 */
export function createMetrics(env: NodeJS.ProcessEnv = process.env): Metrics {
  return new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE, serviceName: env.AWS_LAMBDA_FUNCTION_NAME ?? env.POWERTOOLS_SERVICE_NAME });
}

/** The `onCacheResult` that counts each read's result in `metrics` (in memory until the invocation ends). */
export function recordCacheResult(metrics: Metrics): (result: CacheResult) => void {
  return (result) => { metrics.addMetric(CACHE_METRIC_NAMES[result], MetricUnit.Count, 1); };
}

/**
 * The Lambda handler over `service`: a read's cache result is stored in `metrics` (in memory) and
 * written once per invocation, as one EMF line, after the response is built. Requests without a read
 * (PUT, DELETE, 400) write nothing.
 */
export function createHandler(service: ItemService, metrics: Metrics) {
  return async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    logger.addContext(context);
    try {
      return await handleRequest(service, event);
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

const connection = cacheConnectionFromEnv(process.env);
const cache = connection ? redisCache(createRedisClient(connection), connection.timeoutMs * 10) : undefined;
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));

const metrics = createMetrics();

const service = new ItemService({
  table: dynamoDbTable(documentClient, process.env.TABLE_NAME ?? ''),
  cache,
  ttlSeconds: Number(process.env.CACHE_TTL_SECONDS ?? 300),
  timeoutMs: connection?.timeoutMs ?? 100,
  onCacheResult: recordCacheResult(metrics),
});

export const handler = createHandler(service, metrics);
