/**
 * Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK, ...). A blocked client stops
 * reading commands until one of its keys can serve it, its timeout passes, or CLIENT UNBLOCK.
 *
 * As in Redis, a write does not serve waiters on the spot: the keyspace observer marks the key
 * ready, and once the command that wrote it has finished (or the whole MULTI/EXEC or script),
 * handleReadyKeys() offers each ready key to its waiters in the order they blocked.
 */
import type { Client } from './client';
import type { Database } from '../keyspace/database';
import type { Server } from './server';

export interface BlockRequest {
  /** The keys to wait on, in the database the client had selected. */
  keys: string[];
  /** Absolute time in ms when to give up; 0 waits forever. */
  timeoutAt: number;
  /**
   * Called when one of the keys may serve the client (it runs as the blocked client: c.db is the
   * database it blocked in). Serve it (reply, change data) and return true, or return false to
   * go on waiting (e.g. the key now holds another type, or is empty again).
   */
  tryServe(c: Client, key: string): boolean;
  /**
   * Whether tryServe is also offered a key that was deleted (XREADGROUP ends its wait with an
   * error then); by default waiters are offered existing keys only.
   */
  servesDeletedKey?: boolean;
  /** Replies to a timeout; default: a null array, as BLPOP does. */
  onTimeout?(c: Client): void;
}

/** The longest delay setTimeout accepts (2^31 - 1 ms). */
const MAX_TIMER_DELAY = 2 ** 31 - 1;

interface Waiter {
  client: Client;
  db: Database;
  request: BlockRequest;
  timer: NodeJS.Timeout | null;
}

export class BlockingManager {
  /** db id -> key -> waiters in the order they blocked. */
  private waitersByKey = new Map<number, Map<string, Waiter[]>>();
  private byClient = new Map<Client, Waiter>();
  /** Keys written since the last handleReadyKeys, as "db\0key" -> [db, key]. */
  private ready = new Map<string, [Database, string]>();
  private serving = false;

  constructor(private readonly server: Server) {
    server.keyspace.addObserver({
      afterWrite: (db, key) => this.signal(db, key),
      // FLUSHDB/FLUSHALL: waiters that serve deleted keys (XREADGROUP) hear of it.
      // Only those: a list waiter must not be served by what DEBUG RELOAD loads after the clear.
      beforeClear: (db) => {
        for (const [key, waiters] of this.waitersByKey.get(db.id) ?? []) {
          if (waiters.some((w) => w.request.servesDeletedKey)) this.signal(db, key);
        }
      },
      swapped: (a, b) => {
        for (const db of [a, b]) {
          for (const key of this.waitersByKey.get(db.id)?.keys() ?? []) this.signal(db, key);
        }
      },
    });
  }

  /** Number of blocked clients (INFO blocked_clients). */
  get blockedCount(): number {
    return this.byClient.size;
  }

  /** Keys with at least one waiter (INFO blocked_keys? and tests). */
  get blockedKeyCount(): number {
    let n = 0;
    for (const keys of this.waitersByKey.values()) n += keys.size;
    return n;
  }

  isBlocked(client: Client): boolean {
    return this.byClient.has(client);
  }

  /** Whether a blocking command may block now (not inside MULTI or a script). */
  canBlock(client: Client): boolean {
    return client.socket !== null && !client.inTransaction;
  }

  block(client: Client, request: BlockRequest): void {
    const waiter: Waiter = { client, db: client.db, request, timer: null };
    let keys = this.waitersByKey.get(client.db.id);
    if (!keys) this.waitersByKey.set(client.db.id, (keys = new Map()));
    for (const key of new Set(request.keys)) {
      const list = keys.get(key);
      if (list) list.push(waiter);
      else keys.set(key, [waiter]);
    }
    if (request.timeoutAt > 0) this.armTimer(waiter);
    this.byClient.set(client, waiter);
    client.blocked = true;
  }

  /** Node's timers fire at once past about 24.8 days: a longer wait re-arms until its time. */
  private armTimer(waiter: Waiter): void {
    const delay = Math.max(0, waiter.request.timeoutAt - Date.now());
    const step = Math.min(delay, MAX_TIMER_DELAY);
    waiter.timer = setTimeout(() => (delay > step ? this.armTimer(waiter) : this.timeout(waiter.client)), step);
  }

  /** Marks a key ready for its waiters without a write (XGROUP DESTROY wakes XREADGROUP). */
  signalKeyReady(db: Database, key: string): void {
    this.signal(db, key);
  }

  private signal(db: Database, key: string): void {
    if (this.byClient.size === 0) return;
    if (!this.waitersByKey.get(db.id)?.has(key)) return;
    this.ready.set(`${db.id}\0${key}`, [db, key]);
  }

  /** Serves waiters of every key made ready since the last call; repeats while serving readies more. */
  handleReadyKeys(): void {
    if (this.ready.size === 0 || this.serving) return;
    this.serving = true;
    try {
      while (this.ready.size > 0) {
        const batch = [...this.ready.values()];
        this.ready.clear();
        for (const [db, key] of batch) this.serveKey(db, key);
      }
    } finally {
      this.serving = false;
    }
  }

  private serveKey(db: Database, key: string): void {
    const waiters = this.waitersByKey.get(db.id)?.get(key);
    if (!waiters) return;
    for (const waiter of [...waiters]) {
      if (!this.byClient.has(waiter.client)) continue;
      if (!waiter.request.servesDeletedKey && !db.exists(key)) continue;
      const client = waiter.client;
      const selected = client.db;
      client.db = waiter.db;
      let served = false;
      try {
        served = this.server.dispatcher.runAs(client, () => waiter.request.tryServe(client, key));
      } finally {
        client.db = selected;
      }
      if (served) this.release(client);
    }
  }

  private timeout(client: Client): void {
    const waiter = this.byClient.get(client);
    if (!waiter) return;
    this.release(client);
    if (waiter.request.onTimeout) waiter.request.onTimeout(client);
    else client.reply.nullArray();
    client.markPendingWrite();
    this.server.flushPendingReplies();
  }

  /** CLIENT UNBLOCK: ends the wait as a timeout, or with an error. Returns false if not blocked. */
  unblock(client: Client, withError: boolean): boolean {
    const waiter = this.byClient.get(client);
    if (!waiter) return false;
    if (withError) {
      this.release(client);
      client.reply.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      client.markPendingWrite();
    } else {
      this.timeout(client);
    }
    return true;
  }

  /** Removes a client from every wait list and lets it read commands again. */
  release(client: Client): void {
    const waiter = this.byClient.get(client);
    if (!waiter) return;
    this.byClient.delete(client);
    if (waiter.timer) clearTimeout(waiter.timer);
    const keys = this.waitersByKey.get(waiter.db.id);
    for (const key of waiter.request.keys) {
      const list = keys?.get(key);
      if (!list) continue;
      const i = list.indexOf(waiter);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) keys!.delete(key);
    }
    client.blocked = false;
    client.markPendingWrite();
    if (!client.closed) setImmediate(() => client.resumeInput());
  }

  /** A disconnected client stops waiting (no element is taken for it). */
  forget(client: Client): void {
    const waiter = this.byClient.get(client);
    if (!waiter) return;
    client.closed = true;
    this.release(client);
  }
}
