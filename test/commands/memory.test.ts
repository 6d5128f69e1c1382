import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type Redis from 'ioredis';
import { useNodis } from '../helpers/nodis';
import { ManualClock } from '../../src/index';
import { TABLE_ENTRY_BYTES } from '../../src/keyspace/database';
import type { ActiveExpire } from '../../src/keyspace/active-expire';
import { memoryDoctorReport, type HeapFigures } from '../../src/commands/memory/doctor';
import type { MemoryOverhead } from '../../src/commands/memory/overhead';

const MB = 1024 * 1024;
const clock = new ManualClock(1_700_000_000_000);
const nodis = useNodis({ clock, config: { 'enable-debug-command': 'yes' } });
let redis: Redis;

beforeEach(async () => {
  redis ??= nodis.client();
  // Only the commands under test expire keys.
  (nodis.server as unknown as { cron: { activeExpire: ActiveExpire } }).cron.activeExpire.enabled = false;
  await redis.flushall();
});

async function usage(key: string | Buffer, ...options: string[]): Promise<number | null> {
  return (await redis.call('MEMORY', 'USAGE', key, ...options)) as number | null;
}

/** MEMORY STATS as name -> value (RESP2: a flat array; db.N values are flat arrays too). */
async function memoryStats(): Promise<Record<string, unknown>> {
  const flat = (await redis.call('MEMORY', 'STATS')) as unknown[];
  const stats: Record<string, unknown> = {};
  for (let i = 0; i < flat.length; i += 2) stats[flat[i] as string] = flat[i + 1];
  return stats;
}

async function infoMemory(): Promise<Record<string, string>> {
  const text = (await redis.call('INFO', 'memory')) as string;
  return Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':', 2) as [string, string]));
}

async function usedMemory(): Promise<number> {
  return (await memoryStats())['total.allocated'] as number;
}

describe('MEMORY USAGE', () => {
  test('a missing key is null, with or without SAMPLES', async () => {
    expect(await usage('missing')).toBeNull();
    expect(await usage('missing', 'SAMPLES', '0')).toBeNull();
  });

  test('a string grows with its value and shrinks when overwritten with a shorter one', async () => {
    await redis.set('s', 'x');
    const one = await usage('s');
    await redis.set('s', 'x'.repeat(1000));
    const thousand = (await usage('s'))!;
    expect(thousand).toBeGreaterThanOrEqual(one! + 999 - 8);
    await redis.append('s', 'y'.repeat(10_000));
    expect(await usage('s')).toBeGreaterThanOrEqual(thousand + 10_000);
    await redis.set('s', 'x');
    expect(await usage('s')).toBe(one);
    await redis.setrange('s', 5000, 'z');
    expect(await usage('s')).toBeGreaterThan(one! + 5000);
  });

  test('a small integer costs less than a string of the same digits as raw text', async () => {
    await redis.set('n', '12');
    await redis.set('t', '12 ');
    expect(await usage('n')).toBeLessThan((await usage('t'))!);
  });

  // For each type: how to add element i, and how to remove it.
  const types: [string, (key: string, i: number) => Promise<unknown>, (key: string, i: number) => Promise<unknown>][] = [
    ['list', (k, i) => redis.rpush(k, `element-${i}`), (k) => redis.rpop(k)],
    ['hash', (k, i) => redis.hset(k, `field-${i}`, `value-${i}`), (k, i) => redis.hdel(k, `field-${i}`)],
    ['integer set', (k, i) => redis.sadd(k, i), (k, i) => redis.srem(k, i)],
    ['set', (k, i) => redis.sadd(k, `member-${i}`), (k, i) => redis.srem(k, `member-${i}`)],
    ['zset', (k, i) => redis.zadd(k, i, `member-${i}`), (k, i) => redis.zrem(k, `member-${i}`)],
  ];
  for (const [type, add, remove] of types) {
    test(`${type}: grows with every element, through its encodings, and shrinks as they go`, async () => {
      const sizes: number[] = [];
      let count = 0;
      for (const target of [1, 10, 100, 1000]) {
        while (count < target) await add(type, count++);
        sizes.push((await usage(type))!);
      }
      for (let i = 1; i < sizes.length; i++) expect(sizes[i], `${type} at step ${i}`).toBeGreaterThan(sizes[i - 1]);
      while (count > 100) await remove(type, --count);
      const afterDeletes = (await usage(type))!;
      expect(afterDeletes).toBeLessThan(sizes[3]);
      while (count > 1) await remove(type, --count);
      expect(await usage(type)).toBeLessThan(afterDeletes);
    });
  }

  test('the key name counts', async () => {
    await redis.set('k', 'v');
    await redis.set('k'.repeat(101), 'v');
    expect((await usage('k'.repeat(101)))! - (await usage('k'))!).toBeGreaterThanOrEqual(100 - 8);
  });

  test('binary keys and values, one byte per char', async () => {
    const key = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x80]);
    await redis.set(key, Buffer.from([0xff, 0x00]));
    const bytes = await usage(key);
    expect(bytes).toBe(nodis.server.keyspace.databases[0].table.bytesOf(key.toString('latin1')));
    expect(await usage(Buffer.from([0, 0xff, 0x0d, 0x0a]))).toBeNull();
  });

  test('SAMPLES does not change the estimate: it is exact, not sampled', async () => {
    for (let i = 0; i < 500; i++) await redis.hset('h', `f${i}`, 'x'.repeat(i));
    const estimate = await usage('h');
    for (const samples of ['0', '1', '5', '1000000']) expect(await usage('h', 'SAMPLES', samples)).toBe(estimate);
  });

  test('is what the key adds to used_memory (its TTL adds a table entry more, as in Redis)', async () => {
    const before = await usedMemory();
    await redis.set('k', 'some value');
    expect((await usedMemory()) - before).toBe(await usage('k'));
    await redis.expire('k', 100);
    expect((await usedMemory()) - before).toBe((await usage('k'))! + TABLE_ENTRY_BYTES);
    await redis.del('k');
    expect(await usedMemory()).toBe(before);
  });

  test('an expired key counts as missing', async () => {
    await redis.set('k', 'v', 'PX', 100);
    clock.advance(100);
    expect(await usage('k')).toBeGreaterThan(0);
    clock.advance(1);
    expect(await usage('k')).toBeNull();
    expect(await redis.dbsize()).toBe(0);
  });

  test('is not an access: idle time, hits and misses are left alone', async () => {
    await redis.set('k', 'v');
    clock.advance(10_000);
    const hits = async (): Promise<string> => ((await redis.info('stats')).match(/keyspace_(hits|misses):\d+/g) ?? []).join(',');
    const before = await hits();
    await usage('k');
    await usage('missing');
    expect(await hits()).toBe(before);
    expect(await redis.object('IDLETIME', 'k')).toBe(10);
  });

  test('reads the selected database', async () => {
    const other = nodis.client({ db: 5 });
    await other.set('k', 'v');
    expect(await usage('k')).toBeNull();
    expect(await other.call('MEMORY', 'USAGE', 'k')).toBeGreaterThan(0);
    await other.flushdb();
  });
});

describe('MEMORY STATS', () => {
  test('agrees with INFO memory', async () => {
    await redis.set('a', '1');
    await redis.set('b', 'x'.repeat(100), 'EX', 100);
    await redis.rpush('l', 'a', 'b', 'c');
    const stats = await memoryStats();
    const info = await infoMemory();
    expect(stats['total.allocated']).toBe(Number(info.used_memory));
    expect(stats['peak.allocated']).toBe(Number(info.used_memory_peak));
    expect(stats['startup.allocated']).toBe(Number(info.used_memory_startup));
    expect(stats['overhead.total']).toBe(Number(info.used_memory_overhead));
    expect(stats['dataset.bytes']).toBe(Number(info.used_memory_dataset));
    expect(stats['clients.normal']).toBe(Number(info.mem_clients_normal));
    expect(Number(stats['dataset.percentage']).toFixed(2) + '%').toBe(info.used_memory_dataset_perc);
    expect(Number(stats['peak.percentage']).toFixed(2) + '%').toBe(info.used_memory_peak_perc);
  });

  test('adds up: overhead, dataset, keys and percentages', async () => {
    await redis.set('a', '1');
    await redis.set('b', 'v', 'EX', 100);
    const other = nodis.client({ db: 9 });
    await other.hset('h', 'f', 'v');
    const stats = await memoryStats();
    const total = stats['total.allocated'] as number;
    const startup = stats['startup.allocated'] as number;
    const overhead = stats['overhead.total'] as number;
    expect(stats['db.0']).toEqual([
      'overhead.hashtable.main', 2 * TABLE_ENTRY_BYTES,
      'overhead.hashtable.expires', TABLE_ENTRY_BYTES,
      'overhead.hashtable.slot-to-keys', 0,
    ]);
    expect(stats['db.9']).toEqual([
      'overhead.hashtable.main', TABLE_ENTRY_BYTES,
      'overhead.hashtable.expires', 0,
      'overhead.hashtable.slot-to-keys', 0,
    ]);
    expect(Object.keys(stats).filter((name) => name.startsWith('db.'))).toEqual(['db.0', 'db.9']);
    expect(overhead).toBe(startup + (stats['clients.normal'] as number) + 4 * TABLE_ENTRY_BYTES);
    expect(stats['keys.count']).toBe(3);
    expect(stats['keys.bytes-per-key']).toBe(Math.floor((total - startup) / 3));
    expect(stats['dataset.bytes']).toBe(total - overhead);
    expect(Number(stats['dataset.percentage'])).toBeCloseTo(((total - overhead) * 100) / (total - startup), 4);
    expect(Number(stats['peak.percentage'])).toBeCloseTo((total * 100) / (stats['peak.allocated'] as number), 4);
    expect(Number(stats['fragmentation'])).toBeCloseTo((stats['fragmentation.bytes'] as number) / total + 1, 4);
    for (const absent of ['replication.backlog', 'clients.slaves', 'cluster.links', 'aof.buffer', 'lua.caches', 'functions.caches']) {
      expect(stats[absent], absent).toBe(0);
    }
    await other.flushdb();
  });

  test('an empty instance lists no database and no keys', async () => {
    const stats = await memoryStats();
    expect(Object.keys(stats).filter((name) => name.startsWith('db.'))).toEqual([]);
    expect(stats['keys.count']).toBe(0);
    expect(stats['keys.bytes-per-key']).toBe(0);
  });

  test('peak.allocated keeps the highest used memory after the data is gone', async () => {
    await redis.set('big', 'x'.repeat(MB));
    const high = await usedMemory();
    await redis.del('big');
    const stats = await memoryStats();
    expect(stats['peak.allocated']).toBeGreaterThanOrEqual(high);
    expect(stats['total.allocated']).toBeLessThan(high - MB / 2);
    expect(Number(stats['peak.percentage'])).toBeLessThan(100);
  });
});

describe('MEMORY DOCTOR', () => {
  const EMPTY_START = 'Hi Sam, this instance is empty or is using very little memory';
  const NO_ISSUES = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";

  test('an empty instance is too empty to judge; one with data is judged', async () => {
    expect(await redis.call('MEMORY', 'DOCTOR')).toMatch(new RegExp(`^${EMPTY_START}`));
    await redis.call('DEBUG', 'POPULATE', '100000', 'key', '16');
    const report = (await redis.call('MEMORY', 'DOCTOR')) as string;
    expect(report === NO_ISSUES || report.startsWith('Sam, I detected a few issues')).toBe(true);
  });

  // A healthy 100 MB instance, which each test below spoils in one way.
  const healthy = (): MemoryOverhead => ({
    peakAllocated: 110 * MB,
    totalAllocated: 100 * MB,
    startupAllocated: 20 * MB,
    replicationBacklog: 0,
    clientsReplicas: 0,
    clientsNormal: 2 * 20 * 1024,
    clusterLinks: 0,
    aofBuffer: 0,
    luaCaches: 0,
    functionsCaches: 0,
    databases: [],
    overheadTotal: 30 * MB,
    totalKeys: 1_000_000,
    bytesPerKey: 83,
    dataset: 70 * MB,
    datasetPercentage: 87.5,
    peakPercentage: 90.9,
    allocatorAllocated: 120 * MB,
    allocatorActive: 160 * MB,
    allocatorResident: 200 * MB,
    allocatorFragRatio: 1.33,
    allocatorFragBytes: 40 * MB,
    allocatorRssRatio: 1.25,
    allocatorRssBytes: 40 * MB,
    rssOverheadRatio: 1,
    rssOverheadBytes: 0,
    totalFragRatio: 2,
    totalFragBytes: 100 * MB,
    clients: 2,
  });
  const healthyHeap = (): HeapFigures => ({ residentBytes: 130 * MB, oldReservedBytes: 105 * MB, oldUsedBytes: 100 * MB });

  test('a healthy instance has no issues, although its process RSS is twice used_memory', () => {
    expect(memoryDoctorReport(healthy(), healthyHeap())).toBe(NO_ISSUES);
  });

  test('empty is counted from start-up: under 5 MB more than at start', () => {
    const mh = { ...healthy(), totalAllocated: 24 * MB, peakAllocated: 100 * MB };
    expect(memoryDoctorReport(mh, healthyHeap())).toMatch(new RegExp(`^${EMPTY_START}.*finished rebooting\\.\\n$`));
  });

  const issues: [string, Partial<MemoryOverhead>, Partial<HeapFigures>, string][] = [
    ['a peak over 150% of used memory', { peakAllocated: 151 * MB }, {}, ' * Peak memory: In the past this instance used more than 150%'],
    ['a heap resident 1.4 times used memory', {}, { residentBytes: 141 * MB }, ' * High total RSS: '],
    ['an old generation 1.1 times its use', {}, { oldReservedBytes: 111 * MB }, ' * High allocator fragmentation: '],
    ['clients over 200K each', { clientsNormal: 2 * 201 * 1024 }, {}, ' * Big client buffers: '],
  ];
  for (const [what, overhead, heap, section] of issues) {
    test(`reports ${what}`, () => {
      const report = memoryDoctorReport({ ...healthy(), ...overhead }, { ...healthyHeap(), ...heap });
      expect(report.startsWith('Sam, I detected a few issues in this Redis instance memory implants:\n\n' + section)).toBe(true);
      expect(report.endsWith(".\n\nI'm here to keep you safe, Sam. I want to help you.\n")).toBe(true);
    });
  }

  test('ratios alone are not issues below 10 MB', () => {
    const small = { ...healthy(), totalAllocated: 26 * MB, peakAllocated: 26 * MB };
    const heap = { residentBytes: 35 * MB, oldReservedBytes: 30 * MB, oldUsedBytes: 21 * MB };
    expect(memoryDoctorReport(small, heap)).toBe(NO_ISSUES);
  });

  test("several issues, in Redis's order", () => {
    const report = memoryDoctorReport(
      { ...healthy(), peakAllocated: 200 * MB, clientsNormal: MB },
      { residentBytes: 200 * MB, oldReservedBytes: 200 * MB, oldUsedBytes: 100 * MB },
    );
    const sections = report.split('\n\n').map((s) => s.slice(0, 20));
    expect(sections).toEqual([
      'Sam, I detected a fe',
      ' * Peak memory: In t',
      ' * High total RSS: T',
      ' * High allocator fr',
      ' * Big client buffer',
      "I'm here to keep you safe, Sam. I want to help you.\n".slice(0, 20),
    ]);
  });
});

describe('MEMORY MALLOC-STATS and PURGE', () => {
  const globals = globalThis as { gc?: () => void };
  const originalGc = globals.gc;
  afterEach(() => {
    globals.gc = originalGc;
  });

  test('MALLOC-STATS describes the V8 heap in a jemalloc-like frame', async () => {
    const text = (await redis.call('MEMORY', 'MALLOC-STATS')) as string;
    expect(text.startsWith('___ Begin V8 heap statistics ___\n')).toBe(true);
    expect(text.endsWith('--- End V8 heap statistics ---\n')).toBe(true);
    expect(text).toContain(`Version: "${process.versions.v8}"`);
    expect(text).toMatch(/\n {2}used_heap_size: \d+\n/);
    expect(text).toMatch(/\n {2}old_space +\d+ +\d+ +\d+ +\d+\n/);
  });

  test('PURGE runs a full collection when the process exposes gc, and says OK either way', async () => {
    delete globals.gc;
    expect(await redis.call('MEMORY', 'PURGE')).toBe('OK');
    let collections = 0;
    globals.gc = () => {
      collections++;
    };
    expect(await redis.call('MEMORY', 'PURGE')).toBe('OK');
    expect(collections).toBe(1);
    expect(await redis.call('MEMORY', 'MALLOC-STATS')).toContain('gc exposed (MEMORY PURGE collects garbage): true');
  });
});
