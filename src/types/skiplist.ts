/**
 * The ordered index of a large sorted set: Redis's skiplist (t_zset.c), with spans so that the
 * rank of a node and the node at a rank are found in O(log n).
 *
 * Nodes are ordered by score, then by member bytes (members are latin1 strings: one char per
 * byte, so `<` on them compares bytes as memcmp does, a prefix first). Each node has a forward
 * pointer and a span (the number of level-0 steps the pointer jumps) per level, and a backward
 * pointer at level 0 for reverse walks. Levels follow Redis: p = 1/4, at most 32.
 *
 * Storage is typed arrays, not objects: a node is a handle, the offset of its block of 8-byte
 * cells: the score (a float64), then per level the forward pointer and the span (two int32 in
 * one cell). A search step thus reads the next node's score and pointers from one cache line,
 * where objects would cost several pointer chases. The member, backward pointer, level and the
 * owner's tag sit at the same offset in side arrays.
 *
 * The cells live in pages (PAGE_CELLS each), every page with its own typed arrays and member
 * array: a handle's page is its high bits, its offset in the page the low bits, and a block never
 * straddles two pages (a block that would cross a page's end starts the next page; the cells left
 * behind stay unused). The list grows a page at a time, so no insert copies the whole storage, as
 * one doubling buffer did (a 300 ms stall at 1.85M nodes). The first page starts small and
 * doubles up to a full page, so that small lists stay small; later pages are made full size.
 * Freed blocks are reused by nodes of the same level; the owner rebuilds a list that has shrunk a
 * lot (see isSparse).
 *
 * Memory: each page is priced from its objects and its capacity in cells (typed arrays outside
 * the heap, the member array inside); the member strings and the free lists are counted as they
 * change.
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
/** The header is the block at cell 0 (of the first page), with every level. */
const HEADER = 0;

/**
 * Cells in a full page: 2^18 (about 110k nodes). Every step of a walk finds its node's page, which
 * costs: with pages of 2^15 cells, ZADD into a 100k-member set took 12-20% more server CPU than
 * with one flat buffer; with one page for such a set, 0-13% (redis-benchmark -t zadd -P 16, three
 * alternating runs each, twice). A new page or the first page's last doubling copies or clears at most
 * 2^18 cells (a few ms; 2M inserts in-process: no insert over 12 ms, against 215 and 358 ms for
 * the doubling buffer at 0.9M and 1.85M nodes). The cells lost at page ends (fewer than a block,
 * at most 32 per page) are negligible, and the member array (2 MB) sits in V8's large-object
 * space, where the collector never copies it.
 */
export const PAGE_CELLS = 1 << 18;
/** The smallest page a list can be given: the smallest power of two that holds the largest block. */
const MIN_PAGE_CELLS = 64;

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

/**
 * Index in a page's int32 view of the forward pointer at `level` of the node at offset `at` in
 * the page; the span follows it.
 */
const FORWARD = (at: number, level: number): number => (at + 1 + level) << 1;
/** Cells (8 bytes) of a node's block: the score, then one per level. */
const BLOCK = (level: number): number => 1 + level;

/**
 * Bytes per cell of capacity: 8 in the score/link buffer, 4 backward, 1 level, 4 tag and the
 * member array's 8-byte slot.
 */
export const CELL_BYTES = 8 + 4 + 1 + 4 + 8;
/**
 * A page without its cells: the object (6 fields), four typed arrays with their buffers and one
 * more view, the member array's header, and the page's slot in the list's array of pages.
 */
export const PAGE_BYTES =
  objectBytes(6) + 4 * TYPED_ARRAY_BYTES + TYPED_ARRAY_VIEW_BYTES + ARRAY_HEADER_BYTES + ARRAY_SLOT_BYTES;
/** A SkipList without its pages: the object (12 fields), the array of pages and the array of free lists. */
export const SKIPLIST_BYTES = objectBytes(12) + 2 * ARRAY_BYTES;

/** Cells of storage: the node blocks, and side arrays indexed by the same offsets. */
class Page {
  /** Node blocks as 8-byte cells: the scores are read through this view... */
  readonly scores: Float64Array;
  /** ...and the forward pointers and spans (two int32 per cell) through this one. */
  readonly links: Int32Array;
  readonly backward: Int32Array;
  readonly levels: Uint8Array;
  /** A number the owner keeps per node (its slot in a dense array). */
  readonly tags: Int32Array;
  readonly members: string[];

  /**
   * A page of `cells` cells: empty, or holding a copy of `from` (the smaller first page it
   * replaces). Nothing is filled in: a block's cells, backward pointer and member are all written
   * before they are read, and filling would fault in all of the fresh memory at once (filling the
   * backward array with NIL took 0.1 ms a page).
   */
  constructor(cells: number, from?: Page) {
    this.scores = new Float64Array(cells);
    this.links = new Int32Array(this.scores.buffer);
    this.backward = new Int32Array(cells);
    this.levels = new Uint8Array(cells);
    this.tags = new Int32Array(cells);
    if (from === undefined) {
      this.members = new Array<string>(cells);
      return;
    }
    this.scores.set(from.scores);
    this.backward.set(from.backward);
    this.levels.set(from.levels);
    this.tags.set(from.tags);
    // Sized exactly, as the typed arrays (pushing would leave V8's spare slots). slice() copies
    // the old slots in one native pass, where a JS loop pays a write barrier per store.
    const members = from.members.slice();
    members.length = cells;
    this.members = members;
  }
}

/** True when the node at offset `at` of `page` sorts before (score, member). */
function before(page: Page, at: number, score: number, member: string): boolean {
  const s = page.scores[at];
  return s < score || (s === score && page.members[at] < member);
}

/** True when the node at offset `at` of `page` sorts before (score, member) or is it. */
function notAfter(page: Page, at: number, score: number, member: string): boolean {
  const s = page.scores[at];
  return s < score || (s === score && page.members[at] <= member);
}

/*
 * The searches below walk with the current node's links and offset in locals: each step finds the
 * next node's page once (pageOf), reads what it compares from that page's arrays, and moving
 * there makes that page's links the current ones.
 */
export class SkipList {
  /** The pages of cells, in handle order; only the first can be smaller than a full page. */
  private readonly pages: Page[];
  /**
   * pages[0], which holds the header and every node of a list of one page (most lists): pageOf
   * takes it from here without indexing the array of pages.
   */
  private firstPage: Page;
  /** log2 of a full page's cells: a handle's page is handle >> pageShift... */
  private readonly pageShift: number;
  /** ...and its offset in that page handle & pageMask. */
  private readonly pageMask: number;
  /** First offset never handed out (the header's block comes first); includes unused page ends. */
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

  /**
   * `capacity` in cells for the first page, which doubles as needed up to a full page (small,
   * since many sets stay small). `pageCells`, a full page's cells (a power of two), is PAGE_CELLS
   * but in tests, where small pages fill up, and blocks meet page ends, after a few nodes.
   */
  constructor(capacity = 64, pageCells = PAGE_CELLS) {
    if (pageCells < MIN_PAGE_CELLS || (pageCells & (pageCells - 1)) !== 0) {
      throw new RangeError(`page cells must be a power of two of at least ${MIN_PAGE_CELLS}`);
    }
    this.pageShift = 31 - Math.clz32(pageCells);
    this.pageMask = pageCells - 1;
    const first = new Page(Math.min(Math.max(capacity, 2 * BLOCK(MAX_LEVEL)), pageCells));
    for (let i = 0; i < MAX_LEVEL; i++) first.links[FORWARD(HEADER, i)] = NIL;
    first.levels[HEADER] = MAX_LEVEL;
    this.pages = [first];
    this.firstPage = first;
  }

  private pageOf(node: number): Page {
    const index = node >> this.pageShift;
    return index === 0 ? this.firstPage : this.pages[index];
  }

  // Node accessors.
  /** The first node (lowest score), or NIL. */
  get first(): number {
    return this.firstPage.links[FORWARD(HEADER, 0)];
  }

  next(node: number): number {
    return this.pageOf(node).links[FORWARD(node & this.pageMask, 0)];
  }

  previous(node: number): number {
    return this.pageOf(node).backward[node & this.pageMask];
  }

  score(node: number): number {
    return this.pageOf(node).scores[node & this.pageMask];
  }

  member(node: number): string {
    return this.pageOf(node).members[node & this.pageMask];
  }

  levelOf(node: number): number {
    return this.pageOf(node).levels[node & this.pageMask];
  }

  tag(node: number): number {
    return this.pageOf(node).tags[node & this.pageMask];
  }

  setTag(node: number, value: number): void {
    this.pageOf(node).tags[node & this.pageMask] = value;
  }

  /** Estimated bytes of the pages, the member strings and the free lists (typed arrays' data included). */
  memoryUsage(): number {
    const pages = this.pages;
    // Once there is a second page, the first is full size too.
    const cells = pages.length === 1 ? pages[0].scores.length : pages.length * (this.pageMask + 1);
    return SKIPLIST_BYTES + PAGE_BYTES * pages.length + CELL_BYTES * cells + this.elementBytes;
  }

  /** True when most of the storage is free blocks: time for the owner to rebuild the list. */
  isSparse(): boolean {
    return this.top > 8192 && this.length * 16 < this.top;
  }

  /** A block for a node of `level` levels, all pointers NIL and spans 0. */
  private allocate(level: number): number {
    const reuse = this.free[level];
    let node: number;
    if (reuse !== undefined && reuse.length > 0) {
      node = reuse.pop()!;
      this.elementBytes -= ARRAY_SLOT_BYTES;
    } else {
      node = this.claim(BLOCK(level));
    }
    const page = this.pageOf(node);
    const at = node & this.pageMask;
    clearLevels(page.links, at, level);
    page.levels[at] = level;
    return node;
  }

  /**
   * The offset of `size` cells never used, all in one page: when they would cross the end of the
   * top's page, they start the next one. Adds the page, or grows the first, as needed.
   */
  private claim(size: number): number {
    const pageCells = this.pageMask + 1;
    let node = this.top;
    const left = pageCells - (node & this.pageMask);
    if (size > left) node += left;
    const pages = this.pages;
    const index = node >> this.pageShift;
    if (index === pages.length) {
      pages.push(new Page(pageCells));
    } else if (index === 0) {
      // Only the first page can be short of a full one: doubling it copies at most half a page.
      const first = this.firstPage;
      const cells = first.scores.length;
      if (node + size > cells) {
        this.firstPage = pages[0] = new Page(Math.min(Math.max(2 * cells, node + size), pageCells), first);
      }
    }
    this.top = node + size;
    return node;
  }

  private release(node: number): void {
    const page = this.pageOf(node);
    const at = node & this.pageMask;
    this.elementBytes -= stringBytes(page.members[at].length);
    page.members[at] = '';
    const level = page.levels[at];
    let reuse = this.free[level];
    if (reuse === undefined) {
      reuse = this.free[level] = [];
      this.elementBytes += ARRAY_BYTES;
    }
    reuse.push(node);
    this.elementBytes += ARRAY_SLOT_BYTES;
  }

  /** Inserts a member that is not in the list yet; returns its node. */
  insert(score: number, member: string): number {
    const node = this.allocate(randomLevel());
    const page = this.pageOf(node);
    const at = node & this.pageMask;
    page.scores[at] = score;
    page.members[at] = member;
    this.elementBytes += stringBytes(member.length);
    this.link(node);
    return node;
  }

  /** Links an allocated node at the place its score and member give it. */
  private link(node: number): void {
    const mask = this.pageMask;
    const nodePage = this.pageOf(node);
    const nodeAt = node & mask;
    const score = nodePage.scores[nodeAt];
    const member = nodePage.members[nodeAt];
    let x = HEADER;
    let links = this.firstPage.links;
    let at = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      rankAt[i] = i === this.level - 1 ? 0 : rankAt[i + 1];
      let next = links[FORWARD(at, i)];
      while (next !== NIL) {
        const page = this.pageOf(next);
        const nextAt = next & mask;
        if (!before(page, nextAt, score, member)) break;
        rankAt[i] += links[FORWARD(at, i) + 1];
        x = next;
        links = page.links;
        at = nextAt;
        next = links[FORWARD(at, i)];
      }
      update[i] = x;
    }
    const level = nodePage.levels[nodeAt];
    if (level > this.level) {
      const headerLinks = this.firstPage.links;
      for (let i = this.level; i < level; i++) {
        rankAt[i] = 0;
        update[i] = HEADER;
        headerLinks[FORWARD(HEADER, i) + 1] = this.length;
      }
      this.level = level;
    }
    const nodeLinks = nodePage.links;
    for (let i = 0; i < level; i++) {
      const prev = update[i];
      const prevLinks = this.pageOf(prev).links;
      const prevForward = FORWARD(prev & mask, i);
      const nodeForward = FORWARD(nodeAt, i);
      nodeLinks[nodeForward] = prevLinks[prevForward];
      prevLinks[prevForward] = node;
      nodeLinks[nodeForward + 1] = prevLinks[prevForward + 1] - (rankAt[0] - rankAt[i]);
      prevLinks[prevForward + 1] = rankAt[0] - rankAt[i] + 1;
    }
    for (let i = level; i < this.level; i++) {
      const prev = update[i];
      this.pageOf(prev).links[FORWARD(prev & mask, i) + 1]++;
    }
    this.foundRank = 0;
    nodePage.backward[nodeAt] = update[0] === HEADER ? NIL : update[0];
    const after = nodeLinks[FORWARD(nodeAt, 0)];
    if (after !== NIL) this.pageOf(after).backward[after & mask] = node;
    else this.tail = node;
    this.length++;
  }

  /** Fills `update` with the last node before (score, member) at each level; returns the next one. */
  private seek(score: number, member: string): number {
    const mask = this.pageMask;
    let x = HEADER;
    let links = this.firstPage.links;
    let at = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(at, i)];
      while (next !== NIL) {
        const page = this.pageOf(next);
        const nextAt = next & mask;
        if (!before(page, nextAt, score, member)) break;
        x = next;
        links = page.links;
        at = nextAt;
        next = links[FORWARD(at, i)];
      }
      update[i] = x;
    }
    return links[FORWARD(at, 0)];
  }

  /** Unlinks x, given the nodes before it at every level in `update`. */
  private unlink(x: number): void {
    const mask = this.pageMask;
    const xPage = this.pageOf(x);
    const xAt = x & mask;
    const xLinks = xPage.links;
    for (let i = 0; i < this.level; i++) {
      const prev = update[i];
      const prevLinks = this.pageOf(prev).links;
      const prevForward = FORWARD(prev & mask, i);
      if (prevLinks[prevForward] === x) {
        prevLinks[prevForward + 1] += xLinks[FORWARD(xAt, i) + 1] - 1;
        prevLinks[prevForward] = xLinks[FORWARD(xAt, i)];
      } else {
        prevLinks[prevForward + 1]--;
      }
    }
    const after = xLinks[FORWARD(xAt, 0)];
    const back = xPage.backward[xAt];
    if (after !== NIL) this.pageOf(after).backward[after & mask] = back;
    else this.tail = back;
    const headerLinks = this.firstPage.links;
    while (this.level > 1 && headerLinks[FORWARD(HEADER, this.level - 1)] === NIL) this.level--;
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
    if (x === NIL || this.score(x) !== score || this.member(x) !== member) return false;
    this.unlink(x);
    this.release(x);
    return true;
  }

  /**
   * Changes a node's score. The handle stays valid: the node keeps its place when its
   * neighbours allow it, else it is unlinked and linked again at its new place.
   */
  updateScore(node: number, newScore: number): void {
    const page = this.pageOf(node);
    const at = node & this.pageMask;
    const back = page.backward[at];
    const after = page.links[FORWARD(at, 0)];
    if ((back === NIL || this.score(back) < newScore) && (after === NIL || this.score(after) > newScore)) {
      page.scores[at] = newScore;
      return;
    }
    this.seek(page.scores[at], page.members[at]);
    this.unlink(node);
    clearLevels(page.links, at, page.levels[at]);
    page.backward[at] = NIL;
    page.scores[at] = newScore;
    this.link(node);
  }

  /** 1-based rank of (score, member), or 0 when absent. */
  rankOf(score: number, member: string): number {
    const mask = this.pageMask;
    let x = HEADER;
    let xPage = this.firstPage;
    let links = xPage.links;
    let at = HEADER;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(at, i)];
      while (next !== NIL) {
        const page = this.pageOf(next);
        const nextAt = next & mask;
        if (!notAfter(page, nextAt, score, member)) break;
        rank += links[FORWARD(at, i) + 1];
        x = next;
        xPage = page;
        links = page.links;
        at = nextAt;
        next = links[FORWARD(at, i)];
      }
      if (x !== HEADER && xPage.scores[at] === score && xPage.members[at] === member) return this.found(rank, x);
    }
    return 0;
  }

  /** The node at a 1-based rank, or NIL when out of range. */
  byRank(rank: number): number {
    if (rank < 1 || rank > this.length) return NIL;
    if (rank === this.foundRank) return this.foundNode;
    const mask = this.pageMask;
    let x = HEADER;
    let links = this.firstPage.links;
    let at = HEADER;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(at, i)];
      while (next !== NIL && traversed + links[FORWARD(at, i) + 1] <= rank) {
        traversed += links[FORWARD(at, i) + 1];
        x = next;
        links = this.pageOf(next).links;
        at = next & mask;
        next = links[FORWARD(at, i)];
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
    return scoreAboveMin(this.score(this.tail), range) && scoreBelowMax(this.score(this.first), range);
  }

  /** 1-based rank of the first node with a score in range, or 0. */
  firstRankInRange(range: ScoreRange): number {
    if (!this.overlaps(range)) return 0;
    const mask = this.pageMask;
    let links = this.firstPage.links;
    let at = HEADER;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(at, i)];
      while (next !== NIL) {
        const page = this.pageOf(next);
        const nextAt = next & mask;
        if (scoreAboveMin(page.scores[nextAt], range)) break;
        rank += links[FORWARD(at, i) + 1];
        links = page.links;
        at = nextAt;
        next = links[FORWARD(at, i)];
      }
    }
    const first = links[FORWARD(at, 0)];
    return scoreBelowMax(this.score(first), range) ? this.found(rank + 1, first) : 0;
  }

  /** 1-based rank of the last node with a score in range, or 0. */
  lastRankInRange(range: ScoreRange): number {
    if (!this.overlaps(range)) return 0;
    const mask = this.pageMask;
    let x = HEADER;
    let links = this.firstPage.links;
    let at = HEADER;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(at, i)];
      while (next !== NIL) {
        const page = this.pageOf(next);
        const nextAt = next & mask;
        if (!scoreBelowMax(page.scores[nextAt], range)) break;
        rank += links[FORWARD(at, i) + 1];
        x = next;
        links = page.links;
        at = nextAt;
        next = links[FORWARD(at, i)];
      }
    }
    return x !== HEADER && scoreAboveMin(this.score(x), range) ? this.found(rank, x) : 0;
  }

  private overlapsLex(range: LexRange): boolean {
    if (isEmptyLexRange(range) || this.length === 0) return false;
    return lexAboveMin(this.member(this.tail), range) && lexBelowMax(this.member(this.first), range);
  }

  /** The first node with a member in the range (Redis's zslFirstInLexRange), or NIL. */
  firstInLexRange(range: LexRange): number {
    if (!this.overlapsLex(range)) return NIL;
    const mask = this.pageMask;
    let links = this.firstPage.links;
    let at = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(at, i)];
      while (next !== NIL) {
        const page = this.pageOf(next);
        const nextAt = next & mask;
        if (lexAboveMin(page.members[nextAt], range)) break;
        links = page.links;
        at = nextAt;
        next = links[FORWARD(at, i)];
      }
    }
    const found = links[FORWARD(at, 0)];
    return lexBelowMax(this.member(found), range) ? found : NIL;
  }

  /** The last node with a member in the range (zslLastInLexRange), or NIL. */
  lastInLexRange(range: LexRange): number {
    if (!this.overlapsLex(range)) return NIL;
    const mask = this.pageMask;
    let x = HEADER;
    let links = this.firstPage.links;
    let at = HEADER;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(at, i)];
      while (next !== NIL) {
        const page = this.pageOf(next);
        const nextAt = next & mask;
        if (!lexBelowMax(page.members[nextAt], range)) break;
        x = next;
        links = page.links;
        at = nextAt;
        next = links[FORWARD(at, i)];
      }
    }
    return x !== HEADER && lexAboveMin(this.member(x), range) ? x : NIL;
  }

  /**
   * Removes the nodes from 1-based rank `start` to `end` (inclusive), handing each to `removed`
   * before its handle is freed; returns how many.
   */
  deleteRangeByRank(start: number, end: number, removed: (node: number) => void): number {
    const mask = this.pageMask;
    let x = HEADER;
    let links = this.firstPage.links;
    let at = HEADER;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = links[FORWARD(at, i)];
      while (next !== NIL && traversed + links[FORWARD(at, i) + 1] < start) {
        traversed += links[FORWARD(at, i) + 1];
        x = next;
        links = this.pageOf(next).links;
        at = next & mask;
        next = links[FORWARD(at, i)];
      }
      update[i] = x;
    }
    traversed++;
    let node = links[FORWARD(at, 0)];
    let count = 0;
    while (node !== NIL && traversed <= end) {
      const next = this.next(node);
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

/** Sets the pointers of the block at offset `at` in a page's `links` to NIL and its spans to 0. */
function clearLevels(links: Int32Array, at: number, level: number): void {
  for (let i = 0; i < level; i++) {
    links[FORWARD(at, i)] = NIL;
    links[FORWARD(at, i) + 1] = 0;
  }
}
