/**
 * Key lookups and argument helpers shared by the generic (keyspace) commands. They mirror the
 * flavours of Redis's lookupKey: whether a read records an access (LRU/LFU), counts a keyspace
 * hit or miss, and fires the "keymiss" event. All of them expire a key whose TTL has passed.
 */
import type { Client } from '../../server/client';
import type { Database } from '../../keyspace/database';
import type { RedisValue } from '../../keyspace/value';
import { parseLong } from '../arguments';
import { Errors } from '../../protocol/errors';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** The live value of a key in `db`, expiring it if due, without recording an access. */
export function liveValue(db: Database, key: string): RedisValue | undefined {
  const value = db.peek(key);
  if (value === undefined) return undefined;
  return db.expires.size > 0 && db.expireIfNeeded(key) ? undefined : value;
}

function countLookup(c: Client, key: string, value: RedisValue | undefined, notifyMiss: boolean): void {
  const keyspace = c.server.keyspace;
  if (value !== undefined) {
    keyspace.keyspaceHits++;
    return;
  }
  keyspace.keyspaceMisses++;
  if (notifyMiss) c.server.notify('m', 'keymiss', key, c.db.id);
}

/** Redis's lookupKeyRead: records the access, counts a hit or miss, fires "keymiss". */
export function lookupForRead(c: Client, key: string): RedisValue | undefined {
  const value = c.db.lookupRead(key);
  countLookup(c, key, value, true);
  return value;
}

/**
 * Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH): counts a hit or miss but leaves the key's
 * access time alone (EXISTS, TYPE, TTL; OBJECT also passes notifyMiss = false).
 */
export function lookupNoTouch(c: Client, key: string, notifyMiss = true): RedisValue | undefined {
  const value = liveValue(c.db, key);
  countLookup(c, key, value, notifyMiss);
  return value;
}

/**
 * Parses a C int (Redis's getIntFromObjectOrReply); replies `error` if given, else Redis's own
 * messages for a non-integer and for an integer out of range, and returns null if invalid.
 */
export function parseIntOrReply(c: Client, arg: string, error?: string): number | null {
  const n = parseLong(arg);
  if (n === null) {
    c.reply.error(error ?? Errors.notInteger);
    return null;
  }
  if (n < INT_MIN || n > INT_MAX) {
    c.reply.error(error ?? `ERR value is out of range, value must between ${INT_MIN} and ${INT_MAX}`);
    return null;
  }
  return n;
}

/** The database with that index, or undefined when out of range. */
export function databaseAt(c: Client, index: number): Database | undefined {
  const databases = c.server.keyspace.databases;
  return index >= 0 && index < databases.length ? databases[index] : undefined;
}

/** Parses a DB index argument (COPY DB, MOVE); replies the error and returns null if invalid. */
export function parseDatabaseOrReply(c: Client, arg: string): Database | null {
  const index = parseIntOrReply(c, arg);
  if (index === null) return null;
  const db = databaseAt(c, index);
  if (db === undefined) {
    c.reply.error(Errors.dbIndexOutOfRange);
    return null;
  }
  return db;
}
