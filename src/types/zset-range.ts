/**
 * Score and lexicographic intervals of the sorted set range commands, as Redis's zrangespec and
 * zlexrangespec, with the tests both encodings use on them.
 */

/** A score interval; min/max may be infinite, and each end inclusive or exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** One end of a lexicographic interval: "-" (-1), "+" (1), or a member (0) with "(" or "[". */
export interface LexBound {
  infinity: -1 | 0 | 1;
  value: string;
  exclusive: boolean;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

export function scoreAboveMin(score: number, range: ScoreRange): boolean {
  return range.minExclusive ? score > range.min : score >= range.min;
}

export function scoreBelowMax(score: number, range: ScoreRange): boolean {
  return range.maxExclusive ? score < range.max : score <= range.max;
}

/** True when no score can be in the range (Redis's first test in zslIsInRange). */
export function isEmptyScoreRange(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minExclusive || range.maxExclusive));
}

/** Orders a member against a bound: the infinities are below/above every member. */
function compareWithBound(member: string, bound: LexBound): number {
  if (bound.infinity !== 0) return -bound.infinity;
  return member < bound.value ? -1 : member > bound.value ? 1 : 0;
}

export function lexAboveMin(member: string, range: LexRange): boolean {
  const cmp = compareWithBound(member, range.min);
  return range.min.exclusive ? cmp > 0 : cmp >= 0;
}

export function lexBelowMax(member: string, range: LexRange): boolean {
  const cmp = compareWithBound(member, range.max);
  return range.max.exclusive ? cmp < 0 : cmp <= 0;
}

/** True when no member can be in the range (sdscmplex of the two bounds, as zslIsInLexRange). */
export function isEmptyLexRange(range: LexRange): boolean {
  const { min, max } = range;
  let cmp: number;
  if (min.infinity !== 0 || max.infinity !== 0) {
    if (min.infinity === max.infinity) cmp = 0;
    else if (min.infinity === -1 || max.infinity === 1) cmp = -1;
    else cmp = 1;
  } else {
    cmp = min.value < max.value ? -1 : min.value > max.value ? 1 : 0;
  }
  return cmp > 0 || (cmp === 0 && (min.exclusive || max.exclusive));
}
