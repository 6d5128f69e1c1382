/**
 * One numbered database: keys with their values, and the expire times of the keys that have one
 * (keys without a TTL pay nothing for it). Every read and write of a key goes through here, so
 * lazy expiry, access tracking and the keyspace observers (snapshots, WATCH, blocked clients) see
 * every change.
 */
import { KeyTable } from './key-table';
import { valueBytes, type RedisValue } from './value';
import type { Keyspace } from './keyspace';
import { ARRAY_SLOT_BYTES, stringBytes } from '../memory/sizes';

/**
 * What one entry of a KeyTable costs besides its key and value: a key slot and a value slot in
 * the dense arrays, three 32-bit words (the key's hash, access metadata, the entry's size) in a
 * doubling array (72% full on average: 17 B), and its share of the index (a 4-byte bucket in an
 * index 3/8 to 3/4 full: 7.5 B on average). Measured with node --expose-gc over tables of 100k
 * to 3M keys: 39 to 49 B, 44.5 on average.
 */
export const TABLE_ENTRY_BYTES = 2 * ARRAY_SLOT_BYTES + 17 + 8;

function keyValueBytes(key: string, value: RedisValue): number {
  return TABLE_ENTRY_BYTES + stringBytes(key.length) + valueBytes(value);
}

/** An expire time: the key string is shared with the key table, and times live in a double array. */
function expireEntryBytes(): number {
  return TABLE_ENTRY_BYTES;
}

/** A table of keys and values that accounts the memory of its entries. */
export function newValueTable(): KeyTable<RedisValue> {
  return new KeyTable<RedisValue>(keyValueBytes);
}

/** A table of expire times that accounts the memory of its entries. */
export function newExpireTable(): KeyTable<number> {
  return new KeyTable<number>(expireEntryBytes);
}

export class Database {
  table = newValueTable();
  expires = newExpireTable();

  constructor(
    readonly id: number,
    private readonly keyspace: Keyspace,
  ) {}

  get size(): number {
    return this.table.size;
  }

  /** Estimated heap bytes of the keys, values and expire times. */
  get bytes(): number {
    return this.table.bytes + this.expires.bytes;
  }

  /** The value without expiring it or recording an access (for DEBUG, snapshots, SCAN). */
  peek(key: string): RedisValue | undefined {
    return this.table.get(key);
  }

  /** The live value of a key for a read: expires it if due and records the access. */
  lookupRead(key: string): RedisValue | undefined {
    const value = this.table.get(key);
    if (value === undefined) return undefined;
    if (this.expires.size > 0 && this.expireIfNeeded(key)) return undefined;
    this.keyspace.touch(this, key);
    return value;
  }

  /**
   * The live value of a key that the caller is about to change in place. Observers hear of it
   * first (a snapshot in progress copies the old value); call modified() once done.
   */
  lookupWrite(key: string): RedisValue | undefined {
    const value = this.lookupRead(key);
    if (value !== undefined) this.keyspace.beforeWrite(this, key, value);
    return value;
  }

  /** Signals that a key looked up with lookupWrite was changed in place. */
  modified(key: string): void {
    this.table.resize(key);
    this.keyspace.afterWrite(this, key);
  }

  /**
   * Re-accounts the memory of a value changed in place without it counting as a modification of
   * the key (no WATCH invalidation, no blocked-client wake-up): Redis's consumer group commands
   * change a stream without signalModifiedKey.
   */
  resized(key: string): void {
    this.table.resize(key);
  }

  /** Sets a key's value; removes its TTL unless keepTtl. */
  set(key: string, value: RedisValue, keepTtl = false): void {
    this.keyspace.beforeWrite(this, key, this.table.get(key));
    if (this.table.set(key, value, this.keyspace.initialMeta())) this.keyspace.created(this, key);
    else this.keyspace.touch(this, key);
    if (!keepTtl && this.expires.size > 0) this.expires.delete(key);
    this.keyspace.afterWrite(this, key);
  }

  /** Deletes a key and its TTL; true if it existed. */
  delete(key: string): boolean {
    const old = this.table.get(key);
    if (old === undefined) return false;
    this.keyspace.beforeWrite(this, key, old);
    this.table.delete(key);
    if (this.expires.size > 0) this.expires.delete(key);
    this.keyspace.afterWrite(this, key);
    return true;
  }

  /** The absolute expire time in ms, or undefined when the key has no TTL. */
  getExpire(key: string): number | undefined {
    return this.expires.size > 0 ? this.expires.get(key) : undefined;
  }

  /** Sets the absolute expire time of an existing key. */
  setExpire(key: string, whenMs: number): void {
    const value = this.table.get(key);
    if (value === undefined) return;
    this.keyspace.beforeWrite(this, key, value);
    this.expires.set(key, whenMs);
    this.keyspace.afterWrite(this, key);
  }

  /** Removes a key's TTL; true if it had one. */
  removeExpire(key: string): boolean {
    if (this.expires.size === 0 || !this.expires.has(key)) return false;
    this.keyspace.beforeWrite(this, key, this.table.get(key));
    this.expires.delete(key);
    this.keyspace.afterWrite(this, key);
    return true;
  }

  /** True if the key exists and has not expired (does not record an access). */
  exists(key: string): boolean {
    if (!this.table.has(key)) return false;
    return !(this.expires.size > 0 && this.expireIfNeeded(key));
  }

  /** Deletes the key if its TTL has passed; true if it did. */
  expireIfNeeded(key: string): boolean {
    const when = this.expires.get(key);
    // As Redis: a key expires once the clock is past its time (alive at exactly `when`).
    if (when === undefined || when >= this.keyspace.now()) return false;
    if (!this.keyspace.mayExpire()) return false;
    this.deleteExpired(key);
    return true;
  }

  /** Removes a key whose TTL has passed and tells the observers (they propagate a DEL). */
  deleteExpired(key: string): void {
    // Not a change made by the running command: the expiry propagates as its own DEL, and a
    // read command that met an expired key must not be propagated for it.
    const dirty = this.keyspace.dirty;
    this.delete(key);
    this.keyspace.dirty = dirty;
    this.keyspace.expired(this, key);
  }

  /** Drops every key at once. */
  clear(): number {
    const removed = this.table.size;
    this.keyspace.beforeClear(this);
    this.table = newValueTable();
    this.expires = newExpireTable();
    return removed;
  }

  /**
   * A random live key, expiring the dead ones it meets (as RANDOMKEY does). Each dead key met is
   * deleted, so the loop ends; it never returns an expired key while lazy expiry is on.
   */
  randomKey(): string | undefined {
    for (;;) {
      const key = this.table.randomKey();
      if (key === undefined || !this.expireIfNeeded(key)) return key;
    }
  }
}
