/**
 * redis-benchmark against redis-server and Nodis, side by side on the same machine.
 *
 *   npm run build && npm run bench -- --tests ping_mbulk,set --pipeline 1,16 --rounds 3
 *
 * Both servers run on free ports; each round runs every test against both, alternating which one
 * goes first, and the table shows the median requests/s over the rounds and Nodis/Redis.
 * A test that fails (e.g. a command Nodis does not have yet) is reported and the others go on.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { Command } from 'commander';
import { startNodis, startRedis } from './lib/servers';
import { ServerSet, positiveInt, requireTools } from './lib/bench-run';
import { runRedisBenchmark, type BenchmarkResult } from './lib/redis-benchmark';
import { formatCount, formatRatio, markdownTable, median } from './lib/stats';
import { CUSTOM_TESTS } from './lib/custom-tests';

/** The foundation's tests, the collections', then scripting (zrangebyscore, xadd and evalsha are custom tests, see lib/custom-tests). */
const DEFAULT_TESTS = 'ping_mbulk,set,get,incr,mset,lpush,rpop,lrange_100,sadd,spop,hset,zadd,zpopmin,zrangebyscore,xadd,evalsha';

interface Options {
  tests: string;
  rounds: string;
  requests: string;
  pipeline: string;
  clients: string;
  keyspace: string;
  datasize: string;
  timeout: string;
  warmup: string;
}

interface Cell {
  rps: number[];
  errors: string[];
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function cellSummary(cell: Cell): string {
  if (cell.rps.length > 0) return formatCount(median(cell.rps));
  return `error: ${cell.errors[0] ?? 'not run'}`;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('side-by-side')
    .description('redis-benchmark against redis-server and Nodis, alternating, median of rounds')
    .option('--tests <list>', 'redis-benchmark -t tests, comma separated', DEFAULT_TESTS)
    .option('--rounds <n>', 'rounds per test and server (the median is shown)', '3')
    .option('--requests <n>', 'requests per run (-n)', '100000')
    .option('--pipeline <list>', 'pipeline depths (-P), comma separated', '1,16')
    .option('--clients <n>', 'parallel connections (-c)', '50')
    .option('--keyspace <n>', 'random keys (-r)', '100000')
    .option('--datasize <n>', 'value size in bytes (-d)', '16')
    .option('--timeout <seconds>', 'give up on one run after this long', '300')
    .option('--warmup <n>', 'requests per test sent to both servers before measuring (JIT warm-up), 0 for none', '20000')
    .parse();
  const o = program.opts<Options>();
  const tests = list(o.tests);
  const pipelines = list(o.pipeline).map((p) => positiveInt(p, 'pipeline'));
  const rounds = positiveInt(o.rounds, 'rounds');
  const warmup = o.warmup === '0' ? 0 : positiveInt(o.warmup, 'warmup');
  const settings = {
    requests: positiveInt(o.requests, 'requests'),
    clients: positiveInt(o.clients, 'clients'),
    keyspace: positiveInt(o.keyspace, 'keyspace'),
    dataSize: positiveInt(o.datasize, 'datasize'),
    timeoutMs: positiveInt(o.timeout, 'timeout') * 1000,
  };

  requireTools('side-by-side', ['redis-server', 'redis-benchmark']);
  const servers = new ServerSet();
  try {
    const redis = servers.add(await startRedis());
    const nodis = servers.add(await startNodis());
    const redisVersion = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
    console.log(`# Nodis vs ${redisVersion.split(' ').slice(0, 3).join(' ')}`);
    console.log(
      `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ` +
        `redis-benchmark -n ${settings.requests} -c ${settings.clients} -r ${settings.keyspace} -d ${settings.dataSize}, ` +
        `${rounds} round(s) after a warm-up of ${o.warmup} requests per test, median shown\n`,
    );

    for (const test of tests) {
      const custom = CUSTOM_TESTS[test];
      if (custom) for (const server of [redis, nodis]) await custom.setup(server.port);
    }

    const cells = new Map<string, Cell>();
    const cellOf = (server: string, test: string, pipeline: number): Cell => {
      const key = `${server}|${test}|${pipeline}`;
      let cell = cells.get(key);
      if (!cell) cells.set(key, (cell = { rps: [], errors: [] }));
      return cell;
    };

    if (warmup > 0) {
      console.error(`warm-up: ${warmup} requests per test and server`);
      for (const test of tests) {
        for (const server of [redis, nodis]) {
          await runRedisBenchmark({ port: server.port, test, pipeline: Math.max(...pipelines), ...settings, requests: warmup });
        }
      }
    }

    for (let round = 0; round < rounds; round++) {
      for (const pipeline of pipelines) {
        for (const test of tests) {
          const order = round % 2 === 0 ? [redis, nodis] : [nodis, redis];
          for (const server of order) {
            const result: BenchmarkResult = await runRedisBenchmark({ port: server.port, test, pipeline, ...settings });
            const cell = cellOf(server.name, test, pipeline);
            if (result.ok) cell.rps.push(result.rps);
            else cell.errors.push(result.error);
            const shown = result.ok ? `${formatCount(result.rps)} req/s` : `error: ${result.error}`;
            console.error(`round ${round + 1}/${rounds}  P=${pipeline}  ${test.padEnd(12)} ${server.name.padEnd(6)} ${shown}`);
          }
        }
      }
    }

    const rows: string[][] = [];
    for (const pipeline of pipelines) {
      for (const test of tests) {
        const r = cellOf('redis', test, pipeline);
        const n = cellOf('nodis', test, pipeline);
        const ratio = r.rps.length && n.rps.length ? median(n.rps) / median(r.rps) : NaN;
        rows.push([CUSTOM_TESTS[test]?.title ?? test.toUpperCase(), String(pipeline), cellSummary(r), cellSummary(n), formatRatio(ratio)]);
      }
    }
    console.log(markdownTable(['test', 'pipeline', 'redis req/s', 'nodis req/s', 'nodis/redis'], rows));
  } finally {
    await servers.stopAll();
  }
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
