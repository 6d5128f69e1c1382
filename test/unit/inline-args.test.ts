import { describe, expect, test } from 'vitest';
import { splitInlineArgs } from '../../src/protocol/inline-args';

// Expected values follow Redis's sdssplitargs; the inline ones are also checked against
// redis-server byte for byte in test/compat/protocol.test.ts.
describe('splitInlineArgs (sdssplitargs)', () => {
  const cases: [string, string[] | null][] = [
    ['', []],
    ['   \t  ', []],
    ['PING', ['PING']],
    ['  set  k   v  ', ['set', 'k', 'v']],
    ['a\tb\rc\nd', ['a', 'b', 'c', 'd']],
    // Vertical tab and form feed are skipped between arguments but do not end one.
    ['\x0bPING\x0c', ['PING\x0c']],
    ['x\x0by \x0c z', ['x\x0by', 'z']],
    ['"a b" \'c d\'', ['a b', 'c d']],
    ['""', ['']],
    ["''", ['']],
    ['"" x', ['', 'x']],
    ['"\\x41\\x4g"', ['Ax4g']],
    ['"\\x4"', ['x4']],
    ['"a\\x"', ['ax']],
    ['"\\xff\\x00\\xFf"', ['\xff\x00\xff']],
    ['"\\n\\r\\t\\b\\a\\q\\\\\\""', ['\n\r\t\b\x07q\\"']],
    ["'a\\'b'", ["a'b"]],
    ["'a\\nb'", ['a\\nb']],
    ["'a\"b'", ['a"b']],
    ['"a\'b"', ["a'b"]],
    ['a"b c"', ['ab c']],
    ["a'b c'd", null],
    ['"a"\x0b', ['a']],
    ['"a"\tb', ['a', 'b']],
    ['\xe9t\xe9 \xff', ['\xe9t\xe9', '\xff']],
    ['"a""b"', null],
    ['"a"b', null],
    ["'a'b", null],
    ['"unterminated', null],
    ["'unterminated", null],
    ['"\\"', null],
    ['"ends with backslash\\', null],
    ["'\\'", null],
  ];
  for (const [line, args] of cases) {
    test(JSON.stringify(line), () => {
      expect(splitInlineArgs(line)).toEqual(args);
    });
  }

  test('a long line without quotes splits the same as with the general path', () => {
    const words = Array.from({ length: 5000 }, (_, i) => `w${i}`);
    expect(splitInlineArgs(words.join(' '))).toEqual(words);
    expect(splitInlineArgs(words.join(' ') + ' "q"')).toEqual([...words, 'q']);
  });
});
