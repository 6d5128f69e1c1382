/**
 * The "listpack" encoding of small sorted sets: members and scores packed in one string
 * (packed-entries.ts) as entries [m1, s1, m2, s2, ...] sorted by (score, member), as Redis's
 * listpack. Lookups by member scan it, comparing in place; ranges by score and by member scan
 * from the head, as Redis does (members may have different scores, so a lexicographic range is
 * not a binary search either).
 *
 * A score entry holds an integer below 2^52 in magnitude as its zigzag value (sign in the low
 * bit) in 0 to 7 little-endian bytes, and any other score as its 8 IEEE-754 bytes; the entry's
 * length tells which. So integral scores, the common case, are short (with the one-byte header:
 * 0 takes 1 byte, -128..127 take 2, up to ±32767 3), and every double comes back bit for bit.
 * Text scores, as Redis's listpack keeps them (shortest round-trip text, parsed in place when
 * integral), were measured against this (bench/micro-listpack.ts, CPU time): as fast for
 * integral scores, 0.64x for ZADD of fractions, whose text also takes up to 24 bytes
 * ("0.3333333333333333") instead of 8.
 *
 * The functions (lp*, after Redis's zzl*) work on a PackedZset, the state SortedSet keeps.
 */
import { formatDouble } from '../protocol/format-double';
import {
  compareAt,
  encodeEntry,
  EntryCursor,
  findEntry,
  findEntryIndex,
  insertEntries,
  offsetOf,
  packEntries,
  packedBytes,
  readEntry,
  skipEntry,
  spliceBytes,
} from './packed-entries';
import { inFarEnd, type ZsetEncoding, type ZsetEntries } from './zset-encoding';
import {
  isEmptyLexRange,
  isEmptyScoreRange,
  scoreAboveMin,
  scoreBelowMax,
  type LexBound,
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

// ---- scores as bytes ----

/** Integers below this in magnitude are packed as integers: their zigzag value stays exact. */
const PACKED_INT_LIMIT = 2 ** 52;
/** The length of a score entry holding a double. */
const DOUBLE_BYTES = 8;
const doubleBits = new Float64Array(1);
const doubleWords = new Uint32Array(doubleBits.buffer);

/** The bytes of a score entry (without its header). -0 is packed as 0. */
export function encodeScore(score: number): string {
  if (Number.isInteger(score) && score > -PACKED_INT_LIMIT && score < PACKED_INT_LIMIT) {
    let zigzag = score < 0 ? -2 * score - 1 : 2 * score;
    if (zigzag === 0) return '';
    // One char: a shared single-character string, no allocation.
    if (zigzag < 0x100) return String.fromCharCode(zigzag);
    let bytes = '';
    while (zigzag > 0) {
      bytes += String.fromCharCode(zigzag % 0x100);
      zigzag = Math.floor(zigzag / 0x100);
    }
    return bytes;
  }
  doubleBits[0] = score;
  const low = doubleWords[0];
  const high = doubleWords[1];
  return String.fromCharCode(
    low & 0xff,
    (low >>> 8) & 0xff,
    (low >>> 16) & 0xff,
    low >>> 24,
    high & 0xff,
    (high >>> 8) & 0xff,
    (high >>> 16) & 0xff,
    high >>> 24,
  );
}

/** Reads the 4 bytes at `at` as a little-endian 32-bit word. */
function wordAt(packed: string, at: number): number {
  return (
    packed.charCodeAt(at) |
    (packed.charCodeAt(at + 1) << 8) |
    (packed.charCodeAt(at + 2) << 16) |
    (packed.charCodeAt(at + 3) << 24)
  );
}

/** The score in the entry whose header is at `offset` (a score's header is always one byte). */
export function scoreAtOffset(packed: string, offset: number): number {
  const length = packed.charCodeAt(offset);
  const start = offset + 1;
  if (length === 1) {
    const zigzag = packed.charCodeAt(start);
    return zigzag & 1 ? -(zigzag + 1) / 2 : zigzag / 2;
  }
  if (length === DOUBLE_BYTES) {
    doubleWords[0] = wordAt(packed, start);
    doubleWords[1] = wordAt(packed, start + 4);
    return doubleBits[0];
  }
  let zigzag = 0;
  let scale = 1;
  for (let i = 0; i < length; i++) {
    zigzag += packed.charCodeAt(start + i) * scale;
    scale *= 0x100;
  }
  return zigzag % 2 === 1 ? -(zigzag + 1) / 2 : zigzag / 2;
}

/** A member and its score as two packed entries. */
function encodePair(member: string, score: number): string {
  return encodeEntry(member) + encodeEntry(encodeScore(score));
}

// ---- lexicographic bounds, compared in place (as zset-range's lexAboveMin/lexBelowMax) ----

function boundOrder(packed: string, start: number, end: number, bound: LexBound): number {
  return bound.infinity !== 0 ? -bound.infinity : compareAt(packed, start, end, bound.value);
}

function aboveMinAt(cursor: EntryCursor, range: LexRange): boolean {
  const cmp = boundOrder(cursor.packed, cursor.start, cursor.end, range.min);
  return range.min.exclusive ? cmp > 0 : cmp >= 0;
}

function belowMaxAt(cursor: EntryCursor, range: LexRange): boolean {
  const cmp = boundOrder(cursor.packed, cursor.start, cursor.end, range.max);
  return range.max.exclusive ? cmp < 0 : cmp <= 0;
}

/**
 * The listpack state the functions below work on (SortedSet holds it in its own fields, so a
 * small sorted set is one object): members and scores as packed entries [m1, s1, m2, s2, ...]
 * sorted by (score, member), and the number of pairs. Functions that change the set store a new
 * string in `packed`; a string is never changed in place, so copies may share it.
 */
export interface PackedZset {
  packed: string;
  pairs: number;
}

/** The packed entries of pairs already sorted by (score, member). */
export function lpPackSorted(members: readonly string[], scores: readonly number[]): string {
  const entries: string[] = new Array(members.length * 2);
  for (let i = 0; i < members.length; i++) {
    entries[2 * i] = members[i];
    entries[2 * i + 1] = encodeScore(scores[i]);
  }
  return packEntries(entries);
}

/** The member's score, or undefined when it is absent. */
export function lpScore(z: PackedZset, member: string): number | undefined {
  const packed = z.packed;
  const at = findEntry(packed, member, 2);
  return at < 0 ? undefined : scoreAtOffset(packed, skipEntry(packed, at));
}

/**
 * The offset of the first pair that sorts after (score, member), packed.length when none does.
 * The pair at `skip` (if any) is left out, as if already removed.
 */
function insertionPoint(z: PackedZset, score: number, member: string, skip = -1): number {
  const packed = z.packed;
  const cursor = new EntryCursor(packed);
  while (cursor.next()) {
    const at = cursor.offset;
    const { start, end } = cursor;
    cursor.next();
    if (at === skip) continue;
    const s = scoreAtOffset(packed, cursor.offset);
    if (s > score || (s === score && compareAt(packed, start, end, member) > 0)) return at;
  }
  return packed.length;
}

export function lpInsert(z: PackedZset, score: number, member: string): void {
  const at = insertionPoint(z, score, member);
  z.packed = insertEntries(z.packed, at, member, encodeScore(score));
  z.pairs++;
}

/** Moves the member's pair to its new place in one new string (one copy, not two). */
export function lpUpdate(z: PackedZset, member: string, newScore: number): void {
  const packed = z.packed;
  const at = findEntry(packed, member, 2);
  const end = skipEntry(packed, skipEntry(packed, at));
  const to = insertionPoint(z, newScore, member, at);
  const pair = encodePair(member, newScore);
  z.packed =
    to <= at
      ? spliceBytes(packed, to, end, pair + packed.slice(to, at))
      : spliceBytes(packed, at, to, packed.slice(end, to) + pair);
}

export function lpRemove(z: PackedZset, member: string): boolean {
  const packed = z.packed;
  const at = findEntry(packed, member, 2);
  if (at < 0) return false;
  z.packed = spliceBytes(packed, at, skipEntry(packed, skipEntry(packed, at)), '');
  z.pairs--;
  return true;
}

export function lpRankOf(z: PackedZset, member: string): number {
  const index = findEntryIndex(z.packed, member, 2);
  return index < 0 ? -1 : index / 2;
}

/**
 * Appends the pair of the given rank, unless `within` is given and its score is past the far
 * end (false then). Ranks find their offsets in O(1) once the string is indexed (offsetOf).
 */
function pushRank(z: PackedZset, rank: number, out: ZsetEntries, within: ScoreRange | undefined, reverse: boolean): boolean {
  const packed = z.packed;
  const at = offsetOf(packed, 2 * rank);
  const score = scoreAtOffset(packed, offsetOf(packed, 2 * rank + 1));
  if (within !== undefined && !inFarEnd(score, within, reverse)) return false;
  out.push(readEntry(packed, at), score);
  return true;
}

export function lpCollect(z: PackedZset, rank: number, count: number, reverse: boolean, out: ZsetEntries, within?: ScoreRange): void {
  const step = reverse ? -1 : 1;
  for (let i = rank, n = 0; n < count && i >= 0 && i < z.pairs; n++, i += step) {
    if (!pushRank(z, i, out, within, reverse)) break;
  }
}

export function lpRemoveRanks(z: PackedZset, start: number, end: number): void {
  const packed = z.packed;
  const from = offsetOf(packed, 2 * start);
  let to = from;
  for (let i = start; i <= end; i++) to = skipEntry(packed, skipEntry(packed, to));
  z.packed = spliceBytes(packed, from, to, '');
  z.pairs -= end - start + 1;
}

export function lpFirstRankInRange(z: PackedZset, range: ScoreRange): number {
  if (isEmptyScoreRange(range)) return -1;
  const packed = z.packed;
  for (let rank = 0, offset = 0; offset < packed.length; rank++) {
    const scoreOffset = skipEntry(packed, offset);
    const score = scoreAtOffset(packed, scoreOffset);
    if (scoreAboveMin(score, range)) return scoreBelowMax(score, range) ? rank : -1;
    offset = skipEntry(packed, scoreOffset);
  }
  return -1;
}

export function lpLastRankInRange(z: PackedZset, range: ScoreRange): number {
  if (isEmptyScoreRange(range)) return -1;
  // The last score not above the maximum (scores ascend), if it is within the minimum.
  const packed = z.packed;
  let last = -1;
  let lastScore = 0;
  for (let rank = 0, offset = 0; offset < packed.length; rank++) {
    const scoreOffset = skipEntry(packed, offset);
    const score = scoreAtOffset(packed, scoreOffset);
    if (!scoreBelowMax(score, range)) break;
    last = rank;
    lastScore = score;
    offset = skipEntry(packed, scoreOffset);
  }
  return last >= 0 && scoreAboveMin(lastScore, range) ? last : -1;
}

/**
 * Redis's zzlIsInLexRange, then zzlFirstInLexRange (from the head) or zzlLastInLexRange (from
 * the tail; here the last match walking from the head, the same pair): the rank where a
 * lexicographic range starts, or -1.
 */
function lexStart(z: PackedZset, range: LexRange, fromTail: boolean): number {
  if (z.pairs === 0 || isEmptyLexRange(range)) return -1;
  const cursor = new EntryCursor(z.packed);
  // The first member must not be above the maximum, the last not below the minimum.
  cursor.next();
  if (!belowMaxAt(cursor, range)) return -1;
  const last = new EntryCursor(z.packed, offsetOf(z.packed, 2 * (z.pairs - 1)));
  last.next();
  if (!aboveMinAt(last, range)) return -1;
  let found = -1;
  for (let rank = 0; ; rank++) {
    if (fromTail) {
      if (belowMaxAt(cursor, range)) found = rank;
    } else if (aboveMinAt(cursor, range)) {
      return belowMaxAt(cursor, range) ? rank : -1;
    }
    cursor.next();
    if (!cursor.next()) break;
  }
  if (found < 0) return -1;
  const at = new EntryCursor(z.packed, offsetOf(z.packed, 2 * found));
  at.next();
  return aboveMinAt(at, range) ? found : -1;
}

export function lpLexRange(z: PackedZset, range: LexRange, offset: number, limit: number, reverse: boolean, out: ZsetEntries): void {
  const start = lexStart(z, range, reverse);
  if (start < 0) return;
  const packed = z.packed;
  const step = reverse ? -1 : 1;
  for (let rank = start + step * offset; rank >= 0 && rank < z.pairs && limit !== 0; rank += step, limit--) {
    const member = new EntryCursor(packed, offsetOf(packed, 2 * rank));
    member.next();
    if (reverse ? !aboveMinAt(member, range) : !belowMaxAt(member, range)) break;
    pushRank(z, rank, out, undefined, reverse);
  }
}

/** The ranks from the first in range up to the first past its end, as [first, end), or null. */
function lexRun(z: PackedZset, range: LexRange): [number, number] | null {
  const first = lexStart(z, range, false);
  if (first < 0) return null;
  const cursor = new EntryCursor(z.packed, offsetOf(z.packed, 2 * first));
  let end = first;
  while (cursor.next() && belowMaxAt(cursor, range)) {
    cursor.next();
    end++;
  }
  return [first, end];
}

export function lpLexCount(z: PackedZset, range: LexRange): number {
  const run = lexRun(z, range);
  return run === null ? 0 : run[1] - run[0];
}

export function lpRemoveLexRange(z: PackedZset, range: LexRange): number {
  const run = lexRun(z, range);
  if (run === null) return 0;
  lpRemoveRanks(z, run[0], run[1] - 1);
  return run[1] - run[0];
}

/** O(1) when read in order (see offsetOf). */
export function lpMemberAt(z: PackedZset, i: number): string {
  return readEntry(z.packed, offsetOf(z.packed, 2 * i));
}

export function lpScoreAt(z: PackedZset, i: number): number {
  return scoreAtOffset(z.packed, offsetOf(z.packed, 2 * i + 1));
}

/** Every member and score in order. */
export function lpForEach(z: PackedZset, visit: (member: string, score: number) => void): void {
  const cursor = new EntryCursor(z.packed);
  while (cursor.next()) {
    const member = cursor.value();
    cursor.next();
    visit(member, scoreAtOffset(cursor.packed, cursor.offset));
  }
}
