/**
 * One database at scale: N small keys (default 30 million) loaded into a fresh Nodis, then what
 * a large keyspace stresses, with the longest pause a client sees meanwhile:
 *
 * - load: SET of keys `k:00000000`.. (10 bytes) with 10-byte values, pipelined RESP in batches
 *   over a few connections; time, keys/s, RSS and used_memory per key, the longest PING;
 * - DBSIZE; a full SCAN (COUNT 1000) that must return every key; RANDOMKEY 1000 times;
 * - BGSAVE: its time, its status, and the longest PING while it runs;
 * - eviction: maxmemory set to 90% of used_memory with allkeys-lru, the time until used_memory is
 *   back under it, then M more keys written (default 1M): evicted_keys, the highest used_memory
 *   seen, and the slowest SET round trip.
 *
 * Nodis runs as users start it (dist/bin/nodis-server.js, maxmemory 0), so with the heap limit
 * the bin picks for itself (src/memory/node-flags.ts). With --redis the same runs against a
 * fresh redis-server afterwards, for comparison.
 *
 *   npm run build && nice -n 10 node dist/bench/scale.js [--keys 30000000] [--redis] [--skip-bgsave]
 *
 * Progress goes to stderr, the table to stdout.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { startNodisServer, startRedis, type RunningServer } from './lib/servers';
import { requireTools } from './lib/bench-run';
import { RespConnection } from './lib/resp-connection';
import { RespClient, infoNumber, infoText } from './lib/resp-client';
import { startProbe, type ProbeResult } from './lib/latency-probe';
import { formatCount, markdownTable } from './lib/stats';

interface Settings {
  keys: number;
  extraKeys: number;
  batch: number;
  connections: number;
  skipBgsave: boolean;
}

/** Keys a connection loads before the next share is handed out (and progress is printed). */
const LOAD_SHARE = 1_000_000;
const SCAN_COUNT = 1000;
const RANDOM_KEYS = 1000;
const EVICTION_SHARE = 0.9;
const POLL_MS = 100;
/**
 * used_memory counts as back under maxmemory within this margin: the INFO that reads it is itself
 * in memory while it runs (Redis stays some KB over the limit it evicted down to, forever).
 */
const UNDER_LIMIT_MARGIN = 1024 * 1024;
const MB = 1024 * 1024;

/** Measurements of one server, in the order they are taken: label -> formatted value. */
type Results = Map<string, string>;

function progress(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);
const millis = (ms: number): string => ms.toFixed(1);
/** The longest round trip, and how much of it the server's main thread spent on the CPU. */
const roundTrip = (p: ProbeResult): string =>
  Number.isNaN(p.serverCpuMsAtMax) ? millis(p.maxMs) : `${millis(p.maxMs)} (${p.serverCpuMsAtMax.toFixed(0)})`;
const perKey = (bytes: number, keys: number): string => (bytes / keys).toFixed(1);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Key i: "k:" and at least 8 digits, 10 bytes up to 100M keys. */
class KeyNames {
  constructor(private readonly digits: number) {}

  static forKeys(total: number): KeyNames {
    return new KeyNames(Math.max(8, String(total - 1).length));
  }

  name(i: number): string {
    return 'k:' + String(i).padStart(this.digits, '0');
  }

  /** The index of a key of this form, or -1. */
  index(key: string): number {
    if (key.length !== this.digits + 2 || !key.startsWith('k:')) return -1;
    const i = Number(key.slice(2));
    return Number.isInteger(i) ? i : -1;
  }

  /** SET key value as RESP text; the value is 10 bytes that are not an integer. */
  setCommand(i: number): string {
    const key = this.name(i);
    const value = 'v:' + String(i % 100_000_000).padStart(8, '0');
    return `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$10\r\n${value}\r\n`;
  }
}

async function info(client: RespClient, section: string): Promise<string> {
  return client.text('INFO', section);
}

/** SETs keys [from, to) over `connections` connections, each taking LOAD_SHARE keys at a time. */
async function loadKeys(port: number, names: KeyNames, from: number, to: number, s: Settings, label: string): Promise<void> {
  const connections = await Promise.all(Array.from({ length: s.connections }, () => RespConnection.connect(port)));
  const started = performance.now();
  let next = from;
  let done = 0;
  const work = async (connection: RespConnection): Promise<void> => {
    while (next < to) {
      const first = next;
      const count = Math.min(LOAD_SHARE, to - first);
      next += count;
      await connection.pipeline(count, (i) => names.setCommand(first + i), s.batch, 2 * s.batch);
      done += count;
      const rate = done / ((performance.now() - started) / 1000);
      progress(`${label}: ${formatCount(done)} / ${formatCount(to - from)} keys written (${formatCount(rate)} keys/s)`);
    }
  };
  try {
    await Promise.all(connections.map(work));
  } finally {
    for (const connection of connections) connection.close();
  }
}

/** Resident memory high-water mark of a process (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** The node flags of a process, from its command line (empty for other programs). */
function nodeFlags(pid: number): string[] {
  const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1);
  const script = args.findIndex((arg) => !arg.startsWith('--'));
  return args.slice(0, script < 0 ? 0 : script);
}

async function measureLoad(server: RunningServer, client: RespClient, names: KeyNames, s: Settings, r: Results): Promise<void> {
  const before = await info(client, 'memory');
  const probe = startProbe(server.port, ['PING'], server.pid);
  const started = performance.now();
  await loadKeys(server.port, names, 0, s.keys, s, `${server.name} load`);
  const elapsed = performance.now() - started;
  const pings = await probe.stop();
  await sleep(2000);
  const after = await info(client, 'memory');
  const grew = (field: string): number => infoNumber(after, field) - infoNumber(before, field);
  r.set('load time s', seconds(elapsed));
  r.set('load keys/s', formatCount(s.keys / (elapsed / 1000)));
  r.set('longest PING during the load ms (server CPU in it)', roundTrip(pings));
  r.set('RSS per key B', perKey(grew('used_memory_rss'), s.keys));
  r.set('used_memory per key B', perKey(grew('used_memory'), s.keys));
  r.set('RSS after the load MB', formatCount(infoNumber(after, 'used_memory_rss') / MB));
  r.set('allocator_active / used_memory', (infoNumber(after, 'allocator_active') / infoNumber(after, 'used_memory')).toFixed(2));
}

async function measureScan(client: RespClient, names: KeyNames, keys: number, r: Results, label: string): Promise<void> {
  const seen = new Uint8Array(keys);
  let cursor = '0';
  let calls = 0;
  let returned = 0;
  let distinct = 0;
  let foreign = 0;
  let slowest = 0;
  const started = performance.now();
  do {
    const t = performance.now();
    const reply = (await client.call('SCAN', cursor, 'COUNT', String(SCAN_COUNT))) as [string, string[]];
    slowest = Math.max(slowest, performance.now() - t);
    cursor = reply[0];
    for (const key of reply[1]) {
      const i = names.index(key);
      if (i < 0 || i >= keys) foreign++;
      else if (seen[i] === 0) {
        seen[i] = 1;
        distinct++;
      }
    }
    returned += reply[1].length;
    if (++calls % 5000 === 0) progress(`${label}: SCAN ${formatCount(calls)} calls, ${formatCount(distinct)} keys`);
  } while (cursor !== '0');
  const elapsed = performance.now() - started;
  r.set('full SCAN (COUNT 1000) s', seconds(elapsed));
  r.set('SCAN calls / keys returned', `${formatCount(calls)} / ${formatCount(returned)}`);
  r.set('SCAN returned every key', distinct === keys && foreign === 0 ? 'yes' : `no: ${formatCount(keys - distinct)} missing, ${foreign} unknown`);
  r.set('slowest SCAN call ms', millis(slowest));
}

async function measureRandomKey(client: RespClient, names: KeyNames, keys: number, r: Results): Promise<void> {
  let slowest = 0;
  let total = 0;
  let invalid = 0;
  for (let n = 0; n < RANDOM_KEYS; n++) {
    const t = performance.now();
    const key = await client.call('RANDOMKEY');
    const ms = performance.now() - t;
    total += ms;
    slowest = Math.max(slowest, ms);
    const i = typeof key === 'string' ? names.index(key) : -1;
    if (i < 0 || i >= keys) invalid++;
  }
  r.set(`RANDOMKEY x${RANDOM_KEYS}: mean / slowest ms`, `${(total / RANDOM_KEYS).toFixed(3)} / ${millis(slowest)}`);
  if (invalid > 0) r.set('RANDOMKEY unexpected replies', String(invalid));
}

async function waitWhile(client: RespClient, section: string, busy: (info: string) => boolean, timeoutMs: number): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const text = await info(client, section);
    if (!busy(text)) return text;
    if (performance.now() > deadline) throw new Error(`still busy after ${timeoutMs / 1000} s`);
    await sleep(POLL_MS);
  }
}

async function measureBgsave(server: RunningServer, client: RespClient, r: Results, label: string): Promise<void> {
  const lastBefore = await client.integer('LASTSAVE');
  const probe = startProbe(server.port, ['PING'], server.pid);
  const started = performance.now();
  const reply = await client.call('BGSAVE');
  if (reply instanceof Error) throw new Error(`BGSAVE: ${reply.message}`);
  progress(`${label}: BGSAVE: ${String(reply)}`);
  const done = await waitWhile(client, 'persistence', (text) => infoNumber(text, 'rdb_bgsave_in_progress') !== 0, 3_600_000);
  const elapsed = performance.now() - started;
  const pings = await probe.stop();
  const lastAfter = await client.integer('LASTSAVE');
  const dir = ((await client.call('CONFIG', 'GET', 'dir')) as string[])[1];
  const file = ((await client.call('CONFIG', 'GET', 'dbfilename')) as string[])[1];
  r.set('BGSAVE s', seconds(elapsed));
  r.set('BGSAVE status (rdb_last_bgsave_status, LASTSAVE moved)', `${infoText(done, 'rdb_last_bgsave_status')}, ${lastAfter >= lastBefore && lastAfter > 0 ? 'yes' : 'no'}`);
  r.set('RDB file MB', formatCount(fs.statSync(path.join(dir, file)).size / MB));
  r.set('longest PING during BGSAVE ms (server CPU in it)', roundTrip(pings));
}

async function measureEviction(server: RunningServer, client: RespClient, names: KeyNames, s: Settings, r: Results): Promise<void> {
  const label = `${server.name} eviction`;
  const used = infoNumber(await info(client, 'memory'), 'used_memory');
  const limit = Math.floor(used * EVICTION_SHARE);
  const setProbe = ['SET', 'probe:latency', 'x'];
  await client.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
  const drainProbe = startProbe(server.port, setProbe, server.pid);
  const started = performance.now();
  await client.call('CONFIG', 'SET', 'maxmemory', String(limit));
  progress(`${label}: maxmemory ${formatCount(limit / MB)} MB (used_memory ${formatCount(used / MB)} MB), waiting until under it`);
  await waitWhile(client, 'memory', (text) => infoNumber(text, 'used_memory') > limit + UNDER_LIMIT_MARGIN, 3_600_000);
  const drained = performance.now() - started;
  const drainSets = await drainProbe.stop();
  const evictedBefore = infoNumber(await info(client, 'stats'), 'evicted_keys');

  const writeProbe = startProbe(server.port, setProbe, server.pid);
  let highest = 0;
  let writing = true;
  const watch = (async (): Promise<void> => {
    while (writing) {
      highest = Math.max(highest, infoNumber(await info(client, 'memory'), 'used_memory'));
      await sleep(POLL_MS);
    }
  })();
  const writeStarted = performance.now();
  await loadKeys(server.port, names, s.keys, s.keys + s.extraKeys, s, label);
  const writeTime = performance.now() - writeStarted;
  writing = false;
  await watch;
  const writeSets = await writeProbe.stop();
  const finalMemory = await info(client, 'memory');
  const finalUsed = infoNumber(finalMemory, 'used_memory');
  const evicted = infoNumber(await info(client, 'stats'), 'evicted_keys');
  const dbsize = await client.integer('DBSIZE');

  r.set('eviction: maxmemory MB (90% of used_memory)', formatCount(limit / MB));
  r.set('eviction: time back under maxmemory (1 MB margin) s', seconds(drained));
  r.set('eviction: slowest SET meanwhile ms (server CPU in it)', roundTrip(drainSets));
  r.set(`eviction: ${formatCount(s.extraKeys)} more keys written in s`, seconds(writeTime));
  r.set('eviction: evicted_keys (during the writes)', `${formatCount(evicted)} (${formatCount(evicted - evictedBefore)})`);
  r.set('eviction: highest / final used_memory, % of maxmemory', `${((100 * highest) / limit).toFixed(1)} / ${((100 * finalUsed) / limit).toFixed(1)}`);
  r.set('eviction: slowest SET during the writes ms (server CPU in it)', roundTrip(writeSets));
  r.set('eviction: allocator_active / used_memory after', (infoNumber(finalMemory, 'allocator_active') / finalUsed).toFixed(2));
  r.set('eviction: DBSIZE after', formatCount(dbsize));
}

async function runScale(server: RunningServer, s: Settings): Promise<Results> {
  const r: Results = new Map();
  const names = KeyNames.forKeys(s.keys + s.extraKeys);
  const client = await RespClient.connect(server.port);
  try {
    await measureLoad(server, client, names, s, r);
    const dbsize = await client.integer('DBSIZE');
    r.set('DBSIZE', formatCount(dbsize) + (dbsize === s.keys ? '' : ` (expected ${formatCount(s.keys)})`));
    progress(`${server.name}: DBSIZE ${formatCount(dbsize)}, SCAN`);
    await measureScan(client, names, s.keys, r, server.name);
    progress(`${server.name}: RANDOMKEY`);
    await measureRandomKey(client, names, s.keys, r);
    if (!s.skipBgsave) await measureBgsave(server, client, r, server.name);
    await measureEviction(server, client, names, s, r);
    r.set('peak RSS (VmHWM) MB', formatCount(peakRss(server.pid) / MB));
  } finally {
    client.close();
  }
  return r;
}

function positiveInteger(text: string, name: string): number {
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
  return n;
}

interface Options {
  keys: string;
  extraKeys: string;
  batch: string;
  connections: string;
  redis?: boolean;
  skipBgsave?: boolean;
}

async function main(): Promise<void> {
  const o = new Command()
    .name('scale')
    .description('tens of millions of keys in one database: load, SCAN, RANDOMKEY, BGSAVE and eviction')
    .option('--keys <n>', 'keys to load', '30000000')
    .option('--extra-keys <n>', 'keys written once maxmemory is set below the data', '1000000')
    .option('--batch <n>', 'SET commands per pipelined write', '10000')
    .option('--connections <n>', 'connections loading in parallel', '2')
    .option('--redis', 'run the same against a fresh redis-server afterwards')
    .option('--skip-bgsave', 'leave out the BGSAVE step')
    .parse()
    .opts<Options>();
  const settings: Settings = {
    keys: positiveInteger(o.keys, 'keys'),
    extraKeys: positiveInteger(o.extraKeys, 'extra-keys'),
    batch: positiveInteger(o.batch, 'batch'),
    connections: positiveInteger(o.connections, 'connections'),
    skipBgsave: o.skipBgsave === true,
  };
  if (o.redis) {
    requireTools('scale', ['redis-server']);
  }

  const running = new Set<RunningServer>();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => void Promise.all([...running].map((s) => s.stop())).then(() => process.exit(130)));
  }
  const starters: [string, () => Promise<RunningServer>][] = [['nodis', () => startNodisServer()]];
  if (o.redis) starters.push(['redis', () => startRedis()]);

  const results = new Map<string, Results>();
  const notes: string[] = [];
  for (const [name, start] of starters) {
    const server = await start();
    running.add(server);
    const flags = nodeFlags(server.pid);
    notes.push(`${name}: pid ${server.pid}${flags.length > 0 ? `, node ${flags.join(' ')}` : ''}`);
    progress(`${name} started (${notes.at(-1)})`);
    try {
      results.set(name, await runScale(server, settings));
    } finally {
      running.delete(server);
      await server.stop();
    }
  }

  const names = [...results.keys()];
  const labels = [...new Set(names.flatMap((n) => [...results.get(n)!.keys()]))];
  const redisVersion = o.redis ? spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 3).join(' ') : '';
  console.log(`# Scale: ${formatCount(settings.keys)} keys in one database`);
  console.log(
    `${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} CPUs, ${formatCount(os.totalmem() / MB)} MB RAM` +
      `${redisVersion ? `, ${redisVersion}` : ''}; ${notes.join('; ')}; SET pipelined ${settings.batch} per write over ${settings.connections} connections\n`,
  );
  console.log(markdownTable(['measure', ...names], labels.map((label) => [label, ...names.map((n) => results.get(n)!.get(label) ?? '-')])));
}

main().catch((e: unknown) => {
  console.error((e as Error).stack ?? String(e));
  process.exit(1);
});
