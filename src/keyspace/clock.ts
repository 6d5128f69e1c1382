/** Wall-clock time in milliseconds. Tests inject a manual clock to move time without waiting. */
export interface Clock {
  now(): number;
  /**
   * The wall-clock time in whole ms at the moment `performance.now()` returned `monotonicMs`.
   * Lets a command read one clock for both its frozen time and the start of its duration.
   */
  at(monotonicMs: number): number;
}

/**
 * The system clock. Date.now() and performance.now() each cost tens of ns, and a command needs
 * its wall time (expiry) and its duration (statistics): the wall time is derived from the
 * monotonic clock plus an offset, re-synchronised with Date.now() by resync() (the server's
 * cron, ten times a second) so that a step of the system clock is followed within 100 ms.
 */
class SystemClock implements Clock {
  private offset = performance.timeOrigin;

  now(): number {
    return Date.now();
  }

  at(monotonicMs: number): number {
    return Math.floor(this.offset + monotonicMs);
  }

  /** Follows the system clock when it drifted or stepped by more than a millisecond. */
  resync(): void {
    const drift = Date.now() - (this.offset + performance.now());
    if (drift > 1 || drift < -1) this.offset += drift;
  }
}

export const systemClock = new SystemClock();

/** A clock that only moves when told to: for TTL tests. */
export class ManualClock implements Clock {
  constructor(private ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  at(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}
