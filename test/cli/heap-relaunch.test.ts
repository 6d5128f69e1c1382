/**
 * nodis-server starting itself again with a V8 heap sized from maxmemory (src/memory/relaunch.ts):
 * the built bin on free ports, with the server's own pid taken from INFO and its node flags from
 * /proc/<pid>/cmdline.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { afterAll, describe, expect, test } from 'vitest';
import { freePort } from '../compat/harness';
import { BIN, buildBinBeforeAll } from '../helpers/built-bin';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-heap-'));
const launched: ChildProcess[] = [];
/** Server pids seen (the relaunched children are not ours to wait for). */
const serverPids: number[] = [];
/** maxmemory 4gb wants 4096 * 1.5 + 512 MB, above V8's default limit of about 4 GB. */
const LARGE_MAXMEMORY = '4gb';
const LARGE_HEAP_FLAG = '--max-old-space-size=6656';

buildBinBeforeAll();

afterAll(() => {
  for (const pid of serverPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const child of launched) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

class Launch {
  out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly child: ChildProcess;

  constructor(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
    this.child = spawn(process.execPath, ['--max-semi-space-size=2', BIN, ...args], {
      cwd: tmp,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    launched.push(this.child);
    this.child.stdout!.on('data', (d: Buffer) => (this.out += d.toString('utf8')));
    this.child.stderr!.on('data', (d: Buffer) => (this.out += d.toString('utf8')));
    this.child.stdin!.end(options.input ?? '');
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  async ready(): Promise<void> {
    const deadline = Date.now() + 15000;
    while (!this.out.includes('Ready to accept connections')) {
      if (this.child.exitCode !== null) throw new Error(`exited with ${this.child.exitCode}:\n${this.out}`);
      if (Date.now() > deadline) throw new Error(`not ready:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function startServer(port: number, extra: string[], options?: { env?: Record<string, string>; input?: string }): Promise<Launch> {
  const launch = new Launch(['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...extra], options);
  await launch.ready();
  return launch;
}

function client(port: number): Redis {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  c.on('error', () => undefined);
  return c;
}

/** INFO's process_id: the pid of the process that serves. */
async function servingPid(port: number): Promise<number> {
  const c = client(port);
  try {
    const info = (await c.call('INFO', 'server')) as string;
    const pid = Number(/process_id:(\d+)/.exec(info)![1]);
    serverPids.push(pid);
    return pid;
  } finally {
    c.disconnect();
  }
}

function nodeFlagsOf(pid: number): string[] {
  const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  return argv.slice(1, argv.indexOf(BIN));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number): Promise<void> {
  const deadline = Date.now() + 10000;
  // A child whose parent died is a zombie until init reaps it: its cmdline is then empty.
  while (alive(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') !== '') {
    if (Date.now() > deadline) throw new Error(`${pid} still running`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('heap limit from maxmemory', () => {
  test('too small: restarts once with the limit, logs it, forwards SIGTERM and passes the exit status', async () => {
    const port = await freePort();
    const pidfile = path.join(tmp, 'large.pid');
    const launch = await startServer(port, ['--maxmemory', LARGE_MAXMEMORY, '--pidfile', pidfile]);
    const pid = await servingPid(port);
    expect(pid).not.toBe(launch.child.pid);
    expect(nodeFlagsOf(pid)).toEqual(['--max-semi-space-size=2', LARGE_HEAP_FLAG]);
    expect(fs.readFileSync(pidfile, 'utf8')).toBe(`${pid}\n`);
    expect(launch.out).toMatch(new RegExp(`^${pid}:M .* \\* Heap limit set to 6656 MB \\(maxmemory 4294967296\\)$`, 'm'));
    // Everything the server logs comes from the relaunched process, once.
    expect(launch.out.match(/Nodis is starting/g)).toHaveLength(1);
    expect(launch.out).not.toContain(`${launch.child.pid}:`);

    launch.child.kill('SIGTERM');
    expect(await launch.exited).toEqual({ code: 0, signal: null });
    expect(launch.out).toContain('# Received SIGTERM scheduling shutdown...\n');
    expect(launch.out).toMatch(/# Nodis is now ready to exit, bye bye\.\.\.\n$/);
    expect(alive(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') !== '').toBe(false);
  });

  test('a forwarded SIGINT reaches the server once: a clean exit, not "You insist"', async () => {
    const port = await freePort();
    const launch = await startServer(port, ['--maxmemory', LARGE_MAXMEMORY]);
    await servingPid(port);
    launch.child.kill('SIGINT');
    expect(await launch.exited).toEqual({ code: 0, signal: null });
    expect(launch.out).toContain('# Received SIGINT scheduling shutdown...');
    expect(launch.out).not.toContain('You insist');
  });

  test('SHUTDOWN exits with 0 and a server killed by a signal ends the parent with it', async () => {
    const port = await freePort();
    const launch = await startServer(port, ['--maxmemory', LARGE_MAXMEMORY]);
    const c = client(port);
    await c.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    c.disconnect();
    expect(await launch.exited).toEqual({ code: 0, signal: null });

    const port2 = await freePort();
    const killed = await startServer(port2, ['--maxmemory', LARGE_MAXMEMORY]);
    process.kill(await servingPid(port2), 'SIGKILL');
    expect(await killed.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  test('the server shuts down when the parent is killed', async () => {
    const port = await freePort();
    const launch = await startServer(port, ['--maxmemory', LARGE_MAXMEMORY]);
    const pid = await servingPid(port);
    launch.child.kill('SIGKILL');
    await waitUntilGone(pid);
    expect(launch.out).toContain('# Received SIGTERM scheduling shutdown...');
  });

  test('configuration from stdin reaches the relaunched server, read once', async () => {
    const port = await freePort();
    const launch = new Launch(['-', '--save', ''], { input: `port ${port}\nbind 127.0.0.1\nmaxmemory ${LARGE_MAXMEMORY}\n` });
    await launch.ready();
    const pid = await servingPid(port);
    expect(nodeFlagsOf(pid)).toContain(LARGE_HEAP_FLAG);
    expect(launch.out.match(/Reading config from stdin/g)).toHaveLength(1);
    const c = client(port);
    try {
      expect(await c.call('CONFIG', 'GET', 'maxmemory')).toEqual(['maxmemory', String(4 * 1024 ** 3)]);
    } finally {
      c.disconnect();
    }
    launch.child.kill('SIGTERM');
    expect((await launch.exited).code).toBe(0);
  });

  test('large enough already: no restart and no heap line', async () => {
    const port = await freePort();
    const launch = await startServer(port, ['--maxmemory', '100mb']);
    expect(await servingPid(port)).toBe(launch.child.pid);
    expect(launch.out).not.toContain('Heap limit');
    launch.child.kill('SIGTERM');
    expect((await launch.exited).code).toBe(0);
  });

  test.each([
    ['NODIS_NO_RELAUNCH=1', { NODIS_NO_RELAUNCH: '1' }],
    ['--max-old-space-size given', { NODE_OPTIONS: '--max-old-space-size=1024' }],
  ])('no restart with %s: a warning instead', async (because, env) => {
    const port = await freePort();
    const launch = await startServer(port, ['--maxmemory', LARGE_MAXMEMORY], { env });
    expect(await servingPid(port)).toBe(launch.child.pid);
    expect(launch.out).toMatch(
      new RegExp(`# Heap limit is \\d+ MB, below the 6656 MB wanted \\(maxmemory 4294967296\\), and the server was not restarted with a larger one \\(${because}\\)`),
    );
    launch.child.kill('SIGTERM');
    expect((await launch.exited).code).toBe(0);
  });

  test('--help and --version answer without a restart', () => {
    // Every node process started prints a line, through NODE_OPTIONS, which children inherit.
    const preload = path.join(tmp, 'announce.js');
    fs.writeFileSync(preload, "process.stderr.write('node process started\\n');\n");
    const env = { ...process.env, NODE_OPTIONS: `--require ${preload}` };
    for (const flag of ['--help', '--version']) {
      const r = spawnSync(process.execPath, [BIN, flag], { cwd: tmp, env, encoding: 'utf8', timeout: 10000 });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^(Usage: nodis-server|Nodis server v=)/);
      expect(r.stderr).toBe('node process started\n');
    }
  });
});
