import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import {
  BadRequestError, CacheClient, CacheResult, CacheTimeoutError, Item, ItemService, RedisClient, cacheConnectionFromEnv, cacheKey,
  createHandler, createMetrics, createRedisClient, dynamoDbTable, handleRequest, iamAuthToken, recordCacheResult, redisCache, withTimeout,
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
  const logs = useCapturedLogs();

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
    // each read logs why it went to the table
    expect(logs.entries().map((e) => [e.level, e.message, (e.error as { name?: string } | undefined)?.name])).toEqual([
      ['WARN', 'Cache read failed; reading the table', 'CacheTimeoutError'],
      ['WARN', 'Cache read failed; reading the table', 'CacheTimeoutError'],
    ]);
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

/** Every line written to stdout (where Powertools Metrics writes EMF) or stderr (its warnings) during the current test. */
function useOutputLines(): () => string[] {
  let lines: string[] = [];
  let spies: jest.SpyInstance[] = [];
  beforeEach(() => {
    lines = [];
    spies = [process.stdout, process.stderr].map((stream) => jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      lines.push(...String(chunk).split('\n').filter((l) => l.trim() !== ''));
      return true;
    }));
  });
  afterEach(() => spies.forEach((s) => s.mockRestore()));
  return () => lines;
}

/** CloudWatch's unit names (the EMF specification's `Unit` values). */
const CLOUDWATCH_UNITS = new Set(['Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes',
  'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second',
  'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second',
  'Count/Second', 'None']);

interface EmfMetric { namespace: string; dimensions: Record<string, string>; name: string; unit: string; value: unknown; timestamp: number }

/**
 * The metrics CloudWatch extracts from one log line, following the embedded metric format
 * specification: `_aws.Timestamp` (epoch ms), `_aws.CloudWatchMetrics` with a Namespace, dimension
 * sets whose keys are string members of the line, and metric definitions whose names are number
 * members (or arrays of numbers), with a CloudWatch unit. Throws on anything CloudWatch would reject.
 */
function parseEmf(line: string): EmfMetric[] {
  const doc = JSON.parse(line) as Record<string, unknown> & { _aws?: { Timestamp?: unknown; CloudWatchMetrics?: unknown } };
  const aws = doc._aws;
  if (!aws || typeof aws.Timestamp !== 'number' || !Array.isArray(aws.CloudWatchMetrics)) throw new Error(`not EMF: ${line}`);
  const timestamp = aws.Timestamp;
  return (aws.CloudWatchMetrics as Array<{ Namespace: unknown; Dimensions: unknown; Metrics: unknown }>).flatMap((directive) => {
    if (typeof directive.Namespace !== 'string' || directive.Namespace === '') throw new Error('EMF: Namespace must be a non-empty string');
    if (!Array.isArray(directive.Dimensions) || !Array.isArray(directive.Metrics)) throw new Error('EMF: Dimensions and Metrics must be arrays');
    const sets = directive.Dimensions as unknown[][];
    if (sets.length === 0) throw new Error('EMF: no dimension set (the metrics would have no dimensions)');
    return sets.flatMap((set) => {
      if (set.length > 30) throw new Error('EMF: more than 30 dimensions in a set');
      const dimensions = Object.fromEntries(set.map((key) => {
        if (typeof key !== 'string' || typeof doc[key] !== 'string') throw new Error(`EMF: dimension ${String(key)} has no string value in the line`);
        return [key, doc[key] as string];
      }));
      return (directive.Metrics as Array<{ Name: unknown; Unit?: unknown }>).map((m) => {
        const value = doc[m.Name as string];
        const numbers = [value].flat();
        if (typeof m.Name !== 'string' || numbers.length === 0 || numbers.some((v) => typeof v !== 'number')) throw new Error(`EMF: metric ${String(m.Name)} has no numeric value`);
        if (m.Unit !== undefined && !CLOUDWATCH_UNITS.has(m.Unit as string)) throw new Error(`EMF: ${m.Name} has unit ${String(m.Unit)}, not a CloudWatch unit`);
        return { namespace: directive.Namespace as string, dimensions, name: m.Name, unit: (m.Unit as string | undefined) ?? 'None', value, timestamp };
      });
    });
  });
}

const emfOf = (lines: string[]) => lines.filter((l) => l.includes('"_aws"')).map(parseEmf);

const FUNCTION_ENV = { POWERTOOLS_METRICS_NAMESPACE: 'CachedApi', AWS_LAMBDA_FUNCTION_NAME: 'CachedApi-ItemsHandler566307F4-abc' };
const lambdaContext = { functionName: FUNCTION_ENV.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: 'req-1' } as Context;
const apiEvent = (httpMethod: string, id: string, body: string | null = null) =>
  ({ httpMethod, pathParameters: { id }, body, isBase64Encoded: false }) as unknown as APIGatewayProxyEvent;

describe('cache metrics in embedded metric format (what CloudWatch extracts from the log lines)', () => {
  const stdout = useOutputLines();
  let server: RedisServer;
  let redis: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    redis = createRedisClient({ host: server.host, port: server.port, tls: false, timeoutMs: TIMEOUT_MS });
    await redis.connect();
  }, 300_000);
  afterAll(async () => {
    redis?.destroy();
    await server?.stop();
  });

  function handlerWithCache() {
    const table = emulatedTable();
    const metrics = createMetrics(FUNCTION_ENV);
    const svc = new ItemService({ table: dynamoDbTable(table.client, 'items'), cache: redisCache(redis, 1000), ttlSeconds: 60, timeoutMs: TIMEOUT_MS, onCacheResult: recordCacheResult(metrics) });
    return { table, handler: createHandler(svc, metrics) };
  }

  test('each read writes one line: namespace CachedApi, dimension service = the function name, CacheMiss then CacheHit, unit Count, value 1', async () => {
    // GIVEN an item in the table and an empty cache
    await redis.flushAll();
    const { table, handler } = handlerWithCache();
    table.rows.set('a', { id: 'a' });
    const before = Date.now();
    // WHEN it is read twice
    await handler(apiEvent('GET', 'a'), lambdaContext);
    await handler(apiEvent('GET', 'a'), lambdaContext);
    // THEN two EMF lines, each one metric, as CloudWatch extracts them
    const lines = emfOf(stdout());
    expect(lines).toHaveLength(2);
    const expected = (name: string) => [{
      namespace: 'CachedApi', dimensions: { service: FUNCTION_ENV.AWS_LAMBDA_FUNCTION_NAME }, name, unit: 'Count', value: 1, timestamp: expect.any(Number),
    }];
    expect(lines[0]).toEqual(expected('CacheMiss'));
    expect(lines[1]).toEqual(expected('CacheHit'));
    expect(lines[0][0].timestamp).toBeGreaterThanOrEqual(before);
    expect(lines[1][0].timestamp).toBeLessThanOrEqual(Date.now());
  });

  test('a cache failure counts CacheError, and the request is still answered', async () => {
    // GIVEN a cache that fails every call
    const table = emulatedTable();
    table.rows.set('a', { id: 'a' });
    const metrics = createMetrics(FUNCTION_ENV);
    const failing: CacheClient = { get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')), del: () => Promise.reject(new Error('down')) };
    const handler = createHandler(new ItemService({ table: dynamoDbTable(table.client, 'items'), cache: failing, ttlSeconds: 60, timeoutMs: TIMEOUT_MS, onCacheResult: recordCacheResult(metrics) }), metrics);
    // WHEN
    const res = await handler(apiEvent('GET', 'a'), lambdaContext);
    // THEN
    expect(res.statusCode).toBe(200);
    expect(emfOf(stdout()).flat().map((m) => [m.name, m.value])).toEqual([['CacheError', 1]]);
  });

  test('writes and bad requests write no metric line and no "no metrics" warning', async () => {
    const { handler } = handlerWithCache();
    await handler(apiEvent('PUT', 'a', '{"n":1}'), lambdaContext);
    await handler(apiEvent('DELETE', 'a'), lambdaContext);
    await handler({ ...apiEvent('GET', 'a'), pathParameters: null }, lambdaContext);
    expect(emfOf(stdout())).toEqual([]);
    expect(stdout().filter((l) => /No application metrics/.test(l))).toEqual([]);
  });

  test('a read that fails at the table writes no line, and leaves nothing behind for the next invocation', async () => {
    const { table, handler } = handlerWithCache();
    await redis.flushAll();
    table.mock.on(GetCommand).rejects(new Error('throttled'));
    await expect(handler(apiEvent('GET', 'x'), lambdaContext)).rejects.toThrow('throttled');
    // the table failed before a cache result was known: nothing is counted, nothing is left for the next invocation
    await handler(apiEvent('PUT', 'y', '{}'), lambdaContext);
    expect(emfOf(stdout())).toEqual([]);
  });

  test('the deployed handler (module scope, with the environment the construct sets, no cache) writes CacheBypass where the construct\'s alarms look', async () => {
    // GIVEN the construct's function environment: its literal values (Refs and GetAtts, e.g. CACHE_HOST, are unknown here)
    const api = new CachedApi(new Stack(testApp(), 'S'), 'Items');
    const [fn] = Object.values(Template.fromStack(Stack.of(api)).findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { CACHE_TLS: 'true' } } } }));
    const literals = Object.fromEntries(Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    expect(literals.CACHE_HOST).toBeUndefined();
    const saved = { ...process.env };
    Object.assign(process.env, literals, { AWS_LAMBDA_FUNCTION_NAME: FUNCTION_ENV.AWS_LAMBDA_FUNCTION_NAME, TABLE_NAME: 'items', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' });
    delete process.env.POWERTOOLS_DEV;
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    let ddb: ReturnType<typeof mockClient> | undefined;
    try {
      let mod: typeof import('../../lambda/cached-api') | undefined;
      jest.isolateModules(() => {
        // the module's own copy of the document client, mocked before the module creates its client
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.isolateModules needs a synchronous load
        const lib = require('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb');
        ddb = mockClient(lib.DynamoDBDocumentClient);
        ddb.on(lib.GetCommand).resolves({ Item: { id: 'a' } });
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.isolateModules needs a synchronous load
        mod = require('../../lambda/cached-api');
      });
      // WHEN a read comes in
      const res = await mod!.handler(apiEvent('GET', 'a'), lambdaContext);
      // THEN the metric CloudWatch extracts is the one the construct's metric and alarm read
      expect(res.statusCode).toBe(200);
      const config = Stack.of(api).resolve(api.metricCacheResult('bypass').toMetricConfig().metricStat!);
      const [metric, ...rest] = emfOf(stdout()).flat();
      expect(rest).toEqual([]);
      expect(metric).toMatchObject({ namespace: config.namespace, name: config.metricName, unit: 'Count', value: 1 });
      expect(Object.keys(metric.dimensions)).toEqual(config.dimensions.map((d: { name: string }) => d.name));
      // the construct's dimension value is its function's name (Ref), which Lambda gives the handler as AWS_LAMBDA_FUNCTION_NAME
      expect(config.dimensions[0].value).toEqual({ Ref: expect.stringMatching(/^ItemsHandler/) });
      expect(metric.dimensions.service).toBe(FUNCTION_ENV.AWS_LAMBDA_FUNCTION_NAME);
    } finally {
      ddb?.restore();
      process.env = saved;
    }
  });

  test('parseEmf rejects what CloudWatch would not extract (so the assertions above can fail)', () => {
    const line = (o: object) => JSON.stringify(o);
    const ok = { _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['service']], Metrics: [{ Name: 'M', Unit: 'Count' }] }] }, service: 's', M: 1 };
    expect(parseEmf(line(ok))).toHaveLength(1);
    expect(() => parseEmf(line({ ...ok, service: undefined }))).toThrow(/dimension service/);
    expect(() => parseEmf(line({ ...ok, M: '1' }))).toThrow(/numeric/);
    expect(() => parseEmf(line({ ...ok, _aws: { ...ok._aws, CloudWatchMetrics: [{ ...ok._aws.CloudWatchMetrics[0], Metrics: [{ Name: 'M', Unit: 'count' }] }] } }))).toThrow(/unit/);
    expect(() => parseEmf(line({ ...ok, _aws: { CloudWatchMetrics: ok._aws.CloudWatchMetrics } }))).toThrow(/not EMF/);
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
});

/** Fixed credentials (AWS's documentation example key), with a session token that needs URL encoding. */
const FIXED_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'tok/en+=' };
const FIXED_DATE = new Date('2026-01-02T03:04:05Z');

/**
 * Known answers from botocore 1.43 (AWS's Python signer, independent of the JavaScript SDK), built as
 * AWS's Python example for ElastiCache IAM authentication does: `RequestSigner('elasticache', region,
 * ...).generate_presigned_url({'method': 'GET', 'url': 'https://<cache>/?Action=connect&User=<user>[&ResourceType=ServerlessCache]', ...},
 * operation_name='connect', expires_in=900)` with the scheme removed, at FIXED_DATE with these credentials
 * (the second without a session token).
 */
const BOTOCORE_SERVERLESS = 'my-cache/?Action=connect&User=api-user&ResourceType=ServerlessCache&X-Amz-Algorithm=AWS4-HMAC-SHA256'
  + '&X-Amz-Credential=AKIDEXAMPLE%2F20260102%2Feu-west-1%2Felasticache%2Faws4_request&X-Amz-Date=20260102T030405Z&X-Amz-Expires=900'
  + '&X-Amz-SignedHeaders=host&X-Amz-Security-Token=tok%2Fen%2B%3D&X-Amz-Signature=86ade12849472170f23c514f8a0a987482fc1454564c0b265770d52eae743a79';
const BOTOCORE_REPLICATION_GROUP = 'my-group/?Action=connect&User=api-user&X-Amz-Algorithm=AWS4-HMAC-SHA256'
  + '&X-Amz-Credential=AKIDEXAMPLE%2F20260102%2Fus-east-1%2Felasticache%2Faws4_request&X-Amz-Date=20260102T030405Z&X-Amz-Expires=900'
  + '&X-Amz-SignedHeaders=host&X-Amz-Signature=17cdde3a3e64053fa83992e3f43ea22f3a5ea47b4e37ce2a604ffc7972c6ee1a';

/** A token's host-and-path prefix and its query parameters, sorted (ElastiCache sorts them to verify the signature). */
function tokenParts(token: string): { prefix: string; params: [string, string][] } {
  const at = token.indexOf('?');
  return { prefix: token.slice(0, at + 1), params: [...new URLSearchParams(token.slice(at + 1))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
}

/** Sets the variables Lambda gives a function for its role's credentials, for the duration of `run`. */
async function withLambdaCredentials<T>(run: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: FIXED_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FIXED_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: FIXED_CREDENTIALS.sessionToken,
  });
  try {
    return await run();
  } finally {
    process.env = saved;
  }
}

describe('the IAM authentication token', () => {
  test('for a serverless cache: the known answer, host and path without a scheme, signed for elasticache in the region, valid 900 s', async () => {
    // WHEN
    const token = await iamAuthToken({ userId: 'api-user', cacheName: 'my-cache', region: 'eu-west-1' }, FIXED_CREDENTIALS, FIXED_DATE);
    // THEN
    expect(token).toMatch(/^my-cache\/\?Action=connect&/);
    expect(tokenParts(token)).toEqual(tokenParts(BOTOCORE_SERVERLESS));
    expect(token).toBe('my-cache/?Action=connect&ResourceType=ServerlessCache&User=api-user&X-Amz-Algorithm=AWS4-HMAC-SHA256'
      + '&X-Amz-Credential=AKIDEXAMPLE%2F20260102%2Feu-west-1%2Felasticache%2Faws4_request&X-Amz-Date=20260102T030405Z&X-Amz-Expires=900'
      + '&X-Amz-Security-Token=tok%2Fen%2B%3D&X-Amz-Signature=86ade12849472170f23c514f8a0a987482fc1454564c0b265770d52eae743a79&X-Amz-SignedHeaders=host');
  });

  test('for a replication group: no ResourceType, no security token without a session token', async () => {
    const longTerm = { accessKeyId: FIXED_CREDENTIALS.accessKeyId, secretAccessKey: FIXED_CREDENTIALS.secretAccessKey };
    const token = await iamAuthToken({ userId: 'api-user', cacheName: 'my-group', region: 'us-east-1', serverless: false }, longTerm, FIXED_DATE);
    expect(tokenParts(token)).toEqual(tokenParts(BOTOCORE_REPLICATION_GROUP));
  });

  test('by default it is signed now with the credentials Lambda puts in the environment', async () => {
    const before = Date.now();
    const token = await withLambdaCredentials(() => iamAuthToken({ userId: 'api-user', cacheName: 'my-cache', region: 'eu-west-1' }));
    const signedAt = Date.parse(new URLSearchParams(token.split('?')[1]).get('X-Amz-Date')!.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
    expect(signedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(signedAt).toBeLessThanOrEqual(Date.now());
    expect(token).toBe(await iamAuthToken({ userId: 'api-user', cacheName: 'my-cache', region: 'eu-west-1' }, FIXED_CREDENTIALS, new Date(signedAt)));
  });

  test('the client of a construct-configured cache sends the token as the IAM user\'s password (ACL user on a real server)', async () => {
    // GIVEN an ACL user whose passwords are the tokens valid from now for the next seconds (the token holds its signing second)
    const iam = { userId: 'api-user', cacheName: 'my-cache', region: 'eu-west-1' };
    const server = await startRedis();
    const admin = createRedisClient({ host: server.host, port: server.port, tls: false, timeoutMs: TIMEOUT_MS });
    await admin.connect();
    const now = Math.floor(Date.now() / 1000) * 1000;
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, s) => iamAuthToken(iam, FIXED_CREDENTIALS, new Date(now + s * 1000))));
    await admin.sendCommand(['ACL', 'SETUSER', 'api-user', 'on', ...tokens.map((t) => `>${t}`), '~item:*', '-@all', '+get', '+set', '+del', '+ping', '+@connection']);
    try {
      await withLambdaCredentials(async () => {
        // WHEN the client connects with its default token source
        const client = createRedisClient({ host: server.host, port: server.port, tls: false, timeoutMs: TIMEOUT_MS, iam });
        try {
          const cache = redisCache(client, 2000);
          // THEN it is authenticated as the IAM user (the default user could write any key)
          await cache.set(cacheKey('a'), '1', 60);
          expect(await cache.get(cacheKey('a'))).toBe('1');
          await expect(client.set('other', 'x')).rejects.toThrow(/NOPERM/);
        } finally {
          client.destroy();
        }
      });
    } finally {
      admin.destroy();
      await server.stop();
    }
  });
});
