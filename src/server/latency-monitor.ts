/**
 * The latency monitor (Redis's latency.c): while latency-monitor-threshold is above 0, every
 * operation of a kind Redis watches ("command", "fast-command", "expire-cycle",
 * "eviction-cycle", and Nodis's own "eventloop") that took at least that many milliseconds is
 * recorded as a sample of its event. Each event keeps the last 160 samples, at most one per
 * second (a second sample in the same second only raises that second's latency), and the
 * highest latency ever seen. LATENCY LATEST / HISTORY / GRAPH / DOCTOR / RESET read them.
 */
import type { Config } from '../config/config';
import type { Server } from './server';

/** LATENCY_TS_LEN: samples kept per event. */
export const LATENCY_HISTORY_LENGTH = 160;

export interface LatencySample {
  /** Unix time in seconds; 0 marks a slot never used. */
  time: number;
  /** Milliseconds. */
  latency: number;
}

/** One event's samples: a ring of LATENCY_HISTORY_LENGTH slots, oldest first from `next`. */
export class LatencyTimeSeries {
  readonly slots: LatencySample[] = Array.from({ length: LATENCY_HISTORY_LENGTH }, () => ({ time: 0, latency: 0 }));
  /** The slot the next sample goes to. */
  next = 0;
  /** The highest latency ever recorded for the event (kept when old samples are overwritten). */
  max = 0;

  add(time: number, latency: number): void {
    if (latency > this.max) this.max = latency;
    const previous = this.slots[(this.next + LATENCY_HISTORY_LENGTH - 1) % LATENCY_HISTORY_LENGTH];
    if (previous.time === time) {
      if (latency > previous.latency) previous.latency = latency;
      return;
    }
    const slot = this.slots[this.next];
    slot.time = time;
    slot.latency = latency;
    this.next = (this.next + 1) % LATENCY_HISTORY_LENGTH;
  }

  /** The most recent sample. */
  latest(): LatencySample {
    return this.slots[(this.next + LATENCY_HISTORY_LENGTH - 1) % LATENCY_HISTORY_LENGTH];
  }

  /** The samples recorded, oldest first. */
  samples(): LatencySample[] {
    const out: LatencySample[] = [];
    for (let i = 0; i < LATENCY_HISTORY_LENGTH; i++) {
      const slot = this.slots[(this.next + i) % LATENCY_HISTORY_LENGTH];
      if (slot.time !== 0) out.push(slot);
    }
    return out;
  }
}

/** analyzeLatencyForEvent: what LATENCY DOCTOR says about one event (integer ms, as Redis). */
export interface LatencyStats {
  samples: number;
  min: number;
  max: number;
  /** Mean latency, truncated. */
  avg: number;
  /** Mean absolute deviation from avg, truncated. */
  meanDeviation: number;
  /** Seconds from the oldest sample to now (at least 1 when there are samples). */
  period: number;
  allTimeHigh: number;
}

export class LatencyMonitor {
  /** Events in the order they were first recorded. */
  readonly events = new Map<string, LatencyTimeSeries>();
  /** latency-monitor-threshold, in ms (0: the monitor is off). */
  threshold: number;
  /**
   * Milliseconds of samples recorded since the event-loop monitor last checked: time already
   * reported under another event, which the "eventloop" event leaves out.
   */
  reportedSinceCheck = 0;

  constructor(
    config: Config,
    private readonly nowMs: () => number,
  ) {
    this.threshold = config.getNumber('latency-monitor-threshold');
    config.onChange((name, value) => {
      if (name === 'latency-monitor-threshold') this.threshold = Number(value);
    });
  }

  /** The current Unix time in seconds, the time samples are stamped with. */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** latencyAddSample: records a sample whatever the threshold. */
  addSample(event: string, latencyMs: number): void {
    let series = this.events.get(event);
    if (series === undefined) {
      series = new LatencyTimeSeries();
      this.events.set(event, series);
    }
    series.add(this.nowSeconds(), latencyMs);
    this.reportedSinceCheck += latencyMs;
  }

  /** latencyResetEvent: forgets the events named `event` (any case), or all of them; returns how many. */
  reset(event?: string): number {
    if (event === undefined) {
      const count = this.events.size;
      this.events.clear();
      return count;
    }
    const wanted = event.toLowerCase();
    let count = 0;
    for (const name of [...this.events.keys()]) {
      if (name.toLowerCase() === wanted) {
        this.events.delete(name);
        count++;
      }
    }
    return count;
  }

  /** analyzeLatencyForEvent. */
  analyze(event: string): LatencyStats {
    const series = this.events.get(event);
    const stats: LatencyStats = { samples: 0, min: 0, max: 0, avg: 0, meanDeviation: 0, period: 0, allTimeHigh: series?.max ?? 0 };
    const samples = series?.samples() ?? [];
    if (samples.length === 0) return stats;
    let sum = 0;
    let oldest = Infinity;
    stats.min = Infinity;
    for (const s of samples) {
      sum += s.latency;
      stats.min = Math.min(stats.min, s.latency);
      stats.max = Math.max(stats.max, s.latency);
      oldest = Math.min(oldest, s.time);
    }
    stats.samples = samples.length;
    stats.avg = Math.floor(sum / samples.length);
    stats.period = this.nowSeconds() - oldest || 1;
    let deviation = 0;
    for (const s of samples) deviation += Math.abs(stats.avg - s.latency);
    stats.meanDeviation = Math.floor(deviation / samples.length);
    return stats;
  }
}

/**
 * latencyAddSampleIfNeeded: records `ms` (fractional milliseconds, truncated as Redis's integer
 * division truncates) as a sample of `event` when the monitor is on and `ms` reaches the threshold.
 */
export function latencyAddSampleIfNeeded(server: Server, event: string, ms: number): void {
  const monitor = server.latencyMonitor;
  const threshold = monitor.threshold;
  if (threshold === 0 || ms < threshold) return;
  monitor.addSample(event, Math.floor(ms));
}
