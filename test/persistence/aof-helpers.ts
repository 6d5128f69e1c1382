/**
 * Helpers for the AOF tests: temporary directories, in-process Nodis servers started on a
 * directory with their log captured, reading the AOF directory, and redis-server on a directory.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterEach } from 'vitest';
import { createServer, type Server } from '../../src/index';
import { RawConnection } from '../helpers/raw-connection';
import { freePort, REDIS_SERVER } from '../compat/harness';

const cleanups: (() => Promise<void> | void)[] = [];

/** Registers the afterEach that undoes what the helpers started (servers, directories). */
export function useCleanup(): void {
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
}

export function onCleanup(step: () => Promise<void> | void): void {
  cleanups.push(step);
}

export function tempDir(prefix = 'nodis-aof-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface NodisOnDir {
  server: Server;
  port: number;
  log: string[];
  call(...argv: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Nodis on `dir` with the given directives (appendonly yes unless said otherwise). */
export async function startNodisOn(dir: string, config: Record<string, string> = {}): Promise<NodisOnDir> {
  const log: string[] = [];
  const server = await createServer({
    port: 0,
    config: { dir, appendonly: 'yes', loglevel: 'notice', 'enable-debug-command': 'yes', ...config },
    logSink: (line) => log.push(line),
  });
  const conns: RawConnection[] = [];
  let stopped = false;
  const handle: NodisOnDir = {
    server,
    port: server.port,
    log,
    async call(...argv) {
      let conn = conns[0];
      if (!conn) {
        conn = await RawConnection.connect(server.port);
        conns.push(conn);
      }
      return conn.call(...argv);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const c of conns) c.close();
      await server.close();
    },
  };
  onCleanup(() => handle.stop());
  return handle;
}

/** Starting Nodis on `dir` fails: resolves to the log lines written meanwhile. */
export async function failedStart(dir: string, config: Record<string, string> = {}): Promise<string[]> {
  const log: string[] = [];
  let server: Server | null = null;
  try {
    server = await createServer({
      port: 0,
      config: { dir, appendonly: 'yes', loglevel: 'notice', ...config },
      logSink: (line) => log.push(line),
    });
  } catch {
    return log;
  }
  await server.close();
  throw new Error(`start-up was expected to fail; log:\n${log.join('')}`);
}

export function aofDir(dir: string): string {
  return path.join(dir, 'appendonlydir');
}

export function readManifest(dir: string): string {
  return fs.readFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'latin1');
}

export function aofFiles(dir: string): string[] {
  return fs.readdirSync(aofDir(dir)).sort();
}

export function readAofFile(dir: string, name: string): string {
  return fs.readFileSync(path.join(aofDir(dir), name), 'latin1');
}

/** The RESP text of commands, as the AOF stores them. */
export function resp(...commands: string[][]): string {
  return commands.map((argv) => `*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`).join('');
}

/** Sends `commands` one after another on a connection of its own, each reply awaited. */
export async function sendAll(port: number, commands: string[][]): Promise<void> {
  const conn = await RawConnection.connect(port);
  try {
    for (const argv of commands) await conn.call(...argv);
  } finally {
    conn.close();
  }
}

/** Resolves once `check` passes (polling), or rejects with its last error after `ms`. */
export async function eventually(check: () => void | Promise<void>, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export interface RedisOnDir {
  port: number;
  call(...argv: string[]): Promise<string>;
  /** SHUTDOWN (the AOF is flushed and fsynced), then waits for the exit. */
  shutdown(): Promise<void>;
}

/** redis-server on `dir` (kept after it stops), with the given directives. */
export async function startRedisOn(dir: string, directives: string[] = []): Promise<RedisOnDir> {
  const port = await freePort();
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--enable-debug-command', 'yes', ...directives],
    { stdio: 'ignore' },
  );
  onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      const conn = await RawConnection.connect(port);
      const pong = await conn.call('PING');
      conn.close();
      if (pong === '+PONG\r\n') break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start on ${dir}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const call = async (...argv: string[]): Promise<string> => {
    const conn = await RawConnection.connect(port);
    try {
      return await conn.call(...argv);
    } finally {
      conn.close();
    }
  };
  return {
    port,
    call,
    async shutdown() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const conn = await RawConnection.connect(port);
      conn.send(['SHUTDOWN', 'NOSAVE']);
      await exited;
      conn.close();
    },
  };
}

/** redis-check-aof on a manifest: its exit status and output. */
export function checkAof(manifest: string): { status: number | null; output: string } {
  const result = spawnSync('redis-check-aof', [manifest], { encoding: 'latin1' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
