/**
 * Stream IDs: two unsigned 64-bit numbers, <ms>-<seq>. An ID is kept as a 16-char latin1 string
 * holding the two numbers big-endian (as Redis's streamEncodeID lays out rax keys), so IDs
 * compare with `<` and `===`, work as Map keys, and are exact up to 2^64 - 1 without BigInt.
 * Arithmetic works on 32-bit halves (hi, lo); decimal text goes through a number when the value
 * is below 2^53 and through BigInt only beyond.
 */

export type StreamId = string;

/**
 * 0-0 and 18446744073709551615-18446744073709551615. Built flat: '\xff'.repeat(16) is a rope
 * that V8 keeps as one, so every comparison with it would flatten a copy first (~40 ns).
 */
export const MIN_ID: StreamId = idFromHalves(0, 0, 0, 0);
export const MAX_ID: StreamId = idFromHalves(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff);

const TWO_32 = 0x100000000;
const SAFE_HI = 0x200000; // hi < 2^21: hi * 2^32 + lo is below 2^53

/** A u64 as its two 32-bit halves. */
export interface U64 {
  hi: number;
  lo: number;
}

function halfAt(id: string, offset: number): number {
  return (
    id.charCodeAt(offset) * 0x1000000 +
    ((id.charCodeAt(offset + 1) << 16) | (id.charCodeAt(offset + 2) << 8) | id.charCodeAt(offset + 3))
  );
}

/**
 * The ID of (msHi, msLo, seqHi, seqLo). Built by one fromCharCode call: concatenating four
 * 4-char pieces would make a rope (V8 joins strings of 13 chars or more lazily), and every later
 * charCodeAt or comparison on it would first flatten it.
 */
export function idFromHalves(msHi: number, msLo: number, seqHi: number, seqLo: number): StreamId {
  return String.fromCharCode(
    msHi >>> 24, (msHi >>> 16) & 0xff, (msHi >>> 8) & 0xff, msHi & 0xff,
    msLo >>> 24, (msLo >>> 16) & 0xff, (msLo >>> 8) & 0xff, msLo & 0xff,
    seqHi >>> 24, (seqHi >>> 16) & 0xff, (seqHi >>> 8) & 0xff, seqHi & 0xff,
    seqLo >>> 24, (seqLo >>> 16) & 0xff, (seqLo >>> 8) & 0xff, seqLo & 0xff,
  );
}

/** The ID ms-seq of two safe non-negative integers (the common case: times and small counters). */
export function makeId(ms: number, seq: number): StreamId {
  return idFromHalves(Math.floor(ms / TWO_32), ms >>> 0, Math.floor(seq / TWO_32), seq >>> 0);
}

/** The ms (part 0) or seq (part 1) half-pair of an ID. */
export function idPart(id: StreamId, part: 0 | 1): U64 {
  const offset = part * 8;
  return { hi: halfAt(id, offset), lo: halfAt(id, offset + 4) };
}

/** Half `index` of an ID: 0 and 1 are the ms part's high and low 32 bits, 2 and 3 the seq's. */
export function idHalf(id: StreamId, index: 0 | 1 | 2 | 3): number {
  return halfAt(id, index * 4);
}

/** The ms part as a number if it is below 2^53, else -1 (callers then fall back to idPart). */
export function idMsNumber(id: StreamId): number {
  const hi = halfAt(id, 0);
  return hi < SAFE_HI ? hi * TWO_32 + halfAt(id, 4) : -1;
}

/** Decimal text of a u64 given as halves. */
export function u64Text(hi: number, lo: number): string {
  if (hi < SAFE_HI) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** The "<ms>-" text formatId made last: IDs made in a row mostly share their ms part. */
let formattedMsHi = -1;
let formattedMsLo = -1;
let formattedMsPrefix = '';

/** The ID as Redis prints it: "<ms>-<seq>". */
export function formatId(id: StreamId): string {
  const msHi = halfAt(id, 0);
  const msLo = halfAt(id, 4);
  if (msLo !== formattedMsLo || msHi !== formattedMsHi) {
    formattedMsPrefix = `${u64Text(msHi, msLo)}-`;
    formattedMsHi = msHi;
    formattedMsLo = msLo;
  }
  return formattedMsPrefix + u64Text(halfAt(id, 8), halfAt(id, 12));
}

/** The ID as a [ms, seq] pair of bigints (tests, persistence). */
export function idToBigInts(id: StreamId): [bigint, bigint] {
  const ms = idPart(id, 0);
  const seq = idPart(id, 1);
  return [(BigInt(ms.hi) << 32n) | BigInt(ms.lo), (BigInt(seq.hi) << 32n) | BigInt(seq.lo)];
}

/** The ID of two bigints in [0, 2^64). */
export function idFromBigInts(ms: bigint, seq: bigint): StreamId {
  return idFromHalves(Number(ms >> 32n), Number(ms & 0xffffffffn), Number(seq >> 32n), Number(seq & 0xffffffffn));
}

/** The next ID (streamIncrID), or null after the last possible one. */
export function nextId(id: StreamId): StreamId | null {
  if (id === MAX_ID) return null;
  // The four halves as one 128-bit counter, plus one (a flat string, see idFromHalves).
  let msHi = halfAt(id, 0);
  let msLo = halfAt(id, 4);
  let seqHi = halfAt(id, 8);
  let seqLo = halfAt(id, 12) + 1;
  if (seqLo === TWO_32) {
    seqLo = 0;
    if (++seqHi === TWO_32) {
      seqHi = 0;
      if (++msLo === TWO_32) {
        msLo = 0;
        msHi++;
      }
    }
  }
  return idFromHalves(msHi, msLo, seqHi, seqLo);
}

/** The previous ID (streamDecrID), or null before 0-0. */
export function previousId(id: StreamId): StreamId | null {
  if (id === MIN_ID) return null;
  let msHi = halfAt(id, 0);
  let msLo = halfAt(id, 4);
  let seqHi = halfAt(id, 8);
  let seqLo = halfAt(id, 12) - 1;
  if (seqLo < 0) {
    seqLo = TWO_32 - 1;
    if (--seqHi < 0) {
      seqHi = TWO_32 - 1;
      if (--msLo < 0) {
        msLo = TWO_32 - 1;
        msHi--;
      }
    }
  }
  return idFromHalves(msHi, msLo, seqHi, seqLo);
}

/** a - b of two u64s, wrapping modulo 2^64 (the int64 cast Redis stores as a delta). */
export function subU64(a: U64, b: U64): U64 {
  return subHalves(a.hi, a.lo, b, { hi: 0, lo: 0 });
}

/** (aHi, aLo) - b, wrapping modulo 2^64, written into `out` (for hot paths that allocate nothing). */
export function subHalves(aHi: number, aLo: number, b: U64, out: U64): U64 {
  let lo = aLo - b.lo;
  let hi = aHi - b.hi;
  if (lo < 0) {
    lo += TWO_32;
    hi -= 1;
  }
  if (hi < 0) hi += TWO_32;
  out.hi = hi;
  out.lo = lo;
  return out;
}

/** a + b of two u64s, wrapping modulo 2^64. */
export function addU64(a: U64, b: U64): U64 {
  let lo = a.lo + b.lo;
  let hi = a.hi + b.hi;
  if (lo >= TWO_32) {
    lo -= TWO_32;
    hi += 1;
  }
  if (hi >= TWO_32) hi -= TWO_32;
  return { hi, lo };
}

// ---- parsing: Redis's string2ull, as streamGenericParseIDOrReply uses it ----

const U64_MAX = 2n ** 64n - 1n;
const CANONICAL_NEGATIVE = /^-[1-9][0-9]*$/;

function isCSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/**
 * string2ull: an integer that string2ll accepts must not be negative; anything else is read as
 * C's strtoull would (leading spaces, a sign, leading zeros; "-N" wraps modulo 2^64; overflow is
 * an error). Returns halves, or null.
 */
export function parseU64(text: string): U64 | null {
  if (text.length === 0) return null;
  // Fast path: plain digits that fit a double exactly.
  if (text.length <= 15) {
    let n = 0;
    let ok = true;
    for (let i = 0; i < text.length; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) {
        ok = false;
        break;
      }
      n = n * 10 + d;
    }
    if (ok) return { hi: Math.floor(n / TWO_32), lo: n >>> 0 };
  }
  // string2ll accepts a canonical negative int64: string2ull then rejects it.
  if (text.length <= 20 && CANONICAL_NEGATIVE.test(text) && BigInt(text) >= -(2n ** 63n)) return null;
  let i = 0;
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  const digits = text.slice(i);
  if (digits.length === 0 || !/^[0-9]+$/.test(digits)) return null;
  let value = BigInt(digits);
  if (value > U64_MAX) return null;
  if (negative) value = (U64_MAX + 1n - value) & U64_MAX;
  return { hi: Number(value >> 32n), lo: Number(value & 0xffffffffn) };
}

export interface ParsedId {
  id: StreamId;
  /** False for the "<ms>-*" form (only accepted when asked for). */
  seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply: "-" and "+" (unless strict), "<ms>" (seq = missingSeq, 0 or
 * u64 max), "<ms>-<seq>", and "<ms>-*" when allowSeqStar. The argument is read as a C string
 * (up to its first NUL) and may be at most 127 bytes. Returns null when invalid.
 */
export function parseStreamId(
  arg: string,
  missingSeqMax: boolean,
  strict: boolean,
  allowSeqStar = false,
): ParsedId | null {
  if (arg.length > 127) return null;
  const nul = arg.indexOf('\0');
  const text = nul < 0 ? arg : arg.slice(0, nul);
  if (text === '-') return strict ? null : { id: MIN_ID, seqGiven: true };
  if (text === '+') return strict ? null : { id: MAX_ID, seqGiven: true };
  const dash = text.indexOf('-');
  const ms = parseU64(dash < 0 ? text : text.slice(0, dash));
  if (ms === null) return null;
  if (dash < 0) {
    const seq = missingSeqMax ? 0xffffffff : 0;
    return { id: idFromHalves(ms.hi, ms.lo, seq, seq), seqGiven: true };
  }
  const seqText = text.slice(dash + 1);
  if (allowSeqStar && seqText === '*') return { id: idFromHalves(ms.hi, ms.lo, 0, 0), seqGiven: false };
  const seq = parseU64(seqText);
  if (seq === null) return null;
  return { id: idFromHalves(ms.hi, ms.lo, seq.hi, seq.lo), seqGiven: true };
}
