/**
 * The sorted set type, with Redis 7.0's two encodings: "listpack" (CompactZset, zset-listpack.ts)
 * while there are at most zset-max-listpack-entries members of at most zset-max-listpack-value
 * bytes, then "skiplist" (SkiplistZset, zset-skiplist.ts). A listpack converts to a skiplist when
 * a threshold is crossed and never back, except for the results of the *STORE commands, which
 * take the encoding their size calls for. SortedSet holds the generic API the commands use
 * (Redis's zset* functions): zsetAdd's flags, ranges by rank, score and member, pops, SCAN.
 *
 * Ranks are 0-based here. Members are latin1 strings compared by bytes.
 */
import type { CollectionValue } from '../keyspace/value';
import { objectBytes } from '../memory/sizes';
import { formatDouble } from '../protocol/format-double';
import { scanSlots } from './dense-table';
import { ZsetEntries } from './zset-encoding';
import { CompactZset, listpackScoreText } from './zset-listpack';
import { SkiplistZset } from './zset-skiplist';
import type { LexRange, ScoreRange } from './zset-range';

export { ZsetEntries } from './zset-encoding';
export { CompactZset, listpackScoreText } from './zset-listpack';
export { SkiplistZset } from './zset-skiplist';

/** ZADD input flags (Redis's ZADD_IN_*). */
export const enum ZaddIn {
  NX = 1,
  XX = 2,
  GT = 4,
  LT = 8,
  Incr = 16,
}

/** What zsetAdd did (Redis's ZADD_OUT_*); 0 means the member was there with that score. */
export const enum ZaddOut {
  Added = 1,
  Updated = 2,
  Nop = 4,
  NaN = 8,
}

/** The encoding thresholds (zset-max-listpack-entries / -value). */
export interface ListpackLimits {
  maxEntries: number;
  maxValue: number;
}

/**
 * The score the last add() left its member with. One for all sorted sets, as it is read right
 * after add(): a field would cost every sorted set a boxed double (24 bytes).
 */
let lastAddScore = 0;

export class SortedSet implements CollectionValue {
  readonly type = 'zset' as const;
  private enc: CompactZset | SkiplistZset;

  /** The score zsetAdd left the member with (Redis's newscore), read right after add(). */
  get lastScore(): number {
    return lastAddScore;
  }

  constructor(enc: CompactZset | SkiplistZset = new CompactZset()) {
    this.enc = enc;
  }

  /**
   * A sorted set of entries already in order, in the encoding Redis gives the result of a
   * *STORE command: a listpack when it is small enough, else a skiplist.
   */
  static fromSorted(members: readonly string[], scores: readonly number[], limits: ListpackLimits): SortedSet {
    let longest = 0;
    for (const m of members) if (m.length > longest) longest = m.length;
    if (members.length <= limits.maxEntries && longest <= limits.maxValue) {
      return new SortedSet(CompactZset.fromSorted(members, scores));
    }
    const enc = new SkiplistZset();
    for (let i = 0; i < members.length; i++) enc.insert(scores[i], members[i]);
    return new SortedSet(enc);
  }

  encoding(): string {
    return this.enc instanceof CompactZset ? 'listpack' : 'skiplist';
  }

  get isCompact(): boolean {
    return this.enc instanceof CompactZset;
  }

  get size(): number {
    return this.enc.size;
  }

  /** Estimated heap bytes: this object (2 fields) and the encoding's structure. */
  memoryUsage(): number {
    return objectBytes(2) + this.enc.memoryUsage();
  }

  clone(): SortedSet {
    return new SortedSet(this.enc.clone());
  }

  score(member: string): number | undefined {
    return this.enc.score(member);
  }

  /**
   * Redis's zsetAdd: adds or updates one member under the ZADD flags and returns ZaddOut flags;
   * the member's resulting score is left in lastScore. A listpack becomes a skiplist first when
   * the new member would cross a threshold.
   */
  add(score: number, member: string, flags: number, limits: ListpackLimits): number {
    if (Number.isNaN(score)) return ZaddOut.NaN;
    const current = this.enc.score(member);
    if (current !== undefined) {
      if (flags & ZaddIn.NX) return ZaddOut.Nop;
      if (flags & ZaddIn.Incr) {
        score += current;
        if (Number.isNaN(score)) return ZaddOut.NaN;
      }
      const lt = (flags & ZaddIn.LT) !== 0;
      const gt = (flags & ZaddIn.GT) !== 0;
      if ((lt && score >= current) || (gt && score <= current)) return ZaddOut.Nop;
      lastAddScore = score;
      if (score === current) return 0;
      this.enc.update(member, score);
      return ZaddOut.Updated;
    }
    if (flags & ZaddIn.XX) return ZaddOut.Nop;
    if (
      this.enc instanceof CompactZset &&
      (this.enc.size + 1 > limits.maxEntries || member.length > limits.maxValue)
    ) {
      this.convertToSkiplist();
    }
    this.enc.insert(score, member);
    lastAddScore = score;
    return ZaddOut.Added;
  }

  remove(member: string): boolean {
    if (!this.enc.remove(member)) return false;
    this.reclaim();
    return true;
  }

  /** 0-based rank (from the highest score when reverse), or -1 when absent. */
  rank(member: string, reverse: boolean): number {
    const rank = this.enc.rankOf(member);
    return rank < 0 || !reverse ? rank : this.enc.size - 1 - rank;
  }

  /**
   * Appends the entries of ranks start..end (0-based, in range, start <= end); with reverse the
   * ranks count from the highest score.
   */
  rangeByRank(start: number, end: number, reverse: boolean, out: ZsetEntries): void {
    const count = end - start + 1;
    this.enc.collect(reverse ? this.enc.size - 1 - start : start, count, reverse, out);
  }

  /** The ranks of the first and last entries in a score range, or null when none is. */
  private scoreRanks(range: ScoreRange): [number, number] | null {
    const first = this.enc.firstRankInRange(range);
    return first < 0 ? null : [first, this.enc.lastRankInRange(range)];
  }

  /**
   * Appends the entries with a score in range, skipping `offset` of them and taking at most
   * `limit` (negative: no limit); reverse walks from the highest score. As Redis, a negative
   * offset gives nothing.
   */
  rangeByScore(range: ScoreRange, offset: number, limit: number, reverse: boolean, out: ZsetEntries): void {
    if (offset < 0) return;
    const start = reverse ? this.enc.lastRankInRange(range) : this.enc.firstRankInRange(range);
    if (start < 0) return;
    const from = reverse ? start - offset : start + offset;
    if (from < 0 || from >= this.enc.size) return;
    this.enc.collect(from, limit < 0 ? this.enc.size : limit, reverse, out, range);
  }

  countByScore(range: ScoreRange): number {
    const ranks = this.scoreRanks(range);
    return ranks === null ? 0 : ranks[1] - ranks[0] + 1;
  }

  /** Like rangeByScore, for a lexicographic range (meant for members that share one score). */
  rangeByLex(range: LexRange, offset: number, limit: number, reverse: boolean, out: ZsetEntries): void {
    if (offset < 0) return;
    this.enc.lexRange(range, offset, limit, reverse, out);
  }

  countByLex(range: LexRange): number {
    return this.enc.lexCount(range);
  }

  /** Removes ranks start..end (0-based, in range); returns how many. */
  removeRangeByRank(start: number, end: number): number {
    this.enc.removeRanks(start, end);
    this.reclaim();
    return end - start + 1;
  }

  removeRangeByScore(range: ScoreRange): number {
    const ranks = this.scoreRanks(range);
    return ranks === null ? 0 : this.removeRangeByRank(ranks[0], ranks[1]);
  }

  removeRangeByLex(range: LexRange): number {
    const removed = this.enc.removeLexRange(range);
    this.reclaim();
    return removed;
  }

  /** Removes up to `count` entries from the low end (or the high end) and appends them to out. */
  pop(count: number, fromMax: boolean, out: ZsetEntries): void {
    const n = Math.min(count, this.enc.size);
    if (n <= 0) return;
    this.rangeByRank(0, n - 1, fromMax, out);
    const size = this.enc.size;
    this.removeRangeByRank(fromMax ? size - n : 0, fromMax ? size - 1 : n - 1);
  }

  /** Every entry in ascending order. */
  entries(out: ZsetEntries = new ZsetEntries()): ZsetEntries {
    if (this.enc.size > 0) this.enc.collect(0, this.enc.size, false, out);
    return out;
  }

  /** Member and score at position i (0 <= i < size) of the encoding's own order. */
  memberAt(i: number): string {
    return this.enc.memberAt(i);
  }

  scoreAt(i: number): number {
    return this.enc.scoreAt(i);
  }

  /**
   * One ZSCAN step: a listpack is returned whole with cursor 0 (COUNT ignored, scores as the
   * listpack holds them); a skiplist visits about `count` members, scores as "%.17g".
   */
  scan(cursor: number, count: number, visit: (member: string, scoreText: string) => void): number {
    const enc = this.enc;
    if (enc instanceof CompactZset) {
      enc.forEach((member, score) => visit(member, listpackScoreText(score)));
      return 0;
    }
    return scanSlots(enc.size, cursor, count, (slot) => visit(enc.memberAt(slot), formatDouble(enc.scoreAt(slot))));
  }

  /** Rebuilds a skiplist whose storage is mostly freed blocks after many removals. */
  private reclaim(): void {
    if (this.enc instanceof SkiplistZset && this.enc.list.isSparse()) this.enc = this.enc.clone();
  }

  /**
   * Switches a listpack-encoded set to the skiplist encoding (same contents). SORT does this to
   * a sorted set it reads, as Redis 7.0 does, which OBJECT ENCODING shows.
   */
  ensureSkiplist(): void {
    if (!(this.enc instanceof SkiplistZset)) this.convertToSkiplist();
  }

  private convertToSkiplist(): void {
    const big = new SkiplistZset();
    (this.enc as CompactZset).forEach((member, score) => big.insert(score, member));
    this.enc = big;
  }
}
