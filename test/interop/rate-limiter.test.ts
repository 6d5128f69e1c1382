/**
 * rate-limiter-flexible's RateLimiterRedis (over ioredis; its counters run in a Lua script) must
 * allow and refuse exactly as it does against redis-server: the same sequence of decisions,
 * remaining and consumed points, and waits within the window.
 */
import Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { expect, test } from 'vitest';
import { describeNeedingRedis, startRedisServer } from '../compat/harness';
import { startNodis } from '../helpers/nodis';

/** One decision, with the wait rounded to the window it falls in (timing differs by milliseconds). */
interface Decision {
  allowed: boolean;
  remaining: number;
  consumed: number;
  waitWithin: number;
}

function decision(res: unknown, allowed: boolean, windowMs: number): Decision {
  if (!(res instanceof RateLimiterRes)) throw res;
  expect(res.msBeforeNext).toBeGreaterThanOrEqual(0);
  return {
    allowed,
    remaining: res.remainingPoints,
    consumed: res.consumedPoints,
    waitWithin: res.msBeforeNext <= windowMs ? windowMs : -1,
  };
}

async function consume(limiter: RateLimiterRedis, key: string, points: number, windowMs: number): Promise<Decision> {
  try {
    return decision(await limiter.consume(key, points), true, windowMs);
  } catch (e) {
    return decision(e, false, windowMs);
  }
}

/** The same sequence against one server. */
async function scenario(port: number): Promise<unknown[]> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: false });
  const out: unknown[] = [];
  try {
    await client.flushall();
    const perSecond = new RateLimiterRedis({ storeClient: client, keyPrefix: 'rl', points: 5, duration: 1 });
    for (let i = 0; i < 7; i++) out.push(await consume(perSecond, 'user:1', 1, 1000));
    out.push(await consume(perSecond, 'user:2', 3, 1000));
    out.push(await consume(perSecond, 'user:2', 3, 1000));
    out.push(await perSecond.penalty('user:3', 2).then((r) => r.consumedPoints));
    out.push(await perSecond.reward('user:3', 1).then((r) => r.consumedPoints));
    out.push(await perSecond.get('user:3').then((r) => r?.consumedPoints ?? null));
    out.push(await perSecond.get('nobody'));
    out.push(await perSecond.delete('user:3'));
    out.push(await perSecond.get('user:3'));

    const blocking = new RateLimiterRedis({ storeClient: client, keyPrefix: 'rlb', points: 2, duration: 1, blockDuration: 5 });
    for (let i = 0; i < 4; i++) out.push(await consume(blocking, 'ip', 1, 5000));
    out.push(await client.pttl('rlb:ip').then((ms) => ms > 1000 && ms <= 5000));

    // The window really ends: after it, points are back.
    const short = new RateLimiterRedis({ storeClient: client, keyPrefix: 'rls', points: 1, duration: 1 });
    out.push(await consume(short, 'k', 1, 1000));
    out.push(await consume(short, 'k', 1, 1000));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    out.push(await consume(short, 'k', 1, 1000));
    return out;
  } finally {
    client.disconnect();
  }
}

describeNeedingRedis('rate-limiter-flexible')('rate-limiter-flexible against Nodis and redis-server', () => {
  test('RateLimiterRedis decides the same on both servers', { timeout: 60000 }, async () => {
    const redis = await startRedisServer();
    const nodis = await startNodis();
    try {
      const fromRedis = await scenario(redis.port);
      const fromNodis = await scenario(nodis.port);
      expect((fromRedis[5] as Decision).allowed).toBe(false);
      expect(fromNodis).toEqual(fromRedis);
    } finally {
      await Promise.all([redis.stop(), nodis.stop()]);
    }
  });
});
