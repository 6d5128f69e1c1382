/**
 * Tail latency and event-loop stalls, against redis-server and Nodis on the same machine.
 *
 *   npm run build && node dist/bench/latency.js                    # 1M keys, 5M for the stall run
 *   node dist/bench/latency.js --keys 200000 --duration 10         # a short run
 *
 * a) Tail latency: both servers get the same --keys string keys (key:%012d, the names
 *    redis-benchmark -r draws), then redis-benchmark -P 1 -c 50 -r <keys> runs GET and SET on
 *    each, alternating which goes first, and the table shows p50, p95, p99, p99.9 and max as
 *    redis-benchmark reports them side by side, with the ratio Nodis/Redis of each (medians over
 *    --rounds).
 * b) Stalls: Nodis alone, with --stall-keys keys, serves GET, SET, INCR, LPUSH and ZADD from five
 *    redis-benchmark processes at once for --duration seconds; then INFO eventloop (delay
 *    percentiles and the longest stall), the latency events over --threshold ms, and the
 *    per-command latency histograms (LATENCY HISTOGRAM) are printed.
 *
 * Progress goes to stderr, tables to stdout. Without redis-server or redis-benchmark it says which
 * is missing and exits with status 1.
 */
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { startNodis, startRedis, type RunningServer } from './lib/servers';
import { ServerSet, positiveInt, requireTools } from './lib/bench-run';
import { RespConnection, encodeCommand } from './lib/resp-connection';
import { formatCount, formatRatio, markdownTable, median } from './lib/stats';
import { QueryConnection, loopBenchmark, runLatencyBenchmark, type LatencyFigures, type Reply } from './lib/latency-runs';

interface Options {
  keys: string;
  stallKeys?: string;
  duration: string;
  requests: string;
  clients: string;
  datasize: string;
  rounds: string;
  warmup: string;
  threshold: string;
  phase: string;
  timeout: string;
}

const TAIL_TESTS = ['get', 'set'];
const STALL_TESTS = ['get', 'set', 'incr', 'lpush', 'zadd'];

const progress = (line: string): void => {
  console.error(line);
};

/** SETs key:%012d for ids in [from, to), pipelined; what redis-benchmark -r reads and writes. */
async function loadKeys(server: RunningServer, from: number, to: number, dataSize: number): Promise<void> {
  if (to <= from) return;
  const value = 'x'.repeat(dataSize);
  const conn = await RespConnection.connect(server.port);
  const started = Date.now();
  try {
    await conn.pipeline(to - from, (i) => encodeCommand(['SET', `key:${String(from + i).padStart(12, '0')}`, value]), 1000, 20000);
  } finally {
    conn.close();
  }
  progress(`${server.name}: ${formatCount(to - from)} keys loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(3) : '-');

interface TailSettings {
  keys: number;
  requests: number;
  clients: number;
  dataSize: number;
  rounds: number;
  warmup: number;
  timeoutMs: number;
}

async function tailLatency(redis: RunningServer, nodis: RunningServer, s: TailSettings): Promise<void> {
  for (const server of [redis, nodis]) await loadKeys(server, 0, s.keys, s.dataSize);
  const run = (server: RunningServer, test: string, requests: number) =>
    runLatencyBenchmark({ port: server.port, test, requests, clients: s.clients, keyspace: s.keys, dataSize: s.dataSize, timeoutMs: s.timeoutMs });
  if (s.warmup > 0) {
    progress(`warm-up: ${s.warmup} requests per test and server`);
    for (const test of TAIL_TESTS) for (const server of [redis, nodis]) await run(server, test, s.warmup);
  }
  const figures = new Map<string, LatencyFigures[]>();
  const errors = new Map<string, string>();
  for (let round = 0; round < s.rounds; round++) {
    for (const test of TAIL_TESTS) {
      for (const server of round % 2 === 0 ? [redis, nodis] : [nodis, redis]) {
        const key = `${test}|${server.name}`;
        const result = await run(server, test, s.requests);
        if (result.ok) {
          figures.set(key, [...(figures.get(key) ?? []), result.figures]);
          const f = result.figures;
          progress(`round ${round + 1}/${s.rounds}  ${test.toUpperCase().padEnd(4)} ${server.name.padEnd(6)} ${formatCount(f.rps)} req/s  p50 ${ms(f.p50)}  p99 ${ms(f.p99)}  max ${ms(f.max)} ms`);
        } else {
          errors.set(key, result.error);
          progress(`round ${round + 1}/${s.rounds}  ${test.toUpperCase().padEnd(4)} ${server.name.padEnd(6)} error: ${result.error}`);
        }
      }
    }
  }
  const med = (test: string, server: string, field: keyof LatencyFigures): number =>
    median((figures.get(`${test}|${server}`) ?? []).map((f) => f[field]));
  const rows: string[][] = [];
  const metrics: [label: string, field: keyof LatencyFigures][] = [['p50', 'p50'], ['p95', 'p95'], ['p99', 'p99'], ['p99.9', 'p999'], ['max', 'max']];
  for (const test of TAIL_TESTS) {
    const failed = ['redis', 'nodis'].map((server) => errors.get(`${test}|${server}`)).find((e) => e !== undefined);
    if (failed !== undefined) {
      rows.push([test.toUpperCase(), '-', `error: ${failed}`, '-', '-']);
      continue;
    }
    for (const [label, field] of metrics) {
      const [r, n] = [med(test, 'redis', field), med(test, 'nodis', field)];
      rows.push([test.toUpperCase(), `${label} ms`, ms(r), ms(n), formatRatio(n / r)]);
    }
    const [r, n] = [med(test, 'redis', 'rps'), med(test, 'nodis', 'rps')];
    rows.push([test.toUpperCase(), 'req/s', formatCount(r), formatCount(n), formatRatio(n / r)]);
  }
  console.log(`\n## Tail latency: ${formatCount(s.keys)} keys, redis-benchmark -P 1 -c ${s.clients} -r ${s.keys} -d ${s.dataSize} -n ${s.requests}, median of ${s.rounds} round(s)\n`);
  console.log(markdownTable(['test', 'latency', 'redis', 'nodis', 'nodis/redis'], rows));
}

interface StallSettings {
  fromKeys: number;
  keys: number;
  durationS: number;
  clients: number;
  dataSize: number;
  thresholdMs: number;
}

/** LATENCY HISTOGRAM's reply (RESP2) as command -> [µs, cumulative count] pairs and calls. */
function histograms(reply: Reply): Map<string, { calls: number; buckets: [number, number][] }> {
  const out = new Map<string, { calls: number; buckets: [number, number][] }>();
  const flat = reply as Reply[];
  for (let i = 0; i < flat.length; i += 2) {
    const body = flat[i + 1] as Reply[];
    const pairs = body[3] as number[];
    const buckets: [number, number][] = [];
    for (let j = 0; j < pairs.length; j += 2) buckets.push([pairs[j], pairs[j + 1]]);
    out.set(String(flat[i]), { calls: Number(body[1]), buckets });
  }
  return out;
}

/** The cumulative share of calls per bucket, one column per command. */
function histogramTable(byCommand: Map<string, { calls: number; buckets: [number, number][] }>): string {
  const bounds = [...new Set([...byCommand.values()].flatMap((h) => h.buckets.map(([us]) => us)))].sort((a, b) => a - b);
  const names = [...byCommand.keys()];
  const rows = bounds.map((bound) => [
    `<= ${formatCount(bound)}`,
    ...names.map((name) => {
      const h = byCommand.get(name)!;
      const count = h.buckets.filter(([us]) => us <= bound).pop()?.[1] ?? 0;
      const share = (count * 100) / h.calls;
      return count === h.calls ? '100%' : `${share.toFixed(share >= 99 ? 3 : 2)}%`;
    }),
  ]);
  rows.push(['calls', ...names.map((name) => formatCount(byCommand.get(name)!.calls))]);
  return markdownTable(['latency µs', ...names.map((n) => n.toUpperCase())], rows);
}

async function stalls(nodis: RunningServer, s: StallSettings): Promise<void> {
  await loadKeys(nodis, s.fromKeys, s.keys, s.dataSize);
  const query = await QueryConnection.connect(nodis.port);
  try {
    await query.call('CONFIG', 'SET', 'latency-monitor-threshold', String(s.thresholdMs));
    await query.call('LATENCY', 'RESET');
    await query.call('CONFIG', 'RESETSTAT');
    const perProcess = Math.max(1, Math.round(s.clients / STALL_TESTS.length));
    progress(`stall run: ${STALL_TESTS.join(', ')} at once (${perProcess} clients each) for ${s.durationS} s`);
    const loads = STALL_TESTS.map((test) => loopBenchmark({ port: nodis.port, test, clients: perProcess, keyspace: s.keys, dataSize: s.dataSize }));
    const started = Date.now();
    while (Date.now() - started < s.durationS * 1000) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, s.durationS * 1000 - (Date.now() - started))));
      const [stats, loop] = [await query.info('stats'), await query.info('eventloop')];
      progress(
        `  ${Math.round((Date.now() - started) / 1000)} s: ${formatCount(Number(stats.get('instantaneous_ops_per_sec')))} ops/s, ` +
          `longest stall so far ${(Number(loop.get('eventloop_max_stall_usec')) / 1000).toFixed(1)} ms`,
      );
    }
    await Promise.all(loads.map((l) => l.stop()));
    const byCommand = histograms(await query.call('LATENCY', 'HISTOGRAM', ...STALL_TESTS));
    const memory = await query.info('memory');
    const keyspace = await query.info('keyspace');
    const loop = await query.info('eventloop');
    const latest = (await query.call('LATENCY', 'LATEST')) as Reply[][];

    console.log(`\n## Event-loop stalls: Nodis, ${formatCount(s.keys)} keys loaded, ${STALL_TESTS.join('/')} for ${s.durationS} s, ${s.clients} clients in all\n`);
    console.log(`${keyspace.get('db0') ?? 'no keys'}; used_memory_rss ${memory.get('used_memory_rss_human')}\n`);
    console.log(markdownTable(['INFO eventloop', 'value'], [...loop].map(([name, value]) => [name, formatCount(Number(value))])));
    console.log(`\nLatency events of ${s.thresholdMs} ms or more (LATENCY LATEST):\n`);
    const eventRows = latest.map(([name, time, last, max]) => [String(name), new Date(Number(time) * 1000).toISOString(), String(last), String(max)]);
    console.log(eventRows.length ? markdownTable(['event', 'latest at', 'latest ms', 'max ms'], eventRows) : '(none)');
    console.log('\nPer-command latency, cumulative share of calls (LATENCY HISTOGRAM):\n');
    console.log(histogramTable(byCommand));
  } finally {
    await query.call('CONFIG', 'SET', 'latency-monitor-threshold', '0').catch(() => undefined);
    query.close();
  }
}

async function main(): Promise<void> {
  const program = new Command()
    .name('latency')
    .description('tail latency (redis-benchmark percentiles) against redis-server, and event-loop stalls under a mixed load')
    .option('--keys <n>', 'keys loaded for the tail-latency runs', '1000000')
    .option('--stall-keys <n>', 'keys loaded for the stall run (default: 5 x --keys)')
    .option('--duration <seconds>', 'length of the stall run', '60')
    .option('--requests <n>', 'requests per tail-latency run (-n)', '200000')
    .option('--clients <n>', 'parallel connections (-c); split among the five loads of the stall run', '50')
    .option('--datasize <n>', 'value size in bytes (-d)', '16')
    .option('--rounds <n>', 'tail-latency rounds per test and server (the median is shown)', '3')
    .option('--warmup <n>', 'requests per test sent to both servers before measuring, 0 for none', '20000')
    .option('--threshold <ms>', 'latency-monitor-threshold during the stall run', '10')
    .option('--phase <which>', 'tail, stall or both', 'both')
    .option('--timeout <seconds>', 'give up on one redis-benchmark run after this long', '300')
    .parse();
  const o = program.opts<Options>();
  const keys = positiveInt(o.keys, 'keys');
  const stallKeys = o.stallKeys === undefined ? 5 * keys : positiveInt(o.stallKeys, 'stall-keys');
  if (!['tail', 'stall', 'both'].includes(o.phase)) throw new Error(`--phase must be tail, stall or both, got ${JSON.stringify(o.phase)}`);
  const tail: TailSettings = {
    keys,
    requests: positiveInt(o.requests, 'requests'),
    clients: positiveInt(o.clients, 'clients'),
    dataSize: positiveInt(o.datasize, 'datasize'),
    rounds: positiveInt(o.rounds, 'rounds'),
    warmup: o.warmup === '0' ? 0 : positiveInt(o.warmup, 'warmup'),
    timeoutMs: positiveInt(o.timeout, 'timeout') * 1000,
  };
  const durationS = positiveInt(o.duration, 'duration');
  const thresholdMs = positiveInt(o.threshold, 'threshold');

  requireTools('latency', ['redis-server', 'redis-benchmark']);
  const servers = new ServerSet();
  try {
    const redisVersion = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
    console.log(`# Latency: Nodis vs ${redisVersion.split(' ').slice(0, 3).join(' ')}`);
    console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${formatCount(os.totalmem() / 2 ** 20)} MB RAM`);
    const nodis = servers.add(await startNodis());
    let loaded = 0;
    if (o.phase !== 'stall') {
      const redis = servers.add(await startRedis());
      await tailLatency(redis, nodis, tail);
      await servers.stop(redis);
      loaded = keys;
    }
    if (o.phase !== 'tail') {
      await stalls(nodis, { fromKeys: Math.min(loaded, stallKeys), keys: stallKeys, durationS, clients: tail.clients, dataSize: tail.dataSize, thresholdMs });
    }
  } finally {
    await servers.stopAll();
  }
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
