/**
 * Event-loop delay, Nodis's own view of its latency (Redis has no counterpart: its commands are
 * its only long pauses, while Nodis also stops for V8's garbage collector).
 *
 * Two measures run while the server listens:
 * - perf_hooks.monitorEventLoopDelay, a histogram of how late a 10 ms libuv timer fires, for the
 *   delay percentiles of INFO eventloop;
 * - a 10 ms interval timer of our own whose lateness is a stall: the largest one is INFO's
 *   eventloop_max_stall_usec, and a stall of latency-monitor-threshold ms or more is recorded as
 *   the latency event "eventloop", less the time other latency samples recorded meanwhile
 *   already report (a slow command is reported once, as "command", as Redis reports it).
 */
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { latencyAddSampleIfNeeded } from './latency-monitor';
import type { Server } from './server';

/** monitorEventLoopDelay's sampling interval, in ms: the histogram's values include it. */
const HISTOGRAM_RESOLUTION_MS = 10;
/** The interval of the stall check, in ms. */
const CHECK_INTERVAL_MS = 10;

export interface EventLoopDelay {
  /** Delay beyond the sampling interval, in µs. */
  minUs: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  samples: number;
  /** The largest single stall the check timer saw, in µs. */
  maxStallUs: number;
}

export class EventLoopMonitor {
  private histogram: IntervalHistogram | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastCheck = 0;
  private maxStallMs = 0;

  constructor(private readonly server: Server) {}

  start(): void {
    if (this.timer !== null) return;
    this.histogram ??= monitorEventLoopDelay({ resolution: HISTOGRAM_RESOLUTION_MS });
    this.histogram.enable();
    this.lastCheck = performance.now();
    this.server.latencyMonitor.reportedSinceCheck = 0;
    this.timer = setInterval(() => this.check(), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.histogram?.disable();
  }

  /** CONFIG RESETSTAT. */
  reset(): void {
    this.histogram?.reset();
    this.maxStallMs = 0;
  }

  private check(): void {
    const now = performance.now();
    // A timer may fire up to a millisecond early (libuv's clock has ms granularity).
    const stall = Math.max(0, now - this.lastCheck - CHECK_INTERVAL_MS);
    this.lastCheck = now;
    if (stall > this.maxStallMs) this.maxStallMs = stall;
    const monitor = this.server.latencyMonitor;
    const unreported = stall - monitor.reportedSinceCheck;
    latencyAddSampleIfNeeded(this.server, 'eventloop', unreported);
    monitor.reportedSinceCheck = 0;
  }

  delay(): EventLoopDelay {
    const h = this.histogram;
    const maxStallUs = Math.round(this.maxStallMs * 1000);
    if (h === null || h.count === 0) {
      return { minUs: 0, meanUs: 0, p50Us: 0, p99Us: 0, p999Us: 0, maxUs: 0, samples: 0, maxStallUs };
    }
    // The histogram holds whole intervals (nanoseconds): the delay is what exceeds the resolution.
    const us = (ns: number): number => Math.max(0, Math.round((ns - HISTOGRAM_RESOLUTION_MS * 1e6) / 1000));
    return {
      minUs: us(h.min),
      meanUs: us(h.mean),
      p50Us: us(h.percentile(50)),
      p99Us: us(h.percentile(99)),
      p999Us: us(h.percentile(99.9)),
      maxUs: us(h.max),
      samples: h.count,
      maxStallUs,
    };
  }

  /** The fields of INFO eventloop. */
  infoLines(): string {
    const d = this.delay();
    return (
      `eventloop_delay_min_usec:${d.minUs}\r\n` +
      `eventloop_delay_mean_usec:${d.meanUs}\r\n` +
      `eventloop_delay_p50_usec:${d.p50Us}\r\n` +
      `eventloop_delay_p99_usec:${d.p99Us}\r\n` +
      `eventloop_delay_p999_usec:${d.p999Us}\r\n` +
      `eventloop_delay_max_usec:${d.maxUs}\r\n` +
      `eventloop_delay_samples:${d.samples}\r\n` +
      `eventloop_max_stall_usec:${d.maxStallUs}\r\n`
    );
  }
}
