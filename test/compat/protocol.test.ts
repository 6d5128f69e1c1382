import { expect, test } from 'vitest';
import { describeCompat, type CompatPair } from './harness';
import { RawConnection, encodeCommand } from '../helpers/raw-connection';

const INLINE_MAX = 64 * 1024;

interface Output {
  text: string;
  closed: boolean;
}

interface SendOptions {
  /** Pause between chunks, so the server reads them apart. */
  gapMs?: number;
  /** How long to wait for the server to close the connection. */
  waitMs?: number;
  /** Read this many replies instead of waiting for a close. */
  replies?: number;
}

/** Sends chunks over a fresh connection and collects the output (see SendOptions). */
async function outputOf(port: number, chunks: (string | Buffer)[], options: SendOptions): Promise<Output> {
  const { gapMs = 0, waitMs = 1500, replies } = options;
  const conn = await RawConnection.connect(port);
  conn.socket.setNoDelay(true);
  for (let i = 0; i < chunks.length; i++) {
    if (i > 0 && gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    conn.write(chunks[i]);
  }
  let text = '';
  if (replies === undefined) {
    text = await conn.readUntilClose(waitMs);
  } else {
    for (let i = 0; i < replies; i++) text += (await conn.readReply(20000)).toString('latin1');
  }
  const closed = conn.closed;
  conn.close();
  return { text, closed };
}

/** Both servers give the same output and the same close (or not) for these chunks. */
async function expectSameOutput(pair: CompatPair, chunks: (string | Buffer)[], options: SendOptions = {}): Promise<Output> {
  const [redis, nodis] = await Promise.all([outputOf(pair.redisPort, chunks, options), outputOf(pair.nodisPort, chunks, options)]);
  const first = chunks[0];
  const label = JSON.stringify(typeof first === 'string' ? first.slice(0, 100) : first.toString('latin1', 0, 100));
  expect(JSON.stringify(nodis.text).slice(0, 2000), `output for ${label}`).toBe(JSON.stringify(redis.text).slice(0, 2000));
  expect(nodis.text === redis.text, `whole output for ${label}`).toBe(true);
  expect(nodis.closed, `closed after ${label}`).toBe(redis.closed);
  return redis;
}

/** Sends one large pipeline to both servers and compares the `count` replies, in order. */
async function expectSameReplies(pair: CompatPair, raw: string, count: number): Promise<void> {
  const replies = await Promise.all(
    [pair.redisPort, pair.nodisPort].map(async (port) => {
      const conn = await RawConnection.connect(port);
      conn.write(raw);
      const texts: string[] = [];
      for (let i = 0; i < count; i++) texts.push((await conn.readReply()).toString('latin1'));
      conn.close();
      return texts;
    }),
  );
  const [redis, nodis] = replies;
  const firstDifference = redis.findIndex((reply, i) => reply !== nodis[i]);
  expect(firstDifference === -1 ? null : { index: firstDifference, redis: redis[firstDifference], nodis: nodis[firstDifference] }).toBeNull();
}

function bytesOf(s: string): Buffer[] {
  return [...Buffer.from(s, 'latin1')].map((b) => Buffer.from([b]));
}

describeCompat('protocol compat', (pair) => {
  test('inline and multibulk requests, unknown commands, arity', async () => {
    await pair.expectSame([
      { raw: 'PING\r\n' },
      { raw: 'ping hello\r\n' },
      { raw: '  echo   "a b\\x41\\n"  \r\n' },
      { raw: 'PING\n' },
      { raw: '\r\n\r\nPING\r\n' },
      { raw: '*0\r\n*-1\r\nPING\r\n' },
      { raw: '*-5\r\n*-9223372036854775808\r\nPING\r\n' },
      { raw: 'PING\r\r\n' },
      { raw: 'PING\rPING\n' },
      { raw: '\x0bPING\r\n' },
      { raw: '*1\r\n$4\r\nPINGxxPING\r\n', replies: 2 },
      { raw: '*1\rx$4\r\nPING\r\n' },
      ['foo', 'a', 'b'],
      ['ECHO'],
      ['ECHO', 'x', 'y'],
      ['PING', 'a', 'b'],
      ['SELECT', 'x'],
      ['SELECT', '16'],
      ['SELECT', '-1'],
      ['HELLO', '4'],
      ['HELLO', 'x'],
      ['HELLO', '3', 'FOO'],
      ['ECHO', '\x00\xff\r\nbin'],
      ['ECHO', ''],
    ]);
  });

  test('inline argument splitting (shown through the unknown command error)', async () => {
    const lines = [
      'x a\tb\rc',
      'x a\x0bb \x0c c',
      'x "a b" \'c d\'',
      'x "" \'\'',
      'x "\\x41\\x4g" "\\x4" "a\\x"',
      'x "\\xff\\xFe" "\\n\\r\\t\\b\\a\\q\\\\\\""',
      "x 'a\\'b' 'a\\nb' 'a\"b' \"a'b\"",
      'x a"b c" "a"\x0b "a"\tb',
      'x \xe9t\xe9 \xff',
      'ECHO "a"\x0b',
    ];
    await pair.expectSame(lines.map((line) => ({ raw: `${line}\r\n` })));
  });

  test('line-end chars in an error message become spaces', async () => {
    await pair.expectSame([['foo\r\nbar'], ['\r\nfoo\n'], ['\r\n'], ['x\ry', 'a\nb']]);
  });

  test('pipelined requests split at every byte', async () => {
    const raw = '*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\nPING\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\nECHO "q x"\n';
    const redis = await expectSameOutput(pair, bytesOf(raw), { gapMs: 1, waitMs: 300 });
    expect(redis.text).toBe('$5\r\nhello\r\n+PONG\r\n+PONG\r\n$0\r\n\r\n$3\r\nq x\r\n');
  });

  test('10,000 commands pipelined in one write get 10,000 replies in order', async () => {
    let raw = '';
    for (let i = 0; i < 10000; i++) raw += i % 3 === 0 ? `ECHO ${i}\r\n` : encodeCommand(['ECHO', `v${i}`]).toString('latin1');
    await expectSameReplies(pair, raw, 10000);
  });

  test('big bulks (32 KB to several MB) sent in pieces', async () => {
    const sizes = [32 * 1024 - 1, 32 * 1024, 100000, 1024 * 1024, 5 * 1024 * 1024 + 3];
    for (const size of sizes) {
      const value = Buffer.alloc(size);
      for (let i = 0; i < size; i++) value[i] = (i * 7) & 0xff;
      const request = Buffer.concat([encodeCommand(['ECHO', value]), Buffer.from('PING\r\n')]);
      // Pieces that cut the header, the value in several places, and the trailer.
      const cuts = [3, 12, 20, 5000, Math.floor(size / 2), request.length - 8, request.length - 7];
      const chunks = cuts.map((cut, i) => request.subarray(i === 0 ? 0 : cuts[i - 1], cut));
      chunks.push(request.subarray(cuts[cuts.length - 1]));
      const redis = await expectSameOutput(pair, chunks, { gapMs: 5, replies: 2 });
      expect(redis.text.length, `reply size for ${size}`).toBe(String(size).length + 3 + size + 2 + 7);
    }
  });

  const closingInputs = [
    '*abc\r\n',
    '*\r\n',
    '*-0\r\n',
    '*01\r\n',
    '*+1\r\n',
    '*2147483648\r\n',
    '*-9223372036854775809\r\nPING\r\n',
    '*2\r\nx\r\n',
    '*1\r\nPING\r\n',
    '*1\r\n\r\n',
    '*1\r\n\n$4\r\n',
    '*1\r\n\xff\r\n',
    '*1\r\n$-5\r\n',
    '*1\r\n$-0\r\n',
    '*1\r\n$04\r\n',
    '*1\r\n$\r\n',
    '*1\r\n$abc\r\n',
    '*1\r\n$99999999999999999999\r\n',
    '*1\r\n$536870913\r\n',
    '"unbalanced\r\n',
    "'also unbalanced\r\n",
    '"closing"x\r\n',
    'ECHO "a""b"\r\n',
    'ECHO "\\"\r\n',
    '*3000000000\r\n',
    'PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n',
    'PING\r\n"bad\r\nPING\r\n',
  ];
  for (const bad of closingInputs) {
    test(`malformed input ${JSON.stringify(bad)} gets the same error and close`, async () => {
      await pair.expectSameUntilClose(bad);
    });
  }

  test('malformed input split at every byte', async () => {
    await expectSameOutput(pair, bytesOf('PING\r\n*2\r\n$4\r\nECHO\r\n$-1\r\n'), { gapMs: 1 });
    await expectSameOutput(pair, bytesOf('ECHO "x\r\n'), { gapMs: 1 });
  });

  test('too big inline request, mbulk count string, bulk count string', async () => {
    await pair.expectSameUntilClose('a'.repeat(70 * 1024));
    await pair.expectSameUntilClose('PING\r\n' + 'a'.repeat(100 * 1024));
    await pair.expectSameUntilClose('*' + '1'.repeat(100 * 1024));
    await pair.expectSameUntilClose('*1\r\n$' + '1'.repeat(100 * 1024));
    await pair.expectSameUntilClose('*1\r\nx' + '1'.repeat(100 * 1024));
  });

  test('lines just over 64 KB with their line end are still parsed', async () => {
    // Redis only checks the length while the line end is missing; both read in 16 KB+ steps.
    await pair.expectSameUntilClose('*' + '1'.repeat(INLINE_MAX + 100) + '\r\n');
    await expectSameOutput(pair, ['x'.repeat(INLINE_MAX + 100) + '\r\n'], { waitMs: 500 });
  });

  test('a NUL byte before the line end leaves the request waiting, as C strchr does', async () => {
    for (const raw of ['PING\r\nPI\x00NG\r\nPING\r\n', 'ECHO a\x00b\r\n', '*1\x00\r\n', '*1\r\n\x00\r\n', '*1\r\n$4\x00\r\nPING\r\n']) {
      const redis = await expectSameOutput(pair, [raw], { waitMs: 400 });
      expect(redis.closed).toBe(false);
    }
    // ... until 64 KB are waiting.
    await pair.expectSameUntilClose('ECHO a\x00b\r\n' + 'x'.repeat(INLINE_MAX));
  });

  test('an incomplete request stays open without a reply', async () => {
    for (const raw of ['*2147483647\r\n', '*1\r\n$536870888\r\n', '*1\r\n$10\r\nabc', 'PING']) {
      const redis = await expectSameOutput(pair, [raw], { waitMs: 300 });
      expect(redis.closed).toBe(false);
    }
  });

  test('RESP3 replies', async () => {
    await pair.expectSame([['PING'], ['PING', 'x'], ['ECHO', '\x00'], ['HELLO', '4'], ['foo']], { resp: 3 });
  });
});

describeCompat(
  'protocol compat: limits of unauthenticated clients',
  (pair) => {
    for (const raw of [
      '*11\r\n',
      '*10\r\n$16385\r\n',
      '*1\r\n$16385\r\n',
      '*2\r\n$4\r\nPING\r\n$20000\r\n' + 'a'.repeat(20000) + '\r\n',
      'AUTH x\r\n*11\r\n',
      'PING\r\n' + 'a'.repeat(70000),
      '*2147483648\r\n',
    ]) {
      test(`${JSON.stringify(raw.slice(0, 40))}`, async () => {
        await pair.expectSameUntilClose(raw);
      });
    }

    test('within the limits the requests are read (and refused for authentication)', async () => {
      await expectSameOutput(pair, ['*-5\r\nPING\r\n', 'PING ' + 'a'.repeat(20000) + '\r\n', '*10\r\n$16384\r\n'], {
        gapMs: 20,
        waitMs: 300,
      });
    });

    test('after AUTH the limits are lifted', async () => {
      const argv = ['ECHO', 'b'.repeat(40000)];
      const request = encodeCommand(argv).toString('latin1');
      await pair.expectSame([{ raw: 'AUTH secret\r\n' }, { raw: request }, { raw: '*11\r\n' + '$1\r\na\r\n'.repeat(11) }], { flush: false });
    });
  },
  { nodis: { config: { requirepass: 'secret' } }, redisDirectives: ['--requirepass', 'secret'] },
);

const echoRequest = (size: number): string => encodeCommand(['ECHO', 'z'.repeat(size)]).toString('latin1');

describeCompat(
  'protocol compat: proto-max-bulk-len',
  (pair) => {
    test('a bulk over proto-max-bulk-len is a protocol error', async () => {
      await pair.expectSameUntilClose('*2\r\n$4\r\nECHO\r\n$1048577\r\n');
      await pair.expectSameUntilClose('*2\r\n$4\r\nECHO\r\n$2000000000\r\n');
    });

    test('a bulk of exactly proto-max-bulk-len is accepted', async () => {
      const redis = await expectSameOutput(pair, [echoRequest(1024 * 1024)], { replies: 1 });
      expect(redis.text.length).toBe(1024 * 1024 + 12);
    });
  },
  {
    nodis: { config: { 'proto-max-bulk-len': '1mb' } },
    redisDirectives: ['--proto-max-bulk-len', '1mb'],
  },
);

describeCompat(
  'protocol compat: client-query-buffer-limit',
  (pair) => {
    const limit = 1024 * 1024;

    test('a client over the query buffer limit is closed without a reply', async () => {
      // A big bulk's data and its two trailing bytes count, the rest of the request does not.
      for (const size of [limit - 1, 3 * limit]) {
        const redis = await expectSameOutput(pair, [echoRequest(size)], { waitMs: 1000 });
        expect(redis.closed, `bulk of ${size}`).toBe(true);
        expect(redis.text, `bulk of ${size}`).toBe('');
      }
    });

    test('a bulk just under the limit is served, and so is what follows it', async () => {
      const redis = await expectSameOutput(pair, [echoRequest(limit - 2) + 'PING\r\n'], { replies: 2 });
      expect(redis.text.endsWith('+PONG\r\n')).toBe(true);
    });

    test('many small requests in one write stay under the query buffer limit', async () => {
      let raw = '';
      for (let i = 0; i < 60000; i++) raw += encodeCommand(['ECHO', `value-${i}`]).toString('latin1');
      expect(raw.length).toBeGreaterThan(limit);
      await expectSameReplies(pair, raw, 60000);
    });
  },
  {
    nodis: { config: { 'client-query-buffer-limit': '1mb' } },
    redisDirectives: ['--client-query-buffer-limit', '1mb'],
  },
);

describeCompat('error texts stop at NUL like C strings', (pair) => {
  test('unknown command and subcommand names with NUL bytes', async () => {
    await pair.expectSame([
      ['x\x00y', 'a\x00b', 'c'],
      ['CONFIG', 'fo\x00o'],
    ]);
  });
});
