/**
 * The ordered index of a large sorted set: Redis's skiplist (t_zset.c), with spans so that the
 * rank of a node and the node at a rank are found in O(log n).
 *
 * Nodes are ordered by score, then by member bytes (members are latin1 strings: one char per
 * byte, so `<` on them compares bytes as memcmp does, a prefix first). Each node has a forward
 * pointer and a span (the number of level-0 steps the pointer jumps) per level, and a backward
 * pointer at level 0 for reverse walks. Levels follow Redis: p = 1/4, at most 32.
 *
 * Storage is typed arrays, not objects: a node is a handle, the index of its block of 8-byte
 * cells in one buffer: the score (a float64), then per level the forward pointer and the span
 * (two int32 in one cell). A search step thus reads the next node's score and pointers from one
 * cache line, where objects would cost several pointer chases. The member, backward pointer,
 * level and the owner's tag sit at the handle's index in side arrays. Freed blocks are reused by
 * nodes of the same level; the owner rebuilds a list that has shrunk a lot (see isSparse).
 *
 * Memory: the storage is priced from its capacity in cells (typed arrays outside the heap, the
 * member array inside); the member strings and the free lists are counted as they change.
 */
import {
  ARRAY_BYTES,
  ARRAY_HEADER_BYTES,
  ARRAY_SLOT_BYTES,
  TYPED_ARRAY_BYTES,
  TYPED_ARRAY_VIEW_BYTES,
  objectBytes,
  stringBytes,
} from '../memory/sizes';
import {
  isEmptyLexRange,
  isEmptyScoreRange,
  lexAboveMin,
  lexBelowMax,
  scoreAboveMin,
  scoreBelowMax,
  type LexRange,
  type ScoreRange,
} from './zset-range';

export const MAX_LEVEL = 32;
/** No node (the end of a level, or no backward node). */
export const NIL = -1;
/** The header is the block at cell 0, with every level. */
const HEADER = 0;

/** xorshift32: a cheap generator for node levels (any fixed seed gives the right distribution). */
let levelSeed = 0x2545f491;

function randomLevel(): number {
  let level = 1;
  for (;;) {
    levelSeed ^= levelSeed << 13;
    levelSeed ^= levelSeed >>> 17;
    levelSeed ^= levelSeed << 5;
    // Each pair of low bits is 00 with probability 1/4: one more level per such pair.
    let bits = levelSeed >>> 0;
    for (let pairs = 0; pairs < 16; pairs++) {
      if ((bits & 3) !== 0) return level;
      level++;
      if (level === MAX_LEVEL) return level;
      bits >>>= 2;
    }
  }
}

/** Scratch space for the search paths of insert/delete (one operation runs at a time). */
const update = new Int32Array(MAX_LEVEL);
const rankAt = new Float64Array(MAX_LEVEL);

/** Index in the int32 view of the forward pointer of `node` at `level`; the span follows it. */
const FORWARD = (node: number, level: number): number => (node + 1 + level) << 1;
/** Cells (8 bytes) of a node's block: the score, then one per level. */
const BLOCK = (level: number): number => 1 + level;

/**
 * Bytes per cell of capacity: 8 in the score/link buffer, 4 backward, 1 level, 4 tag and the
 * member array's 8-byte slot.
 */
export const CELL_BYTES = 8 + 4 + 1 + 4 + 8;
/**
 * A SkipList without its cells: the object (14 fields), four typed arrays with their buffers
 * and one more view, the member array's header and the array of free lists.
 */
export const SKIPLIST_BYTES =
  objectBytes(14) + 4 * TYPED_ARRAY_BYTES + TYPED_ARRAY_VIEW_BYTES + ARRAY_HEADER_BYTES + ARRAY_BYTES;

export class SkipList {
  /** Node blocks as 8-byte cells: the scores are read through this view... */
  private scores: Float64Array;
  /** ...and the forward pointers and spans (two int32 per cell) through this one. */
  private links: Int32Array;
  private backward: Int32Array;
  private levels: Uint8Array;
  /** A number the owner keeps per node (its slot in a dense array). */
  private tags: Int32Array;
  private members: string[];
  /** First offset never handed out (the header's block comes first). */
  private top = BLOCK(MAX_LEVEL);
  /** Freed blocks by level, for reuse (a list is made for a level when first needed). */
  private readonly free: (number[] | undefined)[] = [];
  /**
   * The node the last search found and its rank (0: none), so that finding a range's first
   * rank and then walking from that node costs one search, not two. Any insert or delete
   * forgets it.
   */
  private foundRank = 0;
  private foundNode = NIL;
  /** Heap bytes of the live members' strings and of the free lists. */
  private elementBytes = 0;

  tail = NIL;
  length = 0;
  /** Levels in use (the highest level of any node, at least 1). */
  level = 1;

  /** `capacity` in cells; the storage doubles as needed (small, since many sets stay small). */
  constructor(capacity = 64) {
    capacity = Math.max(capacity, 2 * BLOCK(MAX_LEVEL));
    this.scores = new Float64Array(capacity);
    this.links = new Int32Array(this.scores.buffer);
    this.backward = new Int32Array(capacity).fill(NIL);
    this.levels = new Uint8Array(capacity);
    this.tags = new Int32Array(capacity);
    this.members = new Array<string>(capacity).fill('');
    for (let i = 0; i < MAX_LEVEL; i++) this.links[FORWARD(HEADER, i)] = NIL;
    this.levels[HEADER] = MAX_LEVEL;
  }

  // Node accessors.
  /** The first node (lowest score), or NIL. */
  get first(): number {
    return this.links[FORWARD(HEADER, 0)];
  }

  next(node: number): number {
    return this.links[FORWARD(node, 0)];
  }

  previous(node: number): number {
    return this.backward[node];
  }

  score(node: number): number {
    return this.scores[node];
  }

  member(node: number): string {
    return this.members[node];
  }

  levelOf(node: number): number {
    return this.levels[node];
  }

  tag(node: number): number {
    return this.tags[node];
  }

  setTag(node: number, value: number): void {
    this.tags[node] = value;
  }

  /** Estimated bytes of the storage, the member strings and the free lists (typed arrays' data included). */
  memoryUsage(): number {
    return SKIPLIST_BYTES + CELL_BYTES * this.scores.length + this.elementBytes;
  }

  /** True when most of the storage is free blocks: time for the owner to rebuild the list. */
  isSparse(): boolean {
    return this.top > 8192 && this.length * 16 < this.top;
  }

  private grow(needed: number): void {
    const capacity = Math.max(this.scores.length * 2, needed);
    const scores = new Float64Array(capacity);
    scores.set(this.scores);
    this.scores = scores;
    this.links = new Int32Array(scores.buffer);
    const backward = new Int32Array(capacity).fill(NIL);
    backward.set(this.backward);
    this.backward = backward;
    const levels = new Uint8Array(capacity);
    levels.set(this.levels);
    this.levels = levels;
    const tags = new Int32Array(capacity);
    tags.set(this.tags);
    this.tags = tags;
    // Sized exactly, as the typed arrays (pushing would leave V8's spare slots). slice() copies
    // the old slots in one native pass; a JS loop over hundreds of thousands of slots, each store
    // with its write barrier, took 20 ms, and 250 ms while the collector was marking a big heap.
    const members = this.members.slice();
    members.length = capacity;
    this.members = members.fill('', this.members.length);
  }

  /** A block for a node of `level` levels, all pointers NIL and spans 0. */
  private allocate(level: number): number {
    const reuse = this.free[level];
    let node: number;
    if (reuse !== undefined && reuse.length > 0) {
      node = reuse.pop()!;
      this.elementBytes -= ARRAY_SLOT_BYTES;
    } else {
      const size = BLOCK(level);
      if (this.top + size > this.scores.length) this.grow(this.top + size);
      node = this.top;
      this.top += size;
    }
    this.clearLevels(node, level);
    this.levels[node] = level;
    return node;
  }

  private clearLevels(node: number, level: number): void {
    const links = this.links;
    for (let i = 0; i < level; i++) {
      links[FORWARD(node, i)] = NIL;
      links[FORWARD(node, i) + 1] = 0;
    }
  }

  private release(node: number): void {
    this.elementBytes -= stringBytes(this.members[node].length);
    this.members[node] = '';
    const level = this.levels[node];
    let reuse = this.free[level];
    if (reuse === undefined) {
      reuse = this.free[level] = [];
      this.elementBytes += ARRAY_BYTES;
    }
    reuse.push(node);
    this.elementBytes += ARRAY_SLOT_BYTES;
  }

  /** True when (score, member) sorts after node. */
  private after(node: number, score: number, member: string): boolean {
    const s = this.scores[node];
    return s < score || (s === score && this.members[node] < member);
  }

  /** Inserts a member that is not in the list yet; returns its node. */
  insert(score: number, member: string): number {
    const node = this.allocate(randomLevel());
    this.scores[node] = score;
    this.members[node] = member;
    this.elementBytes += stringBytes(member.length);
    this.link(node);
    return node;
  }

  /** Links an allocated node at the place its score and member give it. */
  private link(node: number): void {
    const { scores, links } = this;
    const score = scores[node];
    const member = this.members[node];
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      rankAt[i] = i === this.level - 1 ? 0 : rankAt[i + 1];
      let next = links[FORWARD(x, i)];
      while (next !== NIL && this.after(next, score, member)) {
        rankAt[i] += links[FORWARD(x, i) + 1];
        x = next;
        next = links[FORWARD(x, i)];
      }
      update[i] = x;
    }
    const level = this.levels[node];
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rankAt[i] = 0;
        update[i] = HEADER;
        links[FORWARD(HEADER, i) + 1] = this.length;
      }
      this.level = level;
    }
    for (let i = 0; i < level; i++) {
      const prev = update[i];
      links[FORWARD(node, i)] = links[FORWARD(prev, i)];
      links[FORWARD(prev, i)] = node;
      links[FORWARD(node, i) + 1] = links[FORWARD(prev, i) + 1] - (rankAt[0] - rankAt[i]);
      links[FORWARD(prev, i) + 1] = rankAt[0] - rankAt[i] + 1;
    }
    for (let i = level; i < this.level; i++) links[FORWARD(update[i], i) + 1]++;
    this.foundRank = 0;
    this.backward[node] = update[0] === HEADER ? NIL : update[0];
    const after = links[FORWARD(node, 0)];
    if (after !== NIL) this.backward[after] = node;
    else this.tail = node;
    this.length++;
  }

  /** Fills `update` with the last node before (score, member) at each level; returns the next one. */
  private seek(score: number, member: string): number {
    const links = this.links;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(x, i)];
      while (next !== NIL && this.after(next, score, member)) {
        x = next;
        next = links[FORWARD(x, i)];
      }
      update[i] = x;
    }
    return links[FORWARD(x, 0)];
  }

  /** Unlinks x, given the nodes before it at every level in `update`. */
  private unlink(x: number): void {
    const links = this.links;
    for (let i = 0; i < this.level; i++) {
      const prev = update[i];
      if (links[FORWARD(prev, i)] === x) {
        links[FORWARD(prev, i) + 1] += links[FORWARD(x, i) + 1] - 1;
        links[FORWARD(prev, i)] = links[FORWARD(x, i)];
      } else {
        links[FORWARD(prev, i) + 1]--;
      }
    }
    const after = links[FORWARD(x, 0)];
    if (after !== NIL) this.backward[after] = this.backward[x];
    else this.tail = this.backward[x];
    while (this.level > 1 && links[FORWARD(HEADER, this.level - 1)] === NIL) this.level--;
    this.length--;
    this.foundRank = 0;
  }

  /** Remembers a search's result for byRank; returns the rank. */
  private found(rank: number, node: number): number {
    this.foundRank = rank;
    this.foundNode = node;
    return rank;
  }

  /** Removes the node of (score, member); returns whether it was there. */
  delete(score: number, member: string): boolean {
    const x = this.seek(score, member);
    if (x === NIL || this.scores[x] !== score || this.members[x] !== member) return false;
    this.unlink(x);
    this.release(x);
    return true;
  }

  /**
   * Changes a node's score. The handle stays valid: the node keeps its place when its
   * neighbours allow it, else it is unlinked and linked again at its new place.
   */
  updateScore(node: number, newScore: number): void {
    const { scores, links } = this;
    const back = this.backward[node];
    const after = links[FORWARD(node, 0)];
    if ((back === NIL || scores[back] < newScore) && (after === NIL || scores[after] > newScore)) {
      scores[node] = newScore;
      return;
    }
    this.seek(scores[node], this.members[node]);
    this.unlink(node);
    this.clearLevels(node, this.levels[node]);
    this.backward[node] = NIL;
    scores[node] = newScore;
    this.link(node);
  }

  /** 1-based rank of (score, member), or 0 when absent. */
  rankOf(score: number, member: string): number {
    const { scores, links, members } = this;
    let x = HEADER;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(x, i)];
      while (next !== NIL && (scores[next] < score || (scores[next] === score && members[next] <= member))) {
        rank += links[FORWARD(x, i) + 1];
        x = next;
        next = links[FORWARD(x, i)];
      }
      if (x !== HEADER && members[x] === member && scores[x] === score) return this.found(rank, x);
    }
    return 0;
  }

  /** The node at a 1-based rank, or NIL when out of range. */
  byRank(rank: number): number {
    if (rank < 1 || rank > this.length) return NIL;
    if (rank === this.foundRank) return this.foundNode;
    const links = this.links;
    let x = HEADER;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(x, i)];
      while (next !== NIL && traversed + links[FORWARD(x, i) + 1] <= rank) {
        traversed += links[FORWARD(x, i) + 1];
        x = next;
        next = links[FORWARD(x, i)];
      }
      if (traversed === rank) {
        this.found(rank, x);
        return x;
      }
    }
    return NIL;
  }

  private overlaps(range: ScoreRange): boolean {
    if (isEmptyScoreRange(range) || this.length === 0) return false;
    return scoreAboveMin(this.scores[this.tail], range) && scoreBelowMax(this.scores[this.first], range);
  }

  /** 1-based rank of the first node with a score in range, or 0. */
  firstRankInRange(range: ScoreRange): number {
    if (!this.overlaps(range)) return 0;
    const { scores, links } = this;
    let x = HEADER;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(x, i)];
      while (next !== NIL && !scoreAboveMin(scores[next], range)) {
        rank += links[FORWARD(x, i) + 1];
        x = next;
        next = links[FORWARD(x, i)];
      }
    }
    const first = links[FORWARD(x, 0)];
    return scoreBelowMax(scores[first], range) ? this.found(rank + 1, first) : 0;
  }

  /** 1-based rank of the last node with a score in range, or 0. */
  lastRankInRange(range: ScoreRange): number {
    if (!this.overlaps(range)) return 0;
    const { scores, links } = this;
    let x = HEADER;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(x, i)];
      while (next !== NIL && scoreBelowMax(scores[next], range)) {
        rank += links[FORWARD(x, i) + 1];
        x = next;
        next = links[FORWARD(x, i)];
      }
    }
    return x !== HEADER && scoreAboveMin(scores[x], range) ? this.found(rank, x) : 0;
  }

  private overlapsLex(range: LexRange): boolean {
    if (isEmptyLexRange(range) || this.length === 0) return false;
    return lexAboveMin(this.members[this.tail], range) && lexBelowMax(this.members[this.first], range);
  }

  /** The first node with a member in the range (Redis's zslFirstInLexRange), or NIL. */
  firstInLexRange(range: LexRange): number {
    if (!this.overlapsLex(range)) return NIL;
    const { links, members } = this;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(x, i)];
      while (next !== NIL && !lexAboveMin(members[next], range)) {
        x = next;
        next = links[FORWARD(x, i)];
      }
    }
    const found = links[FORWARD(x, 0)];
    return lexBelowMax(members[found], range) ? found : NIL;
  }

  /** The last node with a member in the range (zslLastInLexRange), or NIL. */
  lastInLexRange(range: LexRange): number {
    if (!this.overlapsLex(range)) return NIL;
    const { links, members } = this;
    let x = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(x, i)];
      while (next !== NIL && lexBelowMax(members[next], range)) {
        x = next;
        next = links[FORWARD(x, i)];
      }
    }
    return x !== HEADER && lexAboveMin(members[x], range) ? x : NIL;
  }

  /**
   * Removes the nodes from 1-based rank `start` to `end` (inclusive), handing each to `removed`
   * before its handle is freed; returns how many.
   */
  deleteRangeByRank(start: number, end: number, removed: (node: number) => void): number {
    const links = this.links;
    let x = HEADER;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(x, i)];
      while (next !== NIL && traversed + links[FORWARD(x, i) + 1] < start) {
        traversed += links[FORWARD(x, i) + 1];
        x = next;
        next = links[FORWARD(x, i)];
      }
      update[i] = x;
    }
    traversed++;
    let node = links[FORWARD(x, 0)];
    let count = 0;
    while (node !== NIL && traversed <= end) {
      const next = links[FORWARD(node, 0)];
      this.unlink(node);
      removed(node);
      this.release(node);
      count++;
      traversed++;
      node = next;
    }
    return count;
  }
}
