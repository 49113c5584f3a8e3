import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type Item, ItemService, cacheConnectionFromEnv, cacheKey, handleRequest } from '../../lambda/cached-api';

type RequestEvent = Pick<APIGatewayProxyEvent, 'httpMethod' | 'pathParameters' | 'body' | 'isBase64Encoded'>;

/** A service over an in-memory table, without a cache (every read is a `bypass`). */
function serviceWith(items: Item[] = []) {
  const rows = new Map(items.map((i) => [i.id, i]));
  const service = new ItemService({
    table: {
      get: async (id) => rows.get(id),
      put: async (item) => { rows.set(item.id, item); },
      remove: async (id) => { rows.delete(id); },
    },
    ttlSeconds: 60,
    timeoutMs: 100,
  });
  return { service, rows };
}

const request = (httpMethod: string, id: string | undefined, body: string | null = null, isBase64Encoded = false): RequestEvent =>
  ({ httpMethod, pathParameters: id === undefined ? null : { id }, body, isBase64Encoded });
const JSON_HEADERS = { 'content-type': 'application/json' };

describe('cached-api core', () => {
  test('cacheKey', () => {
    expect(cacheKey('a/b')).toBe('item:a/b');
  });

  describe('handleRequest', () => {
    test('GET of an existing item: 200 with the item and the cache result', async () => {
      const { service } = serviceWith([{ id: 'a', name: 'x' }]);
      expect(await handleRequest(service, request('GET', 'a'))).toEqual({
        statusCode: 200, headers: { ...JSON_HEADERS, 'x-cache': 'bypass' }, body: '{"id":"a","name":"x"}',
      });
    });

    test('GET of a missing item: 404 naming it', async () => {
      const { service } = serviceWith();
      expect(await handleRequest(service, request('GET', 'b'))).toEqual({
        statusCode: 404, headers: { ...JSON_HEADERS, 'x-cache': 'bypass' }, body: '{"message":"item \'b\' not found"}',
      });
    });

    test('PUT stores the body with the id of the path (the path wins)', async () => {
      const { service, rows } = serviceWith();
      expect(await handleRequest(service, request('PUT', 'a', '{"id":"other","n":1}'))).toEqual({
        statusCode: 200, headers: JSON_HEADERS, body: '{"id":"a","n":1}',
      });
      expect(rows.get('a')).toEqual({ id: 'a', n: 1 });
    });

    test('PUT with a base64 body decodes it; a body not flagged base64 is taken as is', async () => {
      const { service, rows } = serviceWith();
      await handleRequest(service, request('PUT', 'a', Buffer.from('{"n":2}').toString('base64'), true));
      expect(rows.get('a')).toEqual({ id: 'a', n: 2 });
      await handleRequest(service, request('PUT', 'b', '{"n":3}', false));
      expect(rows.get('b')).toEqual({ id: 'b', n: 3 });
    });

    test('DELETE: 204 without a body', async () => {
      const { service, rows } = serviceWith([{ id: 'a' }]);
      expect(await handleRequest(service, request('DELETE', 'a'))).toEqual({ statusCode: 204, headers: {}, body: '' });
      expect(rows.has('a')).toBe(false);
    });

    test('another method: 405 with Allow', async () => {
      const { service } = serviceWith();
      expect(await handleRequest(service, request('POST', 'a', '{}'))).toEqual({
        statusCode: 405, headers: { ...JSON_HEADERS, allow: 'GET, PUT, DELETE' }, body: '{"message":"POST is not supported"}',
      });
    });

    test.each([
      ['no id', request('GET', undefined), 'missing item id in the path'],
      ['an empty id', request('GET', ''), 'missing item id in the path'],
      ['no body', request('PUT', 'a', null), 'the body must be a JSON object'],
      ['a body that is not JSON', request('PUT', 'a', '{'), 'the body must be a JSON object'],
      ['a JSON array', request('PUT', 'a', '[]'), 'the body must be a JSON object'],
      ['JSON null', request('PUT', 'a', 'null'), 'the body must be a JSON object'],
      ['a JSON string', request('PUT', 'a', '"x"'), 'the body must be a JSON object'],
      ['an empty base64 body', request('PUT', 'a', '', true), 'the body must be a JSON object'],
    ])('400 for %s', async (_name, event, message) => {
      const { service, rows } = serviceWith();
      expect(await handleRequest(service, event)).toEqual({ statusCode: 400, headers: JSON_HEADERS, body: JSON.stringify({ message }) });
      expect(rows.size).toBe(0);
    });

    test('an error of the table is not a 400: it propagates', async () => {
      const service = new ItemService({
        table: { get: async () => { throw new Error('throttled'); }, put: async () => undefined, remove: async () => undefined },
        ttlSeconds: 60,
        timeoutMs: 100,
      });
      await expect(handleRequest(service, request('GET', 'a'))).rejects.toThrow('throttled');
    });
  });

  describe('cacheConnectionFromEnv', () => {
    test('no cache without CACHE_HOST', () => {
      expect(cacheConnectionFromEnv({ CACHE_PORT: '6380' })).toBeUndefined();
      expect(cacheConnectionFromEnv({ CACHE_HOST: '' })).toBeUndefined();
    });

    test('defaults: port 6379, TLS on, 100 ms, no IAM', () => {
      expect(cacheConnectionFromEnv({ CACHE_HOST: 'h' })).toEqual({ host: 'h', port: 6379, tls: true, timeoutMs: 100, iam: undefined });
    });

    test('every variable set', () => {
      expect(cacheConnectionFromEnv({
        CACHE_HOST: 'h', CACHE_PORT: '6380', CACHE_TLS: 'false', CACHE_TIMEOUT_MS: '50', CACHE_IAM_USER: 'u', CACHE_NAME: 'c', AWS_REGION: 'eu-west-1',
      })).toEqual({ host: 'h', port: 6380, tls: false, timeoutMs: 50, iam: { userId: 'u', cacheName: 'c', region: 'eu-west-1' } });
    });

    test.each([
      [{ CACHE_TLS: 'true' }, true], [{ CACHE_TLS: 'FALSE' }, true], [{ CACHE_TLS: 'false' }, false],
    ])('%j: TLS %s (only "false" turns it off)', (env, tls) => {
      expect(cacheConnectionFromEnv({ CACHE_HOST: 'h', ...env })?.tls).toBe(tls);
    });

    test('IAM needs both the user and the cache name; the Region defaults to empty', () => {
      expect(cacheConnectionFromEnv({ CACHE_HOST: 'h', CACHE_IAM_USER: 'u' })?.iam).toBeUndefined();
      expect(cacheConnectionFromEnv({ CACHE_HOST: 'h', CACHE_NAME: 'c' })?.iam).toBeUndefined();
      expect(cacheConnectionFromEnv({ CACHE_HOST: 'h', CACHE_IAM_USER: 'u', CACHE_NAME: 'c' })?.iam).toEqual({ userId: 'u', cacheName: 'c', region: '' });
    });
  });
});
