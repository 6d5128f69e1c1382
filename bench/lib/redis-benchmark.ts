/**
 * Runs redis-benchmark for one test against one server and reads its --csv output.
 */
import { spawn } from 'node:child_process';
import { CUSTOM_TESTS } from './custom-tests';

export interface BenchmarkRun {
  port: number;
  /** A redis-benchmark -t name: ping_mbulk, set, get, incr, mset, ... */
  test: string;
  requests: number;
  clients: number;
  pipeline: number;
  keyspace: number;
  dataSize: number;
  timeoutMs: number;
}

export type BenchmarkResult = { ok: true; rps: number } | { ok: false; error: string };

/** Splits one CSV line of redis-benchmark's output ("a","b",...) into its fields. */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  const pattern = /"((?:[^"]|"")*)"/g;
  for (let m = pattern.exec(line); m !== null; m = pattern.exec(line)) fields.push(m[1].replace(/""/g, '"'));
  return fields;
}

/**
 * Finds the requests/s in --csv output: the "rps" column of the last data row (redis-benchmark
 * runs an LPUSH before LRANGE tests and prints it first).
 */
export function parseCsvRps(output: string): number | null {
  const lines = output.split(/\r?\n/).filter((l) => l.startsWith('"'));
  if (lines.length < 2) return null;
  const header = csvFields(lines[0]);
  const column = header.indexOf('rps');
  if (column < 0) return null;
  const rps = Number(csvFields(lines[lines.length - 1])[column]);
  return Number.isFinite(rps) ? rps : null;
}

export function runRedisBenchmark(run: BenchmarkRun, command = 'redis-benchmark'): Promise<BenchmarkResult> {
  const custom = CUSTOM_TESTS[run.test];
  const args = [
    '-h', '127.0.0.1', '-p', String(run.port), '-n', String(run.requests), '-c', String(run.clients),
    '-P', String(run.pipeline), '-r', String(run.keyspace), '-d', String(run.dataSize), '--csv',
    ...(custom ? custom.command : ['-t', run.test]),
  ];
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), run.timeoutMs);
    child.on('error', (e) => resolve({ ok: false, error: e.message }));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const rps = parseCsvRps(stdout);
      if (code === 0 && rps !== null) return resolve({ ok: true, rps });
      const serverError = /Error from server: ([^\r\n]*)/.exec(stdout + stderr);
      const reason = serverError
        ? serverError[1]
        : signal === 'SIGKILL'
          ? `no result within ${run.timeoutMs / 1000} s`
          : (stderr.trim() || stdout.trim() || `exit code ${code}`).split('\n').pop()!;
      resolve({ ok: false, error: reason });
    });
  });
}
