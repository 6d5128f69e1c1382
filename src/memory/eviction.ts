/**
 * maxmemory eviction, as Redis 7.0's evict.c does it. Before a command runs, if used_memory is
 * over maxmemory, keys are evicted by the policy in force until it is not:
 *
 * - allkeys-* / volatile-* choose among all keys or only those with a TTL;
 * - *-lru, *-lfu and volatile-ttl approximate the best victim by sampling maxmemory-samples keys
 *   per database into a pool of the 16 best candidates kept across calls (the pool is what makes
 *   a small sample good enough); lru ranks by idle time, lfu by the decayed access counter, ttl by
 *   the nearest expire time;
 * - *-random pick a random key, visiting the databases in turn.
 *
 * One round is bounded in time by maxmemory-eviction-tenacity; when the time is up and memory is
 * still over the limit, the rest is done in further rounds between events (Redis's
 * evictionTimeProc), and commands are not refused meanwhile. Each evicted key is deleted through
 * the database (snapshots and WATCH see it), propagated as DEL (or UNLINK with
 * lazyfree-lazy-eviction) and reported as an "evicted" keyspace event.
 */
import type { Server } from '../server/server';
import type { Database } from '../keyspace/database';
import { lfuDecayedCounter, lruIdleMs } from '../keyspace/access-clock';
import { latencyAddSampleIfNeeded } from '../server/latency-monitor';

export type Policy =
  | 'noeviction'
  | 'allkeys-lru'
  | 'volatile-lru'
  | 'allkeys-lfu'
  | 'volatile-lfu'
  | 'allkeys-random'
  | 'volatile-random'
  | 'volatile-ttl';

/** The outcome of an eviction round (Redis's EVICT_OK, EVICT_RUNNING, EVICT_FAIL). */
export type EvictionResult = 'ok' | 'running' | 'fail';

/** EVPOOL_SIZE: candidates kept between rounds. */
const POOL_SIZE = 16;
/** Keys evicted between two looks at the clock. */
const KEYS_PER_TIME_CHECK = 16;

interface Candidate {
  key: string;
  dbId: number;
  /** Higher is a better victim: idle ms (lru), 255 - counter (lfu), or how soon it expires (ttl). */
  score: number;
}

/** Redis's evictionTimeLimitUs: 50 us per step up to tenacity 10, then +15% per step, 100 = no limit. */
export function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return Math.floor(500 * Math.pow(1.15, tenacity - 10));
  return Number.POSITIVE_INFINITY;
}

export class Evictor {
  /** Sorted by score, best victim last; holes are null. */
  private readonly pool: (Candidate | null)[] = new Array<Candidate | null>(POOL_SIZE).fill(null);
  /** The database the random policies try next. */
  private nextDb = 0;
  private continuing = false;
  evictedKeys = 0;
  /** Since when rounds end with memory still over the limit (0: they do not), and the total. */
  private exceededSince = 0;
  private exceededTotalMs = 0;

  constructor(private readonly server: Server) {}

  private get policy(): Policy {
    return this.server.config.get('maxmemory-policy') as Policy;
  }

  /** True while rounds are scheduled to continue an eviction the time limit cut short. */
  get running(): boolean {
    return this.continuing;
  }

  /** Bytes over maxmemory now (0 when under it or when there is no limit). */
  excessBytes(): number {
    const max = this.server.config.getNumber('maxmemory');
    if (max === 0) return 0;
    return Math.max(0, this.server.memory.usedMemory() - max);
  }

  /** Redis's isSafeToPerformEvictions: never while loading or while clients are paused. */
  private mayEvict(): boolean {
    return !this.server.keyspace.loading && !this.server.pause.active;
  }

  /** Redis's performEvictions: evicts until under maxmemory, the time limit, or no candidate. */
  performEvictions(): EvictionResult {
    if (!this.mayEvict()) return 'ok';
    if (this.excessBytes() === 0) {
      this.trackExceededTime('ok');
      return 'ok';
    }
    if (this.policy === 'noeviction') {
      this.trackExceededTime('fail');
      return 'fail';
    }
    const started = process.hrtime.bigint();
    const limitUs = evictionTimeLimitUs(this.server.config.getNumber('maxmemory-eviction-tenacity'));
    let evicted = 0;
    let result: EvictionResult = 'ok';
    while (this.excessBytes() > 0) {
      const victim = this.pickVictim();
      if (victim === null) {
        result = 'fail';
        break;
      }
      this.evict(victim.db, victim.key);
      evicted++;
      if (evicted % KEYS_PER_TIME_CHECK === 0 && Number(process.hrtime.bigint() - started) / 1000 > limitUs) {
        this.continueLater();
        result = 'running';
        break;
      }
    }
    if (result === 'ok' && this.continuing) result = 'running';
    latencyAddSampleIfNeeded(this.server, 'eviction-cycle', Number(process.hrtime.bigint() - started) / 1e6);
    this.trackExceededTime(result);
    return result;
  }

  /** CONFIG RESETSTAT. */
  resetStats(): void {
    this.evictedKeys = 0;
    this.exceededTotalMs = 0;
    if (this.exceededSince !== 0) this.exceededSince = Date.now();
  }

  /** INFO total_eviction_exceeded_time / current_eviction_exceeded_time, in ms. */
  exceededTimeMs(): { total: number; current: number } {
    const current = this.exceededSince === 0 ? 0 : Date.now() - this.exceededSince;
    return { total: this.exceededTotalMs + current, current };
  }

  private trackExceededTime(result: EvictionResult): void {
    if (result !== 'ok') {
      if (this.exceededSince === 0) this.exceededSince = Date.now();
    } else if (this.exceededSince !== 0) {
      this.exceededTotalMs += Date.now() - this.exceededSince;
      this.exceededSince = 0;
    }
  }

  /** Starts eviction rounds between events (after CONFIG SET maxmemory lowered the limit). */
  continueLater(): void {
    if (this.continuing) return;
    this.continuing = true;
    const round = (): void => {
      this.continuing = false;
      if (this.server.isClosing) return;
      if (this.performEvictions() === 'running' && !this.continuing) this.continueLater();
    };
    setImmediate(round);
  }

  private evict(db: Database, key: string): void {
    const server = this.server;
    const keyspace = server.keyspace;
    // Not a change made by the command about to run: it propagates as its own DEL.
    const dirty = keyspace.dirty;
    db.delete(key);
    keyspace.dirty = dirty;
    this.evictedKeys++;
    server.notify('e', 'evicted', key, db.id);
    const command = server.config.getBool('lazyfree-lazy-eviction') ? 'UNLINK' : 'DEL';
    for (const sink of server.dispatcher.sinks) sink.propagate(db.id, [command, key]);
  }

  private pickVictim(): { db: Database; key: string } | null {
    const policy = this.policy;
    if (policy === 'allkeys-random' || policy === 'volatile-random') return this.randomVictim(policy === 'allkeys-random');
    return this.pooledVictim(policy);
  }

  private randomVictim(allKeys: boolean): { db: Database; key: string } | null {
    const databases = this.server.keyspace.databases;
    for (let i = 0; i < databases.length; i++) {
      this.nextDb = (this.nextDb + 1) % databases.length;
      const db = databases[this.nextDb];
      const key = allKeys ? db.table.randomKey() : db.expires.randomKey();
      if (key !== undefined) return { db, key };
    }
    return null;
  }

  private pooledVictim(policy: Policy): { db: Database; key: string } | null {
    const databases = this.server.keyspace.databases;
    const allKeys = policy.startsWith('allkeys');
    for (;;) {
      let sampledAny = false;
      for (const db of databases) {
        if ((allKeys ? db.table.size : db.expires.size) === 0) continue;
        sampledAny = true;
        this.populate(db, policy, allKeys);
      }
      if (!sampledAny) return null;
      // The best candidate that still exists; entries whose key went away are dropped.
      for (let k = POOL_SIZE - 1; k >= 0; k--) {
        const candidate = this.pool[k];
        if (candidate === null) continue;
        // Candidates fill the pool from the left: taking the rightmost keeps it that way.
        this.pool[k] = null;
        const db = databases[candidate.dbId];
        if (db === undefined || !(allKeys ? db.table.has(candidate.key) : db.expires.has(candidate.key))) continue;
        // Unlike Redis, a key used since it was sampled goes back in at its new rank instead of
        // being evicted on its old one: the pool outlives the moment it was sampled.
        const score = this.scoreOf(db, candidate.key, policy);
        if (score < candidate.score) {
          this.insert({ ...candidate, score });
          k = POOL_SIZE;
          continue;
        }
        return { db, key: candidate.key };
      }
    }
  }

  /** Redis's evictionPoolPopulate: samples keys of one database into the pool. */
  private populate(db: Database, policy: Policy, allKeys: boolean): void {
    const samples = this.server.config.getNumber('maxmemory-samples');
    for (let i = 0; i < samples; i++) {
      const key = allKeys ? db.table.randomKey() : db.expires.randomKey();
      if (key === undefined) return;
      this.insert({ key, dbId: db.id, score: this.scoreOf(db, key, policy) });
    }
  }

  /** How good a victim a key is now: idle ms (lru), 255 - counter (lfu), or -expire time (ttl). */
  private scoreOf(db: Database, key: string, policy: Policy): number {
    if (policy === 'volatile-ttl') return -(db.expires.get(key) ?? Number.MAX_SAFE_INTEGER);
    const meta = db.table.getMeta(key) ?? 0;
    const now = this.server.keyspace.now();
    return policy.endsWith('lfu') ? 255 - lfuDecayedCounter(meta, now, this.server.keyspace.lfu) : lruIdleMs(meta, now);
  }

  /** Inserts a candidate in score order, as evictionPoolPopulate does. */
  private insert(candidate: Candidate): void {
    const pool = this.pool;
    let k = 0;
    while (k < POOL_SIZE && pool[k] !== null && pool[k]!.score < candidate.score) k++;
    // Worse than every candidate of a full pool.
    if (k === 0 && pool[POOL_SIZE - 1] !== null) return;
    // The same key may be sampled again: keep one entry per key.
    for (let j = 0; j < POOL_SIZE; j++) {
      const entry = pool[j];
      if (entry !== null && entry.key === candidate.key && entry.dbId === candidate.dbId) return;
    }
    if (k < POOL_SIZE && pool[k] === null) {
      pool[k] = candidate;
    } else if (pool[POOL_SIZE - 1] === null) {
      // Room on the right: shift the better ones right.
      pool.splice(POOL_SIZE - 1, 1);
      pool.splice(k, 0, candidate);
    } else {
      // Full: drop the worst (leftmost) and insert just below k.
      pool.shift();
      pool.splice(k - 1, 0, candidate);
    }
  }
}
