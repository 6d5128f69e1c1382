/**
 * The 32 bits of per-key metadata that drive eviction, as Redis keeps them in each object:
 * under an LRU (or no) policy, a 24-bit clock in seconds of the last access; under an LFU policy,
 * 16 bits of minutes at the last decrement and an 8-bit logarithmic access counter.
 */
export const LRU_CLOCK_MAX = (1 << 24) - 1;
export const LFU_INIT_VAL = 5;

export function lruClock(nowMs: number): number {
  return Math.floor(nowMs / 1000) & LRU_CLOCK_MAX;
}

/** Milliseconds since the access recorded in an LRU clock value (the clock wraps every 194 days). */
export function lruIdleMs(meta: number, nowMs: number): number {
  const clock = lruClock(nowMs);
  const seconds = clock >= meta ? clock - meta : clock + (LRU_CLOCK_MAX - meta);
  return seconds * 1000;
}

function lfuMinutes(nowMs: number): number {
  return Math.floor(nowMs / 60000) & 0xffff;
}

export interface LfuParams {
  logFactor: number;
  decayTime: number;
}

/** The counter after decay for the time elapsed since it was last decremented. */
export function lfuDecayedCounter(meta: number, nowMs: number, params: LfuParams): number {
  const ldt = meta >>> 8;
  const counter = meta & 255;
  const now = lfuMinutes(nowMs);
  const elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  const periods = params.decayTime ? Math.floor(elapsed / params.decayTime) : 0;
  return periods > counter ? 0 : counter - periods;
}

export function lfuInitialMeta(nowMs: number): number {
  return ((lfuMinutes(nowMs) << 8) | LFU_INIT_VAL) >>> 0;
}

/** Records one access: decay, then a logarithmic increment (as Redis's LFULogIncr). */
export function lfuTouch(meta: number, nowMs: number, params: LfuParams, random: () => number = Math.random): number {
  let counter = lfuDecayedCounter(meta, nowMs, params);
  if (counter < 255) {
    const base = Math.max(0, counter - LFU_INIT_VAL);
    if (random() < 1 / (base * params.logFactor + 1)) counter++;
  }
  return ((lfuMinutes(nowMs) << 8) | counter) >>> 0;
}
