import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { mockClient } from 'aws-sdk-client-mock';
import {
  BadRequestError, CacheClient, CacheResult, CacheTimeoutError, Item, ItemService, RedisClient, cacheConnectionFromEnv, cacheKey,
  createRedisClient, dynamoDbTable, handleRequest, iamAuthToken, redisCache, withTimeout,
} from '../../lambda/cached-api';
import { useCapturedLogs } from '../support/captured-logs';
import { RedisServer, startRedis } from '../support/redis-server';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createClient } from '@redis/client';
import { CachedApi } from '../../lib/caching/cached-api';
import { testApp } from '../support/app';

const TIMEOUT_MS = 100;

/** DynamoDB emulated in memory behind aws-sdk-client-mock: the handler's real document-client calls. */
function emulatedTable(): { rows: Map<string, Item>; mock: ReturnType<typeof mockClient> ; client: DynamoDBDocumentClient } {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  const rows = new Map<string, Item>();
  const mock = mockClient(client);
  mock.on(GetCommand).callsFake((input) => ({ Item: rows.get(input.Key.id) }));
  mock.on(PutCommand).callsFake((input) => { rows.set(input.Item.id, input.Item); return {}; });
  mock.on(DeleteCommand).callsFake((input) => { rows.delete(input.Key.id); return {}; });
  return { rows, mock, client };
}

describe('cache-aside against a real Redis server', () => {
  let server: RedisServer;
  let redis: RedisClient;
  let cache: CacheClient;
  const logs = useCapturedLogs();

  // long enough for test/support/redis-server.ts to apt-get install redis-server on a fresh machine
  beforeAll(async () => {
    server = await startRedis();
  }, 300_000);
  afterAll(async () => {
    redis?.destroy();
    await server?.stop();
  });
  beforeEach(async () => {
    if (!redis) {
      redis = createRedisClient({ host: server.host, port: server.port, tls: false, timeoutMs: TIMEOUT_MS });
      cache = redisCache(redis, 1000);
      await redis.connect();
    }
    await redis.flushAll();
  });

  function service(ttlSeconds = 60): { svc: ItemService; table: ReturnType<typeof emulatedTable>; results: CacheResult[] } {
    const table = emulatedTable();
    const results: CacheResult[] = [];
    const svc = new ItemService({
      table: dynamoDbTable(table.client, 'items'), cache, ttlSeconds, timeoutMs: TIMEOUT_MS,
      onCacheResult: (r) => results.push(r),
    });
    return { svc, table, results };
  }

  test('a miss reads the table and fills the cache with the TTL; the next read is a hit without the table', async () => {
    // GIVEN
    const { svc, table, results } = service(120);
    table.rows.set('a', { id: 'a', name: 'Alice' });
    // WHEN
    const first = await svc.getItem('a');
    const second = await svc.getItem('a');
    // THEN
    expect(first).toEqual({ item: { id: 'a', name: 'Alice' }, cache: 'miss' });
    expect(second).toEqual({ item: { id: 'a', name: 'Alice' }, cache: 'hit' });
    expect(table.mock.commandCalls(GetCommand)).toHaveLength(1);
    expect(results).toEqual(['miss', 'hit']);
    const ttl = await redis.ttl(cacheKey('a'));
    expect(ttl).toBeGreaterThan(110);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  test('an entry expires after its TTL and the next read goes to the table again', async () => {
    const { svc, table } = service(1);
    table.rows.set('a', { id: 'a', v: 1 });
    await svc.getItem('a');
    table.rows.set('a', { id: 'a', v: 2 }); // changed behind the cache's back
    expect((await svc.getItem('a')).item).toEqual({ id: 'a', v: 1 }); // stale within the TTL
    await new Promise((r) => setTimeout(r, 1500));
    expect(await svc.getItem('a')).toEqual({ item: { id: 'a', v: 2 }, cache: 'miss' });
  });

  test('not-found is not cached, so a created item is visible at once', async () => {
    const { svc, table } = service();
    expect(await svc.getItem('new')).toEqual({ item: undefined, cache: 'miss' });
    expect(await redis.exists(cacheKey('new'))).toBe(0);
    table.rows.set('new', { id: 'new' });
    expect((await svc.getItem('new')).item).toEqual({ id: 'new' });
  });

  test('a write updates the table and invalidates the key; the next read sees the new value', async () => {
    const { svc, table } = service();
    table.rows.set('a', { id: 'a', v: 1 });
    await svc.getItem('a');
    expect(await redis.exists(cacheKey('a'))).toBe(1);
    await svc.putItem({ id: 'a', v: 2 });
    expect(await redis.exists(cacheKey('a'))).toBe(0);
    expect(table.rows.get('a')).toEqual({ id: 'a', v: 2 });
    expect(await svc.getItem('a')).toEqual({ item: { id: 'a', v: 2 }, cache: 'miss' });
  });

  test('a delete removes the row and the cached copy', async () => {
    const { svc, table } = service();
    table.rows.set('a', { id: 'a' });
    await svc.getItem('a');
    await svc.deleteItem('a');
    expect(await redis.exists(cacheKey('a'))).toBe(0);
    expect(await svc.getItem('a')).toEqual({ item: undefined, cache: 'miss' });
  });

  test('with the server stopped mid-test, reads and writes still answer from the table, within the timeout; it recovers on restart', async () => {
    // GIVEN a warm cache
    const { svc, table, results } = service();
    table.rows.set('a', { id: 'a', v: 1 });
    await svc.getItem('a');
    expect((await svc.getItem('a')).cache).toBe('hit');

    // WHEN the cache goes down
    await server.stop();
    const started = Date.now();
    const read = await svc.getItem('a');
    await svc.putItem({ id: 'b', v: 1 });
    const readB = await svc.getItem('b');
    const elapsed = Date.now() - started;

    // THEN the table answers; each cache call cost at most about the timeout
    expect(read).toEqual({ item: { id: 'a', v: 1 }, cache: 'error' });
    expect(readB).toEqual({ item: { id: 'b', v: 1 }, cache: 'error' });
    expect(table.rows.get('b')).toEqual({ id: 'b', v: 1 });
    expect(elapsed).toBeLessThan(3 * TIMEOUT_MS + 500);
    expect(results.slice(-2)).toEqual(['error', 'error']);
    const warnings = logs.entries().filter((e) => e.level === 'WARN').map((e) => e.message);
    expect(warnings).toEqual(expect.arrayContaining(['Cache read failed; reading the table', 'Cache invalidation failed; the cached copy expires with its TTL']));

    // AND after a restart the cache fills again (the client reconnects by itself)
    await server.restart();
    const deadline = Date.now() + 5000;
    while (!redis.isReady && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await svc.getItem('a')).cache).toBe('miss');
    expect((await svc.getItem('a')).cache).toBe('hit');
  });
});

describe('connecting', () => {
  test('a cache that cannot be reached at all (cold start during an outage) costs at most the connect timeout', async () => {
    const unreachable = createRedisClient({ host: '127.0.0.1', port: 1, tls: false, timeoutMs: TIMEOUT_MS });
    const table = emulatedTable();
    table.rows.set('a', { id: 'a' });
    const svc = new ItemService({ table: dynamoDbTable(table.client, 'items'), cache: redisCache(unreachable, 300), ttlSeconds: 60, timeoutMs: TIMEOUT_MS });
    const started = Date.now();
    expect(await svc.getItem('a')).toEqual({ item: { id: 'a' }, cache: 'error' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await svc.getItem('a')).toEqual({ item: { id: 'a' }, cache: 'error' }); // still down: fails fast
    unreachable.destroy();
  });

  test('with IAM configured, the client authenticates as the user with the token as password (ACL user on the real server)', async () => {
    const server = await startRedis();
    const admin = createRedisClient({ host: server.host, port: server.port, tls: false, timeoutMs: TIMEOUT_MS });
    await admin.connect();
    try {
      // The access string the construct gives its ElastiCache user.
      await admin.sendCommand(['ACL', 'SETUSER', 'api-user', 'on', '>token-1', '~item:*', '-@all', '+get', '+set', '+del', '+ping', '+@connection']);
      const tokens: string[] = [];
      const client = createRedisClient(
        { host: server.host, port: server.port, tls: false, timeoutMs: TIMEOUT_MS, iam: { userId: 'api-user', cacheName: 'c', region: 'us-east-1' } },
        async () => { tokens.push('token-1'); return 'token-1'; });
      const cache = redisCache(client, 1000);
      await cache.set(cacheKey('a'), '{"id":"a"}', 60);
      expect(await cache.get(cacheKey('a'))).toBe('{"id":"a"}');
      expect(tokens.length).toBeGreaterThanOrEqual(1);
      await expect(client.set('other', 'x')).rejects.toThrow(/NOPERM/);
      client.destroy();
    } finally {
      admin.destroy();
      await server.stop();
    }
  });
});

describe('the disabled default user', () => {
  test('with the construct\'s access string and a password, no client gets in: neither without credentials nor with the password', async () => {
    // GIVEN the default user exactly as the construct defines it
    const stack = new Stack(testApp(), 'Stack');
    new CachedApi(stack, 'Api');
    const [defaultUser] = Object.values(Template.fromStack(stack).findResources('AWS::ElastiCache::User', { Properties: { UserName: 'default' } }));
    const accessString: string = defaultUser.Properties.AccessString;
    expect(defaultUser.Properties.AuthenticationMode.Type).toBe('password');
    const server = await startRedis();
    const admin = createRedisClient({ host: server.host, port: server.port, tls: false, timeoutMs: TIMEOUT_MS });
    await admin.connect();
    try {
      await admin.sendCommand(['ACL', 'SETUSER', 'admin', 'on', '>admin-password', '~*', '+@all']);
      await admin.sendCommand(['AUTH', 'admin', 'admin-password']);
      // WHEN the default user gets that access string and a password
      await admin.sendCommand(['ACL', 'SETUSER', 'default', 'resetpass', '>default-password', ...accessString.split(' ')]);
      // THEN an anonymous client (implicitly "default") is refused, and so is AUTH with the password
      const anonymous = createClient({ socket: { host: server.host, port: server.port, reconnectStrategy: false } });
      anonymous.on('error', () => undefined);
      await expect(anonymous.connect().then(() => anonymous.ping())).rejects.toThrow(/NOAUTH|WRONGPASS|NOPERM/);
      anonymous.destroy();
      await expect(createClient({ socket: { host: server.host, port: server.port, reconnectStrategy: false }, username: 'default', password: 'default-password' })
        .on('error', () => undefined).connect()).rejects.toThrow(/WRONGPASS|disabled/);
    } finally {
      admin.destroy();
      await server.stop();
    }
  });
});

describe('request routing (handleRequest)', () => {
  function routed() {
    const table = emulatedTable();
    const svc = new ItemService({ table: dynamoDbTable(table.client, 'items'), ttlSeconds: 60, timeoutMs: TIMEOUT_MS });
    return { table, call: (httpMethod: string, id: string | undefined, body?: string) =>
      handleRequest(svc, { httpMethod, pathParameters: id ? { id } : null, body: body ?? null, isBase64Encoded: false }) };
  }

  test('GET answers 200 with the item and an x-cache header, 404 when absent', async () => {
    const { table, call } = routed();
    table.rows.set('a', { id: 'a' });
    expect(await call('GET', 'a')).toMatchObject({ statusCode: 200, headers: { 'x-cache': 'bypass' }, body: '{"id":"a"}' });
    expect(await call('GET', 'nope')).toMatchObject({ statusCode: 404 });
  });

  test('PUT stores the body with the path id (the path wins), DELETE answers 204', async () => {
    const { table, call } = routed();
    expect(await call('PUT', 'a', '{"id":"other","n":1}')).toMatchObject({ statusCode: 200, body: '{"id":"a","n":1}' });
    expect(table.rows.get('a')).toEqual({ id: 'a', n: 1 });
    expect(await call('DELETE', 'a')).toMatchObject({ statusCode: 204 });
    expect(table.rows.has('a')).toBe(false);
  });

  test.each([['not json'], ['[1]'], ['"s"'], [undefined]])('fails if the PUT body is %p (400)', async (body) => {
    const { call } = routed();
    expect(await call('PUT', 'a', body)).toMatchObject({ statusCode: 400 });
  });

  test('fails with 405 on other methods and 400 without an id', async () => {
    const { call } = routed();
    expect(await call('PATCH', 'a')).toMatchObject({ statusCode: 405 });
    expect(await call('GET', undefined)).toMatchObject({ statusCode: 400 });
  });

  test('table errors are not swallowed (API Gateway answers 502, the function error is alarmed on)', async () => {
    const { table, call } = routed();
    table.mock.on(GetCommand).rejects(new Error('throttled'));
    await expect(call('GET', 'a')).rejects.toThrow('throttled');
  });
});

describe('helpers', () => {
  test('withTimeout rejects with CacheTimeoutError', async () => {
    await expect(withTimeout(new Promise(() => undefined), 20, 'GET')).rejects.toBeInstanceOf(CacheTimeoutError);
    await expect(withTimeout(Promise.resolve(1), 20, 'GET')).resolves.toBe(1);
  });

  test('BadRequestError is typed', () => {
    expect(new BadRequestError('x').name).toBe('BadRequestError');
  });

  test('the environment the construct sets is read into a TLS + IAM connection', () => {
    expect(cacheConnectionFromEnv({ CACHE_HOST: 'c.serverless.use1.cache.amazonaws.com', CACHE_PORT: '6379', CACHE_TIMEOUT_MS: '50', CACHE_IAM_USER: 'u1', CACHE_NAME: 'c', AWS_REGION: 'us-east-1' }))
      .toEqual({ host: 'c.serverless.use1.cache.amazonaws.com', port: 6379, tls: true, timeoutMs: 50, iam: { userId: 'u1', cacheName: 'c', region: 'us-east-1' } });
    expect(cacheConnectionFromEnv({})).toBeUndefined();
  });

  test('the IAM auth token is a presigned elasticache connect request for the user and serverless cache', async () => {
    const token = await iamAuthToken({ userId: 'api-user', cacheName: 'my-cache', region: 'eu-west-1' },
      { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session' });
    expect(token.startsWith('my-cache/?')).toBe(true);
    const query = new URLSearchParams(token.slice('my-cache/?'.length));
    expect(query.get('Action')).toBe('connect');
    expect(query.get('User')).toBe('api-user');
    expect(query.get('ResourceType')).toBe('ServerlessCache');
    expect(query.get('X-Amz-Expires')).toBe('900');
    expect(query.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/elasticache\/aws4_request$/);
    expect(query.get('X-Amz-Security-Token')).toBe('session');
    expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the token is byte-for-byte what the AWS SDK\'s SigV4 signer presigns', async () => {
    // GIVEN a fixed time and credentials
    const now = new Date('2026-01-02T03:04:05Z');
    const env = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: 'tok/en+=' };
    class Sha256 {
      private h;
      constructor(secret?: unknown) { this.h = secret ? createHmac('sha256', secret as Buffer) : createHash('sha256'); }
      update(d: unknown) { this.h.update(d as Buffer); }
      async digest() { return new Uint8Array(this.h.digest()); }
      reset() { /* unused */ }
    }
    const signer = new SignatureV4({ service: 'elasticache', region: 'us-east-1', sha256: Sha256,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN } });
    // WHEN both sign the same connect request
    const signed = await signer.presign({ method: 'GET', protocol: 'http:', hostname: 'my-cache', path: '/', headers: { host: 'my-cache' },
      query: { Action: 'connect', User: 'api-user', ResourceType: 'ServerlessCache' } }, { expiresIn: 900, signingDate: now });
    const token = await iamAuthToken({ userId: 'api-user', cacheName: 'my-cache', region: 'us-east-1' }, env, now);
    // THEN the parameters and the signature match
    const ours = Object.fromEntries(new URLSearchParams(token.slice('my-cache/?'.length)));
    expect(ours).toEqual(signed.query);
  });
});
