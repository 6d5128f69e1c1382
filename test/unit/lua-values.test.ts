/**
 * The pure parts of the Lua bridge: number casts, reading command replies back into Lua values,
 * replaying serialized results, the shebang line and the script cache.
 */
import { describe, expect, test } from 'vitest';
import { luaNumberToInteger, parseReply, writeLuaResult } from '../../src/scripting/lua-values';
import { ScriptCache, ScriptFlag, parseShebang, sha1Hex } from '../../src/scripting/script-cache';
import { ReplyWriter } from '../../src/protocol/reply-writer';

function written(resp: number, fill: (w: ReplyWriter) => void): string {
  const w = new ReplyWriter(() => undefined);
  w.resp = resp;
  fill(w);
  const out = w.out.take();
  if (out === null) return '';
  return (Buffer.isBuffer(out) ? out : Buffer.concat(out)).toString('latin1');
}

describe('luaNumberToInteger', () => {
  test('truncates toward zero like a C cast', () => {
    expect(luaNumberToInteger(1.9)).toBe(1);
    expect(luaNumberToInteger(-1.9)).toBe(-1);
    expect(Object.is(luaNumberToInteger(-0.5), -0)).toBe(true);
    expect(luaNumberToInteger(2 ** 53 + 2)).toBe(9007199254740994n);
  });

  test('out of range and NaN give LLONG_MIN', () => {
    for (const d of [2 ** 63, 1e300, Infinity, -Infinity, NaN, -(2 ** 64)]) {
      expect(luaNumberToInteger(d)).toBe(-(2n ** 63n));
    }
    expect(luaNumberToInteger(-(2 ** 63))).toBe(-(2n ** 63n));
  });
});

describe('parseReply', () => {
  test('RESP2 replies', () => {
    expect(parseReply(Buffer.from('$-1\r\n'), 2)).toBe(false);
    expect(parseReply(Buffer.from('*-1\r\n'), 2)).toBe(false);
    expect(parseReply(Buffer.from(':-42\r\n'), 2)).toBe(-42);
    expect(parseReply(Buffer.from(':9223372036854775807\r\n'), 2)).toBe(9223372036854775807n);
    expect(parseReply(Buffer.from('+OK\r\n'), 2)).toEqual({ ok: Buffer.from('OK') });
    expect(parseReply(Buffer.from('-ERR bad\r\n'), 2)).toEqual({ err: Buffer.from('ERR bad') });
    expect(parseReply(Buffer.from('$3\r\na\x00\xff\r\n', 'latin1'), 2)).toEqual(Buffer.from('a\x00\xff', 'latin1'));
    expect(parseReply(Buffer.from('*2\r\n$1\r\na\r\n*1\r\n:1\r\n'), 2)).toEqual([Buffer.from('a'), [1]]);
    expect(parseReply(Buffer.from('*0\r\n'), 2)).toEqual([]);
  });

  test('RESP3 replies', () => {
    expect(parseReply(Buffer.from('_\r\n'), 3)).toBe(null);
    expect(parseReply(Buffer.from('#t\r\n'), 3)).toBe(true);
    expect(parseReply(Buffer.from('#f\r\n'), 3)).toBe(false);
    expect(parseReply(Buffer.from(',1.5\r\n'), 3)).toEqual({ double: 1.5 });
    expect(parseReply(Buffer.from(',inf\r\n'), 3)).toEqual({ double: Infinity });
    expect(parseReply(Buffer.from('(123\r\n'), 3)).toEqual({ big_number: Buffer.from('123') });
    expect(parseReply(Buffer.from('%1\r\n$1\r\nk\r\n:1\r\n'), 3)).toEqual({ map: [[Buffer.from('k'), 1]] });
    expect(parseReply(Buffer.from('~1\r\n$1\r\nm\r\n'), 3)).toEqual({ set: [Buffer.from('m')] });
    expect(parseReply(Buffer.from('=7\r\ntxt:abc\r\n'), 3)).toEqual({ verbatim_string: { format: Buffer.from('txt'), string: Buffer.from('abc') } });
  });
});

describe('writeLuaResult', () => {
  test('scalars and nesting, binary safe', () => {
    expect(written(2, (w) => writeLuaResult(w, '*3\n$3\na\x00\xff:1.9\n_', 2))).toBe('*3\r\n$3\r\na\x00\xff\r\n:1\r\n$-1\r\n');
    expect(written(3, (w) => writeLuaResult(w, '_', 2))).toBe('_\r\n');
  });

  test('booleans follow the Lua protocol, their encoding the caller protocol', () => {
    expect(written(2, (w) => writeLuaResult(w, '*2\ntf', 2))).toBe('*2\r\n:1\r\n$-1\r\n');
    expect(written(2, (w) => writeLuaResult(w, '*2\ntf', 3))).toBe('*2\r\n:1\r\n:0\r\n');
    expect(written(3, (w) => writeLuaResult(w, '*2\ntf', 3))).toBe('*2\r\n#t\r\n#f\r\n');
  });

  test('status, error and big number lose their line breaks', () => {
    expect(written(2, (w) => writeLuaResult(w, '+4\na\r\nb', 2))).toBe('+a  b\r\n');
    expect(written(2, (w) => writeLuaResult(w, '-4\na\r\nb', 2))).toBe('-a  b\r\n');
    expect(written(3, (w) => writeLuaResult(w, '(3\n1\n2', 2))).toBe('(1 2\r\n');
  });

  test('maps, sets and doubles downgrade for RESP2 callers', () => {
    expect(written(2, (w) => writeLuaResult(w, '%1\n$1\nk:1\n', 2))).toBe('*2\r\n$1\r\nk\r\n:1\r\n');
    expect(written(3, (w) => writeLuaResult(w, '%1\n$1\nk:1\n', 2))).toBe('%1\r\n$1\r\nk\r\n:1\r\n');
    expect(written(2, (w) => writeLuaResult(w, '~1\n$1\nm', 2))).toBe('*1\r\n$1\r\nm\r\n');
    expect(written(2, (w) => writeLuaResult(w, ',1.5\n', 2))).toBe('$3\r\n1.5\r\n');
    expect(written(3, (w) => writeLuaResult(w, ',-nan\n', 2))).toBe(',-nan\r\n');
    expect(written(2, (w) => writeLuaResult(w, ',-nan\n', 2))).toBe('$4\r\n-nan\r\n');
  });
});

describe('parseShebang', () => {
  test('no shebang: compatibility mode', () => {
    expect(parseShebang('return 1')).toEqual({ flags: ScriptFlag.EvalCompatMode, length: 0 });
  });

  test('flags and the line length', () => {
    expect(parseShebang('#!lua\nreturn 1')).toEqual({ flags: 0, length: 5 });
    expect(parseShebang('#!lua flags=no-writes,allow-oom\nx')).toEqual({ flags: ScriptFlag.NoWrites | ScriptFlag.AllowOom, length: 31 });
    expect(parseShebang('#!lua flags=\nx')).toEqual({ flags: 0, length: 12 });
  });

  test('errors', () => {
    expect(parseShebang('#!lua')).toBe('ERR Invalid script shebang');
    expect(parseShebang('#!\nx')).toBe('ERR Unexpected engine in script shebang: #!');
    expect(parseShebang('#!js\nx')).toBe('ERR Unexpected engine in script shebang: #!js');
    expect(parseShebang('#!lua flags=nope\nx')).toBe('ERR Unexpected flag in script shebang: nope');
    expect(parseShebang('#!lua flags=no-writes,\nx')).toBe('ERR Unexpected flag in script shebang: ');
    expect(parseShebang('#!lua other=1\nx')).toBe('ERR Unknown lua shebang option: other=1');
  });
});

describe('ScriptCache', () => {
  test('lookups are case-insensitive and need 40 characters', () => {
    const cache = new ScriptCache();
    const sha = sha1Hex('return 1');
    expect(sha).toBe('e0e1f9fabfc9d4800c877a703b823ac0578ff8db');
    cache.add({ sha, text: 'return 1', body: 'return 1', flags: 0 });
    cache.add({ sha, text: 'return 1', body: 'return 1', flags: 0 });
    expect(cache.size).toBe(1);
    expect(cache.memoryBytes).toBe(8);
    expect(cache.get(sha.toUpperCase())?.text).toBe('return 1');
    expect(cache.get(sha.slice(0, 39))).toBeUndefined();
    cache.flush();
    expect(cache.size).toBe(0);
    expect(cache.get(sha)).toBeUndefined();
  });

  test('binary script text hashes byte for byte', () => {
    expect(sha1Hex('\xff')).toBe('85e53271e14006f0265921d02d4d736cdc580b0b');
  });
});
