/**
 * What the latency benchmark (bench/latency.ts) needs besides the shared helpers: a redis-benchmark
 * run read for its latency percentiles (its text output, which has p99.9, rather than --csv,
 * which has not), redis-benchmark processes that run until stopped, and a small RESP2 client for
 * the nested replies of INFO and LATENCY HISTOGRAM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { encodeCommand } from './resp-connection';

export interface LatencyRun {
  port: number;
  /** A redis-benchmark -t name: get, set, ... */
  test: string;
  requests: number;
  clients: number;
  keyspace: number;
  dataSize: number;
  timeoutMs: number;
}

/** Milliseconds, as redis-benchmark reports them. */
export interface LatencyFigures {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

export type LatencyResult = { ok: true; figures: LatencyFigures } | { ok: false; error: string };

/**
 * Reads redis-benchmark's text report: the "latency summary" line (avg min p50 p95 p99 max) and,
 * for p99.9, the first line of the percentile distribution at or past 99.9% (its percentiles
 * come in halving steps: 99.902% is the usual one).
 */
export function parseLatencyReport(output: string): LatencyFigures | null {
  const text = output.replace(/\r/g, '\n');
  const rps = /throughput summary: ([\d.]+) requests per second/.exec(text);
  const summary = /latency summary \(msec\):\s*\n\s*avg\s+min\s+p50\s+p95\s+p99\s+max\s*\n\s*([\d.\s]+)\n/.exec(text);
  if (!rps || !summary) return null;
  const [, , p50, p95, p99, max] = summary[1].trim().split(/\s+/).map(Number);
  let p999 = max;
  for (const m of text.matchAll(/^\s*([\d.]+)% <= ([\d.]+) milliseconds/gm)) {
    if (Number(m[1]) >= 99.9) {
      p999 = Number(m[2]);
      break;
    }
  }
  return { rps: Number(rps[1]), p50, p95, p99, p999, max };
}

/** One redis-benchmark run at pipeline 1, read for its latencies. */
export function runLatencyBenchmark(run: LatencyRun, command = 'redis-benchmark'): Promise<LatencyResult> {
  const args = [
    '-h', '127.0.0.1', '-p', String(run.port), '-P', '1', '-n', String(run.requests), '-c', String(run.clients),
    '-r', String(run.keyspace), '-d', String(run.dataSize), '-t', run.test,
  ];
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), run.timeoutMs);
    child.on('error', (e) => resolve({ ok: false, error: e.message }));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const figures = parseLatencyReport(output);
      if (code === 0 && figures !== null) return resolve({ ok: true, figures });
      const serverError = /Error from server: ([^\r\n]*)/.exec(output);
      const reason = serverError ? serverError[1] : signal === 'SIGKILL' ? `no result within ${run.timeoutMs / 1000} s` : `exit code ${code}`;
      resolve({ ok: false, error: reason });
    });
  });
}

/** redis-benchmark -l (loop until stopped) for one test: its load runs until stop() resolves. */
export function loopBenchmark(run: Omit<LatencyRun, 'requests' | 'timeoutMs'>, command = 'redis-benchmark'): { stop(): Promise<void> } {
  const args = [
    '-h', '127.0.0.1', '-p', String(run.port), '-P', '1', '-c', String(run.clients), '-r', String(run.keyspace),
    '-d', String(run.dataSize), '-t', run.test, '-l', '-q',
  ];
  const child: ChildProcess = spawn(command, args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

export type Reply = string | number | null | Error | Reply[];

interface RedisParserOptions {
  returnReply(reply: Reply): void;
  returnError(error: Error): void;
}
type RedisParserConstructor = new (options: RedisParserOptions) => { execute(data: Buffer): void };
// redis-parser ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RedisParser = require('redis-parser') as RedisParserConstructor;

/** A RESP2 connection for a few commands with nested replies, one at a time. */
export class QueryConnection {
  private waiting: ((reply: Reply) => void)[] = [];
  private readonly parser = new RedisParser({
    returnReply: (reply) => this.waiting.shift()?.(reply),
    returnError: (error) => this.waiting.shift()?.(error),
  });

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.parser.execute(chunk));
  }

  static connect(port: number): Promise<QueryConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new QueryConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends one command; resolves with its reply (an error reply rejects). */
  call(...argv: string[]): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.waiting.push((reply) => (reply instanceof Error ? reject(reply) : resolve(reply)));
      this.socket.write(Buffer.from(encodeCommand(argv), 'latin1'));
    });
  }

  /** INFO <section> as field -> value. */
  async info(section: string): Promise<Map<string, string>> {
    const text = String(await this.call('INFO', section));
    return new Map(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
  }

  close(): void {
    this.socket.destroy();
  }
}
