import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { Server } from '../../src/server/server';
import { configFrom, ManualClock } from '../../src/index';
import { loadRdbData, loadRdbFile, RdbLoadError, saveRdbFile, writeDataset } from '../../src/persistence/rdb-file';
import { RdbWriter } from '../../src/persistence/rdb/writer';
import { lruIdleMs, lfuDecayedCounter } from '../../src/keyspace/access-clock';
import { Quicklist } from '../../src/types/quicklist';
import { stringOf, type StringValue } from '../../src/keyspace/value';

const START = Date.UTC(2030, 0, 1);
const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-rdb-file-'));
  dirs.push(dir);
  return dir;
}

function server(config: Record<string, string> = {}, clock = new ManualClock(START), log: string[] = []): Server {
  return new Server({ config: configFrom({ loglevel: 'notice', ...config }), clock, logSink: (line) => log.push(line) });
}

function keysOf(s: Server, db = 0): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of s.keyspace.databases[db].table.entries()) out[k] = typeof v === 'object' && 'type' in v ? v.type : stringOf(v as StringValue);
  return out;
}

describe('saveRdbFile / loadRdbFile', () => {
  test('round trip through a file: values, TTLs, databases; no temp file left behind', () => {
    const dir = tempDir();
    const file = path.join(dir, 'dump.rdb');
    const a = server();
    const db0 = a.keyspace.databases[0];
    db0.set('s', 'value');
    db0.set('n', 42);
    db0.set('l', Quicklist.from(['x', 'y']));
    db0.setExpire('s', START + 60_000);
    a.keyspace.databases[7].set('other', 'db');
    const saved = saveRdbFile(a, file);
    expect(saved.bytes).toBe(fs.statSync(file).size);
    expect(fs.readdirSync(dir)).toEqual(['dump.rdb']);

    const log: string[] = [];
    const b = server({}, new ManualClock(START), log);
    const result = loadRdbFile(b, file);
    expect(result).toMatchObject({ version: 10, keysLoaded: 4, keysExpired: 0, end: saved.bytes });
    expect(result.aux.get('redis-ver')).toBe('7.0.15');
    expect(keysOf(b)).toEqual({ s: 'value', n: '42', l: 'list' });
    expect(keysOf(b, 7)).toEqual({ other: 'db' });
    expect(b.keyspace.databases[0].getExpire('s')).toBe(START + 60_000);
    expect(b.keyspace.databases[0].peek('n')).toBe(42);
    expect(log.join('\n')).toContain('Loading RDB produced by version 7.0.15');
    expect(log.join('\n')).toContain('Done loading RDB, keys loaded: 4, keys expired: 0.');
  });

  test('keys whose TTL passed are dropped and counted, but kept for an AOF preamble', () => {
    const file = path.join(tempDir(), 'dump.rdb');
    const a = server();
    a.keyspace.databases[0].set('soon', 'x');
    a.keyspace.databases[0].setExpire('soon', START + 1000);
    a.keyspace.databases[0].set('stays', 'y');
    saveRdbFile(a, file);
    const later = new ManualClock(START + 5000);
    const b = server({}, later);
    expect(loadRdbFile(b, file)).toMatchObject({ keysLoaded: 1, keysExpired: 1 });
    expect(keysOf(b)).toEqual({ stays: 'y' });
    const c = server({}, later);
    expect(loadRdbFile(c, file, { aofPreamble: true })).toMatchObject({ keysLoaded: 2, keysExpired: 0 });
    expect(c.keyspace.databases[0].getExpire('soon')).toBe(START + 1000);
  });

  test('LRU idle time survives a save and a load under an LRU policy', () => {
    const file = path.join(tempDir(), 'dump.rdb');
    const clock = new ManualClock(START);
    const a = server({ 'maxmemory-policy': 'allkeys-lru' }, clock);
    a.keyspace.databases[0].set('k', 'v');
    clock.advance(500_000);
    saveRdbFile(a, file);
    expect(fs.readFileSync(file).includes(Buffer.from([0xf8, 0x41, 0xf4]))).toBe(true); // IDLE 500
    const b = server({ 'maxmemory-policy': 'volatile-lru' }, clock);
    loadRdbFile(b, file);
    expect(lruIdleMs(b.keyspace.databases[0].table.getMeta('k')!, clock.now())).toBe(500_000);
  });

  test('the LFU counter survives a save and a load under an LFU policy', () => {
    const file = path.join(tempDir(), 'dump.rdb');
    const clock = new ManualClock(START);
    const a = server({ 'maxmemory-policy': 'allkeys-lfu', 'lfu-log-factor': '0' }, clock);
    const db = a.keyspace.databases[0];
    db.set('k', 'v');
    for (let i = 0; i < 20; i++) db.lookupRead('k');
    const counter = lfuDecayedCounter(db.table.getMeta('k')!, clock.now(), a.keyspace.lfu);
    expect(counter).toBeGreaterThan(5);
    saveRdbFile(a, file);
    const b = server({ 'maxmemory-policy': 'allkeys-lfu' }, clock);
    loadRdbFile(b, file);
    expect(lfuDecayedCounter(b.keyspace.databases[0].table.getMeta('k')!, clock.now(), b.keyspace.lfu)).toBe(counter);
    // Without an LRU/LFU policy nothing is saved: the key just looks fresh.
    const c = server({}, clock);
    c.keyspace.databases[0].set('k', 'v');
    clock.advance(100_000);
    const plain = path.join(path.dirname(file), 'plain.rdb');
    saveRdbFile(c, plain);
    // The entry (string type 0, "k", "v") follows the RESIZEDB opcode (fb, 1 key, 0 expires)
    // directly: no IDLE (f8) or FREQ (f9) opcode before it. (Searching the whole file for those
    // bytes would also find them in the checksum or in integer-encoded AUX values.)
    const bytes = fs.readFileSync(plain);
    const entry = bytes.indexOf(Buffer.from([0x00, 0x01, 0x6b, 0x01, 0x76]));
    expect(entry).toBeGreaterThan(3);
    expect([...bytes.subarray(entry - 3, entry)]).toEqual([0xfb, 0x01, 0x00]);
  });

  test('loading adds to databases that already hold other keys', () => {
    const file = path.join(tempDir(), 'dump.rdb');
    const a = server();
    a.keyspace.databases[0].set('fromfile', '1');
    saveRdbFile(a, file);
    const b = server();
    b.keyspace.databases[0].set('existing', '2');
    loadRdbFile(b, file);
    expect(keysOf(b)).toEqual({ existing: '2', fromfile: '1' });
  });
});

describe('bad files: a clear error naming the file and offset; neither file nor keyspace touched', () => {
  function savedFile(): { file: string; bytes: Buffer } {
    const file = path.join(tempDir(), 'dump.rdb');
    const a = server();
    for (let i = 0; i < 50; i++) a.keyspace.databases[0].set(`key:${i}`, `value:${i}`);
    saveRdbFile(a, file);
    return { file, bytes: fs.readFileSync(file) };
  }

  function loadError(s: Server, file: string): RdbLoadError {
    try {
      loadRdbFile(s, file);
    } catch (e) {
      expect(e).toBeInstanceOf(RdbLoadError);
      return e as RdbLoadError;
    }
    throw new Error('expected the load to fail');
  }

  test('a truncated file', () => {
    const { file, bytes } = savedFile();
    fs.writeFileSync(file, bytes.subarray(0, 300));
    const mtime = fs.statSync(file).mtimeMs;
    const s = server();
    s.keyspace.databases[0].set('before', 'x');
    const e = loadError(s, file);
    expect(e.message).toMatch(new RegExp(`^RDB file ${file} is truncated: unexpected end of file, \\d+ more bytes needed at offset 300$`));
    expect(e).toMatchObject({ file, offset: 300, truncated: true });
    expect(keysOf(s)).toEqual({ before: 'x' });
    expect(fs.readFileSync(file)).toEqual(bytes.subarray(0, 300));
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
  });

  test('a damaged file fails its checksum (rdbchecksum yes) before anything is loaded', () => {
    const { file, bytes } = savedFile();
    const damaged = Buffer.from(bytes);
    damaged[damaged.indexOf('value:7') + 6] = 0x38;
    fs.writeFileSync(file, damaged);
    const s = server();
    const e = loadError(s, file);
    expect(e.message).toMatch(new RegExp(`^RDB file ${file} is corrupt at offset ${bytes.length - 8}: Wrong RDB checksum`));
    expect(s.keyspace.databases[0].size).toBe(0);
    // With rdbchecksum no the damage goes unnoticed, as in Redis.
    const unchecked = server({ rdbchecksum: 'no' });
    loadRdbFile(unchecked, file);
    expect(keysOf(unchecked)['key:7']).toBe('value:8');
  });

  function fileWith(build: (w: RdbWriter) => void): string {
    const chunks: Buffer[] = [];
    const w = new RdbWriter((c) => chunks.push(c), { compression: false, checksum: true });
    w.header();
    build(w);
    w.finish();
    const file = path.join(tempDir(), 'crafted.rdb');
    fs.writeFileSync(file, Buffer.concat(chunks));
    return file;
  }

  test('a key twice in a database, or a key the database already has', () => {
    const file = fileWith((w) => {
      w.selectDb(0, 2, 0);
      w.entry('k', 'a', undefined);
      w.entry('k', 'b', undefined);
    });
    const s = server();
    expect(loadError(s, file).message).toMatch(/is corrupt at offset \d+: Duplicated key 'k' in DB 0$/);
    expect(s.keyspace.databases[0].size).toBe(0);
    const single = fileWith((w) => {
      w.selectDb(2, 1, 0);
      w.entry('k', 'a', undefined);
    });
    const t = server();
    t.keyspace.databases[2].set('k', 'mine');
    expect(loadError(t, single).message).toMatch(/Duplicated key 'k' in DB 2$/);
    expect(keysOf(t, 2)).toEqual({ k: 'mine' });
  });

  test('a database number beyond `databases`', () => {
    const file = fileWith((w) => {
      w.selectDb(20, 1, 0);
      w.entry('k', 'a', undefined);
    });
    expect(loadError(server(), file).message).toMatch(
      /Data file was created with a Redis server configured to handle more than 16 databases$/,
    );
    const more = server({ databases: '32' });
    loadRdbFile(more, file);
    expect(keysOf(more, 20)).toEqual({ k: 'a' });
  });

  test('empty collections are skipped with a warning', () => {
    const file = fileWith((w) => {
      w.selectDb(0, 2, 0);
      w.entry('empty', Quicklist.from([]), undefined);
      w.entry('k', 'v', undefined);
    });
    const log: string[] = [];
    const s = server({}, new ManualClock(START), log);
    expect(loadRdbFile(s, file).keysLoaded).toBe(1);
    expect(log.join('\n')).toContain('rdbLoadObject skipping empty key: empty');
  });

  test('a missing file is the fs error (ENOENT); not an RDB file at all', () => {
    const missing = path.join(tempDir(), 'nothing.rdb');
    expect(() => loadRdbFile(server(), missing)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    const text = path.join(tempDir(), 'text.rdb');
    fs.writeFileSync(text, 'hello world');
    expect(loadError(server(), text).message).toBe(`RDB file ${text} is corrupt at offset 0: Wrong signature trying to load DB from file`);
  });

  test('RDB data inside a larger buffer (an AOF with an RDB preamble) ends where the checksum ends', () => {
    const a = server();
    a.keyspace.databases[0].set('k', 'v');
    const chunks: Buffer[] = [];
    writeDataset(a, new RdbWriter((c) => chunks.push(c), { compression: true, checksum: true, aofBase: true }));
    const rdb = Buffer.concat(chunks);
    const data = Buffer.concat([Buffer.from('junk'), rdb, Buffer.from('*1\r\n$4\r\nPING\r\n')]);
    const log: string[] = [];
    const b = server({}, new ManualClock(START), log);
    const result = loadRdbData(b, data, 'appendonly.aof', { start: 4, aofPreamble: true });
    expect(result.end).toBe(4 + rdb.length);
    expect(keysOf(b)).toEqual({ k: 'v' });
    expect(log.join('\n')).toContain('RDB is base AOF');
  });
});

describe('saving fails cleanly', () => {
  test('the temp file cannot be created: Redis\'s message, nothing left behind', () => {
    const dir = tempDir();
    const gone = path.join(dir, 'removed');
    expect(() => saveRdbFile(server(), path.join(gone, 'dump.rdb'))).toThrow(
      `Failed opening the temp RDB file temp-${process.pid}.rdb (in server root dir ${gone}) for saving: No such file or directory`,
    );
  });

  test('the rename fails: the target stays as it was, the temp file is removed', () => {
    const dir = tempDir();
    const target = path.join(dir, 'dump.rdb');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'inside'), 'keep');
    const s = server();
    s.keyspace.databases[0].set('k', 'v');
    expect(() => saveRdbFile(s, target)).toThrow(/^Error moving temp DB file temp-\d+\.rdb on the final destination .*dump\.rdb \(in server root dir .*\): /);
    expect(fs.readdirSync(dir)).toEqual(['dump.rdb']);
    expect(fs.readFileSync(path.join(target, 'inside'), 'utf8')).toBe('keep');
  });

  test('an existing file is replaced whole', () => {
    const file = path.join(tempDir(), 'dump.rdb');
    fs.writeFileSync(file, 'old contents');
    const s = server();
    s.keyspace.databases[0].set('k', 'v');
    saveRdbFile(s, file);
    const t = server();
    loadRdbFile(t, file);
    expect(keysOf(t)).toEqual({ k: 'v' });
  });
});
