/**
 * The sorted set type, with Redis 7.0's two encodings: "listpack" (the lp* functions of
 * zset-listpack.ts, on state kept in SortedSet's own fields, so a small sorted set is one object)
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
import { packedBytes } from './packed-entries';
import { formatDouble } from '../protocol/format-double';
import { scanSlots } from './dense-table';
import { ZsetEntries } from './zset-encoding';
import {
  listpackScoreText,
  lpCollect,
  lpFirstRankInRange,
  lpForEach,
  lpInsert,
  lpLastRankInRange,
  lpLexCount,
  lpLexRange,
  lpMemberAt,
  lpPackSorted,
  lpRankOf,
  lpRemove,
  lpRemoveLexRange,
  lpRemoveRanks,
  lpScore,
  lpScoreAt,
  lpUpdate,
  type PackedZset,
} from './zset-listpack';
import { SkiplistZset } from './zset-skiplist';
import type { LexRange, ScoreRange } from './zset-range';

export { ZsetEntries } from './zset-encoding';
export { listpackScoreText } from './zset-listpack';
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

/** Heap bytes of a SortedSet object (3 fields; `type` lives on the prototype). */
const SORTED_SET_BYTES = objectBytes(3);

export class SortedSet implements CollectionValue, PackedZset {
  /**
   * The listpack encoding's packed entries (zset-listpack.ts), '' once the set is a skiplist.
   * Public only for the lp* functions.
   */
  packed = '';
  /** Pairs in the listpack (0 once converted). */
  pairs = 0;
  /** The skiplist encoding, or null while the set is a listpack. */
  private skiplist: SkiplistZset | null = null;

  get type(): 'zset' {
    return 'zset';
  }

  /** The score zsetAdd left the member with (Redis's newscore), read right after add(). */
  get lastScore(): number {
    return lastAddScore;
  }

  /**
   * A sorted set of entries already in order, in the encoding Redis gives the result of a
   * *STORE command: a listpack when it is small enough, else a skiplist.
   */
  static fromSorted(members: readonly string[], scores: readonly number[], limits: ListpackLimits): SortedSet {
    let longest = 0;
    for (const m of members) if (m.length > longest) longest = m.length;
    const zset = new SortedSet();
    if (members.length <= limits.maxEntries && longest <= limits.maxValue) {
      zset.packed = lpPackSorted(members, scores);
      zset.pairs = members.length;
    } else {
      const big = new SkiplistZset();
      for (let i = 0; i < members.length; i++) big.insert(scores[i], members[i]);
      zset.skiplist = big;
    }
    return zset;
  }

  encoding(): string {
    return this.skiplist === null ? 'listpack' : 'skiplist';
  }

  get isCompact(): boolean {
    return this.skiplist === null;
  }

  get size(): number {
    const big = this.skiplist;
    return big === null ? this.pairs : big.size;
  }

  /** Estimated heap bytes: this object and the listpack string or the skiplist structure. */
  memoryUsage(): number {
    const big = this.skiplist;
    return SORTED_SET_BYTES + (big === null ? packedBytes(this.packed.length) : big.memoryUsage());
  }

  /** A copy; a listpack shares the packed string, which is never changed in place. */
  clone(): SortedSet {
    const copy = new SortedSet();
    copy.packed = this.packed;
    copy.pairs = this.pairs;
    if (this.skiplist !== null) copy.skiplist = this.skiplist.clone();
    return copy;
  }

  score(member: string): number | undefined {
    const big = this.skiplist;
    return big === null ? lpScore(this, member) : big.score(member);
  }

  /**
   * Redis's zsetAdd: adds or updates one member under the ZADD flags and returns ZaddOut flags;
   * the member's resulting score is left in lastScore. A listpack becomes a skiplist first when
   * the new member would cross a threshold.
   */
  add(score: number, member: string, flags: number, limits: ListpackLimits): number {
    if (Number.isNaN(score)) return ZaddOut.NaN;
    const current = this.score(member);
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
      if (this.skiplist === null) lpUpdate(this, member, score);
      else this.skiplist.update(member, score);
      return ZaddOut.Updated;
    }
    if (flags & ZaddIn.XX) return ZaddOut.Nop;
    if (this.skiplist === null && (this.pairs + 1 > limits.maxEntries || member.length > limits.maxValue)) {
      this.convertToSkiplist();
    }
    if (this.skiplist === null) lpInsert(this, score, member);
    else this.skiplist.insert(score, member);
    lastAddScore = score;
    return ZaddOut.Added;
  }

  remove(member: string): boolean {
    const big = this.skiplist;
    if (big === null) return lpRemove(this, member);
    if (!big.remove(member)) return false;
    this.reclaim();
    return true;
  }

  /** 0-based rank (from the highest score when reverse), or -1 when absent. */
  rank(member: string, reverse: boolean): number {
    const big = this.skiplist;
    const rank = big === null ? lpRankOf(this, member) : big.rankOf(member);
    return rank < 0 || !reverse ? rank : this.size - 1 - rank;
  }

  /**
   * Appends up to `count` entries from `rank` on, going down in rank when reverse; with
   * `within`, stops at the first score past its far end.
   */
  private collect(rank: number, count: number, reverse: boolean, out: ZsetEntries, within?: ScoreRange): void {
    const big = this.skiplist;
    if (big === null) lpCollect(this, rank, count, reverse, out, within);
    else big.collect(rank, count, reverse, out, within);
  }

  private firstRankInRange(range: ScoreRange): number {
    const big = this.skiplist;
    return big === null ? lpFirstRankInRange(this, range) : big.firstRankInRange(range);
  }

  private lastRankInRange(range: ScoreRange): number {
    const big = this.skiplist;
    return big === null ? lpLastRankInRange(this, range) : big.lastRankInRange(range);
  }

  /**
   * Appends the entries of ranks start..end (0-based, in range, start <= end); with reverse the
   * ranks count from the highest score.
   */
  rangeByRank(start: number, end: number, reverse: boolean, out: ZsetEntries): void {
    const count = end - start + 1;
    this.collect(reverse ? this.size - 1 - start : start, count, reverse, out);
  }

  /** The ranks of the first and last entries in a score range, or null when none is. */
  private scoreRanks(range: ScoreRange): [number, number] | null {
    const first = this.firstRankInRange(range);
    return first < 0 ? null : [first, this.lastRankInRange(range)];
  }

  /**
   * Appends the entries with a score in range, skipping `offset` of them and taking at most
   * `limit` (negative: no limit); reverse walks from the highest score. As Redis, a negative
   * offset gives nothing.
   */
  rangeByScore(range: ScoreRange, offset: number, limit: number, reverse: boolean, out: ZsetEntries): void {
    if (offset < 0) return;
    const start = reverse ? this.lastRankInRange(range) : this.firstRankInRange(range);
    if (start < 0) return;
    const size = this.size;
    const from = reverse ? start - offset : start + offset;
    if (from < 0 || from >= size) return;
    this.collect(from, limit < 0 ? size : limit, reverse, out, range);
  }

  countByScore(range: ScoreRange): number {
    const ranks = this.scoreRanks(range);
    return ranks === null ? 0 : ranks[1] - ranks[0] + 1;
  }

  /** Like rangeByScore, for a lexicographic range (meant for members that share one score). */
  rangeByLex(range: LexRange, offset: number, limit: number, reverse: boolean, out: ZsetEntries): void {
    if (offset < 0) return;
    const big = this.skiplist;
    if (big === null) lpLexRange(this, range, offset, limit, reverse, out);
    else big.lexRange(range, offset, limit, reverse, out);
  }

  countByLex(range: LexRange): number {
    const big = this.skiplist;
    return big === null ? lpLexCount(this, range) : big.lexCount(range);
  }

  /** Removes ranks start..end (0-based, in range); returns how many. */
  removeRangeByRank(start: number, end: number): number {
    const big = this.skiplist;
    if (big === null) {
      lpRemoveRanks(this, start, end);
    } else {
      big.removeRanks(start, end);
      this.reclaim();
    }
    return end - start + 1;
  }

  removeRangeByScore(range: ScoreRange): number {
    const ranks = this.scoreRanks(range);
    return ranks === null ? 0 : this.removeRangeByRank(ranks[0], ranks[1]);
  }

  removeRangeByLex(range: LexRange): number {
    const big = this.skiplist;
    if (big === null) return lpRemoveLexRange(this, range);
    const removed = big.removeLexRange(range);
    this.reclaim();
    return removed;
  }

  /** Removes up to `count` entries from the low end (or the high end) and appends them to out. */
  pop(count: number, fromMax: boolean, out: ZsetEntries): void {
    const size = this.size;
    const n = Math.min(count, size);
    if (n <= 0) return;
    this.rangeByRank(0, n - 1, fromMax, out);
    this.removeRangeByRank(fromMax ? size - n : 0, fromMax ? size - 1 : n - 1);
  }

  /** Every entry in ascending order. */
  entries(out: ZsetEntries = new ZsetEntries()): ZsetEntries {
    const size = this.size;
    if (size > 0) this.collect(0, size, false, out);
    return out;
  }

  /** Member and score at position i (0 <= i < size) of the encoding's own order. */
  memberAt(i: number): string {
    const big = this.skiplist;
    return big === null ? lpMemberAt(this, i) : big.memberAt(i);
  }

  scoreAt(i: number): number {
    const big = this.skiplist;
    return big === null ? lpScoreAt(this, i) : big.scoreAt(i);
  }

  /**
   * One ZSCAN step: a listpack is returned whole with cursor 0 (COUNT ignored, scores as the
   * listpack holds them); a skiplist visits about `count` members, scores as "%.17g".
   */
  scan(cursor: number, count: number, visit: (member: string, scoreText: string) => void): number {
    const big = this.skiplist;
    if (big === null) {
      lpForEach(this, (member, score) => visit(member, listpackScoreText(score)));
      return 0;
    }
    return scanSlots(big.size, cursor, count, (slot) => visit(big.memberAt(slot), formatDouble(big.scoreAt(slot))));
  }

  /** Rebuilds a skiplist whose storage is mostly freed blocks after many removals. */
  private reclaim(): void {
    if (this.skiplist !== null && this.skiplist.list.isSparse()) this.skiplist = this.skiplist.clone();
  }

  /**
   * Switches a listpack-encoded set to the skiplist encoding (same contents). SORT does this to
   * a sorted set it reads, as Redis 7.0 does, which OBJECT ENCODING shows.
   */
  ensureSkiplist(): void {
    if (this.skiplist === null) this.convertToSkiplist();
  }

  private convertToSkiplist(): void {
    const big = new SkiplistZset();
    lpForEach(this, (member, score) => big.insert(score, member));
    this.skiplist = big;
    this.packed = '';
    this.pairs = 0;
  }
}
