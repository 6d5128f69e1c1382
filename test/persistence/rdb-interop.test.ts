/**
 * RDB files both ways with the real tools: Nodis writes a file with every type and encoding ->
 * redis-check-rdb accepts it and redis-server 7.0.15 loads the same keyspace; redis-server
 * writes one -> Nodis loads the same keyspace, in the encodings Redis gives on load. Also older
 * formats (version 9 ziplists, zipmaps, quicklists of ziplists, text scores) built by the test's
 * own encoders, loaded by both.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { describeNeedingRedis, startRedisServer, type RedisProcess } from '../compat/harness';
import { startNodis } from '../helpers/nodis';
import { RawConnection } from '../helpers/raw-connection';
import { loadRdbFile } from '../../src/persistence/rdb-file';
import { savedObjectLength } from '../../src/persistence/rdb/writer';
import { ManualClock } from '../../src/index';
import type { Quicklist } from '../../src/types/quicklist';
import type { Server } from '../../src/server/server';
import {
  DATASET_DBS,
  datasetCommands,
  datasetDigest,
  describeKeyspace,
  expectSameKeyspace,
  sendAll,
  type KeyDescription,
} from './rdb-dataset';
import { buildV9File, V9_KEYS } from './rdb-v9-builder';

const describeWithRedis = describeNeedingRedis('rdb-interop');

type NodisHandle = Awaited<ReturnType<typeof startNodis>>;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-rdb-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function redis(directives: string[]): Promise<RedisProcess> {
  const r = await startRedisServer(['--enable-debug-command', 'yes', ...directives]);
  cleanups.push(() => r.stop());
  return r;
}

async function nodis(config: Record<string, string> = {}): Promise<NodisHandle> {
  // A directory of its own: nothing there to load at start-up, and SAVE stays out of the way.
  const n = await startNodis({ config: { 'enable-debug-command': 'yes', dir: tempDir(), ...config } });
  cleanups.push(() => n.stop());
  return n;
}

async function call(port: number, ...argv: string[]): Promise<string> {
  const conn = await RawConnection.connect(port);
  try {
    return await conn.call(...argv);
  } finally {
    conn.close();
  }
}

async function populate(port: number): Promise<void> {
  const conn = await RawConnection.connect(port);
  try {
    await sendAll(conn, datasetCommands());
  } finally {
    conn.close();
  }
}

/** Quicklist node counts of every list: from DEBUG OBJECT on redis-server, from the value in Nodis. */
async function redisListNodes(port: number, keys: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const key of keys) {
    const reply = await call(port, 'DEBUG', 'OBJECT', key);
    out.push(Number(/ql_nodes:(\d+)/.exec(reply)![1]));
  }
  return out;
}

function nodisListNodes(server: Server, keys: string[]): number[] {
  return keys.map((key) => (server.keyspace.databases[0].peek(key) as Quicklist).nodeCount);
}

const LIST_KEYS = ['l:small', 'l:ints', 'l:big', 'l:long-elements', 'l:heads', 'l:inserted', 'l:binary'];

function checkRdb(file: string): void {
  const check = spawnSync('redis-check-rdb', [file], { encoding: 'utf8' });
  expect(check.stdout + check.stderr).toContain('RDB looks OK');
  expect(check.status).toBe(0);
}

describeWithRedis('Nodis writes, redis-server reads', () => {
  for (const [label, config] of [
    ['defaults', {}],
    ['rdbcompression no', { rdbcompression: 'no' }],
    ['rdbchecksum no', { rdbchecksum: 'no' }],
    ['small list nodes', { 'list-max-listpack-size': '5' }],
  ] as [string, Record<string, string>][]) {
    test(`every type and encoding, TTLs, several databases (${label})`, async () => {
      const dir = tempDir();
      const n = await nodis({ dir, ...config });
      await populate(n.port);
      expect(await call(n.port, 'SAVE')).toBe('+OK\r\n');
      const file = path.join(dir, 'dump.rdb');
      checkRdb(file);

      const directives = Object.entries(config).flatMap(([k, v]) => [`--${k}`, v]);
      const r = await redis(['--dir', dir, '--dbfilename', 'dump.rdb', ...directives]);
      const loadedByRedis = await describeKeyspace(r.port, DATASET_DBS);
      expectSameKeyspace(withoutEncodings(loadedByRedis), withoutEncodings(await describeKeyspace(n.port, DATASET_DBS)));
      expect(await datasetDigest(r.port)).toBe(await datasetDigest(n.port));
      expect(await redisListNodes(r.port, LIST_KEYS)).toEqual(nodisListNodes(n.server, LIST_KEYS));
      // Loaded back by Nodis, the encodings are those redis-server gave on load.
      const reloaded = await nodis(config);
      loadRdbFile(reloaded.server, file);
      expectSameKeyspace(await describeKeyspace(reloaded.port, DATASET_DBS), loadedByRedis);
    });
  }

  test('a file redis-server itself would write, byte for byte, for ordered encodings', async () => {
    // One key per database so that the order of keys in a database does not matter.
    const values: string[][] = [
      ['SET', 'k', 'v'],
      ['SET', 'k', '123456'],
      ['SET', 'k', 'abc'.repeat(50)],
      ['RPUSH', 'k', 'a', '1', '-70000', 'x'.repeat(100)],
      ['SADD', 'k', '1', '5', '-3'],
      ['HSET', 'k', 'f', 'v', 'n', '12'],
      ['ZADD', 'k', '1', 'a', '2.5', 'b'],
      ['ZADD', 'k', '1', 'a', '2.5', 'b', '3', 'c'.repeat(100)],
    ];
    const cmds = values.flatMap((argv, db) => [['SELECT', String(db)], argv, ['PEXPIREAT', 'k', String(4102444800000 + db)]]);
    const r = await redis([]);
    const rc = await RawConnection.connect(r.port);
    await sendAll(rc, cmds);
    rc.close();
    expect(await call(r.port, 'SAVE')).toBe('+OK\r\n');
    const redisFile = fs.readFileSync(path.join(r.dir, 'dump.rdb'));

    const dir = tempDir();
    const n = await nodis({ dir });
    const nc = await RawConnection.connect(n.port);
    await sendAll(nc, cmds);
    nc.close();
    // The same AUX values as Redis's file, so that only the data can differ.
    const aux = auxFieldsOf(redisFile);
    const { RdbWriter } = await import('../../src/persistence/rdb/writer');
    const { writeDataset } = await import('../../src/persistence/rdb-file');
    const chunks: Buffer[] = [];
    const writer = new RdbWriter((c) => chunks.push(c), { compression: true, checksum: true, aux });
    writeDataset(n.server, writer);
    expect(Buffer.concat(chunks).toString('hex')).toBe(redisFile.toString('hex'));
  });
});

describeWithRedis('eviction data (IDLE and FREQ) between Nodis and redis-server', () => {
  test('LRU idle time written by Nodis is what redis-server reports', async () => {
    const dir = tempDir();
    const clock = new ManualClock(Date.now());
    const n = await startNodis({ clock, config: { dir, 'maxmemory-policy': 'allkeys-lru' } });
    cleanups.push(() => n.stop());
    await call(n.port, 'SET', 'idle', 'v');
    clock.advance(1_000_000);
    await call(n.port, 'SET', 'fresh', 'v');
    expect(await call(n.port, 'SAVE')).toBe('+OK\r\n');
    const r = await redis(['--dir', dir, '--maxmemory-policy', 'allkeys-lru']);
    const idle = Number((await call(r.port, 'OBJECT', 'IDLETIME', 'idle')).slice(1));
    expect(idle).toBeGreaterThanOrEqual(1000);
    expect(idle).toBeLessThan(1010);
    expect(Number((await call(r.port, 'OBJECT', 'IDLETIME', 'fresh')).slice(1))).toBeLessThan(10);
  });

  test('LFU counters go both ways', async () => {
    const r = await redis(['--maxmemory-policy', 'allkeys-lfu']);
    await call(r.port, 'SET', 'hot', 'v');
    const conn = await RawConnection.connect(r.port);
    await sendAll(conn, Array.from({ length: 2000 }, () => ['GET', 'hot']));
    conn.close();
    const freq = await call(r.port, 'OBJECT', 'FREQ', 'hot');
    expect(Number(freq.slice(1))).toBeGreaterThan(5);
    expect(await call(r.port, 'SAVE')).toBe('+OK\r\n');
    const dir = tempDir();
    const n = await nodis({ dir, 'maxmemory-policy': 'allkeys-lfu' });
    loadRdbFile(n.server, path.join(r.dir, 'dump.rdb'));
    expect(await call(n.port, 'OBJECT', 'FREQ', 'hot')).toBe(freq);
    // And back: Nodis saves the counter, a fresh redis-server loads it.
    expect(await call(n.port, 'SAVE')).toBe('+OK\r\n');
    const again = await redis(['--dir', dir, '--maxmemory-policy', 'allkeys-lfu']);
    expect(await call(again.port, 'OBJECT', 'FREQ', 'hot')).toBe(freq);
  });
});

/** The descriptions without OBJECT ENCODING (a live value and a loaded one may differ there). */
function withoutEncodings(keys: Map<string, KeyDescription>): Map<string, KeyDescription> {
  return new Map([...keys].map(([k, d]) => [k, { ...d, encoding: '' }]));
}

/** ctime and used-mem of an RDB file written by redis-server (both int-encoded AUX values). */
function auxFieldsOf(file: Buffer): Record<string, string> {
  const text = file.toString('latin1');
  const field = (name: string): string => {
    const at = text.indexOf(name) + name.length;
    const enc = file[at];
    if (enc === 0xc0) return String(file.readInt8(at + 1));
    if (enc === 0xc1) return String(file.readInt16LE(at + 1));
    if (enc === 0xc2) return String(file.readInt32LE(at + 1));
    return file.toString('latin1', at + 1, at + 1 + enc);
  };
  return { ctime: field('ctime'), 'used-mem': field('used-mem') };
}

describeWithRedis('redis-server writes, Nodis reads', () => {
  for (const [label, directives] of [
    ['defaults', []],
    ['rdbcompression no', ['--rdbcompression', 'no']],
    ['small list nodes', ['--list-max-listpack-size', '5']],
  ] as [string, string[]][]) {
    test(`every type and encoding, TTLs, several databases (${label})`, async () => {
      const r = await redis(directives);
      await populate(r.port);
      expect(await call(r.port, 'SAVE')).toBe('+OK\r\n');
      const config = Object.fromEntries(directives.map((d, i) => (i % 2 ? null : [d.slice(2), directives[i + 1]])).filter(Boolean) as [string, string][]);
      const n = await nodis(config);
      const result = loadRdbFile(n.server, path.join(r.dir, 'dump.rdb'));
      expect(result.version).toBe(10);
      // DEBUG RELOAD: redis-server loads its own file, for the encodings it gives on load.
      expect(await call(r.port, 'DEBUG', 'RELOAD')).toBe('+OK\r\n');
      expectSameKeyspace(await describeKeyspace(n.port, DATASET_DBS), await describeKeyspace(r.port, DATASET_DBS));
      expect(await datasetDigest(n.port)).toBe(await datasetDigest(r.port));
      expect(nodisListNodes(n.server, LIST_KEYS)).toEqual(await redisListNodes(r.port, LIST_KEYS));
      // DEBUG OBJECT's serializedlength is the size of the value in the file.
      const compression = n.server.config.getBool('rdbcompression');
      const conn = await RawConnection.connect(r.port);
      for (const db of DATASET_DBS) {
        await conn.call('SELECT', String(db));
        for (const [key, value] of n.server.keyspace.databases[db].table.entries()) {
          const reply = await conn.call('DEBUG', 'OBJECT', key);
          expect(savedObjectLength(value, compression), JSON.stringify(key)).toBe(Number(/serializedlength:(\d+)/.exec(reply)![1]));
        }
      }
      conn.close();
    });
  }

  test('compressed quicklist nodes (list-compress-depth) and plain nodes of big elements', async () => {
    const r = await redis(['--list-compress-depth', '1']);
    const conn = await RawConnection.connect(r.port);
    const items = Array.from({ length: 5000 }, (_, i) => `compressible-element-${i % 50}-${'z'.repeat(i % 30)}`);
    await sendAll(conn, [
      ['RPUSH', 'compressed', ...items],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1000'],
      ['RPUSH', 'plain', 'small', 'p'.repeat(2000), 'small2', 'q'.repeat(5000)],
    ]);
    conn.close();
    expect(await call(r.port, 'SAVE')).toBe('+OK\r\n');
    const n = await nodis();
    loadRdbFile(n.server, path.join(r.dir, 'dump.rdb'));
    expectSameKeyspace(await describeKeyspace(n.port, [0]), await describeKeyspace(r.port, [0]));
    const keys = ['compressed', 'plain'];
    expect(nodisListNodes(n.server, keys)).toEqual(await redisListNodes(r.port, keys));
  });

  test('encodings follow the loading server\'s thresholds, as redis-server converts on load', async () => {
    // Written with generous thresholds (big listpacks and intsets), loaded with small ones.
    const writing = await redis([
      '--hash-max-listpack-entries', '1000', '--hash-max-listpack-value', '200',
      '--zset-max-listpack-entries', '1000', '--zset-max-listpack-value', '200',
      '--set-max-intset-entries', '1000',
    ]);
    await populate(writing.port);
    expect(await call(writing.port, 'SAVE')).toBe('+OK\r\n');
    const file = path.join(writing.dir, 'dump.rdb');
    const small = {
      'hash-max-listpack-entries': '4', 'hash-max-listpack-value': '8',
      'zset-max-listpack-entries': '4', 'zset-max-listpack-value': '8', 'set-max-intset-entries': '4',
    };
    const loading = await redis(['--dir', writing.dir, ...Object.entries(small).flatMap(([k, v]) => [`--${k}`, v])]);
    const n = await nodis(small);
    loadRdbFile(n.server, file);
    expectSameKeyspace(await describeKeyspace(n.port, DATASET_DBS), await describeKeyspace(loading.port, DATASET_DBS));
  });

  test('version 9 objects: ziplists, zipmaps, quicklists of ziplists, text scores, old expire times', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'v9.rdb');
    fs.writeFileSync(file, buildV9File());
    for (const thresholds of [{}, { 'hash-max-listpack-entries': '2', 'zset-max-listpack-entries': '2', 'hash-max-listpack-value': '4', 'zset-max-listpack-value': '4' }]) {
      const directives = Object.entries(thresholds).flatMap(([k, v]) => [`--${k}`, v]);
      const r = await redis(['--dir', dir, '--dbfilename', 'v9.rdb', ...directives]);
      const loadedByRedis = await describeKeyspace(r.port, [0, 3]);
      expect(loadedByRedis.size).toBe(V9_KEYS.length);
      const n = await nodis(thresholds);
      expect(loadRdbFile(n.server, file).version).toBe(9);
      expectSameKeyspace(await describeKeyspace(n.port, [0, 3]), loadedByRedis);
      expect(await datasetDigest(n.port)).toBe(await datasetDigest(r.port));
      const lists = V9_KEYS.filter((k) => k.startsWith('list'));
      expect(nodisListNodes(n.server, lists)).toEqual(await redisListNodes(r.port, lists));
    }
  });
});

