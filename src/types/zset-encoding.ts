/**
 * What the two sorted set encodings share: the operations SortedSet drives them through (the
 * skiplist class implements them, the listpack's lp* functions mirror them on SortedSet's own
 * fields), and the list of entries that ranges and pops fill.
 */
import { scoreAboveMin, scoreBelowMax, type LexRange, type ScoreRange } from './zset-range';

/** Members with their scores, in the order a range or pop produced them. */
export class ZsetEntries {
  readonly members: string[] = [];
  readonly scores: number[] = [];

  get length(): number {
    return this.members.length;
  }

  push(member: string, score: number): void {
    this.members.push(member);
    this.scores.push(score);
  }

  reverse(): void {
    this.members.reverse();
    this.scores.reverse();
  }
}

/** The operations of an encoding; ranks are 0-based. */
export interface ZsetEncoding {
  readonly size: number;
  score(member: string): number | undefined;
  /** Adds a member that is not there yet. */
  insert(score: number, member: string): void;
  /** Moves a present member to a new score. */
  update(member: string, newScore: number): void;
  remove(member: string): boolean;
  rankOf(member: string): number;
  /**
   * Appends up to `count` entries from `rank` on, going down in rank when reverse; with
   * `within`, stops at the first score past its far end.
   */
  collect(rank: number, count: number, reverse: boolean, out: ZsetEntries, within?: ScoreRange): void;
  /** Removes the ranks start..end (inclusive). */
  removeRanks(start: number, end: number): void;
  firstRankInRange(range: ScoreRange): number;
  lastRankInRange(range: ScoreRange): number;
  lexRange(range: LexRange, offset: number, limit: number, reverse: boolean, out: ZsetEntries): void;
  lexCount(range: LexRange): number;
  removeLexRange(range: LexRange): number;
  /** The entry in position i of the encoding's own order (random picks, SCAN). */
  memberAt(i: number): string;
  scoreAt(i: number): number;
  clone(): ZsetEncoding;
  /** Estimated heap bytes, kept current as the encoding changes (O(1)). */
  memoryUsage(): number;
}

/** Whether a score is still within the range's far end when walking up (or down, reverse). */
export function inFarEnd(score: number, range: ScoreRange, reverse: boolean): boolean {
  return reverse ? scoreAboveMin(score, range) : scoreBelowMax(score, range);
}
