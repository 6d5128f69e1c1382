/**
 * A Map from strings that never rebuilds more than a few thousand entries at once, for the
 * member index of large sets, hashes and sorted sets.
 *
 * V8 grows a Map by doubling its table and moving every entry into the new one, all in the
 * set() that overflows it: a Map of 1M members took 120 ms for that one call and one of 2M
 * 260 ms (bench/README.md, item 18), and a Map holds at most 2^24 entries. Redis
 * rehashes its dicts a few buckets per operation instead, so it never pauses.
 *
 * Here a small map is one Map. Once it reaches SPLIT_AT entries, it is split into PARTS Maps,
 * chosen by the top bits of the key's hash (the key table's hash, keyspace/key-index.ts): each
 * part then grows on its own, so a rehash moves 1/PARTS of the entries, and the whole holds up to
 * PARTS * 2^24 of them. It becomes one Map again once it has shrunk to MERGE_AT entries (a
 * quarter of SPLIT_AT, so that a size going back and forth does not split it each time).
 * Entries are not kept in insertion order; the owners keep their own order (dense arrays).
 */
import { hashKey } from '../keyspace/key-index';
import { arrayBytes, mapBytes, objectBytes } from '../memory/sizes';

/** Entries at which one Map is split: splitting costs ~5 ms, as does one rehash at this size. */
export const SPLIT_AT = 1 << 15;
/** Entries at which a split map becomes one Map again. */
export const MERGE_AT = SPLIT_AT >>> 2;
const PART_BITS = 8;
const PARTS = 1 << PART_BITS;
const PART_SHIFT = 32 - PART_BITS;

/** Estimated heap bytes of a SplitMap of `size` entries, split or not. */
export function splitMapBytes(size: number, split: boolean): number {
  if (!split) return objectBytes(5) + mapBytes(size);
  // The parts hold about the same number of entries each (the hash spreads the keys).
  return objectBytes(5) + arrayBytes(PARTS) + PARTS * mapBytes(Math.ceil(size / PARTS));
}

export class SplitMap<V> {
  /** The one Map while the map is small; null once split. */
  private whole: Map<string, V> | null = new Map();
  /** The parts once split, by the top bits of the key's hash. */
  private parts: Map<string, V>[] | null = null;
  private count = 0;
  // The last key partOf() hashed and its part: a caller usually asks about a key, then sets it.
  private lastKey: string | null = null;
  private lastPart: Map<string, V> | null = null;

  get size(): number {
    return this.count;
  }

  get split(): boolean {
    return this.parts !== null;
  }

  /** Estimated heap bytes of this object and its Map(s), not of the keys and values they point to. */
  bytes(): number {
    return splitMapBytes(this.count, this.parts !== null);
  }

  private partOf(key: string): Map<string, V> {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastPart = this.parts![hashKey(key) >>> PART_SHIFT];
    }
    return this.lastPart!;
  }

  get(key: string): V | undefined {
    const whole = this.whole;
    return whole !== null ? whole.get(key) : this.partOf(key).get(key);
  }

  has(key: string): boolean {
    const whole = this.whole;
    return whole !== null ? whole.has(key) : this.partOf(key).has(key);
  }

  /** Sets a key's value, new or not. */
  set(key: string, value: V): void {
    const map = this.whole ?? this.partOf(key);
    const before = map.size;
    map.set(key, value);
    if (map.size === before) return;
    this.count++;
    if (this.whole !== null && this.count >= SPLIT_AT) this.splitUp();
  }

  /** Removes a key; false when it was not there. */
  delete(key: string): boolean {
    const whole = this.whole;
    if (!(whole ?? this.partOf(key)).delete(key)) return false;
    this.count--;
    if (whole === null && this.count <= MERGE_AT) this.merge();
    return true;
  }

  private splitUp(): void {
    const parts: Map<string, V>[] = [];
    for (let i = 0; i < PARTS; i++) parts.push(new Map());
    for (const [key, value] of this.whole!) parts[hashKey(key) >>> PART_SHIFT].set(key, value);
    this.parts = parts;
    this.whole = null;
    this.lastKey = null;
  }

  private merge(): void {
    const whole = new Map<string, V>();
    for (const part of this.parts!) for (const [key, value] of part) whole.set(key, value);
    this.whole = whole;
    this.parts = null;
    this.lastKey = this.lastPart = null;
  }
}
