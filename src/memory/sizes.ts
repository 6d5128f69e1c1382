/**
 * What things cost in the V8 heap of a 64-bit Node 20 (no pointer compression), measured with
 * `node --expose-gc` by building a million of each and dividing the heap growth. Memory
 * accounting adds these up as values change, instead of walking the heap.
 */

/** One tagged pointer (an array slot, an object field). */
export const POINTER_BYTES = 8;
/** An object's header (map, properties, elements), before its own fields. */
export const OBJECT_HEADER_BYTES = 24;
/** A plain object with `fields` in-object fields. */
export function objectBytes(fields: number): number {
  return OBJECT_HEADER_BYTES + fields * POINTER_BYTES;
}
/** A boxed double (a number outside the 32-bit small-integer range, or a fraction). */
export const HEAP_NUMBER_BYTES = 16;
/** One entry of a Map, with its share of the hash buckets and the usual spare capacity. */
export const MAP_ENTRY_BYTES = 30;
/** One entry of a Set, likewise. */
export const SET_ENTRY_BYTES = 21;
/** One slot of a growable JS array, with its share of the spare capacity left by push(). */
export const ARRAY_SLOT_BYTES = 10;
/** A JS array object and the header of its elements store, without slots (slice() copies: 48 + 8n). */
export const ARRAY_HEADER_BYTES = 48;
/**
 * A growable array before its slots: the header plus the spare slots push() keeps (V8 grows to
 * 1.5n + 16, so one element already costs 184 B, 18 cost 392 B). Fitted so that
 * ARRAY_BYTES + ARRAY_SLOT_BYTES * n matches push-built arrays of 1..5000 elements on (geometric) average.
 */
export const ARRAY_BYTES = 120;
/** A growable array of `length` elements, not counting what the elements point to. */
export function arrayBytes(length: number): number {
  return ARRAY_BYTES + ARRAY_SLOT_BYTES * length;
}
/** An array made at its length (slice, spread, literal, map) that has not grown since: no spare slots. */
export function exactArrayBytes(length: number): number {
  return ARRAY_HEADER_BYTES + POINTER_BYTES * length;
}

/** A Map object and its hash table's header (measured: an empty Map is 184 B with its first 4 entries). */
export const MAP_BYTES = 72;
/** One entry of a Map's table capacity: key, value, chain link and half a bucket (3660 B at 100 entries). */
export const MAP_SLOT_BYTES = 28;
/**
 * A Map of `size` entries, its table grown as V8 grows it: capacity 4, doubled when full. Exact
 * for a Map that only grew; one that shrank may keep a table up to twice this (V8 halves the
 * table only once it is less than a quarter full).
 */
export function mapBytes(size: number): number {
  // The next power of two: a shift while it fits in 31 bits (** is a slow call).
  const capacity = size <= 4 ? 4 : size <= 0x40000000 ? 1 << (32 - Math.clz32(size - 1)) : 2 ** (32 - Math.clz32(size - 1));
  return MAP_BYTES + MAP_SLOT_BYTES * capacity;
}

/** A typed array with its own ArrayBuffer, on the heap; its bytes are outside (measured: 184 B). */
export const TYPED_ARRAY_BYTES = 184;
/** One more typed array viewing an existing ArrayBuffer (measured: 96 B). */
export const TYPED_ARRAY_VIEW_BYTES = 96;
/** A closure with its context (measured with an arrow-function class field: 96 B). */
export const FUNCTION_BYTES = 96;
/** A BigInt of one 64-bit digit (any int64), measured: 24 B. */
export const BIGINT_BYTES = 24;
/** An ArrayBuffer-backed Buffer's JS object and backing-store bookkeeping, without its bytes. */
export const BUFFER_OVERHEAD_BYTES = 96;

/** A sequential one-byte (latin1) string: a 16-byte header, then the bytes, padded to 8. */
export function stringBytes(length: number): number {
  return (16 + length + 7) & ~7;
}

/** Extra heap a number takes beyond the slot holding it: none for a small integer. */
export function numberBytes(n: number): number {
  return (n | 0) === n && !Object.is(n, -0) ? 0 : HEAP_NUMBER_BYTES;
}
