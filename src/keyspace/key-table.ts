/**
 * The table behind a database's keys (and its expire times): a dictionary that holds tens of
 * millions of entries, picks a random entry in O(1), and has a SCAN cursor that never misses an
 * entry present for the whole scan.
 *
 * A V8 Map stops at 2^24 entries, so keys are spread over SHARDS shards by a hash of the key. Each
 * shard keeps its entries in dense arrays (key, value, 32-bit metadata for LRU/LFU) and a Map from
 * key to slot. Deleting moves the last slot into the hole, so the arrays stay dense and a random
 * slot is a random entry.
 *
 * When built with an `entryBytes` function, the table also keeps each entry's estimated size
 * (refreshed by resize() after an in-place change) and their total, for memory accounting.
 *
 * SCAN walks each shard's slots from the top down. A delete only ever moves the top entry (already
 * visited or about to be) into a lower hole, so an entry that stays in the table is never skipped;
 * it may be returned twice, which SCAN allows.
 */
const SHARD_BITS = 4;
const SHARDS = 1 << SHARD_BITS;
const SHARD_MASK = SHARDS - 1;
/** Number of shards of every KeyTable. */
export const SHARD_COUNT = SHARDS;

/** Hash of a key's length, first 4 and last 12 chars: cheap, and spreads typical key shapes. */
export function shardOf(key: string): number {
  const n = key.length;
  let h = n | 0;
  const tail = n > 12 ? n - 12 : 0;
  for (let i = tail; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  for (let i = 0, head = Math.min(4, tail); i < head; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 13;
  h = Math.imul(h, 0x5bd1e995);
  h ^= h >>> 15;
  return h & SHARD_MASK;
}

class Shard<V> {
  readonly slots = new Map<string, number>();
  keys: string[] = [];
  values: V[] = [];
  meta: Uint32Array = new Uint32Array(8);
  /** Estimated bytes of each entry (only when the table accounts memory). */
  sizes: Uint32Array | null;

  constructor(accountsMemory: boolean) {
    this.sizes = accountsMemory ? new Uint32Array(8) : null;
  }

  get size(): number {
    return this.keys.length;
  }

  /** Makes the per-slot arrays hold `slots` slots (growing by doubling, shrinking by half). */
  resizeSlotArrays(slots: number): void {
    this.meta = resized(this.meta, slots);
    if (this.sizes) this.sizes = resized(this.sizes, slots);
  }
}

function resized(array: Uint32Array, slots: number): Uint32Array {
  const copy = new Uint32Array(slots);
  copy.set(array.length <= slots ? array : array.subarray(0, slots));
  return copy;
}

/** Sizes are kept in 32 bits; a larger value (over 4 GB) is counted as 4 GB. */
const MAX_ENTRY_BYTES = 0xffffffff;

export class KeyTable<V> {
  private shards: Shard<V>[] = [];
  private count = 0;
  /** Sum of the entries' estimated sizes (0 when the table does not account memory). */
  private totalBytes = 0;

  /** `entryBytes`, when given, estimates an entry's heap cost: the table then tracks its bytes. */
  constructor(private readonly entryBytes: ((key: string, value: V) => number) | null = null) {
    for (let i = 0; i < SHARDS; i++) this.shards.push(new Shard<V>(entryBytes !== null));
  }

  get size(): number {
    return this.count;
  }

  /** Estimated heap bytes of all entries. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Estimated heap bytes of one entry as last recorded, or undefined when absent. */
  bytesOf(key: string): number | undefined {
    const shard = this.shards[shardOf(key)];
    const slot = shard.slots.get(key);
    return slot === undefined || shard.sizes === null ? undefined : shard.sizes[slot];
  }

  /** Re-estimates an entry's size after its value changed in place. */
  resize(key: string): void {
    const shard = this.shards[shardOf(key)];
    if (shard.sizes === null) return;
    const slot = shard.slots.get(key);
    if (slot !== undefined) this.recordSize(shard, slot, key, shard.values[slot]);
  }

  private recordSize(shard: Shard<V>, slot: number, key: string, value: V): void {
    const sizes = shard.sizes!;
    const bytes = Math.min(this.entryBytes!(key, value), MAX_ENTRY_BYTES);
    this.totalBytes += bytes - sizes[slot];
    sizes[slot] = bytes;
  }

  has(key: string): boolean {
    return this.shards[shardOf(key)].slots.has(key);
  }

  get(key: string): V | undefined {
    const shard = this.shards[shardOf(key)];
    const slot = shard.slots.get(key);
    return slot === undefined ? undefined : shard.values[slot];
  }

  /** Sets the value; returns true when the key is new. New keys start with metadata `meta`. */
  set(key: string, value: V, meta = 0): boolean {
    const shard = this.shards[shardOf(key)];
    const slot = shard.slots.get(key);
    if (slot !== undefined) {
      shard.values[slot] = value;
      if (shard.sizes !== null) this.recordSize(shard, slot, key, value);
      return false;
    }
    const newSlot = shard.keys.length;
    shard.slots.set(key, newSlot);
    shard.keys.push(key);
    shard.values.push(value);
    if (newSlot >= shard.meta.length) shard.resizeSlotArrays(shard.meta.length * 2);
    shard.meta[newSlot] = meta;
    if (shard.sizes !== null) {
      shard.sizes[newSlot] = 0;
      this.recordSize(shard, newSlot, key, value);
    }
    this.count++;
    return true;
  }

  delete(key: string): boolean {
    const shard = this.shards[shardOf(key)];
    const slot = shard.slots.get(key);
    if (slot === undefined) return false;
    const last = shard.keys.length - 1;
    const sizes = shard.sizes;
    if (sizes !== null) this.totalBytes -= sizes[slot];
    if (slot !== last) {
      const movedKey = shard.keys[last];
      shard.keys[slot] = movedKey;
      shard.values[slot] = shard.values[last];
      shard.meta[slot] = shard.meta[last];
      if (sizes !== null) sizes[slot] = sizes[last];
      shard.slots.set(movedKey, slot);
    }
    shard.keys.pop();
    shard.values.pop();
    shard.slots.delete(key);
    this.count--;
    if (shard.meta.length > 64 && last < shard.meta.length >>> 2) shard.resizeSlotArrays(shard.meta.length >>> 1);
    return true;
  }

  getMeta(key: string): number | undefined {
    const shard = this.shards[shardOf(key)];
    const slot = shard.slots.get(key);
    return slot === undefined ? undefined : shard.meta[slot];
  }

  setMeta(key: string, meta: number): void {
    const shard = this.shards[shardOf(key)];
    const slot = shard.slots.get(key);
    if (slot !== undefined) shard.meta[slot] = meta;
  }

  clear(): void {
    for (let i = 0; i < SHARDS; i++) this.shards[i] = new Shard<V>(this.entryBytes !== null);
    this.count = 0;
    this.totalBytes = 0;
  }

  /** A uniformly random entry's key, or undefined when empty. O(SHARDS). */
  randomKey(random: () => number = Math.random): string | undefined {
    if (this.count === 0) return undefined;
    let r = Math.floor(random() * this.count);
    for (const shard of this.shards) {
      if (r < shard.size) return shard.keys[r];
      r -= shard.size;
    }
    return undefined;
  }

  /** Random entry as [key, value, meta] for eviction and expiry sampling. */
  randomEntry(random: () => number = Math.random): [string, V, number] | undefined {
    if (this.count === 0) return undefined;
    let r = Math.floor(random() * this.count);
    for (const shard of this.shards) {
      if (r < shard.size) return [shard.keys[r], shard.values[r], shard.meta[r]];
      r -= shard.size;
    }
    return undefined;
  }

  /**
   * One step of SCAN: calls visit for about `count` entries and returns the next cursor (0 when
   * done). The cursor is (slot + 1) * SHARDS + shard, where slot + 1 = 0 means "top of the shard".
   */
  scan(cursor: number, count: number, visit: (key: string, value: V) => void): number {
    let shardIndex = cursor & SHARD_MASK;
    let next = Math.floor(cursor / SHARDS) - 1; // next slot to visit, -1: top
    let visited = 0;
    while (shardIndex < SHARDS) {
      const shard = this.shards[shardIndex];
      if (next < 0 || next >= shard.size) next = shard.size - 1;
      while (next >= 0 && visited < count) {
        visit(shard.keys[next], shard.values[next]);
        next--;
        visited++;
      }
      if (next >= 0) return (next + 1) * SHARDS + shardIndex;
      shardIndex++;
      next = -1;
      if (visited >= count) return shardIndex < SHARDS ? shardIndex : 0;
    }
    return 0;
  }

  // Positional access for walkers that keep a cursor per shard (point-in-time snapshots). Entries
  // only ever move down (a delete moves the top entry of its shard into the hole), and new
  // entries are appended at the top of their shard.

  /** Number of entries in shard `shard` (0 .. SHARD_COUNT - 1). */
  shardSize(shard: number): number {
    return this.shards[shard].keys.length;
  }

  keyAt(shard: number, slot: number): string {
    return this.shards[shard].keys[slot];
  }

  valueAt(shard: number, slot: number): V {
    return this.shards[shard].values[slot];
  }

  metaAt(shard: number, slot: number): number {
    return this.shards[shard].meta[slot];
  }

  /** The slot of a key within its shard (shardOf(key)), or undefined when absent. */
  slotOf(key: string): number | undefined {
    return this.shards[shardOf(key)].slots.get(key);
  }

  /** Every entry; for snapshots, KEYS and tests. */
  *entries(): IterableIterator<[string, V]> {
    for (const shard of this.shards) {
      for (let i = 0; i < shard.keys.length; i++) yield [shard.keys[i], shard.values[i]];
    }
  }

  forEach(visit: (key: string, value: V) => void): void {
    for (const shard of this.shards) {
      const { keys, values } = shard;
      for (let i = keys.length - 1; i >= 0; i--) visit(keys[i], values[i]);
    }
  }
}
