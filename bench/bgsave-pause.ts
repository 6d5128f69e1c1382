/**
 * How long clients wait while a BGSAVE runs. Redis forks and a child writes the file; Nodis
 * writes its point-in-time snapshot in slices on its one thread, between client requests. Both
 * servers get the same keys, then redis-benchmark (SET and GET, 50 clients, random keys over the
 * whole key space) runs once with no save and once while BGSAVEs run back to back; the longest
 * request of a run is the longest pause a client saw. Then SAVE of the dataset and loading it at
 * start-up are timed.
 *
 *   npm run build && node dist/bench/bgsave-pause.js [--keys 1000000] [--requests 300000]
 *
 * Progress goes to stderr, the tables to stdout.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { requireTools } from './lib/bench-run';
import { startNodis, startRedis, type RunningServer, type ServerOptions } from './lib/servers';
import { csvFields } from './lib/redis-benchmark';
import { formatCount, markdownTable } from './lib/stats';

interface Settings {
  keys: number;
  requests: number;
  clients: number;
  dataSize: number;
}

/** One connection, one command at a time; enough RESP for status, error, integer and bulk replies. */
class Connection {
  private buffer = Buffer.alloc(0);
  private waiting: ((reply: string) => void) | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.deliver();
    });
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  private deliver(): void {
    if (!this.waiting || this.buffer.length === 0) return;
    const lineEnd = this.buffer.indexOf('\r\n');
    if (lineEnd < 0) return;
    let end = lineEnd + 2;
    if (this.buffer[0] === 0x24 /* $ */) {
      const length = Number(this.buffer.subarray(1, lineEnd).toString());
      if (length >= 0) end += length + 2;
      if (this.buffer.length < end) return;
    }
    const reply = this.buffer.subarray(0, end).toString('latin1');
    this.buffer = this.buffer.subarray(end);
    const waiting = this.waiting;
    this.waiting = null;
    waiting(reply);
  }

  call(...argv: string[]): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.socket.write(encode(argv));
      this.deliver();
    });
  }

  /** Sends many commands at once and resolves once `bytes` bytes of replies arrived. */
  pipeline(data: Buffer, replyBytes: number): Promise<void> {
    return new Promise((resolve) => {
      let received = 0;
      const onData = (chunk: Buffer): void => {
        received += chunk.length;
        if (received >= replyBytes) {
          this.socket.off('data', onData);
          this.buffer = Buffer.alloc(0);
          resolve();
        }
      };
      this.socket.on('data', onData);
      this.socket.write(data);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function encode(argv: string[]): Buffer {
  let out = `*${argv.length}\r\n`;
  for (const arg of argv) out += `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`;
  return Buffer.from(out, 'latin1');
}

const keyName = (i: number): string => `key:${String(i).padStart(9, '0')}`;

/** MSETs of 100 keys, pipelined 200 at a time (redis-benchmark's own key format and value size). */
async function load(conn: Connection, settings: Settings): Promise<void> {
  const value = 'x'.repeat(settings.dataSize);
  const perCommand = 100;
  const perBatch = 200;
  for (let first = 0; first < settings.keys; first += perCommand * perBatch) {
    const commands: Buffer[] = [];
    for (let c = first; c < Math.min(settings.keys, first + perCommand * perBatch); c += perCommand) {
      const argv = ['MSET'];
      for (let i = c; i < Math.min(settings.keys, c + perCommand); i++) argv.push(keyName(i), value);
      commands.push(encode(argv));
    }
    await conn.pipeline(Buffer.concat(commands), commands.length * 5);
  }
}

function infoField(info: string, name: string): string {
  return new RegExp(`${name}:([^\\r]*)`).exec(info)?.[1] ?? '';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForBgsave(conn: Connection): Promise<void> {
  while (infoField(await conn.call('INFO', 'persistence'), 'rdb_bgsave_in_progress') !== '0') await sleep(10);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

interface LatencyRow {
  test: string;
  rps: number;
  p99: number;
  max: number;
}

/** redis-benchmark -t set,get with keys over the whole key space; one row per test. */
function benchmark(port: number, settings: Settings): Promise<LatencyRow[]> {
  const args = [
    '-h', '127.0.0.1', '-p', String(port), '-t', 'set,get', '-n', String(settings.requests), '-c', String(settings.clients),
    '-r', String(settings.keys), '-d', String(settings.dataSize), '--csv',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const lines = out.split(/\r?\n/).filter((l) => l.startsWith('"'));
      const header = csvFields(lines[0] ?? '');
      const column = (name: string): number => header.indexOf(name);
      const rows = lines.slice(1).map((line) => {
        const f = csvFields(line);
        return { test: f[0], rps: Number(f[column('rps')]), p99: Number(f[column('p99_latency_ms')]), max: Number(f[column('max_latency_ms')]) };
      });
      if (rows.length === 0) reject(new Error(`redis-benchmark gave no result: ${out}`));
      else resolve(rows);
    });
  });
}

/** Runs `work` while BGSAVEs run back to back; returns its result and how many BGSAVEs ran. */
async function withBackToBackBgsaves<T>(conn: Connection, work: () => Promise<T>): Promise<{ result: T; saves: number }> {
  let running = true;
  let saves = 0;
  const saver = (async () => {
    while (running) {
      if (infoField(await conn.call('INFO', 'persistence'), 'rdb_bgsave_in_progress') === '0') {
        if (!running) break;
        const reply = await conn.call('BGSAVE');
        if (reply.startsWith('+')) saves++;
      }
      await sleep(5);
    }
  })();
  try {
    return { result: await work(), saves };
  } finally {
    running = false;
    await saver;
    await waitForBgsave(conn);
  }
}

/** Starts a server on `dir` (which holds dump.rdb) and reads how long loading took from its log. */
async function loadSeconds(start: (options: ServerOptions) => Promise<RunningServer>, dir: string): Promise<number> {
  const logfile = path.join(dir, 'load.log');
  fs.rmSync(logfile, { force: true });
  const server = await start({ dir, directives: { logfile, loglevel: 'notice' } });
  await server.stop();
  const match = /DB loaded from disk: ([\d.]+) seconds/.exec(fs.readFileSync(logfile, 'utf8'));
  if (!match) throw new Error(`no "DB loaded from disk" line in ${logfile}`);
  return Number(match[1]);
}

interface ServerReport {
  name: string;
  saveSeconds: number;
  bgsaveSeconds: number;
  loadSeconds: number;
  fileBytes: number;
  idle: LatencyRow[];
  saving: LatencyRow[];
  savesDuringRun: number;
}

async function measure(
  name: string,
  start: (options: ServerOptions) => Promise<RunningServer>,
  settings: Settings,
): Promise<ServerReport> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bgsave-pause-${name}-`));
  try {
    const server = await start({ dir });
    let conn: Connection | null = null;
    let measured: Omit<ServerReport, 'loadSeconds'>;
    try {
      conn = await Connection.open(server.port);
      measured = await measureRunning(name, conn, server.port, dir, settings);
    } finally {
      conn?.close();
      await server.stop();
    }
    console.error(`${name}: loading dump.rdb at start-up`);
    return { ...measured, loadSeconds: await loadSeconds(start, dir) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function measureRunning(
  name: string,
  conn: Connection,
  port: number,
  dir: string,
  settings: Settings,
): Promise<Omit<ServerReport, 'loadSeconds'>> {
  console.error(`${name}: loading ${formatCount(settings.keys)} keys`);
  await load(conn, settings);
  console.error(`${name}: SAVE`);
  const saveSeconds = await timed(() => conn.call('SAVE'));
  const fileBytes = fs.statSync(path.join(dir, 'dump.rdb')).size;
  console.error(`${name}: BGSAVE alone`);
  const bgsaveSeconds = await timed(async () => {
    await conn.call('BGSAVE');
    await waitForBgsave(conn);
  });
  console.error(`${name}: redis-benchmark without a save (warm-up, then measured)`);
  await benchmark(port, { ...settings, requests: Math.min(50000, settings.requests) });
  const idle = await benchmark(port, settings);
  console.error(`${name}: redis-benchmark while BGSAVEs run back to back`);
  const { result: saving, saves } = await withBackToBackBgsaves(conn, () => benchmark(port, settings));
  return { name, saveSeconds, bgsaveSeconds, fileBytes, idle, saving, savesDuringRun: saves };
}

function report(results: ServerReport[], settings: Settings): void {
  console.log(
    `# BGSAVE pauses: ${formatCount(settings.keys)} keys of ${settings.dataSize} bytes; redis-benchmark -t set,get ` +
      `-n ${settings.requests} -c ${settings.clients} -r ${settings.keys}\n` +
      `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}); the benchmark client shares them\n`,
  );
  const latency: string[][] = [];
  for (const r of results) {
    for (const [condition, rows] of [['no save', r.idle], [`BGSAVEs back to back (${r.savesDuringRun})`, r.saving]] as const) {
      for (const row of rows) {
        latency.push([r.name, row.test, condition, formatCount(row.rps), row.p99.toFixed(3), row.max.toFixed(3)]);
      }
    }
  }
  console.log(markdownTable(['server', 'test', 'during the run', 'req/s', 'p99 ms', 'max ms (longest pause)'], latency));
  console.log('');
  const files = results.map((r) => [
    r.name,
    r.saveSeconds.toFixed(3),
    r.bgsaveSeconds.toFixed(3),
    r.loadSeconds.toFixed(3),
    formatCount(r.fileBytes),
  ]);
  console.log(markdownTable(['server', 'SAVE s', 'BGSAVE alone s', 'load at start-up s', 'dump.rdb bytes'], files));
}

async function main(): Promise<void> {
  const o = new Command()
    .name('bgsave-pause')
    .option('--keys <n>', 'keys loaded before measuring', '1000000')
    .option('--requests <n>', 'redis-benchmark requests per test (-n)', '300000')
    .option('--clients <n>', 'redis-benchmark connections (-c)', '50')
    .option('--datasize <n>', 'value size in bytes (-d)', '16')
    .parse()
    .opts<{ keys: string; requests: string; clients: string; datasize: string }>();
  const settings: Settings = { keys: Number(o.keys), requests: Number(o.requests), clients: Number(o.clients), dataSize: Number(o.datasize) };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  }
  requireTools('bgsave-pause', ['redis-server', 'redis-benchmark']);
  const results = [
    await measure('redis', (options) => startRedis('redis-server', options), settings),
    await measure('nodis', (options) => startNodis(options), settings),
  ];
  report(results, settings);
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
