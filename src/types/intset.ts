/**
 * A sorted set of signed 64-bit integers, as Redis's intset: the compact encoding of a set whose
 * members are all integers. Members are kept in ascending order in one plain array (iteration,
 * and so SMEMBERS, is ascending, as in Redis), found by binary search.
 *
 * Integers within 2^53 are JS numbers; the rare ones beyond are BigInts. JS compares numbers
 * and BigInts by value with < and >, so one array can hold both and stay sorted.
 */
import { BIGINT_BYTES, arrayBytes, exactArrayBytes, objectBytes } from '../memory/sizes';

export type Int64 = number | bigint;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;

/**
 * The integer a text stands for, when it is the canonical text of a signed 64-bit integer
 * (Redis's string2ll, as isSdsRepresentableAsLongLong uses it: no '+', no leading zeros, no
 * "-0", no spaces); null otherwise. Exact: a number within 2^53, a BigInt beyond.
 */
export function parseCanonicalInt64(s: string): Int64 | null {
  const len = s.length;
  if (len === 0 || len > 20) return null;
  if (len < 16) {
    const first = s.charCodeAt(0);
    let i = 0;
    if (first === 45) {
      if (len === 1 || s.charCodeAt(1) === 48) return null;
      i = 1;
    } else if (first === 48 && len > 1) {
      return null;
    }
    let n = 0;
    for (; i < len; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return null;
      n = n * 10 + d;
    }
    return first === 45 ? -n : n;
  }
  // 16-20 chars: most such texts are not numbers, so look at the first char before the regex.
  const first = s.charCodeAt(0);
  if (first !== 45 && (first < 49 || first > 57)) return null;
  if (!CANONICAL_INTEGER.test(s)) return null;
  const big = BigInt(s);
  if (big < INT64_MIN || big > INT64_MAX) return null;
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big;
}

export class IntSet {
  /** Heap bytes of the BigInt members (numbers sit unboxed in the array). */
  private bigintBytes = 0;

  /**
   * `exact`: the array was made at its length (a copy), with no room to spare until it grows.
   */
  constructor(
    private items: Int64[] = [],
    private exact = false,
  ) {
    for (const item of items) if (typeof item === 'bigint') this.bigintBytes += BIGINT_BYTES;
  }

  get size(): number {
    return this.items.length;
  }

  /**
   * Estimated heap bytes: this object (3 fields), the array and the BigInts. Numbers cost their
   * slot only (V8 keeps an array of small integers or doubles unboxed; once a BigInt joins, the
   * numbers outside 32 bits get boxed, which this leaves out).
   */
  memoryUsage(): number {
    const size = this.items.length;
    return objectBytes(3) + (this.exact ? exactArrayBytes(size) : arrayBytes(size)) + this.bigintBytes;
  }

  /** Index of `value`, or -(insertion point) - 1 when absent. */
  private search(value: Int64): number {
    const items = this.items;
    let low = 0;
    let high = items.length - 1;
    // Appending in order is the common case (SADD 1 2 3 ...): check the end first.
    if (high >= 0 && items[high] < value) return -(high + 1) - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const item = items[mid];
      if (item < value) low = mid + 1;
      else if (item > value) high = mid - 1;
      else return mid;
    }
    return -low - 1;
  }

  has(value: Int64): boolean {
    return this.search(value) >= 0;
  }

  /** Adds `value`; false when it was already there. */
  add(value: Int64): boolean {
    const at = this.search(value);
    if (at >= 0) return false;
    const insertAt = -at - 1;
    if (insertAt === this.items.length) this.items.push(value);
    else this.items.splice(insertAt, 0, value);
    this.exact = false;
    if (typeof value === 'bigint') this.bigintBytes += BIGINT_BYTES;
    return true;
  }

  /** Removes `value`; false when it was not there. */
  remove(value: Int64): boolean {
    const at = this.search(value);
    if (at < 0) return false;
    this.items.splice(at, 1);
    if (typeof value === 'bigint') this.bigintBytes -= BIGINT_BYTES;
    return true;
  }

  /** The i-th smallest member. */
  at(i: number): Int64 {
    return this.items[i];
  }

  /** Members in ascending order (a live view: do not change it). */
  values(): readonly Int64[] {
    return this.items;
  }

  clone(): IntSet {
    return new IntSet(this.items.slice(), true);
  }
}
