/**
 * What the AOF promises when the process dies: nodis-server runs as a child process, a client
 * writes as fast as it can, the process is killed with SIGKILL mid-stream, and after a restart
 * every write that was acknowledged is there (a reply leaves only once its write is in the file,
 * and fsynced under appendfsync always). A SIGKILL keeps what reached the OS, so all three
 * policies lose nothing here; what everysec may lose (about a second) is only lost when the
 * machine itself goes down, which a test cannot do. A server that replied before writing would
 * fail these tests only when a kill lands in that gap, hence several kills per policy.
 *
 * And a file cut at any byte of its last commands (a crash in the middle of a write) still loads
 * with aof-load-truncated yes, up to the last complete command.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../compat/harness';
import { RawConnection } from '../helpers/raw-connection';
import { aofDir, onCleanup, resp, startNodisOn, tempDir, useCleanup } from './aof-helpers';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'dist/bin/nodis-server.js');

useCleanup();

beforeAll(() => {
  // Type errors elsewhere in the tree do not stop tsc from emitting; the binary must exist.
  spawnSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, stdio: 'ignore' });
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} was not built`);
}, 180000);

interface Child {
  port: number;
  process: ChildProcess;
}

async function startChild(dir: string, args: string[]): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, '--port', String(port), '--dir', dir, '--save', '', ...args], { stdio: 'ignore' });
  onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      const conn = await RawConnection.connect(port);
      const pong = await conn.call('PING');
      conn.close();
      if (pong === '+PONG\r\n') return { port, process: child };
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`nodis-server did not start (exit ${child.exitCode})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function killed(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return resolve();
    child.process.once('exit', () => resolve());
    child.process.kill('SIGKILL');
  });
}

/**
 * Pipelines SET key:i i for i from `from` without waiting, and SIGKILLs the server once
 * `killAfter` replies arrived. Returns how many SETs were acknowledged.
 */
async function writeUntilKilled(child: Child, from: number, killAfter: number): Promise<number> {
  const conn = await RawConnection.connect(child.port);
  let acknowledged = 0;
  const sending = (async () => {
    for (let i = from; !conn.closed && i < from + 100 * killAfter; i++) {
      conn.send(['SET', `key:${i}`, String(i)]);
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
  })();
  try {
    for (;;) {
      const reply = (await conn.readReply(5000)).toString('latin1');
      expect(reply).toBe('+OK\r\n');
      acknowledged++;
      if (acknowledged === killAfter) await killed(child);
    }
  } catch {
    // The connection died with the server.
  }
  await sending;
  conn.close();
  return acknowledged;
}

describe('SIGKILL while writing', () => {
  for (const policy of ['always', 'everysec', 'no']) {
    test(`appendfsync ${policy}: every acknowledged write is there after a restart, kill after kill`, async () => {
      const dir = tempDir();
      const args = ['--appendonly', 'yes', '--appendfsync', policy];
      let child = await startChild(dir, args);
      let present = 0;
      for (let round = 0; round < 4; round++) {
        const acknowledged = await writeUntilKilled(child, present, 2000);
        expect(acknowledged).toBeGreaterThanOrEqual(2000);
        child = await startChild(dir, args);
        const conn = await RawConnection.connect(child.port);
        const size = Number(/:(\d+)/.exec(await conn.call('DBSIZE'))![1]);
        // A write may reach the file without its reply reaching the client, never the reverse.
        expect(size).toBeGreaterThanOrEqual(present + acknowledged);
        for (const i of [0, present, present + acknowledged - 1, size - 1]) {
          expect(await conn.call('GET', `key:${i}`)).toBe(`$${String(i).length}\r\n${i}\r\n`);
        }
        // Nothing beyond: the keys are exactly key:0 .. key:size-1.
        expect(await conn.call('EXISTS', `key:${size}`)).toBe(':0\r\n');
        conn.close();
        present = size;
      }
      await killed(child);
    });
  }
});

describe('a file cut at every byte of its last commands', () => {
  test('loads up to the last complete command (aof-load-truncated yes)', async () => {
    const source = tempDir();
    const first = await startNodisOn(source);
    const tail: string[][] = [
      ['SET', 'a', '1'],
      ['SELECT', '3'],
      ['RPUSH', 'list', 'x', 'y\r\n'],
      ['SET', 'b', '\x00\xff'],
      ['INCR', 'a'],
    ];
    await first.call('SET', 'before', 'tail');
    for (const argv of tail) await first.call(...argv);
    await first.stop();
    const incr = path.join(aofDir(source), 'appendonly.aof.1.incr.aof');
    const full = fs.readFileSync(incr);
    const prefix = resp(['SELECT', '0'], ['SET', 'before', 'tail']).length;
    expect(full.length).toBe(prefix + resp(...tail).length);

    // Command boundaries: after k complete tail commands the file holds prefix + ends[k] bytes.
    const ends = [0];
    for (const argv of tail) ends.push(ends[ends.length - 1] + resp(argv).length);
    const dir = tempDir();
    for (let cut = prefix; cut < full.length; cut++) {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.cpSync(source, dir, { recursive: true });
      fs.truncateSync(path.join(aofDir(dir), 'appendonly.aof.1.incr.aof'), cut);
      const complete = ends.filter((end) => prefix + end <= cut).length - 1;
      const n = await startNodisOn(dir, { loglevel: 'warning' });
      const state = [
        await n.call('GET', 'before'),
        await n.call('GET', 'a'),
        await n.call('SELECT', '3'),
        await n.call('LRANGE', 'list', '0', '-1'),
        await n.call('GET', 'b'),
      ];
      await n.stop();
      expect(state, `cut at ${cut}`).toEqual([
        '$4\r\ntail\r\n',
        complete >= 5 ? '$1\r\n2\r\n' : complete >= 1 ? '$1\r\n1\r\n' : '$-1\r\n',
        '+OK\r\n',
        complete >= 3 ? '*2\r\n$1\r\nx\r\n$3\r\ny\r\n\r\n' : '*0\r\n',
        complete >= 4 ? '$2\r\n\x00\xff\r\n' : '$-1\r\n',
      ]);
      expect(fs.statSync(path.join(aofDir(dir), 'appendonly.aof.1.incr.aof')).size, `cut at ${cut}`).toBe(prefix + ends[complete]);
    }
  }, 180000); // about 90 server starts on truncated copies: 25-50 s on the 2-core development machine
});

describe('a file that cannot be loaded', () => {
  test('stops nodis-server with exit status 1 and Redis\'s message, leaving the file as it was', () => {
    const dir = tempDir();
    fs.mkdirSync(aofDir(dir));
    fs.writeFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    const incr = path.join(aofDir(dir), 'appendonly.aof.1.incr.aof');
    fs.writeFileSync(incr, `${resp(['SET', 'a', '1'])}not a command\r\n`);
    const before = fs.readFileSync(incr);
    const run = spawnSync(process.execPath, [BIN, '--port', '0', '--dir', dir, '--appendonly', 'yes'], { encoding: 'latin1', timeout: 15000 });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      'Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>',
    );
    expect(run.stdout).not.toContain('Ready to accept connections');
    expect(fs.readFileSync(incr)).toEqual(before);
  });
});
