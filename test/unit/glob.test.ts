import { describe, expect, test } from 'vitest';
import { globMatch } from '../../src/keyspace/glob';

/**
 * A direct recursive transcription of Redis's stringmatchlen before the backtracking fix: slow
 * (exponential on some patterns) but obviously faithful, used as the reference on small inputs.
 */
function reference(pattern: string, subject: string, nocase: boolean): boolean {
  const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);
  const signed = (c: number): number => (c >= 128 ? c - 256 : c);
  const at = (str: string, i: number): number => (i < str.length ? str.charCodeAt(i) : 0);
  const go = (p: number, s: number): boolean => {
    let plen = pattern.length - p;
    let slen = subject.length - s;
    while (plen > 0 && slen > 0) {
      const pc = at(pattern, p);
      if (pc === 42) {
        while (plen > 0 && at(pattern, p + 1) === 42) {
          p++;
          plen--;
        }
        if (plen === 1) return true;
        while (slen > 0) {
          if (go(p + 1, s)) return true;
          s++;
          slen--;
        }
        return false;
      } else if (pc === 63) {
        s++;
        slen--;
      } else if (pc === 91) {
        p++;
        plen--;
        const not = at(pattern, p) === 94;
        if (not) {
          p++;
          plen--;
        }
        let match = false;
        const c = at(subject, s);
        for (;;) {
          if (at(pattern, p) === 92 && plen >= 2) {
            p++;
            plen--;
            if (at(pattern, p) === c) match = true;
          } else if (at(pattern, p) === 93) {
            break;
          } else if (plen === 0) {
            p--;
            plen++;
            break;
          } else if (plen >= 3 && at(pattern, p + 1) === 45) {
            let start = signed(at(pattern, p));
            let end = signed(at(pattern, p + 2));
            let ch = signed(c);
            if (start > end) [start, end] = [end, start];
            if (nocase) [start, end, ch] = [lower(start), lower(end), lower(ch)];
            p += 2;
            plen -= 2;
            if (ch >= start && ch <= end) match = true;
          } else if (nocase ? lower(at(pattern, p)) === lower(c) : at(pattern, p) === c) {
            match = true;
          }
          p++;
          plen--;
        }
        if (not) match = !match;
        if (!match) return false;
        s++;
        slen--;
      } else {
        if (pc === 92 && plen >= 2) {
          p++;
          plen--;
        }
        const lit = at(pattern, p);
        const sc = at(subject, s);
        if (nocase ? lower(lit) !== lower(sc) : lit !== sc) return false;
        s++;
        slen--;
      }
      p++;
      plen--;
      if (slen === 0) {
        while (at(pattern, p) === 42) {
          p++;
          plen--;
        }
        break;
      }
    }
    return plen === 0 && slen === 0;
  };
  return go(0, 0);
}

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('globMatch', () => {
  test.each([
    ['*', 'anything', true],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h*llo', 'heeeello', true],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[b-a]llo', 'hallo', true],
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hello', false],
    ['[abc', 'a', true],
    ['[a-]', ']', true],
    ['ab\\', 'ab\\', true],
    ['[\\]]', ']', true],
    ['*', '', false],
    ['', '', true],
    ['a*', 'a', true],
    ['a**', 'a', true],
    ['*a', 'a', true],
    ['k\x00*', 'k\x00\xff', true],
    ['[\x80-\xff]', '\x90', true],
    ['[a-\xff]', 'z', false], // signed chars: \xff is -1, so the range is -1..97
    ['[a-\xff]', '\x00', true],
  ])('%j against %j is %s', (pattern, subject, expected) => {
    expect(globMatch(pattern, subject)).toBe(expected);
    expect(reference(pattern, subject, false)).toBe(expected);
  });

  test('nocase folds only ASCII letters', () => {
    expect(globMatch('HELLO', 'hello', true)).toBe(true);
    expect(globMatch('H[A-Z]LLO', 'hello', true)).toBe(true);
    expect(globMatch('HELLO', 'hello')).toBe(false);
    expect(globMatch('\xc0', '\xe0', true)).toBe(false);
  });

  test('agrees with the recursive reference on random patterns and subjects', () => {
    const random = rng(7);
    const alphabet = ['a', 'b', 'A', '*', '?', '[', ']', '^', '-', '\\', '\x00', '\xff'];
    const subjectAlphabet = ['a', 'b', 'A', '*', ']', '-', '\\', '\x00', '\xff'];
    const pick = (chars: string[], max: number): string => {
      let out = '';
      const n = Math.floor(random() * (max + 1));
      for (let i = 0; i < n; i++) out += chars[Math.floor(random() * chars.length)];
      return out;
    };
    for (let i = 0; i < 20000; i++) {
      const pattern = pick(alphabet, 7);
      const subject = pick(subjectAlphabet, 7);
      const nocase = random() < 0.3;
      const expected = reference(pattern, subject, nocase);
      if (globMatch(pattern, subject, nocase) !== expected) {
        throw new Error(`mismatch for ${JSON.stringify(pattern)} ~ ${JSON.stringify(subject)} nocase=${nocase}`);
      }
    }
  });

  test('patterns with many stars do not backtrack exponentially', () => {
    const subject = 'a'.repeat(100000);
    // Plain recursion (without Redis's early stop) would take on the order of n^9 steps here.
    expect(globMatch('a*a*a*a*a*a*a*a*a*b', subject)).toBe(false);
    expect(globMatch('*a*a*a*a*a*a*a*a*a*a*', subject)).toBe(true);
    expect(globMatch('*'.repeat(1000) + 'b', subject)).toBe(false);
    expect(globMatch('a*'.repeat(5000) + 'b', 'a'.repeat(20000))).toBe(false);
    expect(globMatch('*?'.repeat(5000) + '[^a]', subject)).toBe(false);
  });
});
