/**
 * The longest pause while one collection grows large: a set (SADD), a hash (HSET), a sorted set
 * (ZADD) and a list (RPUSH), each filled to --members elements on redis-server and on Nodis, in
 * pipelined batches of --batch commands sent one batch at a time. The slowest batch holds the
 * slowest command (a batch is a few hundred microseconds otherwise), so it shows the pauses a
 * growing collection makes: Redis rehashes its dicts incrementally; a plain V8 Map or array
 * instead rebuilds or copies itself whole in the one call that outgrows it.
 *
 *   npm run build && node dist/bench/large-collections.js [--members 2000000] [--batch 200]
 *
 * Progress goes to stderr, the table to stdout.
 */
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { ServerSet, positiveInt, requireTools } from './lib/bench-run';
import { RespConnection, encodeCommand } from './lib/resp-connection';
import { startNodis, startRedis, type RunningServer } from './lib/servers';
import { formatCount, formatRatio, markdownTable } from './lib/stats';

/** The commands that grow one collection of each type: the i-th element, in a shuffled order. */
const GROWERS: { name: string; key: string; command: (i: number, member: string) => string[] }[] = [
  { name: 'SADD', key: 'big:set', command: (_i, member) => ['SADD', 'big:set', member] },
  { name: 'HSET', key: 'big:hash', command: (i, member) => ['HSET', 'big:hash', member, `value:${i}`] },
  { name: 'ZADD', key: 'big:zset', command: (i, member) => ['ZADD', 'big:zset', String(i % 100_003), member] },
  { name: 'RPUSH', key: 'big:list', command: (_i, member) => ['RPUSH', 'big:list', member] },
];

interface Growth {
  seconds: number;
  /** Batch round trips, in ms, sorted. */
  batchMs: number[];
}

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** member:<n> with n a permutation of 0..count-1, so that members arrive in no order. */
function memberOf(i: number, count: number): string {
  return `member:${(i * 2654435761) % count}`;
}

async function grow(server: RunningServer, grower: (typeof GROWERS)[number], members: number, batch: number): Promise<Growth> {
  const connection = await RespConnection.connect(server.port);
  const batchMs: number[] = [];
  const started = performance.now();
  try {
    for (let first = 0; first < members; first += batch) {
      const count = Math.min(batch, members - first);
      const sent = performance.now();
      await connection.pipeline(count, (i) => encodeCommand(grower.command(first + i, memberOf(first + i, members))), count, count);
      batchMs.push(performance.now() - sent);
    }
    await connection.call(['DEL', grower.key]);
  } finally {
    connection.close();
  }
  return { seconds: (performance.now() - started) / 1000, batchMs: batchMs.sort((a, b) => a - b) };
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function main(): Promise<void> {
  const o = new Command()
    .name('large-collections')
    .description('the longest pause while one set, hash, sorted set or list grows large, against redis-server')
    .option('--members <n>', 'elements added to each collection', '2000000')
    .option('--batch <n>', 'commands per pipelined batch', '200')
    .parse()
    .opts<{ members: string; batch: string }>();
  const members = positiveInt(o.members, 'members');
  const batch = positiveInt(o.batch, 'batch');
  requireTools('large-collections', ['redis-server']);

  const servers = new ServerSet();
  try {
    const redisVersion = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim();
    console.log(`# Large collections: Nodis vs ${redisVersion.split(' ').slice(0, 3).join(' ')}`);
    console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})`);
    console.log(`${formatCount(members)} elements per collection, batches of ${batch} commands, one batch in flight\n`);
    const redis = servers.add(await startRedis());
    const nodis = servers.add(await startNodis());
    const rows: string[][] = [];
    for (const grower of GROWERS) {
      const results: Growth[] = [];
      for (const server of [redis, nodis]) {
        progress(`${server.name}: ${grower.name} x ${formatCount(members)}`);
        results.push(await grow(server, grower, members, batch));
      }
      const [r, n] = results;
      const max = (g: Growth) => g.batchMs[g.batchMs.length - 1];
      rows.push([
        grower.name,
        formatCount(members / r.seconds),
        formatCount(members / n.seconds),
        percentile(r.batchMs, 0.999).toFixed(1),
        percentile(n.batchMs, 0.999).toFixed(1),
        max(r).toFixed(1),
        max(n).toFixed(1),
        formatRatio(max(n) / max(r)),
      ]);
    }
    console.log(
      markdownTable(
        ['command', 'redis adds/s', 'nodis adds/s', 'redis p99.9 batch ms', 'nodis p99.9 batch ms', 'redis max batch ms', 'nodis max batch ms', 'max nodis/redis'],
        rows,
      ),
    );
  } finally {
    await servers.stopAll();
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
