/**
 * A dense array in fixed-size chunks, for the slots of large sets, hashes and sorted sets.
 *
 * A JS array grows by copying itself into one 1.5 times larger: for an array of millions of
 * elements that one push copies megabytes of pointers, allocates a large object and can set off
 * a full collection (a push at 2.9M elements took 35 ms, and copying the skiplist's 2M-slot
 * member array 160 ms: bench/README.md, item 18). Here the elements sit in chunks of CHUNK_SIZE:
 * only the last one grows, and the directory of chunks is small. Element i is in chunk
 * i / CHUNK_SIZE, at i % CHUNK_SIZE.
 */
import { ARRAY_BYTES, ARRAY_SLOT_BYTES, arrayBytes, objectBytes } from '../memory/sizes';

const CHUNK_BITS = 14;
/** Elements per chunk (a 128 KB array of pointers at most). */
export const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;

/** Estimated heap bytes of a ChunkedArray of `length` elements: each chunk is a growable array. */
export function chunkedArrayBytes(length: number): number {
  const chunks = Math.max(1, Math.ceil(length / CHUNK_SIZE));
  return objectBytes(2) + arrayBytes(chunks) + chunks * ARRAY_BYTES + ARRAY_SLOT_BYTES * length;
}

export class ChunkedArray<T> {
  /** Never empty: the last chunk is the one that grows (and may be empty). */
  private readonly chunks: T[][] = [[]];
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** Estimated heap bytes: this object, the directory and the chunks, not what the elements point to. */
  bytes(): number {
    return chunkedArrayBytes(this.count);
  }

  /** Element i (0 <= i < length). */
  at(i: number): T {
    return this.chunks[i >>> CHUNK_BITS][i & CHUNK_MASK];
  }

  /** Replaces element i (0 <= i < length). */
  set(i: number, value: T): void {
    this.chunks[i >>> CHUNK_BITS][i & CHUNK_MASK] = value;
  }

  push(value: T): void {
    const chunks = this.chunks;
    let last = chunks[chunks.length - 1];
    if (last.length === CHUNK_SIZE) {
      last = [];
      chunks.push(last);
    }
    last.push(value);
    this.count++;
  }

  /** Removes and returns the last element (the array must not be empty). */
  pop(): T {
    const chunks = this.chunks;
    const last = chunks[chunks.length - 1];
    const value = last.pop()!;
    // Drop an emptied chunk unless it is the first; the one before it is full.
    if (last.length === 0 && chunks.length > 1) chunks.pop();
    this.count--;
    return value;
  }

  /** A plain array copy of the elements, in order. */
  toArray(): T[] {
    const chunks = this.chunks;
    return chunks.length === 1 ? chunks[0].slice() : ([] as T[]).concat(...chunks);
  }
}
