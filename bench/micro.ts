/**
 * Micro-benchmarks of the hot paths around a command: encoding replies and key lookups.
 *
 *   npm run build && node dist/bench/micro.js
 *
 *   node --expose-gc dist/bench/micro.js keyspace     (key tables only, with heap bytes per key)
 *   node dist/bench/micro.js list                     (list commands: quicklist side and in-process, micro-list.ts)
 *   node dist/bench/micro.js hash                     (10-field hashes: HashValue side and in-process, micro-listpack.ts)
 *   node dist/bench/micro.js zset                     (10-member sorted sets: SortedSet side and in-process, micro-listpack.ts)
 *   node dist/bench/micro.js requests                 (16 pipelined requests per read, parsed and run in-process, micro-requests.ts)
 *   node dist/bench/micro.js skiplist                 (the sorted set's skiplist at 100k members, micro-requests.ts)
 *   node dist/bench/micro.js memory                   (the machine's memory latency: dependent loads over 256 KB to 128 MB)
 *
 * Each timed function does a batch of 1000 operations; the table shows operations per second.
 */
import Benchmark from 'benchmark';
import { ReplyWriter } from '../src/protocol/reply-writer';
import { KeyTable } from '../src/keyspace/key-table';
import { listCases, listCommandCases } from './micro-list';
import { hashCases, hashCommandCases, zsetCases, zsetCommandCases } from './micro-listpack';
import { requestCases, skiplistCases } from './micro-requests';
import { formatCount, markdownTable, median } from './lib/stats';

const BATCH = 1000;
const KEYS = 1_000_000;

interface Case {
  group: string;
  name: string;
  fn: () => void;
}

function replyCases(): Case[] {
  const w = new ReplyWriter(() => undefined);
  const value16 = 'v'.repeat(16);
  const value1k = 'w'.repeat(1024);
  const items = Array.from({ length: 10 }, (_, i) => `member:${i}`);
  // An LRANGE 0 299 reply of redis-benchmark's 16-byte elements (per array, not per element).
  const items300 = Array.from({ length: 300 }, () => Buffer.alloc(16, 'x').toString('latin1'));
  // A connection takes the replies of each read and writes them; take() here plays that part.
  const batch = (write: (i: number) => void) => () => {
    for (let i = 0; i < BATCH; i++) write(i);
    w.out.take();
  };
  return [
    { group: 'reply writer', name: 'bulk, 16 bytes', fn: batch(() => w.bulk(value16)) },
    { group: 'reply writer', name: 'bulk, 1 KB', fn: batch(() => w.bulk(value1k)) },
    { group: 'reply writer', name: 'integer', fn: batch((i) => w.integer(i * 1000)) },
    { group: 'reply writer', name: 'ok (shared)', fn: batch(() => w.ok()) },
    { group: 'reply writer', name: 'array of 10 bulks', fn: batch(() => w.bulkArray(items)) },
    { group: 'reply writer', name: 'array of 300 bulks, 16 bytes', fn: batch(() => w.bulkArray(items300)) },
    { group: 'reply writer', name: 'double', fn: batch((i) => w.double(i / 7)) },
  ];
}

function keyName(i: number): string {
  return `key:${String(i).padStart(9, '0')}`;
}

/** A table of `size` keys (and the same keys in a Map, for reference), with random probe orders. */
function keyspaceFixture(size: number) {
  const table = new KeyTable<string>();
  const map = new Map<string, string>();
  const keys: string[] = [];
  for (let i = 0; i < size; i++) {
    const key = keyName(i);
    keys.push(key);
    table.set(key, 'value-of-16-byte');
    map.set(key, 'value-of-16-byte');
  }
  // Probe orders fixed in advance so the timing is of the table only. Lookups get keys as fresh
  // strings, as the request parser makes them, not the very objects stored in the table.
  const fresh = (key: string): string => Buffer.from(key, 'latin1').toString('latin1');
  const probes = Array.from({ length: 1 << 16 }, () => fresh(keys[Math.floor(Math.random() * size)]));
  const misses = Array.from({ length: 1 << 16 }, (_, i) => `nokey:${String(i).padStart(7, '0')}`);
  return { table, map, keys, probes, misses };
}

function keyspaceCases(size: number): Case[] {
  const { table, map, probes, misses } = keyspaceFixture(size);
  let at = 0;
  const next = (list: string[]): string => list[(at = (at + 1) & 0xffff)];
  let sink = 0;
  let fresh = 0;
  const newKeys = (): string[] => Array.from({ length: BATCH }, () => `new:${String(fresh++).padStart(9, '0')}`);
  const group = `keyspace, ${formatCount(size)} keys`;
  return [
    { group, name: 'KeyTable get (hit)', fn: () => { for (let i = 0; i < BATCH; i++) sink += table.get(next(probes))!.length; } },
    { group, name: 'KeyTable get (miss)', fn: () => { for (let i = 0; i < BATCH; i++) sink += table.get(next(misses)) === undefined ? 1 : 0; } },
    {
      group,
      name: 'KeyTable get + setMeta (a GET)',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          const key = next(probes);
          sink += table.get(key)!.length;
          table.setMeta(key, i);
        }
      },
    },
    { group, name: 'KeyTable set (existing)', fn: () => { for (let i = 0; i < BATCH; i++) table.set(next(probes), 'new-value-16byte'); } },
    {
      // What Database.set does to an existing key: read the old value, then set.
      group,
      name: 'KeyTable get + set (a SET)',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          const key = next(probes);
          sink += table.get(key)!.length;
          table.set(key, 'new-value-16byte');
        }
      },
    },
    {
      // One op = a set of a new key and its delete, so the table stays at its size.
      group,
      name: 'KeyTable set new + delete',
      fn: () => {
        const batch = newKeys();
        for (let i = 0; i < BATCH; i++) table.set(batch[i], 'new-value-16byte');
        for (let i = 0; i < BATCH; i++) table.delete(batch[i]);
      },
    },
    { group, name: 'Map get (hit), for reference', fn: () => { for (let i = 0; i < BATCH; i++) sink += map.get(next(probes))!.length; } },
    { group, name: 'Map set (existing), for reference', fn: () => { for (let i = 0; i < BATCH; i++) map.set(next(probes), 'new-value-16byte'); } },
  ];
}

/**
 * Set of new keys and delete, timed apart: fill a table from empty to `size` keys (growth
 * included), then delete them all in random order (shrinking included). Median of `rounds`.
 */
function fillAndDrain(size: number, rounds: number): string[][] {
  const keys = Array.from({ length: size }, (_, i) => keyName(i));
  const order = keys.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const victims = order.map((i) => keys[i]);
  const fill: number[] = [];
  const drain: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const table = new KeyTable<string>();
    let start = process.hrtime.bigint();
    for (let i = 0; i < size; i++) table.set(keys[i], 'value-of-16-byte');
    fill.push(Number(process.hrtime.bigint() - start) / size);
    start = process.hrtime.bigint();
    for (let i = 0; i < size; i++) table.delete(victims[i]);
    drain.push(Number(process.hrtime.bigint() - start) / size);
  }
  const group = `keyspace, ${formatCount(size)} keys`;
  const perSecond = (nsPerOp: number): string => formatCount(1e9 / nsPerOp);
  return [
    [group, `KeyTable set new (fill 0 to ${formatCount(size)}), median of ${rounds}`, perSecond(median(fill)), '-'],
    [group, `KeyTable delete (drain to 0, random order), median of ${rounds}`, perSecond(median(drain)), '-'],
  ];
}

/** Heap bytes per key of a KeyTable that accounts memory, besides the key strings (needs --expose-gc). */
function tableBytesPerKey(size: number): string[] | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  // Flat strings: a concatenation is a cons string until first hashed, which would blur the count.
  const keys = Array.from({ length: size }, (_, i) => Buffer.from(keyName(i), 'latin1').toString('latin1'));
  const used = (): number => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const table = new KeyTable<number>(() => 0);
  for (let i = 0; i < size; i++) table.set(keys[i], i);
  const after = used();
  // Both still in use here, so that neither is collected before `after` is read.
  if (table.size !== size || keys.length !== size) throw new Error('table size');
  return [formatCount(size), ((after - before) / size).toFixed(1)];
}

/**
 * Dependent loads at random over `bytes` of memory (a pointer chase through a shuffled cycle, one
 * hop per 64-byte line): what a cache miss costs on this machine. Key lookups and skiplist walks
 * are chains of such loads once their data outgrows the caches (bench/README.md).
 */
/** Where the last chase ended: stored so that its loads are not optimised away. */
let chaseEnd = 0;

function memoryLatencyCases(): Case[] {
  return [256 * 1024, 2.5 * 1024 * 1024, 8 * 1024 * 1024, 128 * 1024 * 1024].map((bytes) => {
    const INTS_PER_LINE = 16;
    const lines = Math.floor(bytes / 4 / INTS_PER_LINE);
    const order = Array.from({ length: lines }, (_, i) => i);
    for (let i = lines - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const next = new Int32Array(lines * INTS_PER_LINE);
    for (let i = 0; i < lines; i++) next[order[i] * INTS_PER_LINE] = order[(i + 1) % lines] * INTS_PER_LINE;
    let at = 0;
    const name = bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`;
    return {
      group: 'memory latency',
      name: `dependent load, random over ${name}`,
      fn: () => {
        for (let i = 0; i < BATCH; i++) at = next[at];
        chaseEnd = at;
      },
    };
  });
}

function run(cases: Case[]): string[][] {
  const rows: string[][] = [];
  const suite = new Benchmark.Suite();
  for (const c of cases) suite.add(`${c.group}: ${c.name}`, c.fn);
  suite.on('cycle', (event: Benchmark.Event) => {
    const bench = event.target as unknown as Benchmark;
    const c = cases.find((x) => `${x.group}: ${x.name}` === bench.name)!;
    console.error(String(event.target));
    rows.push([c.group, c.name, formatCount((bench.hz ?? 0) * BATCH), `±${(bench.stats?.rme ?? 0).toFixed(1)}%`]);
  });
  suite.run({ async: false });
  return rows;
}

// `node dist/bench/micro.js keyspace` runs only the groups whose name contains "keyspace".
const only = process.argv[2] ?? '';
const rows: string[][] = [];
if ('reply writer'.includes(only)) rows.push(...run(replyCases()));
if ('memory latency'.includes(only)) rows.push(...run(memoryLatencyCases()));
if ('requests'.includes(only)) rows.push(...run(requestCases(BATCH)));
if ('skiplist'.includes(only)) rows.push(...run(skiplistCases(BATCH)));
if ('list'.includes(only)) rows.push(...run(listCases(BATCH)), ...run(listCommandCases(BATCH)));
if ('hash'.includes(only)) rows.push(...run(hashCases(BATCH)), ...run(hashCommandCases(BATCH)));
if ('zset'.includes(only)) rows.push(...run(zsetCases(BATCH)), ...run(zsetCommandCases(BATCH)));
if ('keyspace'.includes(only)) {
  for (const size of [1000, KEYS]) rows.push(...run(keyspaceCases(size)), ...fillAndDrain(size, size >= KEYS ? 5 : 200));
}
console.log(`node ${process.version}\n`);
console.log(markdownTable(['group', 'operation', 'ops/s', 'error'], rows));
const tableSizes = 'keyspace'.includes(only) ? [1000, 100_000, KEYS, 3 * KEYS] : [];
const tableBytes = tableSizes.map(tableBytesPerKey).filter((row): row is string[] => row !== null);
if (tableBytes.length > 0) {
  console.log('\nKeyTable heap bytes per key, besides the key strings (node --expose-gc):\n');
  console.log(markdownTable(['keys', 'bytes per key'], tableBytes));
}
