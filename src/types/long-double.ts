/**
 * x87 80-bit extended precision ("long double" on x86-64 Linux), emulated exactly with BigInt,
 * for INCRBYFLOAT. Redis parses both operands with strtold, adds them in long double and prints
 * the sum with "%.17Lf" before stripping trailing zeros; reproducing its replies byte for byte
 * needs the same 64-bit mantissa, the same round-to-nearest-even at every step, and the exact
 * decimal expansion that glibc's printf produces.
 *
 * A finite value is sign * mantissa * 2^exponent with mantissa < 2^64; normal values have the
 * top mantissa bit set, subnormals sit at the lowest exponent.
 */

const MANTISSA_BITS = 64;
/** Exponent of the smallest subnormal (2^-16445) and of the normal numbers' lowest binade. */
const MIN_EXPONENT = -16445;
/** Largest exponent of a finite value: (2^64 - 1) * 2^16320 is LDBL_MAX. */
const MAX_EXPONENT = 16320;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are refused. */
const MAX_INPUT_CHARS = 5 * 1024;

const TOP_BIT = 1n << 63n;
const MANTISSA_LIMIT = 1n << 64n;

export type LongDouble =
  | { kind: 'finite'; negative: boolean; mantissa: bigint; exponent: number }
  | { kind: 'infinite'; negative: boolean }
  | { kind: 'nan' };

function zero(negative: boolean): LongDouble {
  return { kind: 'finite', negative, mantissa: 0n, exponent: 0 };
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds the exact positive value numerator / denominator * 2^scale to the nearest long double
 * (ties to even). Returns null on overflow.
 */
function roundRational(negative: boolean, numerator: bigint, denominator: bigint, scale: number): LongDouble | null {
  if (numerator === 0n) return zero(negative);
  // Aim for a quotient with exactly 64 bits: value = quotient * 2^exponent.
  let exponent = bitLength(numerator) - bitLength(denominator) - MANTISSA_BITS + scale;
  for (;;) {
    if (exponent < MIN_EXPONENT) exponent = MIN_EXPONENT;
    const shift = exponent - scale;
    const num = shift < 0 ? numerator << BigInt(-shift) : numerator;
    const den = shift > 0 ? denominator << BigInt(shift) : denominator;
    let quotient = num / den;
    if (quotient >= MANTISSA_LIMIT) {
      exponent++;
      continue;
    }
    if (quotient < TOP_BIT && exponent > MIN_EXPONENT) {
      exponent--;
      continue;
    }
    const twiceRemainder = (num - quotient * den) * 2n;
    if (twiceRemainder > den || (twiceRemainder === den && (quotient & 1n) === 1n)) quotient++;
    if (quotient === MANTISSA_LIMIT) {
      quotient = TOP_BIT;
      exponent++;
    }
    if (exponent > MAX_EXPONENT) return null;
    return { kind: 'finite', negative, mantissa: quotient, exponent };
  }
}

const DECIMAL = /^([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;
const HEXADECIMAL = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;

/** Clamps an exponent's digits: anything this large overflows or underflows anyway. */
function clampedExponent(text: string | undefined): number {
  if (!text) return 0;
  const n = Number(text);
  return Math.max(-1e7, Math.min(1e7, n));
}

function parseDecimal(negative: boolean, intDigits: string, fracDigits: string, expText: string | undefined): LongDouble | null {
  const digits = (intDigits + fracDigits).replace(/^0+/, '');
  if (digits === '') return zero(negative);
  const exp10 = clampedExponent(expText) - fracDigits.length;
  // Order of magnitude of the value: 10^(magnitude-1) <= value < 10^magnitude.
  const magnitude = digits.length + exp10;
  if (magnitude > 4935) return null; // beyond LDBL_MAX (about 1.19e4932)
  if (magnitude < -4955) return zero(negative); // below half the smallest subnormal (3.6e-4951)
  const significand = BigInt(digits);
  if (exp10 >= 0) return roundRational(negative, significand * 10n ** BigInt(exp10), 1n, 0);
  return roundRational(negative, significand, 10n ** BigInt(-exp10), 0);
}

function parseHex(negative: boolean, intDigits: string, fracDigits: string, expText: string | undefined): LongDouble | null {
  const digits = (intDigits + fracDigits).replace(/^0+/, '');
  if (digits === '') return zero(negative);
  const exp2 = clampedExponent(expText) - 4 * fracDigits.length;
  const magnitude = digits.length * 4 + exp2;
  if (magnitude > 16390) return null;
  if (magnitude < -16460) return zero(negative);
  return roundRational(negative, BigInt('0x' + digits), 1n, exp2);
}

/**
 * Parses a number as Redis's string2ld does (strtold on the whole argument): decimal or
 * hexadecimal floats, "inf"/"infinity", no surrounding spaces. Returns null when Redis refuses
 * the text: syntax, NaN, overflow to infinity, or underflow to zero.
 */
export function parseLongDouble(text: string): LongDouble | null {
  if (text.length === 0 || text.length >= MAX_INPUT_CHARS) return null;
  let body = text;
  let negative = false;
  const first = body.charCodeAt(0);
  if (first === 43 /* + */ || first === 45 /* - */) {
    negative = first === 45;
    body = body.slice(1);
  }
  const lower = body.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return { kind: 'infinite', negative };
  let result: LongDouble | null = null;
  let zeroByUnderflow = false;
  const hex = HEXADECIMAL.exec(body);
  if (hex && (hex[1].length > 0 || (hex[2] ?? '').length > 0)) {
    result = parseHex(negative, hex[1], hex[2] ?? '', hex[3]);
    zeroByUnderflow = /[1-9a-fA-F]/.test(hex[1] + (hex[2] ?? ''));
  } else {
    const dec = DECIMAL.exec(body);
    if (!dec || (dec[1].length === 0 && (dec[2] ?? '').length === 0)) return null;
    result = parseDecimal(negative, dec[1], dec[2] ?? '', dec[3]);
    zeroByUnderflow = /[1-9]/.test(dec[1] + (dec[2] ?? ''));
  }
  // strtold reports ERANGE when a nonzero input rounds to zero; Redis refuses it.
  if (result !== null && result.kind === 'finite' && result.mantissa === 0n && zeroByUnderflow) return null;
  return result;
}

/** The long double nearest to a JS number (exact: a double always fits). */
export function longDoubleFromNumber(n: number): LongDouble {
  if (Number.isNaN(n)) return { kind: 'nan' };
  if (!Number.isFinite(n)) return { kind: 'infinite', negative: n < 0 };
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) {
    return roundRational(n < 0 || Object.is(n, -0), BigInt(Math.abs(n)), 1n, 0)!;
  }
  return parseLongDouble(String(n)) ?? zero(false);
}

/** Exact value as a signed BigInt numerator times 2^exponent. */
function signedMantissa(v: { negative: boolean; mantissa: bigint }): bigint {
  return v.negative ? -v.mantissa : v.mantissa;
}

/** a + b rounded to long double, as the FPU does it. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === 'nan' || b.kind === 'nan') return { kind: 'nan' };
  if (a.kind === 'infinite' || b.kind === 'infinite') {
    if (a.kind === 'infinite' && b.kind === 'infinite' && a.negative !== b.negative) return { kind: 'nan' };
    return a.kind === 'infinite' ? a : b;
  }
  const exponent = Math.min(a.exponent, b.exponent);
  const sum =
    (signedMantissa(a) << BigInt(a.exponent - exponent)) + (signedMantissa(b) << BigInt(b.exponent - exponent));
  // An exact zero sum is +0 in round-to-nearest, unless both operands are -0.
  if (sum === 0n) return zero(a.negative && b.negative && a.mantissa === 0n && b.mantissa === 0n);
  const negative = sum < 0n;
  return roundRational(negative, negative ? -sum : sum, 1n, exponent) ?? { kind: 'infinite', negative };
}

/**
 * The value as Redis prints an INCRBYFLOAT result: "%.17Lf" (exact decimal expansion rounded
 * half to even at the 17th decimal), then trailing zeros and a trailing point removed, and
 * "-0" shown as "0".
 */
export function formatLongDoubleHuman(v: LongDouble): string {
  if (v.kind === 'nan') return 'nan';
  if (v.kind === 'infinite') return v.negative ? '-inf' : 'inf';
  let scaled: bigint; // round(|v| * 10^17)
  const pow17 = 10n ** 17n;
  if (v.exponent >= 0) {
    scaled = (v.mantissa << BigInt(v.exponent)) * pow17;
  } else {
    const shift = BigInt(-v.exponent);
    const numerator = v.mantissa * pow17;
    scaled = numerator >> shift;
    const twiceRemainder = (numerator - (scaled << shift)) * 2n;
    const denominator = 1n << shift;
    if (twiceRemainder > denominator || (twiceRemainder === denominator && (scaled & 1n) === 1n)) scaled++;
  }
  const digits = scaled.toString().padStart(18, '0');
  let text = digits.slice(0, -17) + '.' + digits.slice(-17);
  text = text.replace(/0+$/, '').replace(/\.$/, '');
  if (v.negative && text !== '0') text = '-' + text;
  return text;
}
