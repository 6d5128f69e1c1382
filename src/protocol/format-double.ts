/**
 * Doubles as Redis 7.0 prints them in replies: C's "%.17g" (17 significant digits, exponent form
 * below 1e-4 and from 1e17 up, trailing zeros dropped), with "inf", "-inf" and "nan".
 *
 * The 17 digits come from V8's correctly rounded 18-digit form (toExponential(17)): an 18th digit
 * other than 5 says on which side of the halfway point the double lies. With a 5 the double is
 * compared exactly (BigInt) with the halfway point; on an exact tie glibc rounds half to even
 * (e.g. 1 + 2^-17 = 1.00000762939453125 prints as 1.0000076293945312), where V8's own
 * toExponential(16) would round up.
 */
export function formatDouble(d: number): string {
  if (!Number.isFinite(d)) return Number.isNaN(d) ? 'nan' : d > 0 ? 'inf' : '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  // Safe integers print all their digits, exactly as String() gives them (the common case).
  if (Number.isSafeInteger(d)) return String(d);
  const x = d < 0 ? -d : d;
  const long = x.toExponential(17); // "d.ddddddddddddddddde+x": 18 digits
  const exp18 = Number(long.slice(20));
  const digits18 = long[0] + long.slice(2, 19);
  let digits = digits18.slice(0, 17);
  let exp = exp18;
  if (roundsUp(x, digits18, exp18)) {
    digits = incrementDigits(digits);
    if (digits.length > 17) {
      digits = digits.slice(0, 17);
      exp++;
    }
  }
  const text = exp < -4 || exp >= 17 ? exponentForm(digits, exp) : fixedForm(digits, exp);
  return d < 0 ? '-' + text : text;
}

/** Whether rounding the 18-digit form to 17 digits goes up, judged on the exact value of x. */
function roundsUp(x: number, digits18: string, exp18: number): boolean {
  const last = digits18.charCodeAt(17) - 48;
  if (last !== 5) return last > 5;
  // The 18-digit form is the halfway point between two 17-digit neighbours, or x rounded to it.
  const order = compareWithDecimal(x, BigInt(digits18), exp18 - 17);
  if (order !== 0) return order > 0;
  return (digits18.charCodeAt(16) - 48) % 2 === 1; // an exact tie: to even
}

/** Adds one to a string of decimal digits ("129" -> "130", "99" -> "100"). */
function incrementDigits(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === '9') i--;
  if (i < 0) return '1' + '0'.repeat(digits.length);
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - 1 - i);
}

function trimZeros(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  return s.slice(0, end);
}

function exponentForm(digits: string, exp: number): string {
  const frac = trimZeros(digits.slice(1));
  const abs = exp < 0 ? -exp : exp;
  return `${digits[0]}${frac ? '.' + frac : ''}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' + abs : abs}`;
}

function fixedForm(digits: string, exp: number): string {
  if (exp < 0) return '0.' + '0'.repeat(-exp - 1) + trimZeros(digits);
  const frac = trimZeros(digits.slice(exp + 1));
  const whole = digits.slice(0, exp + 1);
  return frac ? `${whole}.${frac}` : whole;
}

const powersOf10: bigint[] = [1n];
const powersOf2: bigint[] = [1n];

function power(table: bigint[], base: bigint, n: number): bigint {
  while (table.length <= n) table.push(table[table.length - 1] * base);
  return table[n];
}

/** The sign of x - coefficient * 10^power10, computed exactly. */
function compareWithDecimal(x: number, coefficient: bigint, power10: number): number {
  const { mantissa, exp2 } = decompose(x);
  let left = mantissa;
  let right = coefficient;
  if (power10 >= 0) right *= power(powersOf10, 10n, power10);
  else left *= power(powersOf10, 10n, -power10);
  if (exp2 >= 0) left *= power(powersOf2, 2n, exp2);
  else right *= power(powersOf2, 2n, -exp2);
  return left === right ? 0 : left > right ? 1 : -1;
}

const view = new DataView(new ArrayBuffer(8));

/** x = mantissa * 2^exp2 exactly, for a positive finite double. */
function decompose(x: number): { mantissa: bigint; exp2: number } {
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (biased === 0) return { mantissa: fraction, exp2: -1074 };
  return { mantissa: fraction | (1n << 52n), exp2: biased - 1075 };
}

/** Redis's trimDoubleString: drops trailing fraction zeros ("99.900000" -> "99.9", "50.000" -> "50"). */
export function trimDoubleString(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
