/**
 * Key lookups with the type check every command needs. On a type mismatch they reply WRONGTYPE
 * and return null; a missing key is undefined.
 */
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { isStringValue, type RedisType, type RedisValue, type StringValue } from '../keyspace/value';

function checkType(c: Client, value: RedisValue | undefined, type: RedisType): RedisValue | undefined | null {
  if (value === undefined) return undefined;
  const matches = type === 'string' ? isStringValue(value) : !isStringValue(value) && value.type === type;
  if (matches) return value;
  c.reply.error(Errors.wrongType);
  return null;
}

/** The key's value for reading, of any type (Redis's lookupKeyRead: hits, misses and keymiss events). */
export function readAny(c: Client, key: string): RedisValue | undefined {
  const value = c.db.lookupRead(key);
  const keyspace = c.server.keyspace;
  if (value === undefined) {
    keyspace.keyspaceMisses++;
    c.server.notify('m', 'keymiss', key, c.db.id);
  } else {
    keyspace.keyspaceHits++;
  }
  return value;
}

/** The key's value for reading if it has the given type (hits and misses are counted). */
export function readOfType<T extends RedisValue>(c: Client, key: string, type: RedisType): T | undefined | null {
  return checkType(c, readAny(c, key), type) as T | undefined | null;
}

/** The key's value for changing in place if it has the given type; call c.db.modified(key) after. */
export function writeOfType<T extends RedisValue>(c: Client, key: string, type: RedisType): T | undefined | null {
  return checkType(c, c.db.lookupWrite(key), type) as T | undefined | null;
}

export function readString(c: Client, key: string): StringValue | undefined | null {
  return readOfType<StringValue>(c, key, 'string');
}
