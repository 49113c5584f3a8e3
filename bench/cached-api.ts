/**
 * The cached API's read path against a real redis-server on 127.0.0.1: requests/s and p50/p99
 * handler latency (handleRequest: routing + cache-aside + JSON) with a 95% hit ratio, against the
 * cache disabled, where every read goes to an emulated table with a fixed simulated latency.
 * Same process, same run, rounds interleaved so drift hits both sides alike.
 */
import { performance } from 'node:perf_hooks';
import type { CacheResult, Item, ItemTable } from '../lambda/cached-api';
import { startRedis } from '../test/support/redis-server';

type CachedApiModule = typeof import('../lambda/cached-api');

export interface CachedApiBenchOptions {
  /** Requests per round and mode. @default 10_000 */
  readonly requests?: number;
  /** Requests in flight at once (concurrent Lambda invocations sharing one cache). @default 16 */
  readonly concurrency?: number;
  /** Simulated database read latency. @default 5 (ms) */
  readonly dbLatencyMs?: number;
  /** @default 3 */
  readonly rounds?: number;
  /** @default 0.95 */
  readonly hitRatio?: number;
}

export interface ModeResult {
  readonly mode: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly hitRatio: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** A table answering after `latencyMs`, as a network round trip to DynamoDB would. */
function slowTable(latencyMs: number): ItemTable {
  const delay = () => new Promise((r) => setTimeout(r, latencyMs));
  return {
    get: async (id) => { await delay(); return { id, name: `item ${id}`, price: id.length * 100 } as Item; },
    put: async () => { await delay(); },
    remove: async () => { await delay(); },
  };
}

async function runMode(mod: CachedApiModule, service: InstanceType<CachedApiModule['ItemService']>, ids: string[], concurrency: number, results: CacheResult[]): Promise<{ wallMs: number; latencies: number[] }> {
  const latencies: number[] = new Array(ids.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < ids.length) {
      const i = next++;
      const t0 = performance.now();
      const res = await mod.handleRequest(service, { httpMethod: 'GET', pathParameters: { id: ids[i] }, body: null, isBase64Encoded: false });
      latencies[i] = performance.now() - t0;
      if (res.statusCode !== 200) throw new Error(`unexpected ${res.statusCode}`);
    }
  }));
  results.length = 0;
  return { wallMs: performance.now() - started, latencies };
}

export async function runCachedApiBench(options: CachedApiBenchOptions = {}): Promise<ModeResult[]> {
  const requests = options.requests ?? 10_000;
  const concurrency = options.concurrency ?? 16;
  const dbLatencyMs = options.dbLatencyMs ?? 5;
  const rounds = options.rounds ?? 3;
  const hitRatio = options.hitRatio ?? 0.95;
  const mod: CachedApiModule = await import('../lambda/cached-api');

  const server = await startRedis();
  const redis = mod.createRedisClient({ host: server.host, port: server.port, tls: false, timeoutMs: 100 });
  await redis.connect();
  try {
    const table = slowTable(dbLatencyMs);
    const counts: Record<CacheResult, number> = { hit: 0, miss: 0, error: 0, bypass: 0 };
    const count = (r: CacheResult) => { counts[r] += 1; };
    const cached = new mod.ItemService({ table, cache: mod.redisCache(redis, 1000), ttlSeconds: 3600, timeoutMs: 100, onCacheResult: count });
    const uncached = new mod.ItemService({ table, ttlSeconds: 3600, timeoutMs: 100 });

    // 1000 hot items, cached before timing; every 20th request (5%) reads an item never read before: a miss.
    const hot = Array.from({ length: 1000 }, (_, i) => `hot-${i}`);
    for (const id of hot) await cached.getItem(id);
    let cold = 0;
    const missEvery = Math.round(1 / (1 - hitRatio));
    const workload = () => Array.from({ length: requests }, (_, i) => (i % missEvery === missEvery - 1 ? `cold-${cold++}` : hot[(i * 7919) % hot.length]));

    const all: Record<string, { wallMs: number; latencies: number[]; hits: number; reads: number }> = {
      [`cache (${Math.round(hitRatio * 100)}% hits)`]: { wallMs: 0, latencies: [], hits: 0, reads: 0 },
      'cache disabled': { wallMs: 0, latencies: [], hits: 0, reads: 0 },
    };
    const [cachedName, uncachedName] = Object.keys(all);
    const scratch: CacheResult[] = [];
    for (let round = 0; round < rounds + 1; round++) {
      const warmup = round === 0; // JIT and connection warm-up, not recorded
      for (const [name, service] of [[cachedName, cached], [uncachedName, uncached]] as const) {
        counts.hit = 0; counts.miss = 0;
        const { wallMs, latencies } = await runMode(mod, service, workload(), concurrency, scratch);
        if (warmup) continue;
        all[name].wallMs += wallMs;
        all[name].latencies.push(...latencies);
        all[name].hits += counts.hit;
        all[name].reads += counts.hit + counts.miss;
      }
    }

    const results: ModeResult[] = Object.entries(all).map(([mode, r]) => {
      const sorted = [...r.latencies].sort((a, b) => a - b);
      return {
        mode,
        requestsPerSecond: r.latencies.length / (r.wallMs / 1000),
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        hitRatio: r.reads ? r.hits / r.reads : 0,
      };
    });

    console.log('Cached API: handleRequest GET against redis-server on 127.0.0.1 vs the cache disabled');
    console.log(`  ${requests} requests per round and mode, ${concurrency} in flight, ${rounds} interleaved rounds after 1 warm-up; emulated table latency ${dbLatencyMs} ms`);
    for (const r of results) {
      console.log(`  ${r.mode.padEnd(20)} ${Math.round(r.requestsPerSecond).toString().padStart(8)} req/s   p50 ${r.p50Ms.toFixed(2)} ms   p99 ${r.p99Ms.toFixed(2)} ms${r.hitRatio ? `   measured hit ratio ${(r.hitRatio * 100).toFixed(1)}%` : ''}`);
    }
    const [c, u] = results;
    console.log(`  ratio (cache / disabled): throughput x${(c.requestsPerSecond / u.requestsPerSecond).toFixed(2)}, p50 x${(c.p50Ms / u.p50Ms).toFixed(2)}, p99 x${(c.p99Ms / u.p99Ms).toFixed(2)}`);
    return results;
  } finally {
    redis.destroy();
    await server.stop();
  }
}

if (require.main === module) {
  runCachedApiBench().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
