/**
 * The active expiry cycle (Redis's activeExpireCycle, slow mode): each run samples keys that have
 * a TTL in every database and deletes the expired ones, repeating on a database while more than a
 * few percent of the sample was expired, and stopping when its time budget is spent. Keys nobody
 * reads are reclaimed without ever stalling the event loop for long.
 */
import type { Keyspace } from './keyspace';

const KEYS_PER_LOOP = 20;
const ACCEPTABLE_STALE_PERCENT = 10;
const SLOW_TIME_PERCENT = 25;

export interface ActiveExpireStats {
  /** Estimate of the share of keys with a TTL that are already expired (0..1). */
  staleRatio: number;
  /** Milliseconds spent in the cycle, in total. */
  totalMs: number;
}

export class ActiveExpire {
  private nextDb = 0;
  readonly stats: ActiveExpireStats = { staleRatio: 0, totalMs: 0 };
  enabled = true;

  constructor(private readonly keyspace: Keyspace) {}

  /** One cycle; `hz` is the number of cycles per second and `effort` 1..10. */
  run(hz: number, effort: number): void {
    if (!this.enabled) return;
    const keyspace = this.keyspace;
    const effortExtra = effort - 1;
    const perLoop = KEYS_PER_LOOP + (KEYS_PER_LOOP / 4) * effortExtra;
    const staleLimit = ACCEPTABLE_STALE_PERCENT - effortExtra;
    const budgetMs = ((SLOW_TIME_PERCENT + 2 * effortExtra) * 1000) / Math.max(1, hz) / 100;
    const start = performance.now();
    const dbs = keyspace.databases;
    let sampledTotal = 0;
    let expiredTotal = 0;
    for (let n = 0; n < dbs.length; n++) {
      const db = dbs[(this.nextDb + n) % dbs.length];
      let iterations = 0;
      for (;;) {
        if (db.expires.size === 0) break;
        const now = keyspace.now();
        let sampled = 0;
        let expired = 0;
        const toSample = Math.min(perLoop, db.expires.size);
        for (let i = 0; i < toSample; i++) {
          const entry = db.expires.randomEntry();
          if (!entry) break;
          sampled++;
          if (entry[1] < now) {
            db.deleteExpired(entry[0]);
            expired++;
          }
        }
        sampledTotal += sampled;
        expiredTotal += expired;
        if ((++iterations & 15) === 0 && performance.now() - start > budgetMs) {
          this.finish(start, sampledTotal, expiredTotal);
          // As Redis: the next cycle starts after the database it ran out of time in.
          this.nextDb = (this.nextDb + n + 1) % dbs.length;
          return;
        }
        if (sampled === 0 || (expired * 100) / sampled <= staleLimit) break;
      }
    }
    // Every database was visited: the next cycle starts from the same one, as in Redis (whose
    // cursor advances by the number of databases), which keeps the order of expired events.
    this.finish(start, sampledTotal, expiredTotal);
  }

  private finish(start: number, sampled: number, expired: number): void {
    this.stats.totalMs += performance.now() - start;
    const current = sampled ? expired / sampled : 0;
    this.stats.staleRatio = this.stats.staleRatio * 0.95 + current * 0.05;
  }
}
