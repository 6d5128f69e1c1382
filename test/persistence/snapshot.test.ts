/**
 * The fork-less snapshot: a KeyspaceSnapshot written in small slices while random writes of every
 * kind run between the slices must produce exactly the dataset as it was at the start (checked
 * key by key against a deep copy taken at the start), and a BGSAVE file written that way must load
 * in redis-server with the same contents.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { KeyspaceSnapshot } from '../../src/persistence/snapshot';
import { persistenceOf } from '../../src/persistence/persistence-state';
import { ManualClock } from '../../src/keyspace/clock';
import { seededRandom } from '../helpers/seeded-random';
import { startNodis } from '../helpers/nodis';
import { startRedisServer } from '../compat/harness';
import { RawConnection } from '../helpers/raw-connection';
import {
  CollectingSink, commandRunner, copyKeyspace, keyName, keyspaceDifferences, offlineServer, populate, randomWrite,
  redisDifferences, tempDir, waitFor,
} from './dataset-helpers';

const DBS = 4;

/** Runs a snapshot to the end with `writesPerSlice` random writes between slices of `sliceKeys`. */
function snapshotUnderWrites(seed: number, keysPerDb: number, sliceKeys: number, writesPerSlice: number, keySpace: number) {
  const random = seededRandom(seed);
  const s = offlineServer();
  populate(s, random, DBS, keysPerDb);
  const expected = copyKeyspace(s.server.keyspace);
  const sink = new CollectingSink(s.server.keyspace.databases.length, s.clock);
  const snapshot = new KeyspaceSnapshot(s.server.keyspace, sink);
  let slices = 0;
  while (!snapshot.step({ maxKeys: sliceKeys, deadline: Infinity })) {
    slices++;
    for (let i = 0; i < writesPerSlice; i++) randomWrite(s, random, DBS, keySpace, { flushAll: true });
  }
  snapshot.close();
  return { expected, sink, snapshot, slices, server: s };
}

describe('KeyspaceSnapshot', () => {
  test('without writes it hands over every key once, databases in order, empty ones skipped', () => {
    const s = offlineServer();
    s.run('SELECT', 2);
    s.run('SET', 'a', '1');
    s.run('RPUSH', 'list', 'x', 'y');
    s.run('SELECT', 5);
    s.run('HSET', 'h', 'f', 'v');
    s.run('PEXPIREAT', 'h', String(s.clock.now() + 100000));
    const expected = copyKeyspace(s.server.keyspace);
    const sink = new CollectingSink(16, s.clock);
    const snapshot = new KeyspaceSnapshot(s.server.keyspace, sink);
    expect(snapshot.keysTotal).toBe(3);
    snapshot.finish();
    snapshot.close();
    expect(sink.dbsBegun).toEqual([2, 5]);
    expect(sink.errors).toEqual([]);
    expect(snapshot.keysWritten).toBe(3);
    expect(keyspaceDifferences(expected, sink.keyspace)).toEqual([]);
  });

  test('an empty keyspace gives no database at all', () => {
    const s = offlineServer();
    const sink = new CollectingSink(16, s.clock);
    const snapshot = new KeyspaceSnapshot(s.server.keyspace, sink);
    expect(snapshot.step({ maxKeys: 1, deadline: Infinity })).toBe(true);
    snapshot.close();
    expect(sink.dbsBegun).toEqual([]);
  });

  test('values changed in place, deleted, expired or replaced after the start are written as they were', () => {
    const s = offlineServer();
    for (let i = 0; i < 200; i++) s.run('RPUSH', keyName(i), 'a', 'b');
    s.run('SET', 'str', 'abc');
    s.run('SET', 'ttl', 'v', 'PX', '50');
    s.run('SELECT', 1);
    s.run('SADD', 'later-db', '1', '2', '3');
    s.run('SELECT', 0);
    const expected = copyKeyspace(s.server.keyspace);
    const sink = new CollectingSink(16, s.clock);
    const snapshot = new KeyspaceSnapshot(s.server.keyspace, sink);
    snapshot.step({ maxKeys: 10, deadline: Infinity });
    for (let i = 0; i < 200; i++) s.run('RPUSH', keyName(i), 'c');
    s.run('APPEND', 'str', 'def');
    s.run('DEL', keyName(3), keyName(150));
    s.clock.advance(100);
    s.run('GET', 'ttl');
    s.run('SET', 'new-key', 'x');
    s.run('SELECT', 1);
    s.run('SADD', 'later-db', '4');
    s.run('SET', 'new-in-later-db', 'y');
    snapshot.finish();
    snapshot.close();
    expect(sink.errors).toEqual([]);
    expect(keyspaceDifferences(expected, sink.keyspace)).toEqual([]);
    // The live dataset did change.
    expect(s.server.keyspace.databases[0].peek('ttl')).toBeUndefined();
  });

  test('a delete below the cursor that pulls an unwritten key down does not lose it', () => {
    // One shard's slots: deleting a written key moves the shard's top (unwritten) entry into it.
    const s = offlineServer();
    for (let i = 0; i < 2000; i++) s.run('SET', keyName(i), String(i));
    const expected = copyKeyspace(s.server.keyspace);
    const sink = new CollectingSink(16, s.clock);
    const snapshot = new KeyspaceSnapshot(s.server.keyspace, sink);
    // Walk a little into the first shards, then delete keys that were written.
    snapshot.step({ maxKeys: 60, deadline: Infinity });
    const written = [...sink.keyspace.databases[0].table.entries()].map(([k]) => k);
    for (const key of written) s.run('DEL', key);
    snapshot.finish();
    snapshot.close();
    expect(sink.errors).toEqual([]);
    expect(keyspaceDifferences(expected, sink.keyspace)).toEqual([]);
  });

  test('SWAPDB, FLUSHDB and FLUSHALL during the snapshot leave it as of the start', () => {
    const s = offlineServer();
    for (let db = 0; db < 3; db++) {
      s.run('SELECT', db);
      for (let i = 0; i < 300; i++) s.run('SET', keyName(i), `db${db}-${i}`);
    }
    const expected = copyKeyspace(s.server.keyspace);
    const sink = new CollectingSink(16, s.clock);
    const snapshot = new KeyspaceSnapshot(s.server.keyspace, sink);
    snapshot.step({ maxKeys: 100, deadline: Infinity });
    s.run('SWAPDB', '0', '1');
    s.run('SELECT', 0);
    s.run('SET', keyName(5), 'changed');
    s.run('SELECT', 1);
    s.run('DEL', keyName(250));
    snapshot.step({ maxKeys: 100, deadline: Infinity });
    s.run('SELECT', 2);
    s.run('FLUSHDB');
    s.run('SET', keyName(1), 'after flush');
    snapshot.step({ maxKeys: 100, deadline: Infinity });
    s.run('FLUSHALL');
    s.run('SET', keyName(2), 'after flushall');
    snapshot.finish();
    snapshot.close();
    expect(sink.errors).toEqual([]);
    expect(keyspaceDifferences(expected, sink.keyspace)).toEqual([]);
  });

  test('after close() writes are no longer followed', () => {
    const s = offlineServer();
    s.run('SET', 'a', '1');
    s.run('SET', 'b', '2');
    const sink = new CollectingSink(16, s.clock);
    const snapshot = new KeyspaceSnapshot(s.server.keyspace, sink);
    snapshot.close();
    s.run('SET', 'a', 'changed');
    expect(snapshot.keysWritten).toBe(0);
  });

  test.each([11, 12, 13])('random overwrites and deletes of existing keys in one database (seed %i)', (seed) => {
    // Deletes of written keys in the shard being walked pull its top entry down: the case the
    // top-entry guard is for.
    const random = seededRandom(seed);
    const s = offlineServer();
    const count = 3000;
    for (let i = 0; i < count; i++) s.run('SET', keyName(i), String(i));
    const expected = copyKeyspace(s.server.keyspace);
    const sink = new CollectingSink(16, s.clock);
    const snapshot = new KeyspaceSnapshot(s.server.keyspace, sink);
    while (!snapshot.step({ maxKeys: 15, deadline: Infinity })) {
      for (let i = 0; i < 15; i++) {
        const key = keyName(Math.floor(random() * count));
        const r = random();
        if (r < 0.6) s.run('DEL', key);
        else if (r < 0.8) s.run('SET', key, 'new');
        else s.run('APPEND', key, '+');
      }
    }
    snapshot.close();
    expect(sink.errors).toEqual([]);
    expect(keyspaceDifferences(expected, sink.keyspace)).toEqual([]);
  });

  // Writes over twice as many keys as exist create many keys; over only the existing ones they
  // mostly change and delete keys the snapshot has or has not written yet.
  test.each([
    [1, 300, 5, 3, 600],
    [2, 400, 17, 10, 800],
    [3, 250, 1, 2, 500],
    [4, 600, 50, 40, 1200],
    [5, 150, 3, 25, 300],
    [6, 800, 40, 10, 800],
  ])('random writes between slices (seed %i): the result is the dataset at the start', (seed, keysPerDb, sliceKeys, writes, keySpace) => {
    const { expected, sink, snapshot, slices } = snapshotUnderWrites(seed, keysPerDb, sliceKeys, writes, keySpace);
    expect(slices).toBeGreaterThan(10);
    expect(sink.errors).toEqual([]);
    expect(keyspaceDifferences(expected, sink.keyspace)).toEqual([]);
    expect(snapshot.keysWritten).toBe(snapshot.keysTotal);
  });
});

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function newDir(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}

const DAY = 86_400_000;

describe('BGSAVE under concurrent writes', () => {
  test.each([21, 22])('redis-server loads exactly the dataset as of the BGSAVE (seed %i)', async (seed) => {
    const random = seededRandom(seed);
    const dir = newDir();
    // A day ahead: TTLs that pass during the save (the clock moves) are still ahead of real time
    // when redis-server loads the file, so it keeps those keys and they can be compared.
    const clock = new ManualClock(Date.now() + DAY);
    const nodis = await startNodis({ config: { dir }, clock });
    const s = commandRunner(nodis.server, clock);
    populate(s, random, DBS, 400);
    const expected = copyKeyspace(nodis.server.keyspace);
    const state = persistenceOf(nodis.server);
    state.slice.maxKeys = 20;
    const raw = await nodis.raw();
    expect(await raw.call('BGSAVE')).toBe('+Background saving started\r\n');
    expect(await raw.call('BGSAVE')).toBe('-ERR Background save already in progress\r\n');
    expect(await raw.call('SAVE')).toBe('-ERR Background save already in progress\r\n');
    const dirtyAtStart = nodis.server.keyspace.dirty;
    let turns = 0;
    while (state.current !== null) {
      for (let i = 0; i < 15; i++) randomWrite(s, random, DBS, 800, { flushAll: false });
      turns++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(turns).toBeGreaterThan(20);
    expect(state.lastBgsaveStatus).toBe('ok');
    expect(state.changesSinceLastSave()).toBe(nodis.server.keyspace.dirty - dirtyAtStart);
    expect(fs.readdirSync(dir)).toEqual(['dump.rdb']);
    await nodis.stop();

    const file = path.join(dir, 'dump.rdb');
    const check = spawnSync('redis-check-rdb', [file], { encoding: 'utf8' });
    expect(check.stdout).toContain('RDB looks OK!');
    const reference = await startRedisServer(['--dir', dir, '--enable-debug-command', 'yes']);
    const conn = await RawConnection.connect(reference.port);
    try {
      expect(await redisDifferences(expected, conn)).toEqual([]);
    } finally {
      conn.close();
      await reference.stop();
    }
  });
});
