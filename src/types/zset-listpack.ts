/**
 * The "listpack" encoding of small sorted sets: members and scores in two parallel arrays sorted
 * by (score, member). Lookups by member scan the array, as Redis scans its listpack; ranges by
 * score use binary search (scores are in order); lexicographic ranges scan as Redis does, which
 * matters when members have different scores.
 */
import { arrayBytes, exactArrayBytes, objectBytes, stringBytes } from '../memory/sizes';
import { formatDouble } from '../protocol/format-double';
import { inFarEnd, type ZsetEncoding, type ZsetEntries } from './zset-encoding';
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

/** Longest integral double a listpack keeps as an integer (Redis's double2ll bound, LLONG_MAX/2). */
const LISTPACK_INT_LIMIT = 4611686018427387904;

/**
 * A score as a listpack stores it (what ZSCAN of a listpack returns): an integral value in
 * long long range as an integer, anything else as "%.17g".
 */
export function listpackScoreText(score: number): string {
  if (Number.isInteger(score) && score >= -LISTPACK_INT_LIMIT && score <= LISTPACK_INT_LIMIT) {
    return Number.isSafeInteger(score) ? String(score === 0 ? 0 : score) : BigInt(score).toString();
  }
  return formatDouble(score);
}

/** Binary search: the first index whose score is not below `range`'s minimum. */
function lowerBound(scores: number[], range: ScoreRange): number {
  let lo = 0;
  let hi = scores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (scoreAboveMin(scores[mid], range)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The listpack encoding. Scores of -0 are stored as 0, as a listpack stores integral scores. */
export class CompactZset implements ZsetEncoding {
  members: string[] = [];
  scores: number[] = [];
  /** Heap bytes of the member strings. */
  private textBytes = 0;
  /** Whether the arrays have had no room to spare since they were copied (no insert since). */
  private exact = false;

  /** A listpack holding entries already sorted by (score, member). */
  static fromSorted(members: readonly string[], scores: readonly number[]): CompactZset {
    const compact = new CompactZset();
    compact.members = members.slice();
    compact.scores = scores.map((s) => (s === 0 ? 0 : s));
    for (const m of members) compact.textBytes += stringBytes(m.length);
    compact.exact = true;
    return compact;
  }

  get size(): number {
    return this.members.length;
  }

  /**
   * Estimated heap bytes: this object (4 fields), the two arrays and the member strings. The
   * scores sit unboxed in their array (V8 keeps an all-number array as raw doubles).
   */
  memoryUsage(): number {
    const size = this.members.length;
    return objectBytes(4) + 2 * (this.exact ? exactArrayBytes(size) : arrayBytes(size)) + this.textBytes;
  }

  indexOf(member: string): number {
    const members = this.members;
    for (let i = 0; i < members.length; i++) if (members[i] === member) return i;
    return -1;
  }

  score(member: string): number | undefined {
    const i = this.indexOf(member);
    return i < 0 ? undefined : this.scores[i];
  }

  insert(score: number, member: string): void {
    const stored = score === 0 ? 0 : score;
    const { members, scores } = this;
    // The first entry that sorts after (score, member).
    let lo = 0;
    let hi = scores.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = scores[mid];
      if (s > stored || (s === stored && members[mid] > member)) hi = mid;
      else lo = mid + 1;
    }
    if (lo === members.length) {
      members.push(member);
      scores.push(stored);
    } else {
      members.splice(lo, 0, member);
      scores.splice(lo, 0, stored);
    }
    this.textBytes += stringBytes(member.length);
    this.exact = false;
  }

  update(member: string, newScore: number): void {
    const i = this.indexOf(member);
    this.removeRanks(i, i);
    this.insert(newScore, member);
  }

  remove(member: string): boolean {
    const i = this.indexOf(member);
    if (i < 0) return false;
    this.removeRanks(i, i);
    return true;
  }

  rankOf(member: string): number {
    return this.indexOf(member);
  }

  collect(rank: number, count: number, reverse: boolean, out: ZsetEntries, within?: ScoreRange): void {
    const { members, scores } = this;
    const step = reverse ? -1 : 1;
    for (let i = rank, n = 0; n < count && i >= 0 && i < members.length; n++, i += step) {
      if (within !== undefined && !inFarEnd(scores[i], within, reverse)) break;
      out.push(members[i], scores[i]);
    }
  }

  removeRanks(start: number, end: number): void {
    const count = end - start + 1;
    for (let i = start; i <= end; i++) this.textBytes -= stringBytes(this.members[i].length);
    if (start === 0 && count === 1) {
      this.members.shift();
      this.scores.shift();
    } else {
      this.members.splice(start, count);
      this.scores.splice(start, count);
    }
  }

  firstRankInRange(range: ScoreRange): number {
    if (isEmptyScoreRange(range)) return -1;
    const i = lowerBound(this.scores, range);
    return i < this.scores.length && scoreBelowMax(this.scores[i], range) ? i : -1;
  }

  lastRankInRange(range: ScoreRange): number {
    if (isEmptyScoreRange(range)) return -1;
    const scores = this.scores;
    let lo = 0;
    let hi = scores.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (scoreBelowMax(scores[mid], range)) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    return i >= 0 && scoreAboveMin(scores[i], range) ? i : -1;
  }

  /** Redis's zzlIsInLexRange: whether the first and last members leave room for a match. */
  private overlapsLex(range: LexRange): boolean {
    const n = this.members.length;
    return (
      n > 0 && !isEmptyLexRange(range) && lexAboveMin(this.members[n - 1], range) && lexBelowMax(this.members[0], range)
    );
  }

  /** zzlFirstInLexRange: scans from the head, as Redis does (scores may differ). */
  private firstInLex(range: LexRange): number {
    if (!this.overlapsLex(range)) return -1;
    const members = this.members;
    for (let i = 0; i < members.length; i++) {
      if (lexAboveMin(members[i], range)) return lexBelowMax(members[i], range) ? i : -1;
    }
    return -1;
  }

  /** zzlLastInLexRange: scans from the tail. */
  private lastInLex(range: LexRange): number {
    if (!this.overlapsLex(range)) return -1;
    const members = this.members;
    for (let i = members.length - 1; i >= 0; i--) {
      if (lexBelowMax(members[i], range)) return lexAboveMin(members[i], range) ? i : -1;
    }
    return -1;
  }

  lexRange(range: LexRange, offset: number, limit: number, reverse: boolean, out: ZsetEntries): void {
    let i = reverse ? this.lastInLex(range) : this.firstInLex(range);
    if (i < 0) return;
    i += reverse ? -offset : offset;
    const { members, scores } = this;
    for (; i >= 0 && i < members.length && limit !== 0; limit--) {
      const member = members[i];
      if (reverse ? !lexAboveMin(member, range) : !lexBelowMax(member, range)) break;
      out.push(member, scores[i]);
      i += reverse ? -1 : 1;
    }
  }

  /** The members from the first in range up to the first past its end, as [first, end) indexes. */
  private lexRun(range: LexRange): [number, number] | null {
    const first = this.firstInLex(range);
    if (first < 0) return null;
    let end = first;
    while (end < this.members.length && lexBelowMax(this.members[end], range)) end++;
    return [first, end];
  }

  lexCount(range: LexRange): number {
    const run = this.lexRun(range);
    return run === null ? 0 : run[1] - run[0];
  }

  removeLexRange(range: LexRange): number {
    const run = this.lexRun(range);
    if (run === null) return 0;
    this.removeRanks(run[0], run[1] - 1);
    return run[1] - run[0];
  }

  memberAt(i: number): string {
    return this.members[i];
  }

  scoreAt(i: number): number {
    return this.scores[i];
  }

  clone(): CompactZset {
    const copy = new CompactZset();
    copy.members = this.members.slice();
    copy.scores = this.scores.slice();
    copy.textBytes = this.textBytes;
    copy.exact = true;
    return copy;
  }
}
