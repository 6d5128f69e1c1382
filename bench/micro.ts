/**
 * Micro-benchmarks of the hot paths around a command: encoding replies and key lookups.
 *
 *   npm run build && node dist/bench/micro.js
 *
 * Each timed function does a batch of 1000 operations; the table shows operations per second.
 */
import Benchmark from 'benchmark';
import { ReplyWriter } from '../src/protocol/reply-writer';
import { KeyTable } from '../src/keyspace/key-table';
import { formatCount, markdownTable } from './lib/stats';

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
    { group: 'reply writer', name: 'double', fn: batch((i) => w.double(i / 7)) },
  ];
}

function keyName(i: number): string {
  return `key:${String(i).padStart(9, '0')}`;
}

function keyspaceCases(): Case[] {
  const table = new KeyTable<string>();
  const map = new Map<string, string>();
  const keys: string[] = [];
  for (let i = 0; i < KEYS; i++) {
    const key = keyName(i);
    keys.push(key);
    table.set(key, 'value-of-16-byte');
    map.set(key, 'value-of-16-byte');
  }
  // Random probe orders, fixed in advance so the timing is of the lookups only.
  const probes = Array.from({ length: 1 << 16 }, () => keys[Math.floor(Math.random() * KEYS)]);
  const misses = Array.from({ length: 1 << 16 }, (_, i) => `nokey:${i}`);
  let at = 0;
  const next = (list: string[]): string => list[(at = (at + 1) & 0xffff)];
  let sink = 0;
  const group = `keyspace, ${formatCount(KEYS)} keys`;
  return [
    { group, name: 'KeyTable get (hit)', fn: () => { for (let i = 0; i < BATCH; i++) sink += table.get(next(probes))!.length; } },
    { group, name: 'KeyTable get (miss)', fn: () => { for (let i = 0; i < BATCH; i++) sink += table.get(next(misses)) === undefined ? 1 : 0; } },
    { group, name: 'KeyTable set (overwrite)', fn: () => { for (let i = 0; i < BATCH; i++) table.set(next(probes), 'new-value-16byte'); } },
    { group, name: 'Map get (hit), for reference', fn: () => { for (let i = 0; i < BATCH; i++) sink += map.get(next(probes))!.length; } },
    { group, name: 'Map set (overwrite), for reference', fn: () => { for (let i = 0; i < BATCH; i++) map.set(next(probes), 'new-value-16byte'); } },
  ];
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

const rows = [...run(replyCases()), ...run(keyspaceCases())];
console.log(`node ${process.version}\n`);
console.log(markdownTable(['group', 'operation', 'ops/s', 'error'], rows));
