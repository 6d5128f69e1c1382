/**
 * The object model. A key's value is one of:
 * - a JS string (latin1, one char per byte): a string value, encoding embstr or raw by length;
 * - a JS number (a safe integer): a string value with encoding int;
 * - a MutableString: a string value being edited in place, encoding raw;
 * - an object with a `type` field: the collection types (list, set, hash, zset, stream).
 * Integers are kept as numbers and short strings as V8 strings, so small values cost no wrapper.
 */
import { MutableString } from '../types/mutable-string';
import { BUFFER_OVERHEAD_BYTES, numberBytes, objectBytes, stringBytes } from '../memory/sizes';

export type RedisType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export interface CollectionValue {
  readonly type: Exclude<RedisType, 'string'>;
  /** Redis 7.0's OBJECT ENCODING name for the current representation. */
  encoding(): string;
  /** A deep copy (COPY, snapshots). */
  clone(): CollectionValue;
  /** Estimated heap bytes of this value, kept current by every change (O(1), see memory/sizes). */
  memoryUsage(): number;
}

/** Estimated heap bytes of a value (not counting the key or the table slot holding it). */
export function valueBytes(v: RedisValue): number {
  if (typeof v === 'string') return stringBytes(v.length);
  if (typeof v === 'number') return numberBytes(v);
  if (v instanceof MutableString) return objectBytes(2) + BUFFER_OVERHEAD_BYTES + v.buf.length;
  return v.memoryUsage();
}

/** A copy of a value that shares nothing mutable with the original. */
export function cloneValue(v: RedisValue): RedisValue {
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (v instanceof MutableString) return new MutableString(v.bytes());
  return v.clone();
}

export type StringValue = string | number | MutableString;
export type RedisValue = StringValue | CollectionValue;

export function isStringValue(v: RedisValue): v is StringValue {
  return typeof v === 'string' || typeof v === 'number' || v instanceof MutableString;
}

export function typeOf(v: RedisValue): RedisType {
  return isStringValue(v) ? 'string' : v.type;
}

/** The bytes of a string value as a latin1 string. */
export function stringOf(v: StringValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return v.toString();
}

/** Length in bytes of a string value. */
export function stringLength(v: StringValue): number {
  if (typeof v === 'string') return v.length;
  if (typeof v === 'number') return String(v).length;
  return v.length;
}

/** Largest string Redis stores as embstr (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
export const EMBSTR_LIMIT = 44;

const CANONICAL_INT = /^(0|-?[1-9][0-9]{0,18})$/;

/** True when s is the canonical text of an integer that fits a signed 64-bit long. */
export function isCanonicalInt64(s: string): boolean {
  if (s.length > 20 || !CANONICAL_INT.test(s)) return false;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/**
 * How a value freshly written by SET-like commands is stored: canonical safe integers become
 * numbers (encoding int), everything else stays a string.
 */
export function toStoredString(s: string): StringValue {
  if (s.length <= 16 && s.length > 0) {
    const c = s.charCodeAt(0);
    if ((c >= 48 && c <= 57) || c === 45) {
      const n = Number(s);
      if (Number.isSafeInteger(n) && String(n) === s) return n;
    }
  }
  return s;
}

export function encodingOf(v: RedisValue): string {
  if (typeof v === 'number') return 'int';
  if (typeof v === 'string') {
    // Writes store safe integers as numbers (toStoredString), so an integer-looking string is
    // either beyond 2^53 (Redis: int) or was deliberately kept as text, like INCRBYFLOAT's
    // results (Redis: embstr).
    if (v.length <= 20 && isCanonicalInt64(v) && !Number.isSafeInteger(Number(v))) return 'int';
    return v.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
  }
  if (v instanceof MutableString) return 'raw';
  return v.encoding();
}
