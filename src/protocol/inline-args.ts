/**
 * Splits a line into arguments the way Redis's sdssplitargs does, for inline requests and
 * redis.conf lines: blanks separate arguments; "double quotes" understand \n \r \t \b \a, \xHH
 * and \<any char>; 'single quotes' understand only \'. A closing quote must be followed by a
 * blank or the end of the line. Returns null for unbalanced quotes.
 *
 * Like the C code, it tells two kinds of blanks apart: between arguments any isspace() char is
 * skipped (space \t \n \v \f \r), but inside an unquoted argument only space, \t, \n and \r end it
 * (so "a\vb" is one argument). Input is latin1 text (one char per byte).
 */
const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const BACKSLASH = 92;

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };

/** C's isspace() in the C locale: space, and \t \n \v \f \r (9 to 13). */
function isSpace(code: number): boolean {
  return code === SPACE || (code >= TAB && code <= CR);
}

/** The chars that end an unquoted argument. */
function endsArgument(code: number): boolean {
  return code === SPACE || code === TAB || code === LF || code === CR;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

export function splitInlineArgs(line: string): string[] | null {
  if (line.indexOf('"') < 0 && line.indexOf("'") < 0) return splitPlain(line);
  const args: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return args;
    const arg = readArgument(line, i);
    if (arg === null) return null;
    args.push(arg.value);
    i = arg.next;
  }
}

/** Lines without quotes (nearly all of them): plain splitting, no per-char string building. */
function splitPlain(line: string): string[] {
  const args: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) return args;
    const start = i;
    while (i < n && !endsArgument(line.charCodeAt(i))) i++;
    args.push(line.slice(start, i));
  }
}

/** Reads one argument starting at a non-blank char; null for unbalanced quotes. */
function readArgument(line: string, start: number): { value: string; next: number } | null {
  const n = line.length;
  let value = '';
  let i = start;
  let quote = 0; // the open quote's char code, 0 outside quotes
  for (;;) {
    if (i >= n) return quote === 0 ? { value, next: i } : null;
    const code = line.charCodeAt(i);
    if (quote === DOUBLE_QUOTE) {
      if (code === BACKSLASH && i + 1 < n) {
        const high = i + 3 < n && line[i + 1] === 'x' ? hexValue(line.charCodeAt(i + 2)) : -1;
        const low = high >= 0 ? hexValue(line.charCodeAt(i + 3)) : -1;
        if (low >= 0) {
          value += String.fromCharCode(high * 16 + low);
          i += 4;
        } else {
          value += ESCAPES[line[i + 1]] ?? line[i + 1];
          i += 2;
        }
        continue;
      }
      if (code === DOUBLE_QUOTE) return closeQuote(line, i, value);
    } else if (quote === SINGLE_QUOTE) {
      if (code === BACKSLASH && line.charCodeAt(i + 1) === SINGLE_QUOTE) {
        value += "'";
        i += 2;
        continue;
      }
      if (code === SINGLE_QUOTE) return closeQuote(line, i, value);
    } else if (endsArgument(code)) {
      return { value, next: i };
    } else if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      quote = code;
      i++;
      continue;
    }
    value += line[i];
    i++;
  }
}

/** A closing quote at `at` must be followed by a blank or the end of the line. */
function closeQuote(line: string, at: number, value: string): { value: string; next: number } | null {
  const after = at + 1;
  if (after < line.length && !isSpace(line.charCodeAt(after))) return null;
  return { value, next: after };
}
