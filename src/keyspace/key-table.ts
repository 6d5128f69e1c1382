/**
 * The table behind a database's keys (and its expire times): a dictionary that holds tens of
 * millions of entries, picks a random entry in O(1), and has a SCAN cursor that never misses an
 * entry present for the whole scan.
 *
 * Keys are spread over SHARDS shards by the top bits of their hash (see key-index.ts). Each shard
 * keeps its entries in dense arrays (key, value, and per slot the key's hash, 32-bit metadata for
 * LRU/LFU and the entry's size) and an open-addressing index from key to slot. Deleting moves
 * the last slot into the hole, so the arrays stay dense and a random slot is a random entry.
 * Shards are small (1/256 of the table), so that growing or shrinking one, which copies its
 * arrays and rebuilds its index, never stalls for long even with tens of millions of keys (and
 * shards grow at different sizes, not all at once: see key-index.ts); a shard is only allocated
 * once a key lands in it.
 *
 * When built with an `entryBytes` function, the table also keeps each entry's estimated size
 * (refreshed by resize() after an in-place change) and their total, for memory accounting.
 *
 * SCAN walks each shard's slots from the top down. A delete only ever moves the top entry (already
 * visited or about to be) into a lower hole, so an entry that stays in the table is never skipped;
 * it may be returned twice, which SCAN allows.
 */
import { META_WORD, SIZE_WORD, Shard, WORDS_PER_SLOT, hashKey, hashKeyBytes } from './key-index';

const SHARD_BITS = 8;
const SHARDS = 1 << SHARD_BITS;
const SHARD_SHIFT = 32 - SHARD_BITS;
const SHARD_MASK = SHARDS - 1;
/** Keys one prefetch() call touches at most, and its scratch arrays. */
const PREFETCH_MAX = 64;
const prefetchHashes = new Int32Array(PREFETCH_MAX);
const prefetchSlots = new Int32Array(PREFETCH_MAX);

/** Number of shards of every KeyTable. */
export const SHARD_COUNT = SHARDS;

/** The shard of a key: the top bits of its hash (the index uses the low bits). */
export function shardOf(key: string): number {
  return hashKey(key) >>> SHARD_SHIFT;
}

/** Every shard before its first key: shared, never written (an insert replaces it first). */
const UNUSED_SHARD = new Shard<never>(1, 0);

/** Sizes are kept in 32 bits; a larger value (over 4 GB) is counted as 4 GB. */
const MAX_ENTRY_BYTES = 0xffffffff;

/** Random picks by rejection (see pick()) once the table has this many entries per shard. */
const REJECTION_MIN_PER_SHARD = 4;
const REJECTION_ATTEMPTS = 8;
/** Position of slot `slot` of shard `shard` as one number (slots are below 2^24). */
const POSITION_SHARD = 0x1000000;

export class KeyTable<V> {
  private shards: Shard<V>[] = [];
  private count = 0;
  /** Sum of the entries' estimated sizes (0 when the table does not account memory). */
  private totalBytes = 0;
  /** At least the size of the largest shard (exact after a random pick falls back to a walk). */
  private maxShardSize = 0;

  // The last key looked up, its hash, shard and slot (-1: absent). A command usually reads its
  // key, then writes or touches it: the second call reuses the first one's work. Any delete
  // resets it (slots move), and an insert records the new slot.
  private lastKey: string | null = null;
  private lastHash = 0;
  private lastShard: Shard<V> = UNUSED_SHARD;
  private lastSlot = -1;
  /** What prefetch() read, stored so that its loads are not optimised away. */
  private prefetchTouched = 0;

  /** `entryBytes`, when given, estimates an entry's heap cost: the table then tracks its bytes. */
  constructor(private readonly entryBytes: ((key: string, value: V) => number) | null = null) {
    for (let i = 0; i < SHARDS; i++) this.shards.push(UNUSED_SHARD);
  }

  get size(): number {
    return this.count;
  }

  /** Estimated heap bytes of all entries. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Looks a key up and remembers the answer (see lastKey). Returns the slot, -1 when absent. */
  private lookup(key: string): number {
    const hash = hashKey(key);
    const shard = this.shards[hash >>> SHARD_SHIFT];
    const slot = shard.find(key, hash);
    this.lastKey = key;
    this.lastHash = hash;
    this.lastShard = shard;
    this.lastSlot = slot;
    return slot;
  }

  /**
   * lookup(), answered from the last lookup when it was of the same key. Another key of the same
   * length usually differs in its last char (user:1 / user:2): checking that first saves most of
   * the cost of comparing two different strings.
   */
  private lookupAgain(key: string): number {
    const last = this.lastKey;
    const n = key.length;
    if (last !== null && last.length === n && (n === 0 || last.charCodeAt(n - 1) === key.charCodeAt(n - 1)) && last === key) {
      return this.lastSlot;
    }
    return this.lookup(key);
  }

  /** Estimated heap bytes of one entry as last recorded, or undefined when absent. */
  bytesOf(key: string): number | undefined {
    const slot = this.lookupAgain(key);
    if (slot < 0 || this.entryBytes === null) return undefined;
    return this.lastShard.words[slot * WORDS_PER_SLOT + SIZE_WORD];
  }

  /** Re-estimates an entry's size after its value changed in place. */
  resize(key: string): void {
    if (this.entryBytes === null) return;
    const slot = this.lookupAgain(key);
    if (slot >= 0) this.recordSize(this.lastShard, slot, key, this.lastShard.values[slot]);
  }

  private recordSize(shard: Shard<V>, slot: number, key: string, value: V): void {
    const at = slot * WORDS_PER_SLOT + SIZE_WORD;
    const bytes = Math.min(this.entryBytes!(key, value), MAX_ENTRY_BYTES);
    this.totalBytes += bytes - shard.words[at];
    shard.words[at] = bytes;
  }

  /**
   * Touches the memory that looking up argv[first], argv[first + step], ... will read, for
   * commands about to look up several keys (MSET). A lookup is a chain of dependent cache misses
   * (index bucket, key slot, key string, then value slot and metadata); done one key after the
   * other, the chains run back to back. Here each step is done for every key before the next
   * step, so the misses of different keys are independent loads the processor overlaps.
   */
  prefetch(argv: string[], first: number, step: number): void {
    const count = Math.min(PREFETCH_MAX, Math.ceil((argv.length - first) / step));
    // One key has nothing to overlap with: its lookup would only hash it twice.
    if (count < 2) return;
    for (let i = 0; i < count; i++) prefetchHashes[i] = hashKey(argv[first + i * step]);
    this.prefetchHashed(count);
  }

  /**
   * prefetch() for keys still in a query buffer: `spans` holds (start, end) pairs of their bytes
   * in `buf` (see RequestParser.peekSecondArgs).
   */
  prefetchBytes(buf: Uint8Array, spans: Int32Array, count: number): void {
    count = Math.min(count, PREFETCH_MAX);
    if (count < 2) return;
    for (let i = 0; i < count; i++) prefetchHashes[i] = hashKeyBytes(buf, spans[2 * i], spans[2 * i + 1]);
    this.prefetchHashed(count);
  }

  /** The loads of prefetch(), step by step over the first `count` of prefetchHashes. */
  private prefetchHashed(count: number): void {
    const hashes = prefetchHashes;
    const slots = prefetchSlots;
    const shards = this.shards;
    for (let i = 0; i < count; i++) slots[i] = shards[hashes[i] >>> SHARD_SHIFT].guessSlot(hashes[i]);
    let touched = 0;
    for (let i = 0; i < count; i++) {
      const slot = slots[i];
      if (slot < 0) continue;
      const shard = shards[hashes[i] >>> SHARD_SHIFT];
      touched += shard.keys[slot].length + shard.words[slot * WORDS_PER_SLOT + META_WORD];
      // A string value's header shares its cache line with its first bytes (MGET copies them).
      const value = shard.values[slot];
      if (typeof value === 'string') touched += value.length;
    }
    // Kept so that the compiler cannot drop the loads as unused.
    this.prefetchTouched = touched;
  }

  has(key: string): boolean {
    return this.lookupAgain(key) >= 0;
  }

  /** The value of `key`. A command that reads its key twice (INCR: read, then set) hashes it once. */
  get(key: string): V | undefined {
    const slot = this.lookupAgain(key);
    return slot < 0 ? undefined : this.lastShard.values[slot];
  }

  /** Sets the value; returns true when the key is new. New keys start with metadata `meta`. */
  set(key: string, value: V, meta = 0): boolean {
    const slot = this.lookupAgain(key);
    let shard = this.lastShard;
    if (slot >= 0) {
      shard.values[slot] = value;
      if (this.entryBytes !== null) this.recordSize(shard, slot, key, value);
      return false;
    }
    const hash = this.lastHash;
    if (shard === UNUSED_SHARD) shard = this.shards[hash >>> SHARD_SHIFT] = this.lastShard = new Shard<V>();
    const newSlot = shard.add(key, value, hash, meta);
    this.lastSlot = newSlot;
    if (this.entryBytes !== null) this.recordSize(shard, newSlot, key, value);
    if (newSlot >= this.maxShardSize) this.maxShardSize = newSlot + 1;
    this.count++;
    return true;
  }

  delete(key: string): boolean {
    const slot = this.lookupAgain(key);
    if (slot < 0) return false;
    const shard = this.lastShard;
    if (this.entryBytes !== null) this.totalBytes -= shard.words[slot * WORDS_PER_SLOT + SIZE_WORD];
    shard.remove(slot);
    this.lastSlot = -1;
    this.count--;
    return true;
  }

  getMeta(key: string): number | undefined {
    const slot = this.lookupAgain(key);
    return slot < 0 ? undefined : this.lastShard.words[slot * WORDS_PER_SLOT + META_WORD];
  }

  setMeta(key: string, meta: number): void {
    const slot = this.lookupAgain(key);
    if (slot >= 0) this.lastShard.words[slot * WORDS_PER_SLOT + META_WORD] = meta;
  }

  clear(): void {
    for (let i = 0; i < SHARDS; i++) this.shards[i] = UNUSED_SHARD;
    this.count = 0;
    this.totalBytes = 0;
    this.maxShardSize = 0;
    this.lastKey = null;
    this.lastShard = UNUSED_SHARD;
    this.lastSlot = -1;
  }

  /**
   * A uniformly random entry's position (shard * POSITION_SHARD + slot), or -1 when empty.
   *
   * With enough entries: pick a shard and a slot below maxShardSize at random, and retry when the
   * slot is past the shard's end; every entry has the same chance per attempt. After a few misses
   * (or on a small table) pick by walking the shard sizes, which is uniform too and refreshes
   * maxShardSize; either way the result is uniform.
   */
  private pick(random: () => number): number {
    if (this.count === 0) return -1;
    const large = this.count >= REJECTION_MIN_PER_SHARD * SHARDS;
    if (large) {
      for (let attempt = 0; attempt < REJECTION_ATTEMPTS; attempt++) {
        const shard = Math.floor(random() * SHARDS);
        const slot = Math.floor(random() * this.maxShardSize);
        if (slot < this.shards[shard].keys.length) return shard * POSITION_SHARD + slot;
      }
    }
    let r = Math.floor(random() * this.count);
    let position = -1;
    let max = 0;
    for (let shard = 0; shard < SHARDS; shard++) {
      const size = this.shards[shard].keys.length;
      if (size > max) max = size;
      if (position >= 0) {
        if (!large) break;
      } else if (r < size) {
        position = shard * POSITION_SHARD + r;
      } else {
        r -= size;
      }
    }
    if (large) this.maxShardSize = max;
    return position;
  }

  /** A uniformly random entry's key, or undefined when empty. */
  randomKey(random: () => number = Math.random): string | undefined {
    const position = this.pick(random);
    if (position < 0) return undefined;
    return this.shards[Math.floor(position / POSITION_SHARD)].keys[position % POSITION_SHARD];
  }

  /** Random entry as [key, value, meta] for eviction and expiry sampling. */
  randomEntry(random: () => number = Math.random): [string, V, number] | undefined {
    const position = this.pick(random);
    if (position < 0) return undefined;
    const shard = this.shards[Math.floor(position / POSITION_SHARD)];
    const slot = position % POSITION_SHARD;
    return [shard.keys[slot], shard.values[slot], shard.words[slot * WORDS_PER_SLOT + META_WORD]];
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
    return this.shards[shard].words[slot * WORDS_PER_SLOT + META_WORD];
  }

  /** The slot of a key within its shard (shardOf(key)), or undefined when absent. */
  slotOf(key: string): number | undefined {
    const slot = this.lookupAgain(key);
    return slot < 0 ? undefined : slot;
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
