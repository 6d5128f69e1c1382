/**
 * Memory per key: the same data loaded into redis-server and into Nodis, each a fresh process,
 * and the growth of the process's resident memory (VmRSS) divided by the number of keys.
 *
 *   npm run build && npm run bench:memory
 *   npm run bench:memory -- --scale 0.1 --datasets strings,hashes
 *
 * For each dataset and server: start the server (`--save '' --appendonly no`, a free port), read
 * VmRSS and INFO's used_memory, load the data with pipelined raw RESP, wait for every reply, wait
 * `--settle` ms, and read both again. Lists count per element, streams per entry, the others per key.
 */
import { DEFAULT_NODE_FLAGS } from '../src/memory/node-flags';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Command } from 'commander';
import { startNodisServer, startRedis, type RunningServer } from './lib/servers';
import { ServerSet, requireTools } from './lib/bench-run';
import { RespConnection, encodeCommand } from './lib/resp-connection';
import { formatCount, formatRatio, markdownTable, median } from './lib/stats';

/** The ratio Nodis aims to stay within on every row. */
const GOAL_RATIO = 1.5;

interface Dataset {
  name: string;
  title: string;
  /** Keys the server must hold after the load (checked with DBSIZE). */
  keys: number;
  /** What the bytes are divided by, and what it is called. */
  units: number;
  unit: 'key' | 'element' | 'entry';
  requests: number;
  /** Lines of each reply (2 for XADD's bulk IDs; 1 when absent). */
  linesPerReply?: number;
  /** The i-th request, as RESP text. */
  encode(i: number): string;
}

/** "prefix" + i zero-padded to 8 digits: 10 bytes with a 2-byte prefix. */
function name10(prefix: string, i: number): string {
  return prefix + String(i).padStart(8, '0');
}

/** A 10-byte value that is not an integer (so both servers keep it as a string). */
function value10(i: number): string {
  return name10('v:', (i * 7919) % 100_000_000);
}

const HASH_FIELDS = Array.from({ length: 10 }, (_, j) => `field:${j}`);
const ZSET_MEMBERS = Array.from({ length: 10 }, (_, j) => `member:${j}`);
const LISTS = 10;
const LIST_PUSH = 100;
const STREAMS = 10_000;
const STREAM_ENTRIES = 100;

/** XADD of an auto-ID entry with two small fields (the same names: Redis's SAMEFIELDS entries). */
function streamEntry(key: string, i: number): string {
  return encodeCommand(['XADD', key, '*', 'sensor', value10(i), 'reading', String(i % 100_000)]);
}

function datasets(scale: number): Dataset[] {
  const scaled = (n: number): number => Math.max(1, Math.round(n * scale));
  const strings = scaled(1_000_000);
  const hashes = scaled(100_000);
  const zsets = scaled(100_000);
  const pushesPerList = Math.max(1, Math.round((100_000 * scale) / LIST_PUSH));
  const streamEntries = scaled(1_000_000);
  const streams = scaled(STREAMS);
  return [
    {
      name: 'strings',
      title: `${formatCount(strings)} strings (10-byte keys and values)`,
      keys: strings,
      units: strings,
      unit: 'key',
      requests: strings,
      encode: (i) => encodeCommand(['SET', name10('k:', i), value10(i)]),
    },
    {
      name: 'integers',
      title: `${formatCount(strings)} integers (10-byte keys, values 100000..900M)`,
      keys: strings,
      units: strings,
      unit: 'key',
      requests: strings,
      encode: (i) => encodeCommand(['SET', name10('n:', i), String(100_000 + ((i * 7919) % 900_000_000))]),
    },
    {
      name: 'hashes',
      title: `${formatCount(hashes)} hashes of 10 fields (7-byte fields, 10-byte values)`,
      keys: hashes,
      units: hashes,
      unit: 'key',
      requests: hashes,
      encode: (i) => {
        const argv = ['HSET', name10('h:', i)];
        for (let j = 0; j < HASH_FIELDS.length; j++) argv.push(HASH_FIELDS[j], value10(i * 10 + j));
        return encodeCommand(argv);
      },
    },
    {
      name: 'zsets',
      title: `${formatCount(zsets)} sorted sets of 10 members (8-byte members, integer scores)`,
      keys: zsets,
      units: zsets,
      unit: 'key',
      requests: zsets,
      encode: (i) => {
        const argv = ['ZADD', name10('z:', i)];
        for (let j = 0; j < ZSET_MEMBERS.length; j++) argv.push(String((i % 1000) * 10 + j), ZSET_MEMBERS[j]);
        return encodeCommand(argv);
      },
    },
    {
      name: 'lists',
      title: `${LISTS} lists of ${formatCount(pushesPerList * LIST_PUSH)} elements (10-byte elements)`,
      keys: LISTS,
      units: LISTS * pushesPerList * LIST_PUSH,
      unit: 'element',
      requests: LISTS * pushesPerList,
      // Pushes go round the lists, LIST_PUSH elements at a time.
      encode: (i) => {
        const argv = ['RPUSH', name10('l:', i % LISTS)];
        for (let j = 0; j < LIST_PUSH; j++) argv.push(name10('e:', i * LIST_PUSH + j));
        return encodeCommand(argv);
      },
    },
    {
      name: 'stream',
      title: `1 stream of ${formatCount(streamEntries)} entries (2 fields: 10-byte text, small integer)`,
      keys: 1,
      units: streamEntries,
      unit: 'entry',
      requests: streamEntries,
      linesPerReply: 2,
      encode: (i) => streamEntry('s:big', i),
    },
    {
      name: 'streams',
      title: `${formatCount(streams)} streams of ${STREAM_ENTRIES} entries (same fields)`,
      keys: streams,
      units: streams * STREAM_ENTRIES,
      unit: 'entry',
      requests: streams * STREAM_ENTRIES,
      linesPerReply: 2,
      // Entries go round the streams, one at a time.
      encode: (i) => streamEntry(name10('s:', i % streams), i),
    },
  ];
}

/** VmRSS of a process, in bytes. */
function residentBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

async function usedMemory(conn: RespConnection): Promise<number> {
  const info = await conn.call(['INFO', 'memory']);
  const match = /\r\nused_memory:(\d+)\r\n/.exec(info);
  if (!match) throw new Error('no used_memory in INFO memory');
  return Number(match[1]);
}

async function dbsize(conn: RespConnection): Promise<number> {
  const reply = await conn.call(['DBSIZE']);
  return Number(reply.slice(1, reply.indexOf('\r\n')));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Measurement {
  /** RSS growth per unit, read right after the last reply and after the settle time. */
  rssLoaded: number;
  rssSettled: number;
  usedMemory: number;
  rssAfter: number;
  loadSeconds: number;
}

async function measure(server: RunningServer, dataset: Dataset, settleMs: number, window: number): Promise<Measurement> {
  const conn = await RespConnection.connect(server.port);
  try {
    await sleep(200);
    const rssBefore = residentBytes(server.pid);
    const usedBefore = await usedMemory(conn);
    const started = process.hrtime.bigint();
    await conn.pipeline(dataset.requests, dataset.encode, 1000, window * (dataset.linesPerReply ?? 1), dataset.linesPerReply);
    const loadSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rssLoaded = residentBytes(server.pid);
    const keys = await dbsize(conn);
    if (keys !== dataset.keys) throw new Error(`${server.name} holds ${keys} keys after loading ${dataset.name}, expected ${dataset.keys}`);
    await sleep(settleMs);
    const rssAfter = residentBytes(server.pid);
    const usedAfter = await usedMemory(conn);
    return {
      rssLoaded: (rssLoaded - rssBefore) / dataset.units,
      rssSettled: (rssAfter - rssBefore) / dataset.units,
      usedMemory: (usedAfter - usedBefore) / dataset.units,
      rssAfter,
      loadSeconds,
    };
  } finally {
    conn.close();
  }
}

function positiveNumber(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${JSON.stringify(text)}`);
  return n;
}

function bytes(n: number): string {
  return Number.isFinite(n) ? n.toFixed(1) : '-';
}

interface Options {
  scale: string;
  datasets: string;
  settle: string;
  window: string;
  nodeArgs: string;
  rounds: string;
}

type ServerKind = 'redis' | 'nodis';

async function main(): Promise<void> {
  const program = new Command()
    .name('memory')
    .description('bytes per key in redis-server and Nodis (RSS growth after loading the same data)')
    .option('--scale <factor>', 'multiply every dataset size by this (e.g. 0.1 for a quick run)', '1')
    .option('--datasets <list>', 'comma separated: strings,integers,hashes,zsets,lists,stream,streams', 'strings,integers,hashes,zsets,lists,stream,streams')
    .option('--settle <ms>', 'wait this long after the last reply before reading RSS again', '1000')
    .option('--window <n>', 'most requests awaiting a reply while loading', '20000')
    .option('--rounds <n>', 'measure each dataset this many times on fresh servers (the median is shown)', '1')
    .option('--node-args <flags>', 'node flags for the Nodis process, space separated (default: those npm start uses)', DEFAULT_NODE_FLAGS.join(' '))
    .parse();
  const o = program.opts<Options>();
  const scale = positiveNumber(o.scale, 'scale');
  const settleMs = Number(o.settle);
  if (!Number.isInteger(settleMs) || settleMs < 0) throw new Error('--settle must be a whole number of ms');
  const window = positiveNumber(o.window, 'window');
  const rounds = positiveNumber(o.rounds, 'rounds');
  if (!Number.isInteger(rounds)) throw new Error('--rounds must be a whole number');
  const nodeArgs = o.nodeArgs.split(' ').filter(Boolean);
  const all = datasets(scale);
  const wanted = o.datasets.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !all.some((d) => d.name === w));
  if (unknown.length > 0) throw new Error(`unknown dataset(s): ${unknown.join(', ')}`);
  const chosen = all.filter((d) => wanted.includes(d.name));

  requireTools('memory', ['redis-server']);

  const servers = new ServerSet();

  const redisVersion = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`# Memory per key: Nodis vs ${redisVersion.split(' ').slice(0, 3).join(' ')}`);
  console.log(
    `node ${process.version}${nodeArgs.length ? ` (nodis: ${nodeArgs.join(' ')})` : ''}, ${os.cpus().length} CPUs, ` +
      `scale ${scale}; RSS growth ${settleMs} ms after the last reply, a fresh server per dataset` +
      (rounds > 1 ? `, median of ${rounds} rounds` : '') + '\n',
  );

  const starters: Record<ServerKind, () => Promise<RunningServer>> = {
    redis: () => startRedis(),
    nodis: () => startNodisServer({ nodeArgs }),
  };
  /** Measurements per dataset and server, one per round. */
  const results = new Map<string, Measurement[]>();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const dataset of chosen) {
        // Alternate which server goes first, in case the machine's state drifts.
        const order: ServerKind[] = round % 2 === 0 ? ['redis', 'nodis'] : ['nodis', 'redis'];
        for (const kind of order) {
          const server = servers.add(await starters[kind]());
          try {
            const m = await measure(server, dataset, settleMs, window);
            const key = `${dataset.name}|${kind}`;
            results.set(key, [...(results.get(key) ?? []), m]);
            console.error(
              `round ${round + 1}/${rounds} ${dataset.name.padEnd(8)} ${kind}: loaded in ${m.loadSeconds.toFixed(1)} s, ` +
                `RSS ${formatCount(m.rssAfter / 1024)} kB; per ${dataset.unit}: RSS +${bytes(m.rssLoaded)} B at the last reply, ` +
                `+${bytes(m.rssSettled)} B ${settleMs} ms later, used_memory +${bytes(m.usedMemory)} B`,
            );
          } finally {
            await servers.stop(server);
          }
        }
      }
    }
  } finally {
    await servers.stopAll();
  }

  const rows: string[][] = [];
  const overGoal: string[] = [];
  for (const dataset of chosen) {
    const of = (kind: ServerKind, field: 'rssSettled' | 'usedMemory'): number =>
      median(results.get(`${dataset.name}|${kind}`)!.map((m) => m[field]));
    const ratio = of('nodis', 'rssSettled') / of('redis', 'rssSettled');
    if (ratio > GOAL_RATIO) overGoal.push(dataset.name);
    rows.push([
      dataset.title,
      dataset.unit,
      bytes(of('redis', 'rssSettled')),
      bytes(of('nodis', 'rssSettled')),
      formatRatio(ratio),
      bytes(of('redis', 'usedMemory')),
      bytes(of('nodis', 'usedMemory')),
    ]);
  }
  console.log(
    markdownTable(
      ['dataset', 'per', 'redis RSS B', 'nodis RSS B', 'nodis/redis', 'redis used_memory B', 'nodis used_memory B'],
      rows,
    ),
  );
  console.log(`\nAbove the goal of ${GOAL_RATIO}x Redis's RSS: ${overGoal.length ? overGoal.join(', ') : 'none'}.`);
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
