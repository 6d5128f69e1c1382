import { describe, expect, test } from 'vitest';
import { ReplyWriter, errorLine } from '../../src/protocol/reply-writer';
import { ReplyBuffer } from '../../src/protocol/reply-buffer';

function taken(data: Buffer | Buffer[] | null): Buffer {
  if (data === null) return Buffer.alloc(0);
  return Buffer.isBuffer(data) ? data : Buffer.concat(data);
}

/** Runs `write` on a fresh writer speaking `resp` and returns everything it produced. */
function encode(resp: 2 | 3, write: (w: ReplyWriter) => void): string {
  const w = new ReplyWriter(() => undefined);
  w.resp = resp;
  write(w);
  return taken(w.out.take()).toString('latin1');
}

describe('ReplyWriter encodings', () => {
  const cases: [string, (w: ReplyWriter) => void, string, string][] = [
    ['ok', (w) => w.ok(), '+OK\r\n', '+OK\r\n'],
    ['status', (w) => w.status('PONG'), '+PONG\r\n', '+PONG\r\n'],
    ['error', (w) => w.error('ERR syntax error'), '-ERR syntax error\r\n', '-ERR syntax error\r\n'],
    ['integer 0', (w) => w.integer(0), ':0\r\n', ':0\r\n'],
    ['integer 1', (w) => w.integer(1), ':1\r\n', ':1\r\n'],
    ['integer -1', (w) => w.integer(-1), ':-1\r\n', ':-1\r\n'],
    ['integer 2^53', (w) => w.integer(2 ** 53), ':9007199254740992\r\n', ':9007199254740992\r\n'],
    ['integer bigint', (w) => w.integer(-(2n ** 63n)), ':-9223372036854775808\r\n', ':-9223372036854775808\r\n'],
    ['bulk', (w) => w.bulk('hello'), '$5\r\nhello\r\n', '$5\r\nhello\r\n'],
    ['empty bulk', (w) => w.bulk(''), '$0\r\n\r\n', '$0\r\n\r\n'],
    ['binary bulk', (w) => w.bulk('\x00\xff\r\n'), '$4\r\n\x00\xff\r\n\r\n', '$4\r\n\x00\xff\r\n\r\n'],
    ['bulk from bytes', (w) => w.bulkBuffer(Buffer.from([0, 255])), '$2\r\n\x00\xff\r\n', '$2\r\n\x00\xff\r\n'],
    ['null bulk', (w) => w.nullBulk(), '$-1\r\n', '_\r\n'],
    ['null array', (w) => w.nullArray(), '*-1\r\n', '_\r\n'],
    ['empty array', (w) => w.array(0), '*0\r\n', '*0\r\n'],
    ['array', (w) => w.bulkArray(['a', 'bc']), '*2\r\n$1\r\na\r\n$2\r\nbc\r\n', '*2\r\n$1\r\na\r\n$2\r\nbc\r\n'],
    ['map', (w) => (w.map(1), w.bulk('k'), w.integer(7)), '*2\r\n$1\r\nk\r\n:7\r\n', '%1\r\n$1\r\nk\r\n:7\r\n'],
    ['set', (w) => (w.set(1), w.bulk('m')), '*1\r\n$1\r\nm\r\n', '~1\r\n$1\r\nm\r\n'],
    ['push', (w) => (w.push(1), w.bulk('m')), '*1\r\n$1\r\nm\r\n', '>1\r\n$1\r\nm\r\n'],
    ['double', (w) => w.double(1.1), '$18\r\n1.1000000000000001\r\n', ',1.1000000000000001\r\n'],
    ['double inf', (w) => w.double(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n'],
    ['double integral', (w) => w.double(3), '$1\r\n3\r\n', ',3\r\n'],
    ['bool true', (w) => w.bool(true), ':1\r\n', '#t\r\n'],
    ['bool false', (w) => w.bool(false), ':0\r\n', '#f\r\n'],
    ['verbatim', (w) => w.verbatim('a\r\nb'), '$4\r\na\r\nb\r\n', '=8\r\ntxt:a\r\nb\r\n'],
    ['verbatim markdown', (w) => w.verbatim('# x', 'mkd'), '$3\r\n# x\r\n', '=7\r\nmkd:# x\r\n'],
    ['big number', (w) => w.bigNumber('12345678901234567890'), '$20\r\n12345678901234567890\r\n', '(12345678901234567890\r\n'],
    [
      'node tree',
      (w) => w.node([{ status: 'OK' }, null, 5, 'x', { set: ['a'] }, { map: [['k', { double: 0.5 }]] }, { error: 'ERR e' }]),
      '*7\r\n+OK\r\n$-1\r\n:5\r\n$1\r\nx\r\n*1\r\n$1\r\na\r\n*2\r\n$1\r\nk\r\n$3\r\n0.5\r\n-ERR e\r\n',
      '*7\r\n+OK\r\n_\r\n:5\r\n$1\r\nx\r\n~1\r\n$1\r\na\r\n%1\r\n$1\r\nk\r\n,0.5\r\n-ERR e\r\n',
    ],
  ];
  for (const [name, write, resp2, resp3] of cases) {
    test(name, () => {
      expect(encode(2, write)).toBe(resp2);
      expect(encode(3, write)).toBe(resp3);
    });
  }

  test('integers and lengths of every digit count', () => {
    const values = [0, 1, 9, 10, 11, 99, 100, 12345, 99999, 100000, 2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1, -1, -10, -(2 ** 31), -(2 ** 53 - 1)];
    for (let p = 1; p < 1e15; p *= 10) values.push(p - 1, p, p + 1);
    for (const n of values) {
      expect(encode(2, (w) => w.integer(n)), `integer ${n}`).toBe(`:${n}\r\n`);
      expect(encode(2, (w) => w.array(n)), `array of ${n}`).toBe(`*${n}\r\n`);
    }
    for (const size of [9, 10, 47, 48, 49, 99, 100, 999, 1000]) {
      const value = '\xe9'.repeat(size);
      expect(encode(2, (w) => w.bulk(value)) === `$${size}\r\n${value}\r\n`, `bulk of ${size}`).toBe(true);
    }
  });

  test('error replies are put on one line as addReplyErrorFormat does', () => {
    expect(encode(2, (w) => w.error("ERR unknown command 'foo\r\nbar'"))).toBe("-ERR unknown command 'foo  bar'\r\n");
    expect(errorLine('\r\nERR x\n\r')).toBe('ERR x');
    expect(errorLine("ERR unknown command '\r\nfoo\n', with args")).toBe("ERR unknown command '  foo ', with args");
  });

  test('errors are reported to the callback even when replies are muted', () => {
    const seen: string[] = [];
    const w = new ReplyWriter((message) => seen.push(message));
    w.muted = true;
    w.error('ERR one');
    w.bulk('x');
    w.integer(5);
    w.ok();
    expect(w.out.take()).toBeNull();
    expect(seen).toEqual(['ERR one']);
  });

  test('large bulks of every size around the copy threshold', () => {
    for (const size of [4095, 4096, 4097, 16383, 16384, 16385, 100000, 3 * 1024 * 1024]) {
      const value = 'ab\x00\xff'.repeat(Math.ceil(size / 4)).slice(0, size);
      const expected = `$${size}\r\n${value}\r\n`;
      expect(encode(2, (w) => w.bulk(value)) === expected, `bulk of ${size}`).toBe(true);
      const bytes = Buffer.from(value, 'latin1');
      expect(encode(2, (w) => w.bulkBuffer(bytes)) === expected, `bulkBuffer of ${size}`).toBe(true);
    }
  });

  test('bulkArray and bulkSpan: empty, binary, every digit count of a length, huge, across chunks', () => {
    const lengths = [0, 1, 9, 10, 47, 48, 99, 100, 999, 1000, 4095, 4096, 4097, 20000];
    const values = lengths.map((n, i) => 'a\x00\xff\r\n'.repeat(Math.ceil(n / 5) + i).slice(i, i + n));
    const framed = (items: string[]) => items.map((v) => `$${v.length}\r\n${v}\r\n`).join('');
    expect(encode(2, (w) => w.bulkArray([]))).toBe('*0\r\n');
    expect(encode(2, (w) => w.bulkArray(values)) === `*${values.length}\r\n${framed(values)}`).toBe(true);
    // Enough short items to need several 16 KB chunks.
    const many = Array.from({ length: 5000 }, (_, i) => 'x'.repeat(i % 20) + i);
    expect(encode(3, (w) => w.bulkArray(many)) === `*5000\r\n${framed(many)}`).toBe(true);
    const packed = '--' + values.join('|') + '--';
    let expected = '';
    const w = new ReplyWriter(() => undefined);
    for (let at = 2, i = 0; i < values.length; at += values[i].length + 1, i++) {
      w.bulkSpan(packed, at, at + values[i].length);
      expected += framed([values[i]]);
    }
    expect(taken(w.out.take()).toString('latin1') === expected).toBe(true);
    expect(encode(2, (w) => (w.muted = true, w.bulkArray(values), w.bulkSpan(packed, 0, 5)))).toBe('');
  });

  test('bulkBuffer copies its bytes: changing them after the call changes nothing', () => {
    for (const size of [10, 10000]) {
      const bytes = Buffer.alloc(size, 'a');
      const w = new ReplyWriter(() => undefined);
      w.bulkBuffer(bytes);
      bytes.fill('b');
      expect(taken(w.out.take()).toString('latin1')).toBe(`$${size}\r\n${'a'.repeat(size)}\r\n`);
    }
  });
});

describe('ReplyBuffer', () => {
  test('many replies across the 16 KB chunk boundary come out whole and in order', () => {
    const w = new ReplyWriter(() => undefined);
    let expected = '';
    for (let i = 0; i < 20000; i++) {
      const value = 'v'.repeat(i % 50) + i;
      w.bulk(value);
      w.integer(i);
      expected += `$${value.length}\r\n${value}\r\n:${i}\r\n`;
    }
    expect(w.out.pendingBytes).toBe(expected.length);
    expect(taken(w.out.take()).toString('latin1') === expected).toBe(true);
    expect(w.out.pendingBytes).toBe(0);
    expect(w.out.take()).toBeNull();
  });

  test('take() between writes: each byte exactly once, earlier views never overwritten', () => {
    const out = new ReplyBuffer();
    const views: { bytes: Buffer; copy: string }[] = [];
    let expected = '';
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let round = 0; round < 2000; round++) {
      const kind = rand(4);
      const s = 'x'.repeat(kind === 3 ? 5000 + rand(20000) : rand(300)) + round;
      if (kind === 0) out.writeAscii(`+${s}\r\n`), (expected += `+${s}\r\n`);
      else if (kind === 1) out.writeLengthLine(42, round), (expected += `*${round}\r\n`);
      else if (kind === 2) out.writeRaw(Buffer.from(s)), (expected += s);
      else out.writeBulk(s), (expected += `$${s.length}\r\n${s}\r\n`);
      if (rand(3) === 0) {
        const bytes = taken(out.take());
        views.push({ bytes, copy: bytes.toString('latin1') });
      }
    }
    const last = taken(out.take());
    views.push({ bytes: last, copy: last.toString('latin1') });
    for (const view of views) expect(view.bytes.toString('latin1') === view.copy).toBe(true);
    expect(views.map((v) => v.copy).join('') === expected).toBe(true);
  });

  test('take() returns one buffer when everything fits in the chunk, a list otherwise', () => {
    const out = new ReplyBuffer();
    out.writeAscii('+OK\r\n');
    expect(Buffer.isBuffer(out.take())).toBe(true);
    out.writeBulk('x'.repeat(10000));
    const data = out.take();
    expect(Array.isArray(data)).toBe(true);
    expect(taken(data).length).toBe(8 + 10000 + 2);
  });

  test('pendingBytes counts pieces and the chunk', () => {
    const out = new ReplyBuffer();
    out.writeAscii('+OK\r\n');
    out.writeBulk('y'.repeat(5000));
    out.writeLengthLine(58, 12345);
    expect(out.pendingBytes).toBe(5 + 5000 + 9 + 8);
  });
});
