/**
 * Third-party clients against Nodis and against redis-server, with the same output expected from
 * both: redis-cli (arguments, commands on stdin, --pipe, RESP3) and Python's redis package.
 *
 * A missing tool skips its tests with a printed reason; in CI (CI=true) it fails them instead.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { describeCompat, type CompatPair } from './harness';
import { RawConnection, encodeCommand } from '../helpers/raw-connection';

const REDIS_CLI = process.env.REDIS_CLI ?? 'redis-cli';
/** Debian's python3-redis is installed for the system interpreter only. */
const SYSTEM_PYTHON = process.env.SYSTEM_PYTHON ?? '/usr/bin/python3';

interface Availability {
  ok: boolean;
  reason: string;
}

function redisCliAvailable(): Availability {
  const probe = spawnSync(REDIS_CLI, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { ok: false, reason: `${REDIS_CLI} not found (apt-get install redis-tools)` };
  return { ok: true, reason: '' };
}

function pythonRedisAvailable(): Availability {
  const probe = spawnSync(SYSTEM_PYTHON, ['-c', 'import redis; print(redis.__version__)'], { encoding: 'utf8' });
  if (probe.error) return { ok: false, reason: `${SYSTEM_PYTHON} not found` };
  if (probe.status !== 0) return { ok: false, reason: `${SYSTEM_PYTHON} cannot import redis (apt-get install python3-redis)` };
  return { ok: true, reason: '' };
}

/** Declares tests that need a tool: skipped with a printed reason, or failing in CI. */
function describeWithTool(name: string, availability: Availability, body: () => void): void {
  if (availability.ok) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      test('tool is installed', () => {
        throw new Error(`${name} needs a tool that is missing: ${availability.reason}`);
      });
    });
  } else {
    console.warn(`[compat] skipping "${name}": ${availability.reason}`);
    describe.skip(name, body);
  }
}

interface ProcessOutput {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs a program without blocking the event loop (the Nodis under test runs in this process). */
function run(command: string, args: string[], input?: string | Buffer): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.on('error', reject);
    // A program that exits without reading its input (redis-cli given a command) closes the pipe:
    // writing it then fails with EPIPE, which is no failure of the run.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.end(input ?? '');
  });
}

/** Runs the same program against both servers (PORT in args replaced) and expects the same output. */
async function expectSameRun(pair: CompatPair, command: string, args: string[], input?: string | Buffer): Promise<ProcessOutput> {
  const withPort = (port: number) => args.map((a) => (a === 'PORT' ? String(port) : a));
  const redis = await run(command, withPort(pair.redisPort), input);
  const nodis = await run(command, withPort(pair.nodisPort), input);
  const label = `${command} ${args.join(' ')}`;
  expect(nodis, label).toEqual(redis);
  return redis;
}

/** Whether Nodis has a command yet (the string commands arrive separately). */
async function nodisHas(port: number, argv: string[]): Promise<boolean> {
  const conn = await RawConnection.connect(port);
  try {
    const reply = await conn.call(...argv);
    return !reply.startsWith('-ERR unknown command') && !reply.startsWith('-ERR wrong number');
  } finally {
    conn.close();
  }
}

describeCompat('third-party clients', (pair) => {
  describeWithTool('redis-cli', redisCliAvailable(), () => {
    test('commands as arguments', async () => {
      expect((await expectSameRun(pair, REDIS_CLI, ['-p', 'PORT', 'PING'])).stdout).toBe('PONG\n');
      expect((await expectSameRun(pair, REDIS_CLI, ['-p', 'PORT', 'ECHO', 'hi'])).stdout).toBe('hi\n');
      await expectSameRun(pair, REDIS_CLI, ['-p', 'PORT', 'PING', 'hello world']);
      await expectSameRun(pair, REDIS_CLI, ['-p', 'PORT', 'ECHO', '']);
      await expectSameRun(pair, REDIS_CLI, ['-p', 'PORT', 'NOSUCHCOMMAND', 'a', 'b']);
      await expectSameRun(pair, REDIS_CLI, ['-p', 'PORT', 'ECHO']);
    });

    test('formatted output (--no-raw, --csv, -3)', async () => {
      expect((await expectSameRun(pair, REDIS_CLI, ['--no-raw', '-p', 'PORT', 'ECHO', 'a b'])).stdout).toBe('"a b"\n');
      await expectSameRun(pair, REDIS_CLI, ['--no-raw', '-p', 'PORT', 'ECHO', '\u00e9\u0001']);
      await expectSameRun(pair, REDIS_CLI, ['--no-raw', '-p', 'PORT', 'DBSIZE']);
      await expectSameRun(pair, REDIS_CLI, ['--no-raw', '-p', 'PORT', 'NOSUCHCOMMAND']);
      await expectSameRun(pair, REDIS_CLI, ['--csv', '-p', 'PORT', 'ECHO', 'x']);
      await expectSameRun(pair, REDIS_CLI, ['-3', '--no-raw', '-p', 'PORT', 'PING']);
      await expectSameRun(pair, REDIS_CLI, ['-3', '--no-raw', '-p', 'PORT', 'ECHO', 'resp3']);
    });

    test('commands read from stdin', async () => {
      const out = await expectSameRun(pair, REDIS_CLI, ['-p', 'PORT'], 'PING\nECHO x\n');
      expect(out.stdout).toBe('PONG\nx\n');
      await expectSameRun(pair, REDIS_CLI, ['-p', 'PORT'], 'PING\n\nECHO "quoted \\x41"\nNOSUCH\nSELECT 1\nECHO last\n');
      await expectSameRun(pair, REDIS_CLI, ['--no-raw', '-p', 'PORT'], 'ECHO "a\\nb"\nSELECT x\nPING\n');
    });

    test('-x: the last argument from stdin, binary', async () => {
      const out = await expectSameRun(pair, REDIS_CLI, ['-p', 'PORT', '-x', 'ECHO'], Buffer.from([0, 1, 255, 13, 10, 65]));
      expect(out.stdout.length).toBeGreaterThan(0);
    });

    test('--pipe: a large pipeline of raw protocol', async () => {
      let raw = '';
      for (let i = 0; i < 20000; i++) raw += encodeCommand(['ECHO', `v${i}`]).toString('latin1');
      raw += 'PING\r\n';
      const out = await expectSameRun(pair, REDIS_CLI, ['-p', 'PORT', '--pipe'], Buffer.from(raw, 'latin1'));
      expect(out.stdout).toContain('errors: 0, replies: 20001');
    });

    test('-r: the same command repeated', async () => {
      await expectSameRun(pair, REDIS_CLI, ['-p', 'PORT', '-r', '5', 'ECHO', 'again']);
    });
  });

  describeWithTool('python redis client', pythonRedisAvailable(), () => {
    const script = String.raw`
import sys
import redis

port = int(sys.argv[1])
with_strings = sys.argv[2] == "1"
out = []

def attempt(label, fn):
    try:
        out.append("%s: %r" % (label, fn()))
    except redis.RedisError as e:
        out.append("%s: %s %s" % (label, type(e).__name__, e))

r = redis.Redis(host="127.0.0.1", port=port)
attempt("ping", r.ping)
attempt("echo binary", lambda: r.echo(b"\x00\xff binary \r\n"))
attempt("echo text", lambda: r.echo("h\u00e9llo"))
attempt("echo empty", lambda: r.echo(b""))
attempt("echo 1 MB", lambda: len(r.echo(b"x" * (1024 * 1024))))
attempt("unknown command", lambda: r.execute_command("NOSUCHCOMMAND", "a"))
attempt("wrong arity", lambda: r.execute_command("ECHO"))
attempt("select", lambda: r.execute_command("SELECT", "1"))

pipe = r.pipeline(transaction=False)
for i in range(1000):
    pipe.echo(str(i))
attempt("pipeline", lambda: pipe.execute()[::100])

text = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
attempt("decoded echo", lambda: text.echo("text"))

if with_strings:
    attempt("set", lambda: r.set(b"py:\x00key", b"\x00value\xff"))
    attempt("get", lambda: r.get(b"py:\x00key"))
    attempt("get missing", lambda: r.get("py:missing"))
    attempt("set nx", lambda: r.set("py:\x00key", "other", nx=True))
print("\n".join(out))
`;

    test('connects, pings, echoes binary data, pipelines', async () => {
      const withStrings = (await nodisHas(pair.nodisPort, ['GET', 'py:probe'])) && (await nodisHas(pair.nodisPort, ['SET', 'py:probe', 'x']));
      if (!withStrings) console.warn('[compat] python client: SET/GET not in Nodis yet, left out of the script');
      const out = await expectSameRun(pair, SYSTEM_PYTHON, ['-c', script, 'PORT', withStrings ? '1' : '0']);
      expect(out.code).toBe(0);
      expect(out.stdout).toContain("echo binary: b'\\x00\\xff binary \\r\\n'");
      expect(out.stdout).toContain('echo 1 MB: 1048576');
    });
  });
});
