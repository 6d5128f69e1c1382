/**
 * Parsing of numeric arguments with Redis's rules and errors. Each `...OrReply` helper writes the
 * error reply itself and returns null, so a handler can simply `if (x === null) return;`.
 */
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^-?[0-9]+$/;

/** Parses a signed 64-bit integer as Redis's string2ll (no '+', spaces or leading zeros). */
export function parseInt64(s: string): bigint | null {
  if (s.length === 0 || s.length > 20 || !INTEGER_TEXT.test(s)) return null;
  if ((s[0] === '0' && s.length > 1) || s.startsWith('-0')) return null;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? null : n;
}

/**
 * Parses a 64-bit integer into a JS number. Exact up to 2^53; beyond that the nearest double,
 * which is fine for ranges, counts and offsets.
 */
export function parseLong(s: string): number | null {
  if (s.length > 0 && s.length < 16) {
    const c = s.charCodeAt(0);
    if ((c >= 49 && c <= 57) || (c === 48 && s.length === 1) || (c === 45 && s.length > 1 && s[1] !== '0')) {
      let n = 0;
      let i = c === 45 ? 1 : 0;
      for (; i < s.length; i++) {
        const d = s.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return null;
        n = n * 10 + d;
      }
      return c === 45 ? -n : n;
    }
  }
  const big = parseInt64(s);
  return big === null ? null : Number(big);
}

export function parseLongOrReply(c: Client, s: string, error: string = Errors.notInteger): number | null {
  const n = parseLong(s);
  if (n === null) c.reply.error(error);
  return n;
}

/** Parses a double as Redis's strtod-based getDoubleFromObject: no spaces, no NaN. */
export function parseDouble(s: string): number | null {
  if (s.length === 0 || s.length > 5000) return null;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (first <= 32 || last <= 32) return null;
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) && !/^[+-]?0x[0-9a-f]+$/i.test(s)) return null;
  const n = s.toLowerCase().includes('0x') ? Number.parseInt(s, 16) : Number(s);
  return Number.isNaN(n) ? null : n;
}

export function parseDoubleOrReply(c: Client, s: string, error: string = Errors.notFloat): number | null {
  const n = parseDouble(s);
  if (n === null) c.reply.error(error);
  return n;
}

/** Case-insensitive comparison with an upper-case option name, without allocating. */
export function isOption(arg: string, upperName: string): boolean {
  if (arg.length !== upperName.length) return false;
  for (let i = 0; i < arg.length; i++) {
    const a = arg.charCodeAt(i);
    const b = upperName.charCodeAt(i);
    if (a !== b && (a < 97 || a > 122 || a - 32 !== b)) return false;
  }
  return true;
}

/**
 * The timeout of a blocking command as an absolute time in ms (0: wait forever), as Redis's
 * getTimeoutFromObjectOrReply: seconds as a float truncated to whole ms (or ms as an integer for
 * XREAD BLOCK); negative is an error, and a timeout under 1 ms means forever, as in Redis.
 */
export function parseBlockTimeoutOrReply(c: Client, arg: string, unit: 'seconds' | 'milliseconds'): number | null {
  const value = unit === 'seconds' ? parseDouble(arg) : parseLong(arg);
  if (value === null || Number.isNaN(value)) {
    c.reply.error(`ERR timeout is not ${unit === 'seconds' ? 'a float' : 'an integer'} or out of range`);
    return null;
  }
  const ms = Math.trunc(unit === 'seconds' ? value * 1000 : value);
  if (ms < 0) {
    c.reply.error('ERR timeout is negative');
    return null;
  }
  if (ms === 0) return 0;
  const now = c.server.keyspace.now();
  if (ms > Number.MAX_SAFE_INTEGER - now) {
    c.reply.error('ERR timeout is out of range');
    return null;
  }
  return now + ms;
}
