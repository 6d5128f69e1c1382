/**
 * Glob-style pattern matching with Redis's stringmatchlen rules, for KEYS, SCAN MATCH, CONFIG GET
 * and PSUBSCRIBE: `*` any run of bytes, `?` one byte, `[abc]` `[^abc]` `[a-z]` classes, `\x` a
 * literal x. Subjects and patterns are latin1 strings (one char per byte), so matching is binary
 * safe. Redis's quirks are kept on purpose, since clients observe them:
 * - an unterminated class `[abc` matches as if it were closed at the end of the pattern;
 * - range ends compare as signed chars (bytes >= 0x80 are negative), and `[z-a]` is `[a-z]`;
 * - a non-empty pattern never matches the empty string (callers special-case a lone `*`);
 * - `nocase` folds only A-Z, as C's tolower in the C locale.
 *
 * Redis matches a `*` by recursion, trying the rest of the pattern at every later position, and
 * stops early once the rest failed everywhere (the fix for CVE-2022-36021). In that scheme only
 * the innermost `*` reached ever resumes: an inner `*` either matches or proves that no longer
 * match of an outer one can help. So one backtrack point is enough, and the match runs in
 * O(pattern * subject) time with no recursion, whatever the pattern.
 */
const STAR = 42; // *
const QUESTION = 63; // ?
const OPEN = 91; // [
const CLOSE = 93; // ]
const CARET = 94; // ^
const DASH = 45; // -
const BACKSLASH = 92; // \

/** C's tolower in the C locale: only A-Z change (also for the negative values of signed chars). */
function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A byte as a signed char, as Redis's range comparisons see it on x86. */
function signedChar(c: number): number {
  return c >= 128 ? c - 256 : c;
}

/** True when `subject` matches the glob `pattern` (Redis's stringmatchlen). */
export function globMatch(pattern: string, subject: string, nocase = false): boolean {
  const plen = pattern.length;
  const slen = subject.length;
  // The pattern char at i, or 0 past the end (where C reads the string's terminating NUL).
  const at = (i: number): number => (i < plen ? pattern.charCodeAt(i) : 0);
  let p = 0;
  let s = 0;
  // The innermost `*` reached: the pattern index after it and the subject index it was last tried at.
  let afterStar = -1;
  let starTriedAt = 0;

  for (;;) {
    let failed = false;
    while (p < plen && s < slen) {
      const pc = pattern.charCodeAt(p);
      if (pc === STAR) {
        while (p < plen && at(p + 1) === STAR) p++;
        if (p === plen - 1) return true;
        afterStar = p + 1;
        starTriedAt = s;
        p = afterStar;
        continue;
      }
      const sc = subject.charCodeAt(s);
      if (pc === QUESTION) {
        s++;
      } else if (pc === OPEN) {
        const classEnd = matchClass(pattern, p + 1, sc, nocase);
        if (classEnd < 0) {
          failed = true;
          break;
        }
        p = classEnd;
        s++;
      } else {
        if (pc === BACKSLASH && plen - p >= 2) p++;
        const lit = pattern.charCodeAt(p);
        if (nocase ? lower(lit) !== lower(sc) : lit !== sc) {
          failed = true;
          break;
        }
        s++;
      }
      p++;
      if (s === slen) {
        while (at(p) === STAR) p++;
        break;
      }
    }
    if (!failed && p >= plen && s === slen) return true;
    // The attempt from the innermost `*` failed: try it one byte further, if any byte is left.
    if (afterStar < 0 || ++starTriedAt >= slen) return false;
    p = afterStar;
    s = starTriedAt;
  }
}

/**
 * Matches the byte `c` against the class whose body starts at `p` (just after `[`). Returns the
 * index of the class's last pattern char (its `]`, or the pattern's last char when unterminated),
 * or -1 when `c` is not in the class.
 */
function matchClass(pattern: string, p: number, c: number, nocase: boolean): number {
  const plen = pattern.length;
  const at = (i: number): number => (i < plen ? pattern.charCodeAt(i) : 0);
  const negate = at(p) === CARET;
  if (negate) p++;
  let match = false;
  for (;;) {
    const pc = at(p);
    if (pc === BACKSLASH && plen - p >= 2) {
      p++;
      if (at(p) === c) match = true;
    } else if (pc === CLOSE) {
      break;
    } else if (p >= plen) {
      p--;
      break;
    } else if (plen - p >= 3 && at(p + 1) === DASH) {
      let start = signedChar(pc);
      let end = signedChar(at(p + 2));
      let ch = signedChar(c);
      if (start > end) [start, end] = [end, start];
      if (nocase) {
        start = lower(start);
        end = lower(end);
        ch = lower(ch);
      }
      p += 2;
      if (ch >= start && ch <= end) match = true;
    } else if (nocase ? lower(pc) === lower(c) : pc === c) {
      match = true;
    }
    p++;
  }
  return match !== negate ? p : -1;
}
