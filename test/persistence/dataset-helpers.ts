/**
 * Helpers for the snapshot and save tests: a Server without sockets that runs commands directly,
 * a random dataset of every type and encoding, random writes, a deep copy of the keyspace to
 * compare a snapshot with, and the digest of each key (DEBUG DIGEST-VALUE's algorithm).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Server } from '../../src/server/server';
import type { RawConnection } from '../helpers/raw-connection';
import { configFrom } from '../../src/index';
import { Keyspace } from '../../src/keyspace/keyspace';
import { ManualClock } from '../../src/keyspace/clock';
import { cloneValue, type RedisValue } from '../../src/keyspace/value';
import { valueDigest } from '../../src/commands/server/digest';
import type { Client } from '../../src/server/client';

export interface OfflineServer {
  server: Server;
  clock: ManualClock;
  client: Client;
  /** Runs one command as the internal client (synchronously). */
  run(...argv: (string | number)[]): void;
}

/** A server that does not listen: commands run synchronously; its clock is manual. */
export function offlineServer(config: Record<string, string> = {}, startMs = Date.now()): OfflineServer {
  const clock = new ManualClock(startMs);
  const server = new Server({ config: configFrom({ save: '', loglevel: 'warning', ...config }), clock, logSink: () => undefined });
  return commandRunner(server, clock);
}

/** Runs commands on `server` (listening or not) synchronously, as an internal client. */
export function commandRunner(server: Server, clock: ManualClock): OfflineServer {
  const client = server.addClient(null);
  return {
    server,
    clock,
    client,
    run: (...argv) => {
      server.execute(client, argv.map(String));
      // Internal clients have no socket: drop the replies.
      client.reply.out.take();
    },
  };
}

/** Key i of the shared key space the random writes pick from. */
export const keyName = (i: number): string => `key:${i}`;

function randomString(random: () => number, maxLength: number): string {
  const n = Math.floor(random() * maxLength);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(random() * 256));
  return s;
}

/** A member or field: small integers (intsets, int-encoded listpack entries) or binary strings. */
function randomMember(random: () => number): string {
  return random() < 0.4 ? String(Math.floor(random() * 2000) - 1000) : `m${randomString(random, 12)}`;
}

/** Commands that create a value of a random type, size (encoding) and TTL under `key`. */
export function randomValueCommands(random: () => number, key: string, nowMs: number): string[][] {
  const commands: string[][] = [];
  const big = random() < 0.15;
  const count = big ? 130 + Math.floor(random() * 300) : 1 + Math.floor(random() * 8);
  const kind = Math.floor(random() * 6);
  if (kind === 0) {
    commands.push(['SET', key, random() < 0.3 ? String(Math.floor(random() * 1e12) - 5e11) : randomString(random, big ? 200 : 30)]);
  } else if (kind === 1) {
    const items: string[] = [];
    for (let i = 0; i < count; i++) items.push(randomMember(random));
    commands.push(['RPUSH', key, ...items]);
  } else if (kind === 2) {
    const members: string[] = [];
    const ints = random() < 0.5;
    for (let i = 0; i < count; i++) members.push(ints ? String(Math.floor(random() * 100000)) : randomMember(random));
    commands.push(['SADD', key, ...members]);
  } else if (kind === 3) {
    const pairs: string[] = [];
    for (let i = 0; i < count; i++) pairs.push(randomMember(random), big && i === 0 ? 'x'.repeat(70) : randomString(random, 10));
    commands.push(['HSET', key, ...pairs]);
  } else if (kind === 4) {
    const pairs: string[] = [];
    for (let i = 0; i < count; i++) pairs.push(String(Math.round((random() - 0.5) * 1e6) / 100), randomMember(random));
    commands.push(['ZADD', key, ...pairs]);
  } else {
    commands.push(['SET', key, String(Math.floor(random() * 100))]);
    commands.push(['APPEND', key, randomString(random, 20)]);
  }
  if (random() < 0.3) commands.push(['PEXPIREAT', key, String(nowMs + 60_000 + Math.floor(random() * 3_600_000))]);
  return commands;
}

/** Fills databases 0..dbs-1 with `keysPerDb` random keys each. */
export function populate(s: OfflineServer, random: () => number, dbs: number, keysPerDb: number): void {
  for (let db = 0; db < dbs; db++) {
    s.run('SELECT', db);
    for (let i = 0; i < keysPerDb; i++) {
      for (const cmd of randomValueCommands(random, keyName(i), s.clock.now())) s.run(...cmd);
    }
  }
  s.run('SELECT', 0);
}

export interface WriteMix {
  /** Include FLUSHALL (a BGSAVE stops on it; a bare KeyspaceSnapshot must stay consistent). */
  flushAll: boolean;
}

/**
 * One random write, through the command table so that every path a real client takes is used:
 * overwrites, in-place edits of every type, deletes, TTL changes and expirations (the clock moves),
 * renames, moves and copies across databases, SWAPDB and FLUSHDB.
 */
export function randomWrite(s: OfflineServer, random: () => number, dbs: number, keySpace: number, mix: WriteMix): void {
  const key = keyName(Math.floor(random() * keySpace));
  const other = keyName(Math.floor(random() * keySpace));
  const db = Math.floor(random() * dbs);
  s.run('SELECT', db);
  const r = random() * 100;
  const now = s.clock.now();
  if (r < 20) for (const cmd of randomValueCommands(random, key, now)) s.run(...cmd);
  else if (r < 30) s.run('DEL', key);
  else if (r < 35) s.run('APPEND', key, 'tail');
  else if (r < 38) s.run('INCRBY', key, 7);
  else if (r < 43) s.run('RPUSH', key, randomMember(random), randomMember(random));
  else if (r < 46) s.run('LPOP', key);
  else if (r < 50) s.run('SADD', key, randomMember(random));
  else if (r < 52) s.run('SREM', key, randomMember(random));
  else if (r < 56) s.run('HSET', key, randomMember(random), 'v');
  else if (r < 58) s.run('HDEL', key, randomMember(random));
  else if (r < 62) s.run('ZADD', key, String(Math.floor(random() * 100)), randomMember(random));
  else if (r < 64) s.run('ZPOPMIN', key);
  else if (r < 68) s.run('PEXPIRE', key, String(1 + Math.floor(random() * 2000)));
  else if (r < 70) s.run('PERSIST', key);
  else if (r < 73) s.run('GET', key);
  else if (r < 77) s.run('RENAME', key, other);
  else if (r < 80) s.run('MOVE', key, String(Math.floor(random() * dbs)));
  else if (r < 83) s.run('COPY', key, other, 'DB', String(Math.floor(random() * dbs)), 'REPLACE');
  else if (r < 85) s.run('SWAPDB', String(db), String(Math.floor(random() * dbs)));
  else if (r < 86) s.run('FLUSHDB');
  else if (r < 87 && mix.flushAll) s.run('FLUSHALL');
  else if (r < 95) s.clock.advance(Math.floor(random() * 300));
  else s.server.cron.activeExpire.run(10, 1);
}

/** A deep copy of every database (values cloned, TTLs kept), as it is now. */
export function copyKeyspace(keyspace: Keyspace): Keyspace {
  const copy = new Keyspace(keyspace.databases.length, keyspace.clock);
  copy.lazyExpireEnabled = false;
  for (const db of keyspace.databases) {
    const target = copy.databases[db.id];
    db.table.forEach((key, value) => {
      target.set(key, cloneValue(value));
      const expire = db.getExpire(key);
      if (expire !== undefined) target.setExpire(key, expire);
    });
  }
  return copy;
}

/** Differences between two keyspaces (keys, values by digest, TTLs); empty when they match. */
export function keyspaceDifferences(expected: Keyspace, actual: Keyspace, limit = 10): string[] {
  const out: string[] = [];
  for (const db of expected.databases) {
    const other = actual.databases[db.id];
    db.table.forEach((key) => {
      if (out.length >= limit) return;
      if (other.peek(key) === undefined) out.push(`db${db.id} ${JSON.stringify(key)} missing`);
      else if (!valueDigest(db, key).equals(valueDigest(other, key))) out.push(`db${db.id} ${JSON.stringify(key)} value differs`);
      else if (db.getExpire(key) !== other.getExpire(key)) out.push(`db${db.id} ${JSON.stringify(key)} ttl ${db.getExpire(key)} != ${other.getExpire(key)}`);
    });
    other.table.forEach((key) => {
      if (out.length < limit && db.peek(key) === undefined) out.push(`db${db.id} ${JSON.stringify(key)} unexpected`);
    });
  }
  return out;
}

/** Collects snapshot entries into a keyspace, checking the order and that no key comes twice. */
export class CollectingSink {
  readonly keyspace: Keyspace;
  readonly errors: string[] = [];
  private db = -1;
  readonly dbsBegun: number[] = [];

  constructor(databases: number, clock: { now(): number }) {
    this.keyspace = new Keyspace(databases, clock);
    this.keyspace.lazyExpireEnabled = false;
  }

  beginDb(dbIndex: number, keyCount: number): void {
    if (dbIndex <= this.db) this.errors.push(`db ${dbIndex} begun after db ${this.db}`);
    if (keyCount <= 0) this.errors.push(`db ${dbIndex} begun with ${keyCount} keys`);
    this.db = dbIndex;
    this.dbsBegun.push(dbIndex);
  }

  entry(key: string, value: RedisValue, expireAtMs: number | undefined): void {
    const db = this.keyspace.databases[this.db];
    if (!db) return void this.errors.push(`entry ${key} outside a database`);
    if (db.peek(key) !== undefined) this.errors.push(`db${this.db} ${JSON.stringify(key)} written twice`);
    // The writer serializes at once; the live value may change in place after this call.
    db.set(key, cloneValue(value));
    if (expireAtMs !== undefined) db.setExpire(key, expireAtMs);
  }
}

/**
 * Differences between `expected` and what a redis-server on `conn` holds: database sizes, each
 * key's DEBUG DIGEST-VALUE and PEXPIRETIME (redis-server needs enable-debug-command).
 */
export async function redisDifferences(expected: Keyspace, conn: RawConnection, limit = 10): Promise<string[]> {
  const out: string[] = [];
  for (const db of expected.databases) {
    await conn.call('SELECT', String(db.id));
    const size = await conn.call('DBSIZE');
    if (size !== `:${db.size}\r\n`) out.push(`db${db.id} DBSIZE ${size.trim()} != ${db.size}`);
    const keys = [...db.table.entries()].map(([key]) => key);
    for (const key of keys) {
      conn.send(['DEBUG', 'DIGEST-VALUE', key]);
      conn.send(['PEXPIRETIME', key]);
    }
    for (const key of keys) {
      const digest = (await conn.readReply()).toString('latin1');
      const ttl = (await conn.readReply()).toString('latin1');
      if (out.length >= limit) continue;
      const hex = valueDigest(db, key).toString('hex');
      if (digest !== `*1\r\n+${hex}\r\n`) out.push(`db${db.id} ${JSON.stringify(key)} digest ${JSON.stringify(digest)} != ${hex}`);
      const expire = db.getExpire(key) ?? -1;
      if (ttl !== `:${expire}\r\n`) out.push(`db${db.id} ${JSON.stringify(key)} PEXPIRETIME ${ttl.trim()} != ${expire}`);
    }
  }
  return out;
}

/** Resolves once `check` is true, polling every few milliseconds (rejects after timeoutMs). */
export async function waitFor(check: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'nodis-persist-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
