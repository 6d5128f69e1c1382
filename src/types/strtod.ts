/**
 * C's strtod as glibc implements it, for the places where Redis parses a double with it: leading
 * white space, an optional sign, decimal or hexadecimal ("0x1.8p3") digits, "inf", "infinity",
 * "nan", and the longest valid prefix wins. The text is a C string: parsing stops at a NUL byte.
 *
 * Decimal conversion uses JS's Number(), which rounds correctly as glibc does; hexadecimal
 * mantissas are rounded here (ties to even).
 */

export interface StrtodResult {
  value: number;
  /** Index of the first character not parsed (0 when nothing was: C's endptr == nptr). */
  end: number;
  /** glibc would set errno to ERANGE: the value overflowed, or a non-zero value underflowed to 0. */
  outOfRange: boolean;
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHexDigit = (c: number): boolean => isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102);

/** True when s[at...] starts with `word`, ignoring ASCII case. */
function startsWithWord(s: string, at: number, word: string): boolean {
  if (s.length - at < word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if ((s.charCodeAt(at + i) | 32) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** Index after the digits (and the optional sign) of an exponent at s[at], or `at` if none. */
function exponentEnd(s: string, at: number): number {
  let i = at;
  const sign = s.charCodeAt(i);
  if (sign === 43 || sign === 45) i++;
  if (!isDigit(s.charCodeAt(i))) return at;
  while (isDigit(s.charCodeAt(i))) i++;
  return i;
}

export function strtod(s: string): StrtodResult {
  if (s.length < 16 && isPlainInteger(s)) return { value: Number(s), end: s.length, outOfRange: false };
  let i = 0;
  while (isSpace(s.charCodeAt(i))) i++;
  let negative = false;
  const sign = s.charCodeAt(i);
  if (sign === 43 || sign === 45) {
    negative = sign === 45;
    i++;
  }
  if (startsWithWord(s, i, 'inf')) {
    const end = startsWithWord(s, i, 'infinity') ? i + 8 : i + 3;
    return { value: negative ? -Infinity : Infinity, end, outOfRange: false };
  }
  if (startsWithWord(s, i, 'nan')) {
    let end = i + 3;
    if (s.charCodeAt(end) === 40) {
      // "nan(chars)": only letters, digits and '_' may appear inside the parentheses.
      let j = end + 1;
      while (/[0-9A-Za-z_]/.test(s[j] ?? '')) j++;
      if (s.charCodeAt(j) === 41) end = j + 1;
    }
    return { value: NaN, end, outOfRange: false };
  }
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 120) {
    const hex = parseHex(s, i + 2, negative);
    if (hex !== null) return hex;
    // "0x" without hex digits: only the "0" is a number.
    return { value: negative ? -0 : 0, end: i + 1, outOfRange: false };
  }

  const start = i;
  let digits = 0;
  let nonZero = false;
  while (isDigit(s.charCodeAt(i))) {
    if (s.charCodeAt(i) !== 48) nonZero = true;
    i++;
    digits++;
  }
  if (s.charCodeAt(i) === 46) {
    i++;
    while (isDigit(s.charCodeAt(i))) {
      if (s.charCodeAt(i) !== 48) nonZero = true;
      i++;
      digits++;
    }
  }
  if (digits === 0) return { value: 0, end: 0, outOfRange: false };
  if ((s.charCodeAt(i) | 32) === 101) {
    const end = exponentEnd(s, i + 1);
    if (end > i + 1) i = end;
  }
  const magnitude = Number(s.slice(start, i));
  const outOfRange = magnitude === Infinity || (magnitude === 0 && nonZero);
  return { value: negative ? -magnitude : magnitude, end: i, outOfRange };
}

/** A hexadecimal float after its "0x"; null when no hex digit follows. */
function parseHex(s: string, at: number, negative: boolean): StrtodResult | null {
  let i = at;
  let mantissa = 0n;
  let digits = 0;
  let fractionDigits = 0;
  while (isHexDigit(s.charCodeAt(i))) {
    mantissa = mantissa * 16n + BigInt(parseInt(s[i], 16));
    i++;
    digits++;
  }
  if (s.charCodeAt(i) === 46) {
    i++;
    while (isHexDigit(s.charCodeAt(i))) {
      mantissa = mantissa * 16n + BigInt(parseInt(s[i], 16));
      i++;
      digits++;
      fractionDigits++;
    }
  }
  if (digits === 0) return null;
  let exponent = 0;
  if ((s.charCodeAt(i) | 32) === 112) {
    const end = exponentEnd(s, i + 1);
    if (end > i + 1) {
      // Clamp absurd exponents: anything past these bounds is already 0 or infinity.
      exponent = Math.max(-100000, Math.min(100000, Number(s.slice(i + 1, end))));
      i = end;
    }
  }
  const magnitude = roundBinary(mantissa, exponent - 4 * fractionDigits);
  const outOfRange = magnitude === Infinity || (magnitude === 0 && mantissa !== 0n);
  return { value: negative ? -magnitude : magnitude, end: i, outOfRange };
}

/** The double nearest to mantissa * 2^exponent (ties to even), as strtod rounds. */
function roundBinary(mantissa: bigint, exponent: number): number {
  if (mantissa === 0n) return 0;
  const bits = mantissa.toString(2).length;
  // Keep 53 significant bits, or fewer where the result is subnormal (below 2^-1022).
  const topExponent = exponent + bits - 1;
  const keep = Math.max(0, Math.min(53, topExponent + 1074 + 1));
  const drop = bits - keep;
  if (drop <= 0) return scale(Number(mantissa), exponent);
  const kept = mantissa >> BigInt(drop);
  const rest = mantissa - (kept << BigInt(drop));
  const half = 1n << BigInt(drop - 1);
  const roundUp = rest > half || (rest === half && (kept & 1n) === 1n);
  const rounded = kept + (roundUp ? 1n : 0n);
  return scale(Number(rounded), exponent + drop);
}

/** x * 2^e without losing precision in intermediate powers (2 ** -1074 alone underflows fine). */
function scale(x: number, e: number): number {
  while (e > 1000) {
    x *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    x *= 2 ** -1000;
    e += 1000;
  }
  return x * 2 ** e;
}

/**
 * Redis's string2d (getDoubleFromObject): the whole text must be a number, without leading
 * space, overflow, underflow to zero, or NaN.
 */
export function parseStrictDouble(s: string): number | null {
  if (s.length === 0 || isSpace(s.charCodeAt(0))) return null;
  if (s.length < 16 && isPlainInteger(s)) return Number(s);
  const r = strtod(s);
  if (r.end !== s.length || Number.isNaN(r.value)) return null;
  if (r.outOfRange && (r.value === 0 || !Number.isFinite(r.value))) return null;
  return r.value;
}

/** Optional '-' then digits only: the common case, which Number() parses exactly as strtod. */
function isPlainInteger(s: string): boolean {
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === s.length) return false;
  for (; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}
