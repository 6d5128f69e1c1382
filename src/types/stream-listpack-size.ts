/**
 * The byte size Redis's listpack would have for a stream node. Nodes are split exactly where
 * Redis splits its listpacks (stream-node-max-bytes compares the listpack's size), so that the
 * node boundaries, and with them approximate trimming (`~`), XINFO's radix-tree counts and
 * memory figures, match redis-server.
 *
 * A listpack element is an encoding header plus data, then a back-length of 1-5 bytes. Strings
 * that are canonical 64-bit integers are stored as integers (lpStringToInt64).
 */
import { parseCanonicalInt64 } from './intset';
import type { U64 } from './stream-id';

/** Listpack header (total bytes + element count) and the end marker. */
export const LISTPACK_EMPTY_BYTES = 7;

function backlenSize(encodedLength: number): number {
  if (encodedLength <= 127) return 1;
  if (encodedLength < 16383) return 2;
  if (encodedLength < 2097151) return 3;
  if (encodedLength < 268435455) return 4;
  return 5;
}

function withBacklen(encodedLength: number): number {
  return encodedLength + backlenSize(encodedLength);
}

/** Bytes of an integer element of a value known to lie within int64. */
export function lpIntSize(value: number): number {
  if (value >= 0 && value <= 127) return 2;
  if (value >= -4096 && value <= 4095) return 3;
  if (value >= -32768 && value <= 32767) return 4;
  if (value >= -8388608 && value <= 8388607) return 5;
  if (value >= -2147483648 && value <= 2147483647) return 6;
  return 10;
}

/** Bytes of an integer element holding a u64 read as int64 (a wrapped delta). */
export function lpU64Size(value: U64): number {
  if (value.hi === 0) return lpIntSize(value.lo);
  if (value.hi === 0xffffffff) return lpIntSize(value.lo - 0x100000000);
  return 10;
}

/** The integer a string is stored as (lpStringToInt64), or null when it stays a string. */
function asListpackInt(s: string): number | null {
  const n = parseCanonicalInt64(s);
  return n === null ? null : Number(n);
}

/** Bytes of a string element (stored as an integer when it is one). */
export function lpStringSize(s: string): number {
  const asInt = asListpackInt(s);
  if (asInt !== null) return lpIntSize(asInt);
  const length = s.length;
  if (length < 64) return withBacklen(1 + length);
  if (length < 4096) return withBacklen(2 + length);
  return withBacklen(5 + length);
}
