/**
 * All databases, the clock they read time from, and the observers that hear about every write.
 * Observers are how later capabilities plug in without touching command code: a fork-less
 * snapshot copies a value in beforeWrite, WATCH and blocked clients react in afterWrite, and
 * expirations are propagated as DEL from expired().
 */
import { Database } from './database';
import type { Clock } from './clock';
import type { RedisValue } from './value';
import { lfuInitialMeta, lfuTouch, lruClock, type LfuParams } from './access-clock';

export interface KeyspaceObserver {
  /** Before a key's value changes or goes away; `old` is undefined for a key being created. */
  beforeWrite?(db: Database, key: string, old: RedisValue | undefined): void;
  /** After a key was written, deleted, or had its TTL changed. */
  afterWrite?(db: Database, key: string): void;
  /** A key that did not exist was added. */
  created?(db: Database, key: string): void;
  /** A key was removed because its TTL passed. */
  expired?(db: Database, key: string): void;
  /** A whole database is about to be emptied (FLUSHDB/FLUSHALL). */
  beforeClear?(db: Database): void;
  /** Two databases swapped their contents (SWAPDB). */
  swapped?(a: Database, b: Database): void;
}

export class Keyspace {
  readonly databases: Database[] = [];
  // Each observer's hooks, kept per kind: every write runs these loops, which then make direct
  // calls instead of probing observers of different shapes for an optional method.
  private readonly beforeWriteHooks: NonNullable<KeyspaceObserver['beforeWrite']>[] = [];
  private readonly afterWriteHooks: NonNullable<KeyspaceObserver['afterWrite']>[] = [];
  private readonly createdHooks: NonNullable<KeyspaceObserver['created']>[] = [];
  private readonly expiredHooks: NonNullable<KeyspaceObserver['expired']>[] = [];
  private readonly beforeClearHooks: NonNullable<KeyspaceObserver['beforeClear']>[] = [];
  private readonly swappedHooks: NonNullable<KeyspaceObserver['swapped']>[] = [];
  /** Writes since the last successful save (Redis's server.dirty). */
  dirty = 0;
  /** The time commands see: fixed for the duration of one command, as in Redis. */
  private frozenNow = 0;
  /** LFU metadata instead of LRU, when the eviction policy is an LFU one. */
  lfuMode = false;
  readonly lfu: LfuParams = { logFactor: 10, decayTime: 1 };
  /** When false, reads do not delete expired keys (DEBUG SET-ACTIVE-EXPIRE leaves this alone). */
  lazyExpireEnabled = true;
  /**
   * Set while persisted data is loaded (Redis's server.loading): keys never expire then, and an
   * expire time already past is set rather than deleting the key, so that the commands replayed
   * after it find the key as they did when they first ran.
   */
  loading = false;
  expiredKeys = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;

  constructor(
    count: number,
    readonly clock: Clock,
  ) {
    for (let i = 0; i < count; i++) this.databases.push(new Database(i, this));
  }

  addObserver(o: KeyspaceObserver): void {
    if (o.beforeWrite) this.beforeWriteHooks.push(o.beforeWrite.bind(o));
    if (o.afterWrite) this.afterWriteHooks.push(o.afterWrite.bind(o));
    if (o.created) this.createdHooks.push(o.created.bind(o));
    if (o.expired) this.expiredHooks.push(o.expired.bind(o));
    if (o.beforeClear) this.beforeClearHooks.push(o.beforeClear.bind(o));
    if (o.swapped) this.swappedHooks.push(o.swapped.bind(o));
  }

  /** Current time in ms; inside a command, the time the command started. */
  now(): number {
    return this.frozenNow || this.clock.now();
  }

  /** Fixes now() for one command (0 to unfreeze). */
  freezeTime(ms: number): void {
    this.frozenNow = ms;
  }

  mayExpire(): boolean {
    return this.lazyExpireEnabled && !this.loading;
  }

  initialMeta(): number {
    const now = this.now();
    return this.lfuMode ? lfuInitialMeta(now) : lruClock(now);
  }

  /** Records an access to a key for LRU/LFU. */
  touch(db: Database, key: string): void {
    const now = this.now();
    if (this.lfuMode) {
      const meta = db.table.getMeta(key);
      if (meta !== undefined) db.table.setMeta(key, lfuTouch(meta, now, this.lfu));
    } else {
      db.table.setMeta(key, lruClock(now));
    }
  }

  beforeWrite(db: Database, key: string, old: RedisValue | undefined): void {
    const hooks = this.beforeWriteHooks;
    for (let i = 0; i < hooks.length; i++) hooks[i](db, key, old);
  }

  afterWrite(db: Database, key: string): void {
    this.dirty++;
    const hooks = this.afterWriteHooks;
    for (let i = 0; i < hooks.length; i++) hooks[i](db, key);
  }

  created(db: Database, key: string): void {
    const hooks = this.createdHooks;
    for (let i = 0; i < hooks.length; i++) hooks[i](db, key);
  }

  expired(db: Database, key: string): void {
    this.expiredKeys++;
    for (const hook of this.expiredHooks) hook(db, key);
  }

  beforeClear(db: Database): void {
    for (const hook of this.beforeClearHooks) hook(db);
  }

  /** SWAPDB: exchanges the contents of two databases. */
  swap(a: number, b: number): void {
    const da = this.databases[a];
    const db = this.databases[b];
    [da.table, db.table] = [db.table, da.table];
    [da.expires, db.expires] = [db.expires, da.expires];
    this.dirty++;
    for (const hook of this.swappedHooks) hook(da, db);
  }

  /** FLUSHALL: empties every database; returns the number of keys removed. */
  flushAll(): number {
    let removed = 0;
    for (const db of this.databases) removed += db.clear();
    this.dirty += removed;
    return removed;
  }
}
