import { describe, expect, test } from 'vitest';
import { INLINE_MAX, RequestParser, parseStrictInt, type ParserLimits } from '../../src/protocol/request-parser';
import { encodeCommand } from '../helpers/raw-connection';

const DEFAULT_LIMITS: ParserLimits = { maxBulkLen: 512 * 1024 * 1024, unauthenticated: false };

interface Outcome {
  requests: string[][];
  error: string | null;
}

/** Feeds the chunks one by one, taking every complete request after each (as a connection does). */
function parseChunks(chunks: Buffer[], limits: ParserLimits = DEFAULT_LIMITS): Outcome {
  const parser = new RequestParser(limits);
  const requests: string[][] = [];
  for (const chunk of chunks) {
    parser.feed(chunk);
    for (let argv = parser.next(); argv !== null; argv = parser.next()) requests.push(argv);
    if (parser.error) break;
  }
  return { requests, error: parser.error };
}

function latin1(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

function parseText(text: string, limits?: ParserLimits): Outcome {
  return parseChunks([latin1(text)], limits);
}

/** Splits data at the given offsets. */
function splitAt(data: Buffer, offsets: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let start = 0;
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    chunks.push(data.subarray(start, offset));
    start = offset;
  }
  chunks.push(data.subarray(start));
  return chunks;
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(rand: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(Math.floor(rand() * 256));
  return s;
}

/** One request of random shape: binary, empty, or big arguments, as multibulk. */
function randomRequest(rand: () => number, bigSizes: number[]): string[] {
  const argc = 1 + Math.floor(rand() * 5);
  const argv: string[] = [];
  for (let i = 0; i < argc; i++) {
    const kind = rand();
    if (kind < 0.15) argv.push('');
    else if (kind < 0.2 && bigSizes.length) argv.push('x'.repeat(bigSizes[Math.floor(rand() * bigSizes.length)]) + randomBytes(rand, 8));
    else argv.push(randomBytes(rand, Math.floor(rand() * 40)));
  }
  return argv;
}

describe('RequestParser: well-formed input', () => {
  const mixed: [string, string[]][] = [
    ['*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n', ['ECHO', 'hello']],
    ['PING\r\n', ['PING']],
    ['*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\n\x00\xff\r\n\r\n', ['SET', '', '\x00\xff\r\n']],
    ['  echo   "a b\\x41\\n"  \r\n', ['echo', 'a b\x41\n']],
    ['\r\n', []],
    ['*0\r\n', []],
    ['*-1\r\n', []],
    ['set k \'it\\\'s\'\n', ['set', 'k', "it's"]],
    ['*1\r\n$4\r\nPING\r\n', ['PING']],
  ];
  const pipeline = latin1(mixed.map(([raw]) => raw).join(''));
  const expected = mixed.map(([, argv]) => argv).filter((argv) => argv.length > 0);

  test('a pipeline in one chunk', () => {
    expect(parseChunks([pipeline])).toEqual({ requests: expected, error: null });
  });

  test('a pipeline split in two at every byte', () => {
    for (let i = 0; i <= pipeline.length; i++) {
      expect(parseChunks(splitAt(pipeline, [i])), `split at ${i}`).toEqual({ requests: expected, error: null });
    }
  });

  test('a pipeline fed one byte at a time', () => {
    const bytes = [...pipeline].map((b) => Buffer.from([b]));
    expect(parseChunks(bytes)).toEqual({ requests: expected, error: null });
  });

  test('random requests with binary and empty arguments, split at random points', () => {
    const rand = random(1);
    for (let round = 0; round < 200; round++) {
      const requests = Array.from({ length: 1 + Math.floor(rand() * 20) }, () => randomRequest(rand, []));
      const data = Buffer.concat(requests.map((argv) => encodeCommand(argv)));
      const offsets = Array.from({ length: Math.floor(rand() * 10) }, () => Math.floor(rand() * data.length));
      expect(parseChunks(splitAt(data, offsets)), `round ${round}`).toEqual({ requests, error: null });
    }
  });

  test('big bulks (32 KB to several MB) spanning many chunks, mixed with small requests', () => {
    const rand = random(2);
    const bigSizes = [32 * 1024 - 1, 32 * 1024, 32 * 1024 + 1, 70000, 1024 * 1024, 3 * 1024 * 1024 + 7];
    for (let round = 0; round < 12; round++) {
      const requests = Array.from({ length: 2 + Math.floor(rand() * 6) }, () => randomRequest(rand, bigSizes));
      requests.push(['SET', 'big', randomBytes(rand, 16) + '\x00'.repeat(bigSizes[round % bigSizes.length])]);
      requests.push(['GET', 'big']);
      const data = Buffer.concat(requests.map((argv) => encodeCommand(argv)));
      // Socket-sized chunks (64 KB) with a random phase, and a few random cuts on top.
      const offsets: number[] = [];
      for (let at = Math.floor(rand() * 65536); at < data.length; at += 65536) offsets.push(at);
      for (let i = 0; i < 5; i++) offsets.push(Math.floor(rand() * data.length));
      expect(parseChunks(splitAt(data, offsets)), `round ${round}`).toEqual({ requests, error: null });
    }
  });

  test('a big bulk split at every byte of its header and of its end', () => {
    const value = 'v'.repeat(40000);
    const data = Buffer.concat([encodeCommand(['SET', 'k', value]), latin1('PING\r\n')]);
    const valueStart = data.indexOf('vvv');
    const valueEnd = valueStart + value.length;
    const cuts = [];
    for (let i = valueStart - 12; i <= valueStart + 2; i++) cuts.push(i);
    for (let i = valueEnd - 2; i <= valueEnd + 8; i++) cuts.push(i);
    for (const cut of cuts) {
      const outcome = parseChunks(splitAt(data, [cut]));
      expect(outcome.error, `cut at ${cut}`).toBeNull();
      expect(outcome.requests.map((r) => r.map((a) => a.length)), `cut at ${cut}`).toEqual([[3, 1, 40000], [4]]);
      expect(outcome.requests[0][2] === value && outcome.requests[1][0] === 'PING', `cut at ${cut}`).toBe(true);
    }
  });

  test('10,000 pipelined requests in one chunk come out in order', () => {
    const data = Buffer.concat(Array.from({ length: 10000 }, (_, i) => encodeCommand(['ECHO', String(i)])));
    const { requests, error } = parseChunks([data]);
    expect(error).toBeNull();
    expect(requests.length).toBe(10000);
    expect(requests.every((argv, i) => argv[0] === 'ECHO' && argv[1] === String(i))).toBe(true);
  });

  test('a bulk trailer is skipped without being checked, as Redis does', () => {
    expect(parseText('*1\r\n$4\r\nPINGxxPING\r\n').requests).toEqual([['PING'], ['PING']]);
    expect(parseText('*1\rx$4\r\nPING\r\n').requests).toEqual([['PING']]);
  });

  test('inline requests: \\n alone ends a line, \\r inside separates, many empty lines are skipped', () => {
    expect(parseText('PING\nPING\r\r\nPING\rPING\n').requests).toEqual([['PING'], ['PING'], ['PING', 'PING']]);
    expect(parseText('\n'.repeat(200000) + 'PING\r\n').requests).toEqual([['PING']]);
    expect(parseText('*0\r\n'.repeat(100000) + 'PING\r\n').requests).toEqual([['PING']]);
  });

  test('huge negative or zero counts are empty requests', () => {
    expect(parseText('*-5\r\n*-9223372036854775808\r\n*-9007199254740993\r\nPING\r\n')).toEqual({
      requests: [['PING']],
      error: null,
    });
  });

  test('a bulk of exactly proto-max-bulk-len is accepted', () => {
    const limits = { maxBulkLen: 1024 * 1024, unauthenticated: false };
    const argv = ['SET', 'k', 'a'.repeat(1024 * 1024)];
    expect(parseChunks([encodeCommand(argv)], limits)).toEqual({ requests: [argv], error: null });
  });

  test('unauthenticated clients may send 10 arguments of 16384 bytes', () => {
    const limits = { maxBulkLen: DEFAULT_LIMITS.maxBulkLen, unauthenticated: true };
    const argv = Array.from({ length: 10 }, () => 'a'.repeat(16384));
    expect(parseChunks([encodeCommand(argv)], limits)).toEqual({ requests: [argv], error: null });
  });
});

describe('RequestParser: malformed input', () => {
  // Error texts as Redis 7.0.15 sends them (checked against redis-server by test/compat/protocol.test.ts).
  const cases: [string, string][] = [
    ['*abc\r\n', 'invalid multibulk length'],
    ['*\r\n', 'invalid multibulk length'],
    ['*-0\r\n', 'invalid multibulk length'],
    ['*01\r\n', 'invalid multibulk length'],
    ['*+1\r\n', 'invalid multibulk length'],
    ['* 1\r\n', 'invalid multibulk length'],
    ['*1 \r\n', 'invalid multibulk length'],
    ['*2147483648\r\n', 'invalid multibulk length'],
    ['*9223372036854775808\r\n', 'invalid multibulk length'],
    ['*-9223372036854775809\r\n', 'invalid multibulk length'],
    ['*1\r\n$-1\r\n', 'invalid bulk length'],
    ['*1\r\n$-0\r\n', 'invalid bulk length'],
    ['*1\r\n$04\r\n', 'invalid bulk length'],
    ['*1\r\n$\r\n', 'invalid bulk length'],
    ['*1\r\n$abc\r\n', 'invalid bulk length'],
    ['*1\r\n$99999999999999999999\r\n', 'invalid bulk length'],
    ['*1\r\n$536870913\r\n', 'invalid bulk length'],
    ['*2\r\nx\r\n', "expected '$', got 'x'"],
    ['*1\r\nPING\r\n', "expected '$', got 'P'"],
    ['*1\r\n:1\r\n', "expected '$', got ':'"],
    ['*1\r\n\xff\r\n', "expected '$', got '\xff'"],
    ['*1\r\n\r\n', "expected '$', got '\r'"],
    ['"unbalanced\r\n', 'unbalanced quotes in request'],
    ["'also unbalanced\r\n", 'unbalanced quotes in request'],
    ['"closing"x\r\n', 'unbalanced quotes in request'],
    ['ECHO "\\"\r\n', 'unbalanced quotes in request'],
    ['a'.repeat(INLINE_MAX + 1), 'too big inline request'],
    ['*' + '1'.repeat(INLINE_MAX), 'too big mbulk count string'],
    ['*1\r\n$' + '1'.repeat(INLINE_MAX), 'too big bulk count string'],
    ['*1\r\nx' + '1'.repeat(INLINE_MAX), 'too big bulk count string'],
  ];

  for (const [input, message] of cases) {
    test(`${JSON.stringify(input.slice(0, 40))} -> ${message}`, () => {
      expect(parseText(input).error).toBe(`Protocol error: ${message}`);
    });
  }

  test('the same error whatever the split, for short inputs', () => {
    for (const [input, message] of cases.filter(([raw]) => raw.length < 100)) {
      const data = latin1(input);
      for (let i = 0; i <= data.length; i++) {
        expect(parseChunks(splitAt(data, [i])).error, `${JSON.stringify(input)} split at ${i}`).toBe(`Protocol error: ${message}`);
      }
    }
  });

  test('requests before a malformed one are returned, nothing after it', () => {
    expect(parseText('PING\r\n*1\r\n$4\r\nECHO\r\n*1\r\n$x\r\nPING\r\n')).toEqual({
      requests: [['PING'], ['ECHO']],
      error: 'Protocol error: invalid bulk length',
    });
  });

  test('after an error the parser returns nothing more', () => {
    const parser = new RequestParser(DEFAULT_LIMITS);
    parser.feed(latin1('*x\r\n'));
    expect(parser.next()).toBeNull();
    parser.feed(latin1('PING\r\n'));
    expect(parser.next()).toBeNull();
    expect(parser.error).toBe('Protocol error: invalid multibulk length');
  });

  test('a line end not yet received is not an error below 64 KB', () => {
    for (const partial of ['*12', '*1\r', '*1\r\n$3', '*1\r\n$3\r', '*1\r\nx', 'PING', 'a'.repeat(INLINE_MAX)]) {
      expect(parseText(partial), JSON.stringify(partial.slice(0, 20))).toEqual({ requests: [], error: null });
    }
  });

  test('a count line longer than 64 KB with its line end is parsed, as Redis does', () => {
    expect(parseText('*' + '1'.repeat(70000) + '\r\n').error).toBe('Protocol error: invalid multibulk length');
    expect(parseText('a'.repeat(70000) + '\r\n').requests).toEqual([['a'.repeat(70000)]]);
  });

  test('a NUL byte hides the line end (C strchr): the parser waits, then fails past 64 KB', () => {
    for (const raw of ['PI\x00NG\r\n', '*1\x00\r\n', '*1\r\n\x00\r\n', '*1\r\n$4\x00\r\n', '*1\r\nx\x00\r\n']) {
      const parser = new RequestParser(DEFAULT_LIMITS);
      parser.feed(latin1('PING\r\n' + raw + 'PING\r\n'));
      expect(parser.next(), JSON.stringify(raw)).toEqual(['PING']);
      expect(parser.next(), JSON.stringify(raw)).toBeNull();
      expect(parser.error, JSON.stringify(raw)).toBeNull();
      parser.feed(Buffer.alloc(INLINE_MAX, 'a'));
      expect(parser.next(), JSON.stringify(raw)).toBeNull();
      expect(parser.error, JSON.stringify(raw)).toMatch(/^Protocol error: too big (inline request|mbulk count string|bulk count string)$/);
    }
  });

  test('proto-max-bulk-len', () => {
    const limits = { maxBulkLen: 1024 * 1024, unauthenticated: false };
    expect(parseText('*1\r\n$1048577\r\n', limits).error).toBe('Protocol error: invalid bulk length');
  });

  test('unauthenticated clients: at most 10 arguments and 16384 bytes per bulk', () => {
    const limits = { maxBulkLen: DEFAULT_LIMITS.maxBulkLen, unauthenticated: true };
    expect(parseText('*11\r\n', limits).error).toBe('Protocol error: unauthenticated multibulk length');
    expect(parseText('*1\r\n$16385\r\n', limits).error).toBe('Protocol error: unauthenticated bulk length');
    expect(parseText('*2147483648\r\n', limits).error).toBe('Protocol error: invalid multibulk length');
    expect(parseText('*1\r\n$-1\r\n', limits).error).toBe('Protocol error: invalid bulk length');
  });

  test('limits are read live: authenticating lifts them for the next request', () => {
    const limits = { maxBulkLen: DEFAULT_LIMITS.maxBulkLen, unauthenticated: true };
    const parser = new RequestParser(limits);
    parser.feed(latin1('AUTH pw\r\n*11\r\n'));
    expect(parser.next()).toEqual(['AUTH', 'pw']);
    limits.unauthenticated = false;
    parser.feed(latin1('$1\r\na\r\n'.repeat(11)));
    expect(parser.next()).toEqual(Array(11).fill('a'));
  });
});

describe('RequestParser: query buffer accounting', () => {
  test('bufferedBytes counts unconsumed bytes, and a big bulk on its own', () => {
    const parser = new RequestParser(DEFAULT_LIMITS);
    parser.feed(latin1('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n' + 'a'.repeat(1000)));
    expect(parser.next()).toBeNull();
    expect(parser.bufferedBytes).toBe(1000);
    parser.feed(Buffer.alloc(60000, 'a'));
    expect(parser.bufferedBytes).toBe(61000);
    parser.feed(Buffer.concat([Buffer.alloc(39000, 'a'), latin1('\r\nPING\r\nPI')]));
    expect(parser.bufferedBytes).toBe(100002);
    const argv = parser.next();
    expect(argv?.[2]).toBe('a'.repeat(100000));
    expect(parser.next()).toEqual(['PING']);
    expect(parser.next()).toBeNull();
    expect(parser.bufferedBytes).toBe(2);
  });

  test('a fully consumed chunk is released', () => {
    const parser = new RequestParser(DEFAULT_LIMITS);
    parser.feed(latin1('PING\r\n'));
    expect(parser.next()).toEqual(['PING']);
    expect(parser.next()).toBeNull();
    expect(parser.bufferedBytes).toBe(0);
    expect(parser.capacity).toBe(0);
  });
});

describe('RequestParser: borrowed chunks (a shared read buffer)', () => {
  /**
   * Feeds the data in pieces copied one by one into the same buffer, as a socket reading into a
   * shared buffer does: after each piece's requests are taken, keepUnreadInput() runs, then the
   * buffer is overwritten with garbage before the next piece lands in it.
   */
  function parseThroughSharedBuffer(data: Buffer, pieceSizes: () => number): string[][] {
    const shared = Buffer.alloc(4096);
    const parser = new RequestParser(DEFAULT_LIMITS);
    const requests: string[][] = [];
    for (let at = 0; at < data.length; ) {
      const length = Math.min(pieceSizes(), data.length - at, shared.length);
      data.copy(shared, 0, at, at + length);
      at += length;
      parser.feed(shared.subarray(0, length), true);
      for (let argv = parser.next(); argv !== null; argv = parser.next()) requests.push(argv);
      expect(parser.error).toBeNull();
      parser.keepUnreadInput();
      shared.fill(0x2a, 0, length);
    }
    return requests;
  }

  test('partial frames, inline requests and big bulks survive the buffer being reused', () => {
    const rand = random(20261127);
    const sent: string[][] = [];
    const parts: Buffer[] = [];
    for (let i = 0; i < 150; i++) {
      const argv = randomRequest(rand, [5000, 70000]);
      sent.push(argv);
      parts.push(encodeCommand(argv));
      if (i % 50 === 0) {
        sent.push(['PING', 'inline']);
        parts.push(latin1('PING inline\r\n'));
      }
    }
    const data = Buffer.concat(parts);
    for (const maxPiece of [5, 100, 4096]) {
      const requests = parseThroughSharedBuffer(data, () => 1 + Math.floor(rand() * maxPiece));
      expect(requests).toEqual(sent);
    }
  });

  test('bufferedBytes still counts what was kept', () => {
    const parser = new RequestParser(DEFAULT_LIMITS);
    const shared = latin1('*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI');
    parser.feed(shared, true);
    expect(parser.next()).toEqual(['PING']);
    expect(parser.next()).toBeNull();
    parser.keepUnreadInput();
    shared.fill(0);
    // The headers were read; the two bytes of the unfinished bulk are what is kept.
    expect(parser.bufferedBytes).toBe(2);
    parser.feed(latin1('NG\r\n'), true);
    expect(parser.next()).toEqual(['PING']);
  });
});

describe('RequestParser.peekSecondArgs (a prefetch hint)', () => {
  /** The second arguments peekSecondArgs finds in the parser's buffer, as strings. */
  function peek(parser: RequestParser, max = 32): string[] {
    const spans = new Int32Array(2 * max);
    const found = parser.peekSecondArgs(spans, max);
    return Array.from({ length: found }, (_, i) => parser.buffered.toString('latin1', spans[2 * i], spans[2 * i + 1]));
  }

  test('finds argv[1] of every complete request without consuming any', () => {
    const parser = new RequestParser(DEFAULT_LIMITS);
    const requests = [['GET', 'a'], ['PING'], ['SET', 'b\r\n\0', 'v'], ['MSET', 'c', '1', 'd', '2'], ['GET', '']];
    parser.feed(Buffer.concat(requests.map((argv) => encodeCommand(argv))));
    expect(peek(parser)).toEqual(['a', 'b\r\n\0', 'c', '']);
    // Nothing was consumed: the requests still come out whole, in order.
    for (const argv of requests) expect(parser.next()).toEqual(argv);
    expect(parser.next()).toBeNull();
  });

  test('stops at an incomplete, inline or malformed request, and at max', () => {
    const twoGets = Buffer.concat([encodeCommand(['GET', 'x']), encodeCommand(['GET', 'y'])]);
    const cut = (tail: string): RequestParser => {
      const parser = new RequestParser(DEFAULT_LIMITS);
      parser.feed(Buffer.concat([twoGets, latin1(tail), encodeCommand(['GET', 'z'])]));
      return parser;
    };
    expect(peek(cut(''))).toEqual(['x', 'y', 'z']);
    expect(peek(cut('GET inline\r\n'))).toEqual(['x', 'y']);
    expect(peek(cut('*2\r\n$3\r\nGET\r\n$x\r\n'))).toEqual(['x', 'y']);
    expect(peek(cut('*2\r\n$3\r\nGET\r\n$-1\r\n'))).toEqual(['x', 'y']);
    expect(peek(cut(''), 2)).toEqual(['x', 'y']);
    const partial = new RequestParser(DEFAULT_LIMITS);
    partial.feed(Buffer.concat([twoGets, encodeCommand(['GET', 'z']).subarray(0, 15)]));
    expect(peek(partial)).toEqual(['x', 'y']);
    // In the middle of a request (its first part taken), nothing is reported.
    const middle = new RequestParser(DEFAULT_LIMITS);
    middle.feed(latin1('*2\r\n$3\r\nGET\r\n'));
    expect(middle.next()).toBeNull();
    middle.feed(encodeCommand(['GET', 'w']));
    expect(peek(middle)).toEqual([]);
  });

  test('random pipelines: the hint always names the requests that follow', () => {
    const rand = random(17);
    for (let round = 0; round < 200; round++) {
      const requests = Array.from({ length: 1 + Math.floor(rand() * 20) }, () => randomRequest(rand, []));
      const data = Buffer.concat(requests.map((argv) => encodeCommand(argv)));
      const parser = new RequestParser(DEFAULT_LIMITS);
      parser.feed(data.subarray(0, Math.floor(rand() * (data.length + 1))));
      const hinted = peek(parser, 64);
      const complete: string[][] = [];
      for (let argv = parser.next(); argv !== null; argv = parser.next()) complete.push(argv);
      expect(hinted).toEqual(complete.filter((argv) => argv.length >= 2).map((argv) => argv[1]));
    }
  });
});

describe('parseStrictInt (string2ll)', () => {
  const cases: [string, number | null][] = [
    ['0', 0],
    ['1', 1],
    ['-1', -1],
    ['123456789012345', 123456789012345],
    ['9223372036854775807', 9223372036854775807],
    ['-9223372036854775808', -9223372036854775808],
    ['9223372036854775808', null],
    ['-9223372036854775809', null],
    ['99999999999999999999', null],
    ['', null],
    ['-', null],
    ['-0', null],
    ['00', null],
    ['01', null],
    ['+1', null],
    [' 1', null],
    ['1 ', null],
    ['1x', null],
    ['1.0', null],
  ];
  for (const [text, value] of cases) {
    test(JSON.stringify(text), () => {
      expect(parseStrictInt(latin1(text), 0, text.length)).toBe(value);
    });
  }
});
