/**
 * Compatibility harness: starts a real redis-server 7.0.15 on a free port next to an in-process
 * Nodis, sends both the same commands, and compares every reply byte for byte.
 *
 * When redis-server is not installed the compat tests fail in CI (CI=true) and are skipped with a
 * printed reason elsewhere; they never pass silently.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startNodis } from '../helpers/nodis';
import { RawConnection } from '../helpers/raw-connection';
import type { CreateServerOptions } from '../../src/index';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

export function redisServerAvailable(): { ok: boolean; reason: string } {
  const probe = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { ok: false, reason: `${REDIS_SERVER} not found (apt-get install redis-server)` };
  if (!probe.stdout.includes('v=7.0.')) return { ok: false, reason: `need redis-server 7.0.x, found: ${probe.stdout.trim()}` };
  return { ok: true, reason: '' };
}

/**
 * `describe` for suites that need redis-server: they run in CI (and fail there if it is missing)
 * and are skipped elsewhere with the reason printed.
 */
export function describeNeedingRedis(label: string): typeof describe | typeof describe.skip {
  const availability = redisServerAvailable();
  if (availability.ok || process.env.CI) return describe;
  console.warn(`[${label}] skipping: ${availability.reason}`);
  return describe.skip;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface RedisProcess {
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts redis-server with the given extra directives; resolves when it answers PING. */
export async function startRedisServer(directives: string[] = []): Promise<RedisProcess> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-compat-'));
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...directives],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      const conn = await RawConnection.connect(port);
      const pong = await conn.call('PING');
      conn.close();
      // With requirepass set, NOAUTH also means the server is up.
      if (pong === '+PONG\r\n' || pong.startsWith('-NOAUTH')) break;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    dir,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => {
          fs.rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGKILL');
      }),
  };
}

/** A step of a script: a command (argv), or raw bytes to send as they are. */
export type Step = string[] | { raw: string; replies?: number } | { argv: string[]; compare: false };

export interface CompatPair {
  redisPort: number;
  nodisPort: number;
  /** Sends the steps over one connection to each server and compares every reply. */
  expectSame(steps: Step[], options?: { resp?: 2 | 3; flush?: boolean }): Promise<void>;
  /** Sends raw bytes to both and compares all output up to the server closing the connection. */
  expectSameUntilClose(raw: string, timeoutMs?: number): Promise<void>;
}

function show(b: Buffer): string {
  return JSON.stringify(b.toString('latin1'));
}

/**
 * Declares a compat test suite: `body` gets a CompatPair once both servers are up.
 * Options and directives are applied to both servers.
 */
export function describeCompat(
  name: string,
  body: (pair: CompatPair) => void,
  setup: { nodis?: CreateServerOptions; redisDirectives?: string[] } = {},
): void {
  const availability = redisServerAvailable();
  if (!availability.ok) {
    if (process.env.CI) {
      describe(name, () => {
        beforeAll(() => {
          throw new Error(`compat tests need redis-server: ${availability.reason}`);
        });
        body(unavailablePair());
      });
    } else {
      console.warn(`[compat] skipping "${name}": ${availability.reason}`);
      describe.skip(name, () => body(unavailablePair()));
    }
    return;
  }
  let redis: RedisProcess;
  let nodis: Awaited<ReturnType<typeof startNodis>>;
  const pair: CompatPair = {
    get redisPort() {
      return redis.port;
    },
    get nodisPort() {
      return nodis.port;
    },
    async expectSame(steps, options = {}) {
      const a = await RawConnection.connect(redis.port);
      const b = await RawConnection.connect(nodis.port);
      try {
        if (options.flush !== false) {
          for (const c of [a, b]) await c.call('FLUSHALL');
        }
        if (options.resp === 3) {
          for (const c of [a, b]) await c.call('HELLO', '3');
        }
        for (const step of steps) {
          if (Array.isArray(step) || 'argv' in step) {
            const argv = Array.isArray(step) ? step : step.argv;
            a.send(argv);
            b.send(argv);
            const [ra, rb] = await Promise.all([a.readReply(), b.readReply()]);
            if (!Array.isArray(step)) continue;
            const label = `${argv.map((x) => JSON.stringify(x)).join(' ')}`.slice(0, 300);
            expect(show(rb), `reply to ${label}`).toBe(show(ra));
          } else {
            a.write(step.raw);
            b.write(step.raw);
            const label = JSON.stringify(step.raw.slice(0, 200));
            for (let i = 0; i < (step.replies ?? 1); i++) {
              const [ra, rb] = await Promise.all([a.readReply(), b.readReply()]);
              expect(show(rb), `reply ${i + 1} to raw ${label}`).toBe(show(ra));
            }
          }
        }
      } finally {
        a.close();
        b.close();
      }
    },
    async expectSameUntilClose(raw, timeoutMs = 1500) {
      const a = await RawConnection.connect(redis.port);
      const b = await RawConnection.connect(nodis.port);
      a.write(raw);
      b.write(raw);
      const [oa, ob] = await Promise.all([a.readUntilClose(timeoutMs), b.readUntilClose(timeoutMs)]);
      a.close();
      b.close();
      expect(JSON.stringify(ob), `output for raw ${JSON.stringify(raw).slice(0, 200)}`).toBe(JSON.stringify(oa));
    },
  };
  describe(name, () => {
    beforeAll(async () => {
      [redis, nodis] = await Promise.all([
        startRedisServer(setup.redisDirectives ?? []),
        startNodis(setup.nodis ?? {}),
      ]);
    });
    afterAll(async () => {
      await Promise.all([redis?.stop(), nodis?.stop()]);
    });
    body(pair);
  });
}

function unavailablePair(): CompatPair {
  const fail = (): never => {
    throw new Error('redis-server is not available');
  };
  return { redisPort: 0, nodisPort: 0, expectSame: async () => fail(), expectSameUntilClose: async () => fail() };
}

/**
 * Declares a script as two tests, RESP2 and RESP3. `k` prefixes key names per test, so a script
 * never depends on what another test left behind.
 */
export function compatScript(pair: CompatPair, name: string, script: (k: (s: string) => string) => Step[]): void {
  for (const resp of [2, 3] as const) {
    test(`${name} (RESP${resp})`, async () => {
      const prefix = `${name}:${resp}:`;
      await pair.expectSame(script((s) => prefix + s), { resp });
    });
  }
}
