/**
 * The pieces of a KeyTable shard: the key hash, and a shard's dense entry arrays with an
 * open-addressing index from key to slot.
 *
 * Entries live in slots 0 .. size - 1 of dense arrays: `keys`, `values`, and `words`, three
 * 32-bit words per slot (the key's hash, its LRU/LFU metadata, its recorded size in bytes).
 *
 * Every shard grows on a schedule of its own. Keys spread evenly over the shards of a table, so
 * the shards fill at the same pace: on one schedule they would all rebuild their index, and copy
 * their arrays, within the same few thousand inserts. Loading 30M keys, such bursts (256 index
 * rebuilds at 25M keys, 512 copies of 100k-element arrays and the collections they set off at
 * 26M) kept the event loop busy for 1.2 to 6 s at a time. A random phase per shard spreads each
 * kind of growth over a range of table sizes instead (see Shard's constructor): loading 30M keys
 * in pipelines of 1,000 SETs, the longest busy stretch fell from 1.25 s to 0.4 s.
 *
 * The index is a power-of-two Int32Array of buckets with linear probing, at most 1/2 to 3/4 full
 * (by shard). A bucket holds 0 (empty) or `tag | (slot + 1)`: the slot in the low 24 bits, and
 * in the top 8 bits a tag taken from the key's hash, so that a probe reads a key string only
 * when the tags match (1 time in 256 for another key). Because every slot keeps its key's full
 * hash, the index is rebuilt on growth or shrink without reading a key string, and a delete
 * shifts the entries after the emptied bucket back into place (no tombstones: probe chains stay
 * as short as at insertion).
 */

/** A shard holds at most 2^24 - 1 entries (the slot bits of a bucket). */
export const MAX_SHARD_ENTRIES = 0xffffff;
const SLOT_MASK = 0xffffff;
const TAG_MASK = 0xff000000 | 0;

/** 32-bit words per slot in `words`, and their offsets. */
export const WORDS_PER_SLOT = 3;
export const HASH_WORD = 0;
export const META_WORD = 1;
export const SIZE_WORD = 2;

const MIN_BUCKETS = 8;
const MIN_SLOTS = 4;
/** The index is rebuilt larger once more than this share of its buckets is used, 1/2 to 3/4 by shard. */
const MAX_LOAD_LOW = 0.5;
const MAX_LOAD_HIGH = 0.75;
/** keys and values are copied once at a length between these two (see Shard's constructor). */
const REPHASE_LENGTH = 1024;
const V8_ARRAY_GROWTH = 1.5;

/**
 * Random per process, as Redis seeds its SipHash at start-up: the layout of the tables (and so
 * SCAN and KEYS order) is not predictable from outside, and colliding keys are harder to craft.
 */
const HASH_SEED = (Math.random() * 0x100000000) | 0;

/**
 * MurmurHash3 (x86, 32-bit) of a key's chars taken two at a time (a latin1 string is one byte
 * per char, so that is murmur over the bytes' 16-bit pairs), seeded, with the length mixed in.
 * Every char counts, so keys that differ anywhere (user:1 / user:2, long common prefixes,
 * binary bytes) spread over buckets and shards.
 */
export function hashKey(key: string): number {
  const n = key.length;
  let h = HASH_SEED ^ n;
  let i = 0;
  for (; i + 1 < n; i += 2) h = mixPair(h, key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16));
  if (i < n) h = mixLast(h, key.charCodeAt(i));
  return finish(h);
}

/**
 * hashKey of the latin1 string of bytes buf[start, end), without making the string (the same
 * value: a latin1 char is its byte). For prefetching keys still in the query buffer.
 */
export function hashKeyBytes(buf: Uint8Array, start: number, end: number): number {
  let h = HASH_SEED ^ (end - start);
  let i = start;
  for (; i + 1 < end; i += 2) h = mixPair(h, buf[i] | (buf[i + 1] << 16));
  if (i < end) h = mixLast(h, buf[i]);
  return finish(h);
}

function mixPair(h: number, pair: number): number {
  let k = Math.imul(pair, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixLast(h: number, char: number): number {
  let k = Math.imul(char, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return h ^ Math.imul(k, 0x1b873593);
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * The tag of a hash: its top 8 bits after another multiply, so that it does not repeat the bits
 * that chose the bucket (the low bits) or the shard (the top bits).
 */
function tagOf(hash: number): number {
  return Math.imul(hash, 0x9e3779b1) & TAG_MASK;
}

export class Shard<V> {
  keys: string[] = [];
  values: V[] = [];
  /** WORDS_PER_SLOT words per slot: hash, metadata, size. */
  words: Uint32Array;
  private index: Int32Array;
  private mask: number;
  /** Entries above which the index is rebuilt with twice the buckets. */
  private maxEntries: number;
  private readonly maxLoad: number;
  /** `words` grows to the next slot count of the form wordsBase * 2^k. */
  private readonly wordsBase: number;
  /** The length at which keys and values are copied to shift their growth (see above). */
  private readonly rephaseLength: number;

  /**
   * `phase` (0 to 1, random by default) sets this shard's growth schedule: the index's maximum
   * load (3/4 at 0, 1/2 at 1), the base of the doubling of `words` (MIN_SLOTS * 2^phase), and
   * when keys and values are copied once. V8 grows an array that is full to about 1.5 times its
   * length, from where a copy made by slice() (whose capacity is its length) restarts: a copy at
   * a length between 1024 and 1536 (cheap) moves all its later growths to other sizes than other
   * shards'.
   */
  constructor(buckets = MIN_BUCKETS, slots = MIN_SLOTS, phase = Math.random()) {
    this.index = new Int32Array(buckets);
    this.mask = buckets - 1;
    this.maxLoad = MAX_LOAD_HIGH - (MAX_LOAD_HIGH - MAX_LOAD_LOW) * phase;
    this.maxEntries = Math.floor(buckets * this.maxLoad);
    this.wordsBase = MIN_SLOTS * 2 ** phase;
    this.rephaseLength = Math.floor(REPHASE_LENGTH * V8_ARRAY_GROWTH ** phase);
    this.words = new Uint32Array(slots * WORDS_PER_SLOT);
  }

  get size(): number {
    return this.keys.length;
  }

  /** Buckets in the index (for tests and memory figures). */
  get buckets(): number {
    return this.mask + 1;
  }

  /**
   * The slot the first probe for `hash` points at when its tag matches, else -1: a cheap guess of
   * find() that touches the memory find() will need, for prefetching (see KeyTable.prefetch).
   */
  guessSlot(hash: number): number {
    const bucket = this.index[hash & this.mask];
    return bucket !== 0 && (bucket & TAG_MASK) === tagOf(hash) ? (bucket & SLOT_MASK) - 1 : -1;
  }

  /** The slot of `key` (whose hash is `hash`), or -1. */
  find(key: string, hash: number): number {
    const index = this.index;
    const mask = this.mask;
    const tag = tagOf(hash);
    for (let b = hash & mask; ; b = (b + 1) & mask) {
      const bucket = index[b];
      if (bucket === 0) return -1;
      if ((bucket & TAG_MASK) === tag) {
        const slot = (bucket & SLOT_MASK) - 1;
        if (this.keys[slot] === key) return slot;
      }
    }
  }

  /** Appends an entry for a key that is not in the shard; returns its slot. */
  add(key: string, value: V, hash: number, meta: number): number {
    const slot = this.keys.length;
    if (slot >= MAX_SHARD_ENTRIES) throw new RangeError('key table shard is full');
    if (slot + 1 > this.maxEntries) this.rebuildIndex(this.buckets * 2);
    this.keys.push(key);
    this.values.push(value);
    if (slot + 1 === this.rephaseLength) {
      this.keys = this.keys.slice();
      this.values = this.values.slice();
    }
    let words = this.words;
    if ((slot + 1) * WORDS_PER_SLOT > words.length) {
      // Doubling. A smaller factor leaves less spare room, but each growth leaves the old array
      // to the garbage collector and its bytes to malloc, which keeps them: with 1.25x the
      // process ended 18 B per key larger after loading 1M keys, with 1.5x 5 B.
      words = this.words = resized(words, this.wordsCapacity(slot + 1) * WORDS_PER_SLOT);
    }
    const at = slot * WORDS_PER_SLOT;
    words[at + HASH_WORD] = hash;
    words[at + META_WORD] = meta;
    words[at + SIZE_WORD] = 0;
    this.place(hash, slot);
    return slot;
  }

  /**
   * Removes the entry at `slot`. The last entry moves into its place (so the arrays stay dense),
   * and the index forgets the removed entry by shifting the rest of its probe run back.
   */
  remove(slot: number): void {
    const words = this.words;
    const last = this.keys.length - 1;
    this.unplace(this.bucketOf(slot));
    if (slot !== last) {
      const moved = this.bucketOf(last);
      this.index[moved] = (this.index[moved] & TAG_MASK) | (slot + 1);
      this.keys[slot] = this.keys[last];
      this.values[slot] = this.values[last];
      words.copyWithin(slot * WORDS_PER_SLOT, last * WORDS_PER_SLOT, (last + 1) * WORDS_PER_SLOT);
    }
    this.keys.pop();
    this.values.pop();
    if (this.buckets > MIN_BUCKETS && last * 8 < this.buckets) this.rebuildIndex(this.buckets / 2);
    if (words.length > 16 * WORDS_PER_SLOT && last * 4 * WORDS_PER_SLOT < words.length) {
      this.words = resized(words, Math.floor(words.length / WORDS_PER_SLOT / 2) * WORDS_PER_SLOT);
    }
  }

  /** The smallest slot count of this shard's schedule (wordsBase * 2^k) that holds `slots`. */
  private wordsCapacity(slots: number): number {
    return Math.max(MIN_SLOTS, Math.ceil(this.wordsBase * 2 ** Math.ceil(Math.log2(slots / this.wordsBase))));
  }

  /** Puts slot's bucket in the first empty bucket of its probe run. */
  private place(hash: number, slot: number): void {
    const index = this.index;
    const mask = this.mask;
    let b = hash & mask;
    while (index[b] !== 0) b = (b + 1) & mask;
    index[b] = tagOf(hash) | (slot + 1);
  }

  /** The bucket that points to `slot` (which must be in the shard). */
  private bucketOf(slot: number): number {
    const index = this.index;
    const mask = this.mask;
    let b = this.words[slot * WORDS_PER_SLOT + HASH_WORD] & mask;
    while ((index[b] & SLOT_MASK) !== slot + 1) b = (b + 1) & mask;
    return b;
  }

  /**
   * Empties bucket `hole` and moves back each later bucket of the run that may sit there: one
   * whose home bucket is not cyclically within (hole, b]. No lookup then meets a gap before its key.
   */
  private unplace(hole: number): void {
    const index = this.index;
    const words = this.words;
    const mask = this.mask;
    for (let b = (hole + 1) & mask; ; b = (b + 1) & mask) {
      const bucket = index[b];
      if (bucket === 0) break;
      const home = words[((bucket & SLOT_MASK) - 1) * WORDS_PER_SLOT + HASH_WORD] & mask;
      if (((b - home) & mask) >= ((b - hole) & mask)) {
        index[hole] = bucket;
        hole = b;
      }
    }
    index[hole] = 0;
  }

  /** Rebuilds the index with `buckets` buckets, from the hashes kept per slot. */
  private rebuildIndex(buckets: number): void {
    this.index = new Int32Array(buckets);
    this.mask = buckets - 1;
    this.maxEntries = Math.floor(buckets * this.maxLoad);
    const words = this.words;
    for (let slot = 0, n = this.keys.length; slot < n; slot++) this.place(words[slot * WORDS_PER_SLOT + HASH_WORD] | 0, slot);
  }
}

function resized(array: Uint32Array, length: number): Uint32Array {
  const copy = new Uint32Array(length);
  copy.set(array.length <= length ? array : array.subarray(0, length));
  return copy;
}
