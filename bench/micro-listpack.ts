/**
 * Micro-benchmark cases for small (listpack-encoded) hashes and sorted sets, run by micro.ts
 * (`node dist/bench/micro.js hash`, `... zset`), or by this file alone timed by CPU time:
 *
 *   npm run build && node dist/bench/micro-listpack.js [hash|zset|command ...]
 *
 * HSET/HGET/HGETALL on 10-field hashes and ZADD/ZSCORE/ZRANGE on 10-member sorted sets, at two
 * levels:
 * - hashCases, zsetCases: the data-structure side of each command, that is the HashValue or
 *   SortedSet operation plus the reply it makes (the strings a read returns are written out);
 * - hashCommandCases, zsetCommandCases: the whole command run in-process by the dispatcher
 *   (lookups, the reply, statistics, memory accounting), without sockets.
 *
 * The operations cycle through 10,000 values so that no single one stays hot, and look fields up
 * with fresh strings, as a request brings them (not the very strings stored, which compare by
 * pointer). Fields, members and scores are those of the memory table (bench/memory.ts).
 */
import { ReplyWriter } from '../src/protocol/reply-writer';
import { Server } from '../src/server/server';
import { HashValue } from '../src/types/hash';
import { SortedSet, ZsetEntries, type ListpackLimits } from '../src/types/zset';
import { formatCount, markdownTable } from './lib/stats';

export interface ListpackCase {
  group: string;
  name: string;
  fn: () => void;
}

/** How many small values the cases cycle through. */
const VALUES = 10_000;
/** Fields or members per value. */
const SIZE = 10;
/** The listpack thresholds (Redis's defaults). */
const MAX_ENTRIES = 128;
const MAX_VALUE = 64;
const ZSET_LIMITS: ListpackLimits = { maxEntries: MAX_ENTRIES, maxValue: MAX_VALUE };

/** A string as the request parser makes it: sliced from a buffer, not a literal. */
const fresh = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');

/** Cycles through the items. */
function cycle<T>(items: T[]): () => T {
  let at = 0;
  return () => items[(at = (at + 1) % items.length)];
}

const FIELDS = Array.from({ length: SIZE }, (_, i) => fresh(`field:${i}`));
const VALUES_OF_FIELDS = Array.from({ length: SIZE }, (_, i) => fresh(`value:${String(i).padStart(4, '0')}`));
const MEMBERS = Array.from({ length: SIZE }, (_, i) => fresh(`member:${i}`));

let sink = 0;

export function hashCases(batch: number): ListpackCase[] {
  const w = new ReplyWriter(() => undefined);
  const fill = (hash: HashValue): HashValue => {
    for (let i = 0; i < SIZE; i++) hash.set(FIELDS[i], VALUES_OF_FIELDS[i], MAX_ENTRIES, MAX_VALUE);
    return hash;
  };
  const next = cycle(Array.from({ length: VALUES }, () => fill(new HashValue())));
  const probes = FIELDS.map(fresh);
  const miss = fresh('field:10');
  const group = `hash, ${SIZE} fields (listpack)`;
  return [
    {
      group,
      name: 'HSET 10 fields into a new hash (per field)',
      fn: () => {
        for (let i = 0; i < batch / SIZE; i++) sink += fill(new HashValue()).size;
      },
    },
    {
      group,
      name: 'HSET existing field',
      fn: () => {
        for (let i = 0; i < batch; i++) {
          next().set(probes[i % SIZE], VALUES_OF_FIELDS[(i + 3) % SIZE], MAX_ENTRIES, MAX_VALUE);
        }
      },
    },
    {
      group,
      name: 'HGET (hit)',
      fn: () => {
        for (let i = 0; i < batch; i++) w.bulk(next().get(probes[i % SIZE])!);
        w.out.take();
      },
    },
    {
      group,
      name: 'HGET (miss, a field with the same prefix)',
      fn: () => {
        for (let i = 0; i < batch; i++) sink += next().get(miss) === undefined ? 1 : 0;
      },
    },
    {
      group,
      name: 'HGETALL (per hash)',
      fn: () => {
        for (let n = 0; n < batch; n++) {
          const hash = next();
          for (let i = 0; i < hash.size; i++) {
            w.bulk(hash.fieldAt(i));
            w.bulk(hash.valueAt(i));
          }
        }
        w.out.take();
      },
    },
  ];
}

export function zsetCases(batch: number): ListpackCase[] {
  const w = new ReplyWriter(() => undefined);
  // Integer scores, added out of order.
  const fill = (zset: SortedSet): SortedSet => {
    for (let i = 0; i < SIZE; i++) zset.add((i * 7) % SIZE, MEMBERS[i], 0, ZSET_LIMITS);
    return zset;
  };
  const next = cycle(Array.from({ length: VALUES }, () => fill(new SortedSet())));
  const probes = MEMBERS.map(fresh);
  const byScore = { min: 3, max: 6, minExclusive: false, maxExclusive: false };
  const reply = (out: ZsetEntries) => {
    for (let i = 0; i < out.length; i++) {
      w.bulk(out.members[i]);
      w.double(out.scores[i]);
    }
  };
  const group = `zset, ${SIZE} members (listpack)`;
  return [
    {
      group,
      name: 'ZADD 10 members into a new zset (per member)',
      fn: () => {
        for (let i = 0; i < batch / SIZE; i++) sink += fill(new SortedSet()).size;
      },
    },
    {
      group,
      name: 'ZADD new score of a member (integer)',
      fn: () => {
        for (let i = 0; i < batch; i++) sink += next().add(i % 13, probes[i % SIZE], 0, ZSET_LIMITS);
      },
    },
    {
      group,
      name: 'ZADD new score of a member (fraction)',
      fn: () => {
        for (let i = 0; i < batch; i++) sink += next().add((i % 13) / 3, probes[i % SIZE], 0, ZSET_LIMITS);
      },
    },
    {
      group,
      name: 'ZSCORE (hit)',
      fn: () => {
        for (let i = 0; i < batch; i++) w.double(next().score(probes[i % SIZE])!);
        w.out.take();
      },
    },
    {
      group,
      name: 'ZRANGE 0 -1 WITHSCORES (per zset)',
      fn: () => {
        for (let n = 0; n < batch; n++) {
          const zset = next();
          const out = new ZsetEntries();
          zset.rangeByRank(0, zset.size - 1, false, out);
          reply(out);
        }
        w.out.take();
      },
    },
    {
      group,
      name: 'ZREVRANGE 0 2 WITHSCORES (per zset)',
      fn: () => {
        for (let n = 0; n < batch; n++) {
          const out = new ZsetEntries();
          next().rangeByRank(0, 2, true, out);
          reply(out);
        }
        w.out.take();
      },
    },
    {
      group,
      name: 'ZRANGEBYSCORE 3 6 WITHSCORES (per zset)',
      fn: () => {
        for (let n = 0; n < batch; n++) {
          const out = new ZsetEntries();
          next().rangeByScore(byScore, 0, -1, false, out);
          reply(out);
        }
        w.out.take();
      },
    },
  ];
}

/** Runs commands as a connection would, minus the socket: dispatch, then take the encoded replies. */
function commandRunner(batch: number) {
  const server = new Server();
  const client = server.addClient(null);
  const run = (argv: string[]) => server.dispatcher.execute(client, argv);
  /** Requests made in advance, one per key, as fresh strings. */
  const requests = (make: (n: number) => string[]) =>
    cycle(Array.from({ length: VALUES }, (_, n) => make(n).map(fresh)));
  const batches = (next: () => string[]) => () => {
    for (let i = 0; i < batch; i++) run(next());
    client.reply.out.take();
  };
  return { run, requests, batches, server };
}

export function hashCommandCases(batch: number): ListpackCase[] {
  const { run, requests, batches } = commandRunner(batch);
  const key = (n: number) => `hash:${String(n).padStart(5, '0')}`;
  const fieldValues = FIELDS.flatMap((field, i) => [field, VALUES_OF_FIELDS[i]]);
  for (let n = 0; n < VALUES; n++) run(['HSET', key(n), ...fieldValues].map(fresh));
  const group = `hash commands, ${SIZE} fields (in-process)`;
  const hset = requests((n) => ['HSET', key(n), `field:${n % SIZE}`, `value:${n % 9999}`]);
  const hget = requests((n) => ['HGET', key(n), `field:${n % SIZE}`]);
  const hgetall = requests((n) => ['HGETALL', key(n)]);
  return [
    { group, name: 'HSET existing field', fn: batches(hset) },
    { group, name: 'HGET (hit)', fn: batches(hget) },
    { group, name: 'HGETALL', fn: batches(hgetall) },
  ];
}

export function zsetCommandCases(batch: number): ListpackCase[] {
  const { run, requests, batches } = commandRunner(batch);
  const key = (n: number) => `zset:${String(n).padStart(5, '0')}`;
  const scoreMembers = MEMBERS.flatMap((member, i) => [String((i * 7) % SIZE), member]);
  for (let n = 0; n < VALUES; n++) run(['ZADD', key(n), ...scoreMembers].map(fresh));
  const group = `zset commands, ${SIZE} members (in-process)`;
  const zadd = requests((n) => ['ZADD', key(n), String(n % 13), `member:${n % SIZE}`]);
  const zscore = requests((n) => ['ZSCORE', key(n), `member:${n % SIZE}`]);
  const zrange = requests((n) => ['ZRANGE', key(n), '0', '-1', 'WITHSCORES']);
  return [
    { group, name: 'ZADD new score of a member', fn: batches(zadd) },
    { group, name: 'ZSCORE (hit)', fn: batches(zscore) },
    { group, name: 'ZRANGE 0 -1 WITHSCORES', fn: batches(zrange) },
  ];
}

// ---- run alone: timed by CPU time ----

/** CPU time (user + system) in ns: unlike wall time, not charged while other processes run. */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

const BATCH = 1000;
/** Batches per sample: a sample lasts well above cpuUsage's microsecond resolution. */
const BATCHES_PER_SAMPLE = 20;
const SAMPLES = 15;

/**
 * A warm-up, then SAMPLES samples of BATCHES_PER_SAMPLE batches each; the median sample gives
 * ops/s, the error column is half the interquartile range relative to it.
 */
function runByCpuTime(cases: ListpackCase[]): string[][] {
  const rows: string[][] = [];
  for (const c of cases) {
    for (let i = 0; i < 5 * BATCHES_PER_SAMPLE; i++) c.fn();
    const perOp: number[] = [];
    for (let s = 0; s < SAMPLES; s++) {
      const start = cpuNow();
      for (let i = 0; i < BATCHES_PER_SAMPLE; i++) c.fn();
      perOp.push((cpuNow() - start) / (BATCHES_PER_SAMPLE * BATCH));
    }
    perOp.sort((x, y) => x - y);
    const middle = perOp[SAMPLES >> 1];
    const spread = (perOp[(3 * SAMPLES) >> 2] - perOp[SAMPLES >> 2]) / middle;
    console.error(`${c.group}: ${c.name}: ${middle.toFixed(1)} ns/op`);
    rows.push([c.group, c.name, formatCount(1e9 / middle), `±${(50 * spread).toFixed(1)}%`]);
  }
  return rows;
}

if (require.main === module) {
  const wanted = process.argv.slice(2);
  const groups: [string, (batch: number) => ListpackCase[]][] = [
    ['hash', hashCases],
    ['zset', zsetCases],
    ['hash command', hashCommandCases],
    ['zset command', zsetCommandCases],
  ];
  const rows = groups
    .filter(([name]) => wanted.length === 0 || wanted.some((w) => name.split(' ').includes(w)))
    .flatMap(([, cases]) => runByCpuTime(cases(BATCH)));
  console.log(`node ${process.version}, ops/s of CPU time\n`);
  console.log(markdownTable(['group', 'operation', 'ops/s', 'error'], rows));
  if (sink === -1) console.log(sink);
}
