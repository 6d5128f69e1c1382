/**
 * Doubles as Redis 7.0 prints them in replies: C's "%.17g" (17 significant digits, exponent form
 * below 1e-4 and from 1e17 up), with "inf" and "-inf".
 */
export function formatDouble(d: number): string {
  if (!Number.isFinite(d)) return Number.isNaN(d) ? 'nan' : d > 0 ? 'inf' : '-inf';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const [mantissa, expText] = d.toExponential(16).split('e');
  const exp = Number(expText);
  const negative = mantissa[0] === '-';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 17) {
    const frac = digits.slice(1).replace(/0+$/, '');
    const abs = Math.abs(exp);
    return `${negative ? '-' : ''}${digits[0]}${frac ? '.' + frac : ''}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' + abs : abs}`;
  }
  let text: string;
  if (exp < 0) text = '0.' + '0'.repeat(-exp - 1) + digits;
  else text = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  text = text.replace(/0+$/, '').replace(/\.$/, '');
  return negative ? '-' + text : text;
}
