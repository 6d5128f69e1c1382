/**
 * Transactions (Redis's multi.c): after MULTI a client's commands are queued instead of run,
 * and EXEC runs the queue in a row, with nothing else in between. WATCH is the optimistic lock
 * on top: EXEC does nothing (a null reply) when a watched key changed since it was watched.
 *
 * A command refused while queueing (unknown, wrong arity, OOM, not allowed in MULTI...) marks
 * the transaction failed and EXEC answers EXECABORT. Watchers are indexed per database by key,
 * so a write only looks at the clients watching that very key; the keyspace observers report
 * every change (writes, deletes, TTL changes, expiry, eviction, FLUSHDB/FLUSHALL, SWAPDB).
 */
import type { CommandSpec } from '../commands/registry';
import type { Database } from '../keyspace/database';
import type { KeyTable } from '../keyspace/key-table';
import type { RedisValue } from '../keyspace/value';
import type { Client } from './client';
import type { Server } from './server';

/** Commands that run at once even inside MULTI (processCommand's list). */
const NEVER_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

const EXECABORT_PREVIOUS_ERRORS = 'EXECABORT Transaction discarded because of previous errors.';

/** Sizes Redis counts for CLIENT LIST multi-mem / tot-mem: an argv slot, a queue slot, a watch. */
const ARGV_SLOT_BYTES = 8;
const QUEUE_SLOT_BYTES = 24;
const WATCHED_KEY_BYTES = 56;

interface QueuedCommand {
  spec: CommandSpec;
  argv: string[];
}

/** A key one client watches in one database. */
interface WatchedKey {
  readonly client: Client;
  readonly db: Database;
  readonly key: string;
  /** Logically expired already when watched: its removal by expiry is no change. */
  expiredAtWatch: boolean;
}

/** The contents of a database at one moment (before a flush, either side of a SWAPDB). */
interface DbContents {
  table: KeyTable<RedisValue>;
  expires: KeyTable<number>;
}

/** One client's MULTI queue and watched keys. */
export class TransactionState {
  queue: QueuedCommand[] = [];
  /** The flags of every queued command together (EXEC writes if one of them does). */
  queuedFlags = 0;
  /** Bytes of the queued arguments (CLIENT LIST multi-mem). */
  queuedBytes = 0;
  /** Queue slots allocated, grown by doubling as Redis does (for tot-mem). */
  private slots = 0;
  /** A command was refused while queueing: EXEC aborts (Redis's CLIENT_DIRTY_EXEC). */
  queueingFailed = false;
  /** A watched key changed: EXEC replies null (Redis's CLIENT_DIRTY_CAS). */
  watchTouched = false;
  watched: WatchedKey[] = [];

  add(spec: CommandSpec, argv: string[]): void {
    // Redis stores nothing once the transaction cannot succeed anyway.
    if (this.queueingFailed || this.watchTouched) return;
    if (this.queue.length === this.slots) this.slots = this.slots === 0 ? 2 : this.slots * 2;
    this.queue.push({ spec, argv });
    this.queuedFlags |= spec.flags;
    let bytes = argv.length * ARGV_SLOT_BYTES;
    for (const arg of argv) bytes += arg.length;
    this.queuedBytes += bytes;
  }

  clearQueue(): void {
    // A new array: EXEC may still be iterating the old one when a command discards (RESET).
    this.queue = [];
    this.queuedFlags = 0;
    this.queuedBytes = 0;
    this.slots = 0;
    this.queueingFailed = false;
    this.watchTouched = false;
  }

  memoryUsage(): number {
    return this.queuedBytes + this.slots * QUEUE_SLOT_BYTES + this.watched.length * WATCHED_KEY_BYTES;
  }
}

export class Transactions {
  /** Per database index: key -> the clients watching it, in the order they started. */
  private readonly watchers: Map<string, WatchedKey[]>[];

  constructor(private readonly server: Server) {
    this.watchers = server.keyspace.databases.map(() => new Map());
    server.dispatcher.interceptors.push((c, spec, argv) => this.queueIfInMulti(c, spec, argv));
    server.dispatcher.rejectionHooks.push((c, spec, argv, error) => this.rejected(c, spec, argv, error));
    server.keyspace.addObserver({
      afterWrite: (db, key) => this.touchKey(db, key),
      beforeClear: (db) => this.touchAllInDb(db, contentsOf(db), null),
      // Redis compares both sides before the swap; here the tables are already exchanged.
      swapped: (a, b) => {
        this.touchAllInDb(a, contentsOf(b), contentsOf(a));
        this.touchAllInDb(b, contentsOf(a), contentsOf(b));
      },
    });
    server.resetHooks.push((c) => this.discard(c));
  }

  private stateOf(c: Client): TransactionState {
    return (c.transaction ??= new TransactionState());
  }

  multi(c: Client): void {
    if (c.inTransaction) return c.reply.error('ERR MULTI calls can not be nested');
    this.stateOf(c);
    c.inTransaction = true;
    c.reply.ok();
  }

  /** Leaves MULTI, drops the queue and unwatches everything (Redis's discardTransaction). */
  discard(c: Client): void {
    c.inTransaction = false;
    const state = c.transaction;
    if (state === null) return;
    state.clearQueue();
    this.unwatchAll(state);
  }

  exec(c: Client): void {
    if (!c.inTransaction) return c.reply.error('ERR EXEC without MULTI');
    const state = this.stateOf(c);
    if (this.watchedKeyExpired(state)) state.watchTouched = true;
    if (state.queueingFailed || state.watchTouched) {
      if (state.queueingFailed) c.reply.error(EXECABORT_PREVIOUS_ERRORS);
      else c.reply.nullArray();
      this.discard(c);
      return;
    }
    this.unwatchAll(state);
    const queue = state.queue;
    const dispatcher = this.server.dispatcher;
    // inTransaction stays set while the queue runs: blocking commands answer at once.
    c.reply.array(queue.length);
    dispatcher.beginUnit();
    try {
      for (const { spec, argv } of queue) dispatcher.call(c, spec, argv);
    } finally {
      dispatcher.endUnit();
    }
    // The errors of the queued commands are theirs, not a failure of EXEC.
    c.commandFailed = false;
    this.discard(c);
    // EXEC itself is never propagated: the commands it ran were, as one unit.
    dispatcher.preventPropagation();
  }

  watch(c: Client, keys: string[]): void {
    if (c.inTransaction) return c.reply.error('ERR WATCH inside MULTI is not allowed');
    const state = this.stateOf(c);
    // Once a watched key changed, EXEC fails anyway: there is no point watching more.
    if (!state.watchTouched) for (const key of keys) this.watchKey(c, state, key);
    c.reply.ok();
  }

  unwatch(c: Client): void {
    const state = c.transaction;
    if (state !== null) {
      this.unwatchAll(state);
      state.watchTouched = false;
    }
    c.reply.ok();
  }

  /** How many distinct keys of a database are watched by some client. */
  watchedKeyCount(dbIndex: number): number {
    return this.watchers[dbIndex].size;
  }

  /** A closed client is forgotten. */
  forget(c: Client): void {
    this.discard(c);
    c.transaction = null;
  }

  private queueIfInMulti(c: Client, spec: CommandSpec, argv: string[]): boolean {
    if (!c.inTransaction || NEVER_QUEUED.has(spec.fullName)) return false;
    this.stateOf(c).add(spec, argv);
    c.reply.status('QUEUED');
    return true;
  }

  /**
   * A refused command fails the transaction it was sent in (flagTransaction); a refused EXEC
   * aborts the transaction at once, with the reason (execCommandAbort).
   */
  private rejected(c: Client, spec: CommandSpec | undefined, argv: string[], error: string): string {
    if (c.inTransaction) this.stateOf(c).queueingFailed = true;
    if (spec?.fullName !== 'exec') return error;
    this.discard(c);
    // MONITOR saw MULTI: it sees the EXEC that ends the transaction too.
    if (this.server.monitors.size > 0) this.server.feedMonitors(c, c.db.id, argv, Date.now());
    // Redis's own "ERR ..." texts are formatted without their code here.
    const reason = error.startsWith('ERR ') ? error.slice(4) : error;
    return `EXECABORT Transaction discarded because of: ${reason}`;
  }

  private watchKey(c: Client, state: TransactionState, key: string): void {
    const db = c.db;
    const byKey = this.watchers[db.id];
    let list = byKey.get(key);
    if (list?.some((w) => w.client === c)) return;
    const watched: WatchedKey = { client: c, db, key, expiredAtWatch: this.isExpired(contentsOf(db), key) };
    if (list === undefined) byKey.set(key, (list = []));
    list.push(watched);
    state.watched.push(watched);
  }

  private unwatchAll(state: TransactionState): void {
    if (state.watched.length === 0) return;
    for (const watched of state.watched) {
      const byKey = this.watchers[watched.db.id];
      const list = byKey.get(watched.key)!;
      list.splice(list.indexOf(watched), 1);
      if (list.length === 0) byKey.delete(watched.key);
    }
    state.watched = [];
  }

  /** A watched key that became logically expired since WATCH fails EXEC (isWatchedKeyExpired). */
  private watchedKeyExpired(state: TransactionState): boolean {
    for (const watched of state.watched) {
      if (!watched.expiredAtWatch && this.isExpired(contentsOf(watched.db), watched.key)) return true;
    }
    return false;
  }

  /** Whether the key's TTL has passed, deleted or not yet (keyIsExpired). */
  private isExpired(contents: DbContents, key: string): boolean {
    const keyspace = this.server.keyspace;
    if (keyspace.loading || contents.expires.size === 0) return false;
    const when = contents.expires.get(key);
    return when !== undefined && keyspace.now() > when;
  }

  private markTouched(watched: WatchedKey): void {
    const state = watched.client.transaction!;
    state.watchTouched = true;
    // Nothing more to learn from its other keys.
    this.unwatchAll(state);
  }

  /** A key was written, deleted or had its TTL changed (touchWatchedKey). */
  private touchKey(db: Database, key: string): void {
    const byKey = this.watchers[db.id];
    if (byKey.size === 0) return;
    const list = byKey.get(key);
    if (list === undefined) return;
    for (const watched of list.slice()) {
      // An already expired key now deleted: logically nothing changed.
      if (watched.expiredAtWatch && !db.table.has(key)) {
        watched.expiredAtWatch = false;
        continue;
      }
      this.markTouched(watched);
    }
  }

  /**
   * A database's contents go away (`replacement` null: FLUSHDB/FLUSHALL) or are replaced
   * (SWAPDB): watched keys that existed on either side are touched (touchAllWatchedKeysInDb).
   */
  private touchAllInDb(db: Database, emptied: DbContents, replacement: DbContents | null): void {
    const byKey = this.watchers[db.id];
    if (byKey.size === 0) return;
    for (const [key, list] of byKey) {
      const existedBefore = emptied.table.has(key);
      const existsAfter = replacement !== null && replacement.table.has(key);
      if (!existedBefore && !existsAfter) continue;
      for (const watched of list.slice()) {
        if (watched.expiredAtWatch) {
          if (!existsAfter) {
            // Expired key now deleted: no logical change.
            watched.expiredAtWatch = false;
            continue;
          }
          if (this.isExpired(replacement!, key)) continue; // expired it was, expired it stays
        } else if (!existedBefore && this.isExpired(replacement!, key)) {
          // A missing key replaced by an expired one: still missing, logically.
          watched.expiredAtWatch = true;
          continue;
        }
        this.markTouched(watched);
      }
    }
  }
}

function contentsOf(db: Database): DbContents {
  return { table: db.table, expires: db.expires };
}
