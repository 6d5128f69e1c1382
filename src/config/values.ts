/**
 * Directive values parsed and printed with Redis 7.0's rules (config.c): integers as string2ll,
 * memory sizes as memtoull (with its units and its wrap-around), yes/no, enums, the `save`
 * pairs, keyspace event classes and latency percentiles. Every parser returns the normalized
 * text CONFIG GET shows, or throws a ConfigError whose message is Redis's reason text.
 */
import { trimDoubleString } from '../protocol/format-double';

export class ConfigError extends Error {
  /** The directive a failed change was about, when several were set at once. */
  directive?: string;
}

export const INT_MAX = 2147483647n;
export const UINT_MAX = 4294967295n;
export const LLONG_MAX = 9223372036854775807n;
export const LLONG_MIN = -9223372036854775808n;
export const ULLONG_MAX = 18446744073709551615n;

/** Redis's string2ll: optional '-', digits without leading zeros, within 64 bits. */
export function parseLongLong(text: string): bigint | null {
  if (!/^(0|-?[1-9]\d*)$/.test(text) || text.length > 20) return null;
  const n = BigInt(text);
  return n < LLONG_MIN || n > LLONG_MAX ? null : n;
}

const MEMORY_UNITS: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n ** 2n,
  mb: 1024n ** 2n,
  g: 1000n ** 3n,
  gb: 1024n ** 3n,
};

/**
 * Redis 7.0's memtoull: digits then an optional unit (k=1000, kb=1024, m, mb, g, gb, b), case
 * insensitive. Quirks kept because CONFIG GET shows them: "" and a bare unit are 0, digits past
 * 2^64-1 saturate (strtoull) and the product wraps modulo 2^64.
 */
export function parseMemoryBytes(text: string): bigint | null {
  const m = /^(\d*)([a-z]*)$/i.exec(text);
  if (!m) return null;
  const unit = MEMORY_UNITS[m[2].toLowerCase()];
  if (unit === undefined || m[1].length >= 128) return null;
  let digits = m[1] === '' ? 0n : BigInt(m[1]);
  if (digits > ULLONG_MAX) digits = ULLONG_MAX;
  return BigInt.asUintN(64, digits * unit);
}

/** Parses "100", "1k" (1000), "1kb" (1024), "5mb", "2gb" as a number of bytes; null if invalid. */
export function parseMemory(text: string): number | null {
  const n = parseMemoryBytes(text);
  return n === null ? null : Number(n);
}

/** Parses an integer as Redis's string2ll (no units, spaces or leading zeros); null if invalid. */
export function parseInteger(text: string): number | null {
  const n = parseLongLong(text);
  return n === null ? null : Number(n);
}

/** Bytes as CONFIG REWRITE writes them: the largest of gb, mb, kb that divides them exactly. */
export function formatMemory(text: string): string {
  const bytes = BigInt(text);
  for (const [unit, size] of [['gb', 1024n ** 3n], ['mb', 1024n ** 2n], ['kb', 1024n]] as const) {
    if (bytes !== 0n && bytes % size === 0n) return `${bytes / size}${unit}`;
  }
  return text;
}

export function checkBounds(n: bigint, min: bigint, max: bigint): string {
  if (n < min || n > max) throw new ConfigError(`argument must be between ${min} and ${max} inclusive`);
  return String(n);
}

export function parseBool(text: string): string {
  const lower = text.toLowerCase();
  if (lower !== 'yes' && lower !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
  return lower;
}

export function parseEnum(text: string, values: readonly string[]): string {
  const lower = text.toLowerCase();
  if (!values.includes(lower)) throw new ConfigError(`argument(s) must be one of the following: ${values.join(', ')}`);
  return lower;
}

/** C's strtoll(text, &end, 10) followed by a check that end is the end: "" is 0, "+5" and " 5" are 5. */
function strtollWhole(text: string): bigint | null {
  if (text === '') return 0n;
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(text);
  if (!m) return null;
  const n = BigInt(m[1]);
  return n > LLONG_MAX ? LLONG_MAX : n < LLONG_MIN ? LLONG_MIN : n;
}

/**
 * `save` parameters: pairs of seconds (>= 1) and changes (>= 0), or a single "" for none.
 * Normalized as Redis prints them ("3600 1 300 100"); changes are a C int, so they wrap.
 */
export function parseSave(args: string[]): string {
  if (args.length === 1 && args[0] === '') return '';
  if (args.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const n = strtollWhole(args[i]);
    if (n === null || (i % 2 === 0 && n < 1n) || (i % 2 === 1 && n < 0n)) throw new ConfigError('Invalid save parameters');
    out.push(String(i % 2 === 0 ? n : BigInt.asIntN(32, n)));
  }
  return out.join(' ');
}

/** Appends `save` lines read from one configuration: a later line adds pairs, `save ""` clears. */
export function accumulateSave(previous: string, next: string): string {
  if (next === '' || previous === '') return next;
  return `${previous} ${next}`;
}

const MAX_BIND_ADDRESSES = 16;

export function parseBind(args: string[]): string {
  if (args.length > MAX_BIND_ADDRESSES) throw new ConfigError('Too many bind addresses specified.');
  if (args.length === 1 && args[0] === '') return '';
  return args.join(' ');
}

// Keyspace notification classes (notify.c).
const EVENT_BITS: Record<string, number> = {
  g: 1 << 2, $: 1 << 3, l: 1 << 4, s: 1 << 5, h: 1 << 6, z: 1 << 7, x: 1 << 8, e: 1 << 9,
  K: 1 << 0, E: 1 << 1, t: 1 << 10, m: 1 << 11, d: 1 << 12, n: 1 << 13,
};
const EVENTS_ALL = 'g$lshzxetd'.split('').reduce((bits, ch) => bits | EVENT_BITS[ch], 0);

/** notify-keyspace-events: validates the class letters and prints them as Redis does ("KEA" -> "AKE"). */
export function parseKeyspaceEvents(text: string): string {
  let flags = 0;
  for (const ch of text) {
    if (ch === 'A') flags |= EVENTS_ALL;
    else if (EVENT_BITS[ch] !== undefined) flags |= EVENT_BITS[ch];
    else throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  }
  let out = '';
  // As in Redis, "n" is not part of "A" and is not printed next to it.
  if ((flags & EVENTS_ALL) === EVENTS_ALL) out = 'A';
  else for (const ch of 'g$lshzxetdn') if (flags & EVENT_BITS[ch]) out += ch;
  for (const ch of 'KEm') if (flags & EVENT_BITS[ch]) out += ch;
  return out;
}

/**
 * notify-keyspace-events as stored: the printed form, plus an "n" that the printed form leaves out
 * next to "A" (Redis still publishes "new" events then). parseKeyspaceEvents prints it back.
 */
export function keyspaceEventsValue(text: string): string {
  const printed = parseKeyspaceEvents(text);
  return printed.startsWith('A') && text.includes('n') ? `${printed}n` : printed;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const HEX = /^[+-]?0x[0-9a-f]+$/i;

/** latency-tracking-info-percentiles: numbers in [0, 100], printed as "%f" without trailing zeros. */
export function parsePercentiles(args: string[]): string {
  if (args.length === 1 && args[0] === '') return '';
  return args
    .map((arg) => {
      const value = DECIMAL.test(arg) ? Number(arg) : HEX.test(arg) ? Number.parseInt(arg, 16) : NaN;
      if (Number.isNaN(value)) throw new ConfigError('Invalid latency-tracking-info-percentiles parameters');
      if (value < 0 || value > 100) {
        throw new ConfigError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
      }
      return trimDoubleString(value.toFixed(6));
    })
    .join(' ');
}

export { quoteRepr } from '../protocol/quote-repr';

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  EEXIST: 'File exists',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EPERM: 'Operation not permitted',
};

/** A Node file-system error as C's strerror() words it, for messages Redis prints. */
export function strerror(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && ERRNO_TEXT[code]) ?? (error as Error).message;
}
