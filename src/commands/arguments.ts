/**
 * Parsing of numeric arguments with Redis's rules and errors. Each `...OrReply` helper writes the
 * error reply itself and returns null, so a handler can simply `if (x === null) return;`.
 */
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { parseStrictDouble } from '../types/strtod';
import { parseLongDouble, type LongDouble } from '../types/long-double';

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

/**
 * Parses a double as Redis's getDoubleFromObject (string2d): the whole text must be what C's
 * strtod reads (decimal, hexadecimal like "0x1p3", inf), without leading space, overflow,
 * underflow to zero, or NaN.
 */
export function parseDouble(s: string): number | null {
  return parseStrictDouble(s);
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
 * An option name compared as Redis's strcasecmp on the argument's C string: a NUL byte ends
 * it, so "nx\0junk" reads as NX.
 */
export function isCOption(arg: string, upperName: string): boolean {
  const nul = arg.indexOf('\0');
  return isOption(nul < 0 ? arg : arg.slice(0, nul), upperName);
}

/**
 * (long long) ceill(seconds * 1000.0L), as Redis 7.0 turns a timeout in seconds into ms: the
 * product is rounded to a long double's 64-bit mantissa, then rounded up to a whole ms (so
 * -0.001 is -0.99999... ms, hence 0: wait forever). A result outside the long long range, or an
 * infinity, converts to LLONG_MIN and so reads as a negative timeout.
 */
function secondsToMs(seconds: LongDouble): bigint {
  if (seconds.kind !== 'finite') return INT64_MIN;
  let mantissa = seconds.mantissa * 1000n;
  let exponent = seconds.exponent;
  const excess = mantissa.toString(2).length - 64;
  if (excess > 0) {
    const dropped = mantissa & ((1n << BigInt(excess)) - 1n);
    const half = 1n << BigInt(excess - 1);
    mantissa >>= BigInt(excess);
    exponent += excess;
    if (dropped > half || (dropped === half && (mantissa & 1n) === 1n)) mantissa += 1n;
  }
  let whole: bigint;
  if (exponent >= 0) {
    whole = mantissa << BigInt(exponent);
  } else {
    whole = mantissa >> BigInt(-exponent);
    // Rounding up moves a positive fraction to the next integer, a negative one towards zero.
    if (!seconds.negative && whole << BigInt(-exponent) !== mantissa) whole += 1n;
  }
  const ms = seconds.negative ? -whole : whole;
  return ms < INT64_MIN || ms > INT64_MAX ? INT64_MIN : ms;
}

/**
 * The timeout of a blocking command as an absolute time in ms (0: wait forever), as Redis 7.0's
 * getTimeoutFromObjectOrReply: seconds read as a long double (string2ld) and rounded up to whole
 * ms, or ms as an integer for XREAD BLOCK. Negative is an error; there is no upper bound (a time
 * past the long long range never comes, like waiting forever).
 */
export function parseBlockTimeoutOrReply(c: Client, arg: string, unit: 'seconds' | 'milliseconds'): number | null {
  let ms: bigint | null;
  if (unit === 'seconds') {
    const seconds = parseLongDouble(arg);
    ms = seconds === null || seconds.kind === 'nan' ? null : secondsToMs(seconds);
  } else {
    ms = parseInt64(arg);
  }
  if (ms === null) {
    c.reply.error(`ERR timeout is not ${unit === 'seconds' ? 'a float' : 'an integer'} or out of range`);
    return null;
  }
  if (ms < 0n) {
    c.reply.error('ERR timeout is negative');
    return null;
  }
  if (ms === 0n) return 0;
  const at = BigInt(c.server.keyspace.now()) + ms;
  return at > INT64_MAX ? 0 : Number(at);
}
