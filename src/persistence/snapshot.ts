/**
 * A point-in-time view of every database, written out in slices while clients keep being served:
 * what a forked child gives Redis, without the fork (the way Dragonfly snapshots).
 *
 * The snapshot walks each database's KeyTable shard by shard, slot by slot, and hands every entry
 * to a sink (the RDB writer for BGSAVE). A keyspace observer sees every write before it happens:
 * when the key has not been written yet, its value as of the start is handed over first (to the
 * sink right away for the database being written, as a clone kept for later for the databases
 * whose turn has not come). So every key is written exactly once, with its value and TTL as of
 * the start; keys created after the start never appear; keys deleted or expired after the start
 * still appear with their old value.
 *
 * Which keys are done. KeyTable slots only move down: a delete moves the top entry of its shard
 * into the hole, and new keys are appended at the top. A cursor per shard says "every slot below
 * pos has been handled"; a Set `done` holds the keys handled out of order (preserved by a write,
 * or created after the start) so the walk skips them. The one move that could hide an unwritten
 * key is a delete below the cursor pulling the top entry down into the handled region: any write
 * to a key below the cursor therefore first preserves the shard's top entry if it is unwritten.
 * Keys leave `done` as the cursor passes them, so the set stays as small as the writes made.
 *
 * Whole-database changes need nothing special: FLUSHDB/FLUSHALL give the Database a fresh
 * KeyTable and SWAPDB exchanges KeyTables, while the snapshot keeps the tables it started with,
 * identified by object, and writes table i as database i. A table dropped by a flush is no longer
 * written to, so the rest of it can still be walked at leisure.
 *
 * TTLs: the expire time as of the start is written, even when it passes during the save, as a
 * forked child writes what was alive at fork time (keys already expired but not yet reclaimed at
 * the start are written too, as Redis does; the loader drops them). Access metadata (LRU/LFU) is
 * read when the entry is written.
 *
 * Costs. The clones kept for databases whose turn has not come are what copy-on-write pages are
 * to a forked Redis: memory for the keys changed during the save. A slice never splits a value,
 * so one huge collection is written in one go. All of this relies on every change of a key going
 * through Database (which tells the observers first) and on whole tables being replaced, never
 * emptied in place.
 */
import { performance } from 'node:perf_hooks';
import { SHARD_COUNT, shardOf, type KeyTable } from '../keyspace/key-table';
import { cloneValue, type RedisValue } from '../keyspace/value';
import type { Database } from '../keyspace/database';
import type { Keyspace } from '../keyspace/keyspace';

/** Receives the snapshot: databases in index order (empty ones skipped), then their entries. */
export interface SnapshotSink {
  beginDb(dbIndex: number, keyCount: number, expiresCount: number): void;
  /** `meta` is the key's 32-bit LRU/LFU metadata (see keyspace/access-clock.ts). */
  entry(key: string, value: RedisValue, expireAtMs: number | undefined, meta: number): void;
}

/** How much one slice may do: stop after maxKeys entries or once performance.now() passes deadline. */
export interface SliceBudget {
  maxKeys: number;
  deadline: number;
}

interface PreservedEntry {
  value: RedisValue;
  expireAtMs: number | undefined;
  meta: number;
}

type TableState = 'waiting' | 'writing' | 'finished';

/** How often (in entries) a slice looks at the clock. */
const CLOCK_CHECK_INTERVAL = 16;

/** One database's table as of the start, and how far it has been written. */
class TableSnapshot {
  /** Per shard: every slot below pos[shard] has been handled. */
  private readonly pos = new Int32Array(SHARD_COUNT);
  /** The shard being walked. */
  private shard = 0;
  /** Keys handled out of order: preserved before the cursor reached them, or created after the start. */
  private readonly done = new Set<string>();
  /** Entries preserved before this table's turn, written when it begins. */
  private pending: Map<string, PreservedEntry> | null = new Map();
  state: TableState = 'waiting';

  constructor(
    readonly dbIndex: number,
    readonly table: KeyTable<RedisValue>,
    private readonly expires: KeyTable<number>,
    readonly keyCount: number,
    readonly expiresCount: number,
    private readonly owner: KeyspaceSnapshot,
  ) {}

  /** Called before `key` changes in this table; `old` is undefined when the key is being created. */
  beforeWrite(key: string, old: RedisValue | undefined): void {
    if (old === undefined) {
      // Created after the start: never part of the snapshot.
      this.done.add(key);
      return;
    }
    const shard = shardOf(key);
    const slot = this.table.slotOf(key);
    if (slot === undefined) return;
    if (slot < this.pos[shard]) {
      // Already written. If this write is a delete, the shard's top entry moves into its slot.
      this.preserveTop(shard);
      return;
    }
    if (this.done.has(key)) return;
    this.preserve(key, shard, slot);
  }

  private preserveTop(shard: number): void {
    const top = this.table.shardSize(shard) - 1;
    if (top < this.pos[shard]) return;
    const topKey = this.table.keyAt(shard, top);
    if (!this.done.has(topKey)) this.preserve(topKey, shard, top);
  }

  /** Hands over a key's value as of the start, before it changes, and marks it done. */
  private preserve(key: string, shard: number, slot: number): void {
    const value = this.table.valueAt(shard, slot);
    const expireAtMs = this.expireOf(key);
    const meta = this.table.metaAt(shard, slot);
    this.done.add(key);
    if (this.state === 'writing') {
      this.owner.emit(key, value, expireAtMs, meta);
    } else {
      // The value may be changed in place after this: keep a copy that shares nothing with it.
      this.pending!.set(key, { value: cloneValue(value), expireAtMs, meta });
    }
  }

  private expireOf(key: string): number | undefined {
    return this.expires.size > 0 ? this.expires.get(key) : undefined;
  }

  /** Starts this table's turn: its database header, then what was preserved while it waited. */
  begin(sink: SnapshotSink): void {
    sink.beginDb(this.dbIndex, this.keyCount, this.expiresCount);
    this.state = 'writing';
    for (const [key, e] of this.pending!) this.owner.emit(key, e.value, e.expireAtMs, e.meta);
    this.pending = null;
  }

  /** Writes entries in slot order within the budget; true once every shard has been walked. */
  walk(budget: SliceBudget): boolean {
    const { table, done, pos } = this;
    let written = 0;
    while (this.shard < SHARD_COUNT) {
      const shard = this.shard;
      const size = table.shardSize(shard);
      let slot = pos[shard];
      while (slot < size) {
        const key = table.keyAt(shard, slot);
        if (done.size > 0 && done.delete(key)) {
          // Handled out of order; from here on the cursor covers it.
        } else {
          this.owner.emit(key, table.valueAt(shard, slot), this.expireOf(key), table.metaAt(shard, slot));
          written++;
        }
        slot++;
        if (written >= budget.maxKeys || (slot % CLOCK_CHECK_INTERVAL === 0 && performance.now() >= budget.deadline)) {
          pos[shard] = slot;
          return false;
        }
      }
      pos[shard] = slot;
      this.shard++;
    }
    this.state = 'finished';
    return true;
  }
}

/** The snapshots in progress on each keyspace, told of writes by one observer per keyspace. */
const running = new WeakMap<Keyspace, KeyspaceSnapshot[]>();

function snapshotsOf(keyspace: Keyspace): KeyspaceSnapshot[] {
  let list = running.get(keyspace);
  if (!list) {
    const snapshots: KeyspaceSnapshot[] = [];
    list = snapshots;
    running.set(keyspace, snapshots);
    keyspace.addObserver({
      beforeWrite(db, key, old) {
        for (let i = 0; i < snapshots.length; i++) snapshots[i].beforeWrite(db, key, old);
      },
    });
  }
  return list;
}

/**
 * A consistent copy of the keyspace as of construction, produced by repeated step() calls. Call
 * close() when done or abandoned, so it stops following writes.
 */
export class KeyspaceSnapshot {
  private readonly tables: TableSnapshot[] = [];
  private readonly byTable = new Map<KeyTable<RedisValue>, TableSnapshot>();
  private current = 0;
  private closed = false;
  /** Keys in the databases at the start, and how many have been written so far. */
  readonly keysTotal: number;
  keysWritten = 0;

  constructor(
    private readonly keyspace: Keyspace,
    private readonly sink: SnapshotSink,
  ) {
    let total = 0;
    for (const db of keyspace.databases) {
      if (db.size === 0) continue;
      const t = new TableSnapshot(db.id, db.table, db.expires, db.size, db.expires.size, this);
      this.tables.push(t);
      this.byTable.set(db.table, t);
      total += db.size;
    }
    this.keysTotal = total;
    snapshotsOf(keyspace).push(this);
  }

  /** Writes the next entries within the budget; true once the whole snapshot has been written. */
  step(budget: SliceBudget): boolean {
    while (this.current < this.tables.length) {
      const t = this.tables[this.current];
      if (t.state === 'waiting') t.begin(this.sink);
      if (!t.walk(budget)) return false;
      this.byTable.delete(t.table);
      this.current++;
      if (performance.now() >= budget.deadline) return this.current === this.tables.length;
    }
    return true;
  }

  /** Writes everything left at once. */
  finish(): void {
    while (!this.step({ maxKeys: Infinity, deadline: Infinity }));
  }

  /** Stops following writes; the snapshot cannot continue after this. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.byTable.clear();
    const list = snapshotsOf(this.keyspace);
    const at = list.indexOf(this);
    if (at >= 0) list.splice(at, 1);
  }

  beforeWrite(db: Database, key: string, old: RedisValue | undefined): void {
    const t = this.byTable.get(db.table);
    if (t !== undefined) t.beforeWrite(key, old);
  }

  /** @internal An entry reaches the sink. */
  emit(key: string, value: RedisValue, expireAtMs: number | undefined, meta: number): void {
    this.keysWritten++;
    this.sink.entry(key, value, expireAtMs, meta);
  }
}
