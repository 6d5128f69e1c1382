/**
 * Processes the benchmarks need: a redis-server and a Nodis server on free ports, and a check
 * that the Redis tools are installed.
 */
import { DEFAULT_NODE_FLAGS } from '../../src/memory/node-flags';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RunningServer {
  name: string;
  port: number;
  /** The server process's id (for reading /proc/<pid>/status). */
  pid: number;
  stop(): Promise<void>;
}

/** Returns null when the tool runs, else a message saying what is missing and how to get it. */
export function missingTool(command: string): string | null {
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return `${command} not found: install Redis 7.0 (e.g. apt-get install redis-server, which also brings redis-benchmark)`;
  }
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Resolves once something on the port answers PING with +PONG. */
async function waitForPong(port: number, child: ChildProcess, name: string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    if (await pings(port)) return;
    if (Date.now() > deadline) throw new Error(`${name} did not answer PING on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString('latin1');
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply === '+PONG\r\n');
      }
    });
    socket.on('error', () => resolve(false));
  });
}

/** INFO's process_id: the pid of the process that serves, which the bin may have started itself. */
function servingPid(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.on('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (d) => {
      reply += d.toString('latin1');
      const match = /process_id:(\d+)\r\n/.exec(reply);
      if (match) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on('error', reject);
  });
}

function stopper(child: ChildProcess, cleanup: () => void = () => undefined): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        cleanup();
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
}

/**
 * Where a server keeps its files and what else it is started with. Without `dir` it gets a fresh
 * temporary directory, removed when it stops; save points are off unless `directives` set them.
 */
export interface ServerOptions {
  dir?: string;
  /** redis.conf directives, name -> value. */
  directives?: Record<string, string>;
}

function dataDir(options: ServerOptions): { dir: string; cleanup: () => void } {
  if (options.dir !== undefined) return { dir: options.dir, cleanup: () => undefined };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-bench-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function directiveArgs(directives: Record<string, string>): string[] {
  return Object.entries(directives).flatMap(([name, value]) => [name, value]);
}

/** redis-server style flags (--name value) for `directives`, with save points and the AOF off by default. */
function persistenceOffFlags(directives: Record<string, string> = {}): string[] {
  return directiveArgs({ save: '', appendonly: 'no', ...directives }).map((a, i) => (i % 2 === 0 ? `--${a}` : a));
}

export async function startRedis(redisServer = 'redis-server', options: ServerOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const { dir, cleanup } = dataDir(options);
  const directives = persistenceOffFlags(options.directives);
  const child = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...directives], {
    stdio: 'ignore',
  });
  await waitForPong(port, child, 'redis-server');
  return { name: 'redis', port, pid: child.pid!, stop: stopper(child, cleanup) };
}

/** Starts Nodis from the compiled tree (dist/) in a child process, so it has a core of its own. */
export async function startNodis(options: ServerOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const { dir, cleanup } = dataDir(options);
  const script = path.join(__dirname, 'start-nodis.js');
  const args = [...DEFAULT_NODE_FLAGS, script, String(port), ...directiveArgs({ dir, save: '', ...options.directives })];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPong(port, child, 'nodis');
  return { name: 'nodis', port, pid: child.pid!, stop: stopper(child, cleanup) };
}

/**
 * Starts Nodis as its users do, with the compiled command line (dist/bin/nodis-server.js) and
 * redis-server's flags; `nodeArgs` go to node itself (default: the flags `npm start` uses). The
 * bin may start itself again with a larger heap (src/memory/relaunch.ts): `pid` is the serving
 * process's, and stopping signals the first one, which forwards the signal.
 */
export async function startNodisServer(options: ServerOptions & { nodeArgs?: string[] } = {}): Promise<RunningServer> {
  const port = await freePort();
  const { dir, cleanup } = dataDir(options);
  const script = path.join(__dirname, '..', '..', 'bin', 'nodis-server.js');
  const directives = persistenceOffFlags(options.directives);
  const args = [...(options.nodeArgs ?? DEFAULT_NODE_FLAGS), script, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...directives];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForPong(port, child, 'nodis-server');
  return { name: 'nodis', port, pid: await servingPid(port), stop: stopper(child, cleanup) };
}
