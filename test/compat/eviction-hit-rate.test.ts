/**
 * LRU and LFU keep a hot working set as well as Redis's do: the same Zipf-distributed cache
 * workload (GET, and SET on a miss) runs against redis-server and Nodis, each limited to room for
 * the same number of keys, and the hit rates are compared.
 */
import { expect, test } from 'vitest';
import Redis from 'ioredis';
import { describeCompat } from './harness';
import { seededRandom } from '../helpers/seeded-random';

const UNIVERSE = 10_000;
const CAPACITY = 2_000;
const OPERATIONS = 60_000;
const BATCH = 200;
const VALUE = 'x'.repeat(64);

/** Key ranks drawn with probability proportional to 1/rank (a Zipf law with exponent 1). */
function zipfSampler(random: () => number): () => number {
  const cumulative = new Float64Array(UNIVERSE);
  let sum = 0;
  for (let rank = 1; rank <= UNIVERSE; rank++) cumulative[rank - 1] = sum += 1 / rank;
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = UNIVERSE - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

async function usedMemory(r: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await r.info('memory'))![1]);
}

/** Runs the workload on one server and returns its hit rate. */
async function hitRate(port: number, policy: string): Promise<number> {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  try {
    await r.flushall();
    await r.config('SET', 'maxmemory', '0');
    await r.config('SET', 'maxmemory-policy', policy);
    await r.config('SET', 'maxmemory-samples', '5');
    // Room for CAPACITY keys, measured on this server: memory now plus CAPACITY times the cost of one key.
    const before = await usedMemory(r);
    const fill = r.pipeline();
    for (let i = 0; i < 1000; i++) fill.set(`key:${UNIVERSE + i}`, VALUE);
    await fill.exec();
    const perKey = ((await usedMemory(r)) - before) / 1000;
    await r.flushall();
    await r.config('SET', 'maxmemory', String(Math.round((await usedMemory(r)) + CAPACITY * perKey)));

    const next = zipfSampler(seededRandom(7));
    let hits = 0;
    let counted = 0;
    for (let done = 0; done < OPERATIONS; done += BATCH) {
      const keys = Array.from({ length: BATCH }, () => `key:${next()}`);
      const values = await r.mget(...keys);
      const misses = r.pipeline();
      values.forEach((v, i) => (v === null ? misses.set(keys[i], VALUE) : undefined));
      await misses.exec();
      // The first quarter warms the cache up.
      if (done >= OPERATIONS / 4) {
        hits += values.filter((v) => v !== null).length;
        counted += BATCH;
      }
    }
    return hits / counted;
  } finally {
    await r.config('SET', 'maxmemory', '0');
    await r.config('SET', 'maxmemory-policy', 'noeviction');
    await r.flushall();
    r.disconnect();
  }
}

describeCompat('eviction hit rate compat', (pair) => {
  for (const policy of ['allkeys-lru', 'allkeys-lfu']) {
    test(`${policy}: the hit rate is within 3 points of redis-server's on a Zipf workload`, async () => {
      const redis = await hitRate(pair.redisPort, policy);
      const nodis = await hitRate(pair.nodisPort, policy);
      console.log(`[hit rate] ${policy}: redis-server ${(redis * 100).toFixed(1)}%, nodis ${(nodis * 100).toFixed(1)}%`);
      expect(Math.abs(nodis - redis)).toBeLessThan(0.03);
    }, 60_000);
  }
});
