import { expect, test } from 'vitest';
import { describeCompat, type CompatPair, type Step } from './harness';
import { RawConnection } from '../helpers/raw-connection';
import { replyLength } from '../helpers/resp-reader';

const BIN = '\x00\xff\r\nbin';
const FAR = '4000000000'; // an absolute time in seconds far in the future: deterministic replies
const RESPS = [2, 3] as const;

/** An array reply with its elements sorted (recursively), for replies whose order is unspecified. */
function normalize(buf: Buffer): string {
  if (buf[0] !== 42 /* * */) return buf.toString('latin1');
  const headerEnd = buf.indexOf('\r\n') + 2;
  const count = Number(buf.toString('latin1', 1, headerEnd - 2));
  const parts: string[] = [];
  let pos = headerEnd;
  for (let i = 0; i < count; i++) {
    const len = replyLength(buf, pos);
    parts.push(normalize(buf.subarray(pos, pos + len)));
    pos += len;
  }
  return buf.toString('latin1', 0, headerEnd) + parts.sort().join('');
}

/** Like expectSame, on the current data (no flush), comparing arrays without regard to order. */
async function expectSameUnordered(pair: CompatPair, steps: string[][], resp: 2 | 3): Promise<void> {
  const a = await RawConnection.connect(pair.redisPort);
  const b = await RawConnection.connect(pair.nodisPort);
  try {
    if (resp === 3) for (const conn of [a, b]) await conn.call('HELLO', '3');
    for (const argv of steps) {
      a.send(argv);
      b.send(argv);
      const [ra, rb] = await Promise.all([a.readReply(), b.readReply()]);
      expect(JSON.stringify(normalize(rb)), `reply to ${JSON.stringify(argv)}`).toBe(JSON.stringify(normalize(ra)));
    }
  } finally {
    a.close();
    b.close();
  }
}

describeCompat('generic commands compat', (pair) => {
  for (const resp of RESPS) {
    test(`DEL, UNLINK, EXISTS, TOUCH, TYPE, DBSIZE (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ['DBSIZE'],
          ['DEL', 'nokey'],
          ['UNLINK', 'nokey'],
          ['EXISTS', 'nokey'],
          ['TOUCH', 'nokey'],
          ['TYPE', 'nokey'],
          ['SET', 'a', '1'],
          ['SET', 'b', '2'],
          ['SET', BIN, 'v'],
          ['DBSIZE'],
          ['EXISTS', 'a', 'a', 'b', 'nokey', 'a'],
          ['EXISTS', BIN],
          ['TOUCH', 'a', 'a', 'nokey', BIN],
          ['TYPE', 'a'],
          ['TYPE', BIN],
          ['DEL', 'a', 'a', 'b', 'c'],
          ['EXISTS', 'a', 'b'],
          ['UNLINK', BIN, BIN],
          ['DBSIZE'],
          ['DEL'],
          ['UNLINK'],
          ['EXISTS'],
          ['TOUCH'],
          ['TYPE'],
          ['TYPE', 'a', 'b'],
          ['DBSIZE', 'x'],
        ],
        { resp },
      );
    });

    test(`KEYS and SCAN on an empty and a one-key database, and their errors (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ['KEYS', '*'],
          ['SCAN', '0'],
          ['RANDOMKEY'],
          ['SCAN', ''],
          ['SCAN', '+0'],
          ['SCAN', '-0'],
          ['SCAN', '00'],
          ['SCAN', '-1'],
          ['SCAN', '18446744073709551615'],
          ['SCAN', '-18446744073709551615'],
          ['SCAN', '18446744073709551616'],
          ['SCAN', '-18446744073709551616'],
          ['SCAN', 'abc'],
          ['SCAN', ' 0'],
          ['SCAN', '0 '],
          ['SCAN', '0x1'],
          ['SCAN', '1.5'],
          ['SCAN', '+'],
          ['SCAN', '-'],
          ['SCAN', 'abc', 'COUNT', '0'],
          ['SCAN', '0', 'COUNT', '0'],
          ['SCAN', '0', 'COUNT', '-1'],
          ['SCAN', '0', 'COUNT', 'abc'],
          ['SCAN', '0', 'COUNT', '99999999999999999999'],
          ['SCAN', '0', 'COUNT'],
          ['SCAN', '0', 'MATCH'],
          ['SCAN', '0', 'TYPE'],
          ['SCAN', '0', 'FOO', 'bar'],
          ['SCAN', '0', 'COUNT', '0', 'FOO'],
          ['SCAN', '0', 'FOO', 'bar', 'COUNT', '0'],
          ['SCAN'],
          ['KEYS'],
          ['KEYS', 'a', 'b'],
          ['RANDOMKEY', 'x'],
          ['SET', BIN, 'v'],
          ['KEYS', '*'],
          ['KEYS', '\x00*'],
          ['KEYS', '*bin'],
          ['KEYS', '?\xff*'],
          ['KEYS', 'nomatch'],
          ['SCAN', '0'],
          // The cursor after a partial step depends on the table layout.
          { argv: ['SCAN', '0', 'COUNT', '1'], compare: false },
          ['SCAN', '0', 'count', '1000', 'match', '*bin', 'type', 'string'],
          ['SCAN', '0', 'MATCH', 'x*'],
          ['SCAN', '0', 'MATCH', '*'],
          ['SCAN', '0', 'TYPE', 'string'],
          ['SCAN', '0', 'TYPE', 'STRING'],
          ['SCAN', '0', 'TYPE', 'list'],
          ['SCAN', '0', 'TYPE', 'nosuchtype'],
          ['SCAN', '0', 'MATCH', 'a', 'MATCH', '*'],
          ['RANDOMKEY'],
        ],
        { resp },
      );
    });

    test(`KEYS and SCAN with several keys (RESP${resp})`, async () => {
      const keys = ['user:1', 'user:2', 'user:10', 'other', 'Useless', '', BIN];
      await pair.expectSame(keys.map((k) => ['SET', k, 'v']));
      await expectSameUnordered(
        pair,
        [
          ['KEYS', '*'],
          ['KEYS', 'user:*'],
          ['KEYS', 'user:?'],
          ['KEYS', '[uU]se*'],
          ['KEYS', '*[^0-9]'],
          ['KEYS', '**'],
          ['SCAN', '0', 'COUNT', '100'],
          ['SCAN', '0', 'COUNT', '100', 'MATCH', 'user:*'],
          ['SCAN', '0', 'COUNT', '100', 'TYPE', 'string', 'MATCH', '*e*'],
          ['SCAN', '0', 'COUNT', '100', 'TYPE', 'hash'],
        ],
        resp,
      );
    });

    test(`RENAME and RENAMENX (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ['RENAME', 'nokey', 'x'],
          ['RENAMENX', 'nokey', 'x'],
          ['RENAME', 'nokey', 'nokey'],
          ['SET', 'a', '1'],
          ['RENAME', 'a', 'a'],
          ['RENAMENX', 'a', 'a'],
          ['RENAME', 'a', 'b'],
          ['EXISTS', 'a'],
          ['GET', 'b'],
          ['SET', 'c', '3'],
          ['RENAMENX', 'b', 'c'],
          ['RENAMENX', 'b', BIN],
          ['GET', BIN],
          ['RENAME', BIN, 'c'],
          ['GET', 'c'],
          ['DBSIZE'],
          // The TTL moves with the value, and replaces the target's.
          ['SET', 't', 'v'],
          ['EXPIREAT', 't', FAR],
          ['RENAME', 't', 't2'],
          ['EXPIRETIME', 't2'],
          ['TTL', 't'],
          ['SET', 'plain', 'p'],
          ['RENAME', 'plain', 't2'],
          ['TTL', 't2'],
          ['SET', 'u', 'v'],
          ['PEXPIREAT', 'u', '4000000000123'],
          ['RENAMENX', 'u', 'u2'],
          ['PEXPIRETIME', 'u2'],
          ['RENAME', 'a'],
          ['RENAME', 'a', 'b', 'c'],
          ['RENAMENX', 'a'],
        ],
        { resp },
      );
    });

    test(`COPY (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ['COPY', 'nokey', 'x'],
          ['SET', 'a', 'hello'],
          ['COPY', 'a', 'a'],
          ['COPY', 'a', 'a', 'DB', '0'],
          ['COPY', 'a', 'b'],
          ['COPY', 'a', 'b'],
          ['SET', 'a', 'world'],
          ['COPY', 'a', 'b', 'REPLACE'],
          ['GET', 'b'],
          ['COPY', 'a', 'a', 'DB', '1'],
          ['COPY', 'a', 'a', 'db', '1'],
          ['COPY', 'a', 'x', 'DB', '16'],
          ['COPY', 'a', 'x', 'DB', '-1'],
          ['COPY', 'a', 'x', 'DB', 'abc'],
          ['COPY', 'a', 'x', 'DB', '4294967296'],
          ['COPY', 'a', 'x', 'DB'],
          ['COPY', 'a', 'x', 'FOO'],
          ['COPY', 'a', 'x', 'DB', 'abc', 'FOO'],
          ['COPY', 'a', 'x', 'REPLACE', 'REPLACE', 'DB', '2', 'DB', '3'],
          ['SET', 'ttl', '42'],
          ['EXPIREAT', 'ttl', FAR],
          ['COPY', 'ttl', BIN, 'DB', '2'],
          ['EXISTS', BIN],
          ['COPY', 'ttl', 'ttlcopy'],
          ['EXPIRETIME', 'ttlcopy'],
          ['SELECT', '1'],
          ['GET', 'a'],
          ['SELECT', '2'],
          ['GET', BIN],
          ['EXPIRETIME', BIN],
          ['OBJECT', 'ENCODING', BIN],
          ['SELECT', '3'],
          ['GET', 'x'],
          ['SELECT', '0'],
          ['COPY', 'a'],
        ],
        { resp },
      );
    });

    test(`MOVE and SWAPDB (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ['MOVE', 'nokey', '1'],
          ['SET', 'm', 'v'],
          ['MOVE', 'm', '0'],
          ['MOVE', 'm', '16'],
          ['MOVE', 'm', '-1'],
          ['MOVE', 'm', 'abc'],
          ['MOVE', 'm', '1.0'],
          ['MOVE', 'm', '2147483648'],
          ['MOVE', 'm', '-2147483649'],
          ['MOVE', 'nokey', '0'],
          ['EXPIREAT', 'm', FAR],
          ['MOVE', 'm', '1'],
          ['EXISTS', 'm'],
          ['SET', BIN, 'here'],
          ['MOVE', BIN, '1'],
          ['SELECT', '1'],
          ['GET', 'm'],
          ['EXPIRETIME', 'm'],
          ['GET', BIN],
          ['SET', 'clash', 'one'],
          ['SELECT', '0'],
          ['SET', 'clash', 'zero'],
          ['MOVE', 'clash', '1'],
          ['GET', 'clash'],
          ['DBSIZE'],
          ['SWAPDB', '0', '1'],
          ['DBSIZE'],
          ['GET', 'clash'],
          ['EXPIRETIME', 'm'],
          ['SWAPDB', '1', '1'],
          ['SWAPDB', '0', '15'],
          ['DBSIZE'],
          ['SWAPDB', 'abc', '0'],
          ['SWAPDB', '0', 'abc'],
          ['SWAPDB', 'abc', 'def'],
          ['SWAPDB', '0', '16'],
          ['SWAPDB', '-1', '0'],
          ['SWAPDB', '2147483648', '0'],
          ['SWAPDB', '0'],
          ['MOVE', 'm'],
        ],
        { resp },
      );
    });

    test(`FLUSHDB, FLUSHALL, RANDOMKEY (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ['SET', 'only', 'v'],
          ['RANDOMKEY'],
          ['SELECT', '1'],
          ['SET', 'k1', 'v'],
          ['FLUSHDB'],
          ['DBSIZE'],
          ['SELECT', '0'],
          ['DBSIZE'],
          ['FLUSHDB', 'ASYNC'],
          ['FLUSHDB', 'sync'],
          ['FLUSHDB', 'foo'],
          ['FLUSHDB', 'ASYNC', 'SYNC'],
          ['SET', 'a', 'v'],
          ['SELECT', '5'],
          ['SET', 'b', 'v'],
          ['FLUSHALL', 'bar'],
          ['FLUSHALL', 'SYNC', 'ASYNC'],
          ['FLUSHALL', 'async'],
          ['DBSIZE'],
          ['SELECT', '0'],
          ['DBSIZE'],
          ['RANDOMKEY'],
          ['FLUSHALL', 'SYNC'],
          ['FLUSHALL'],
        ],
        { resp },
      );
    });

    test(`EXPIRE family with NX / XX / GT / LT and errors (RESP${resp})`, async () => {
      const steps: Step[] = [
        ['EXPIRE', 'nokey', '100'],
        ['PEXPIRE', 'nokey', '100'],
        ['EXPIREAT', 'nokey', FAR],
        ['PEXPIREAT', 'nokey', FAR],
        ['SET', 'k', 'v'],
        ['EXPIRE', 'k', '100'],
        ['TTL', 'k'],
        ['EXPIRE', 'k', '100', 'NX'],
        ['EXPIRE', 'k', '200', 'XX'],
        ['TTL', 'k'],
        ['EXPIRE', 'k', '100', 'GT'],
        ['EXPIRE', 'k', '300', 'gt'],
        ['EXPIRE', 'k', '400', 'LT'],
        ['EXPIRE', 'k', '50', 'lt'],
        ['TTL', 'k'],
        ['EXPIRE', 'k', '60', 'XX', 'GT'],
        ['EXPIRE', 'k', '10', 'NX', 'NX'],
        ['SET', 'p', 'v'],
        ['EXPIRE', 'p', '100', 'XX'],
        ['EXPIRE', 'p', '100', 'GT'],
        ['TTL', 'p'],
        ['EXPIRE', 'p', '100', 'LT'],
        ['TTL', 'p'],
        ['PERSIST', 'p'],
        ['EXPIRE', 'p', '100', 'NX'],
        ['TTL', 'p'],
        ['EXPIRE', 'k', '10', 'NX', 'XX'],
        ['EXPIRE', 'k', '10', 'NX', 'GT'],
        ['EXPIRE', 'k', '10', 'LT', 'NX'],
        ['EXPIRE', 'k', '10', 'GT', 'LT'],
        ['EXPIRE', 'k', '10', 'XX', 'GT', 'LT'],
        ['EXPIRE', 'k', '10', 'FOO'],
        ['EXPIRE', 'k', 'abc', 'FOO'],
        ['EXPIRE', 'k', 'abc', 'NX', 'XX'],
        ['EXPIRE', 'k', 'abc'],
        ['EXPIRE', 'k', '1.5'],
        ['EXPIRE', 'k', ''],
        ['EXPIRE', 'k', '9223372036854775808'],
        ['EXPIRE', 'k', '9223372036854775807'],
        ['EXPIRE', 'k', '-9223372036854775808'],
        ['EXPIRE', 'k', '9223372036854775'],
        ['EXPIRE', 'nokey', '9223372036854775807'],
        ['PEXPIRE', 'k', '9223372036854775807'],
        ['EXPIREAT', 'k', '9223372036854775807'],
        ['EXPIREAT', 'k', '-9223372036854776'],
        ['PEXPIRE', 'k', '-9223372036854775808'],
        ['TTL', 'k'],
        ['SET', 'k', 'v'],
        ['PEXPIREAT', 'k', '-9223372036854775808'],
        ['EXISTS', 'k'],
        ['EXPIRE'],
        ['EXPIRE', 'k'],
        ['PEXPIRE', 'k'],
        ['EXPIREAT', 'k'],
        ['PEXPIREAT', 'k'],
      ];
      await pair.expectSame(steps, { resp });
    });

    test(`a time in the past deletes the key (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ['SET', 'a', 'v'],
          ['EXPIRE', 'a', '-1'],
          ['EXISTS', 'a'],
          ['SET', 'a', 'v'],
          ['EXPIRE', 'a', '0'],
          ['EXISTS', 'a'],
          ['SET', 'a', 'v'],
          ['PEXPIRE', 'a', '0'],
          ['EXISTS', 'a'],
          ['SET', 'a', 'v'],
          ['EXPIREAT', 'a', '1'],
          ['EXISTS', 'a'],
          ['SET', BIN, 'v'],
          ['PEXPIREAT', BIN, '1000'],
          ['EXISTS', BIN],
          ['SET', 'a', 'v'],
          ['EXPIRE', 'a', '-1', 'NX'],
          ['EXISTS', 'a'],
          ['SET', 'a', 'v'],
          ['EXPIREAT', 'a', FAR],
          ['EXPIRE', 'a', '-1', 'GT'],
          ['EXPIRE', 'a', '-1', 'LT'],
          ['EXISTS', 'a'],
          ['DBSIZE'],
        ],
        { resp },
      );
    });

    test(`TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ['TTL', 'nokey'],
          ['PTTL', 'nokey'],
          ['EXPIRETIME', 'nokey'],
          ['PEXPIRETIME', 'nokey'],
          ['PERSIST', 'nokey'],
          ['SET', 'k', 'v'],
          ['TTL', 'k'],
          ['PTTL', 'k'],
          ['EXPIRETIME', 'k'],
          ['PEXPIRETIME', 'k'],
          ['PERSIST', 'k'],
          ['EXPIREAT', 'k', FAR],
          ['EXPIRETIME', 'k'],
          ['PEXPIRETIME', 'k'],
          ['PEXPIREAT', 'k', '4000000000499'],
          ['EXPIRETIME', 'k'],
          ['PEXPIREAT', 'k', '4000000000500'],
          ['EXPIRETIME', 'k'],
          ['PEXPIRETIME', 'k'],
          ['PEXPIRE', 'k', '100000'],
          ['TTL', 'k'],
          ['PEXPIREAT', 'k', '9223372036854775807'],
          ['PEXPIRETIME', 'k'],
          ['EXPIRETIME', 'k'],
          ['PEXPIRE', 'k', '1499000'],
          ['TTL', 'k'],
          ['PERSIST', 'k'],
          ['PERSIST', 'k'],
          ['TTL', 'k'],
          ['PEXPIRETIME', 'k'],
          ['SET', BIN, 'v'],
          ['EXPIREAT', BIN, FAR],
          ['EXPIRETIME', BIN],
          ['PERSIST', BIN],
          ['EXPIRETIME', BIN],
          ['TTL'],
          ['TTL', 'a', 'b'],
          ['PTTL'],
          ['EXPIRETIME'],
          ['PEXPIRETIME', 'a', 'b'],
          ['PERSIST'],
        ],
        { resp },
      );
    });

    test(`OBJECT (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ['OBJECT', 'ENCODING', 'nokey'],
          ['OBJECT', 'REFCOUNT', 'nokey'],
          ['OBJECT', 'IDLETIME', 'nokey'],
          ['OBJECT', 'FREQ', 'nokey'],
          ['SET', 'k', '123'],
          ['OBJECT', 'ENCODING', 'k'],
          ['OBJECT', 'REFCOUNT', 'k'],
          // Idle seconds depend on when the second ticks (exact values: test/commands/expiry.test.ts).
          { argv: ['OBJECT', 'IDLETIME', 'k'], compare: false },
          ['OBJECT', 'FREQ', 'k'],
          ['SET', 'k', '9999'],
          ['OBJECT', 'REFCOUNT', 'k'],
          ['SET', 'k', '10000'],
          ['OBJECT', 'ENCODING', 'k'],
          ['OBJECT', 'REFCOUNT', 'k'],
          ['SET', 'k', '-1'],
          ['OBJECT', 'ENCODING', 'k'],
          ['OBJECT', 'REFCOUNT', 'k'],
          ['SET', 'k', '0'],
          ['OBJECT', 'REFCOUNT', 'k'],
          ['SET', 'k', '9223372036854775807'],
          ['OBJECT', 'ENCODING', 'k'],
          ['SET', 'k', '-9223372036854775808'],
          ['OBJECT', 'ENCODING', 'k'],
          ['SET', 'k', '9223372036854775808'],
          ['OBJECT', 'ENCODING', 'k'],
          ['SET', 'k', '0123'],
          ['OBJECT', 'ENCODING', 'k'],
          ['SET', 'k', '+1'],
          ['OBJECT', 'ENCODING', 'k'],
          ['SET', 'k', 'abc'],
          ['OBJECT', 'ENCODING', 'k'],
          ['OBJECT', 'REFCOUNT', 'k'],
          ['SET', 'k', ''],
          ['OBJECT', 'ENCODING', 'k'],
          ['SET', 'k', 'x'.repeat(44)],
          ['OBJECT', 'ENCODING', 'k'],
          ['SET', 'k', 'x'.repeat(45)],
          ['OBJECT', 'ENCODING', 'k'],
          ['OBJECT', 'REFCOUNT', 'k'],
          ['SET', BIN, 'v'],
          ['OBJECT', 'ENCODING', BIN],
          ['OBJECT', 'encoding', BIN],
          ['OBJECT', 'HELP'],
          ['OBJECT', 'help'],
          ['OBJECT'],
          ['OBJECT', 'FOO'],
          ['OBJECT', 'FOO', 'k'],
          ['OBJECT', 'ENCODING'],
          ['OBJECT', 'ENCODING', 'k', 'extra'],
          ['OBJECT', 'HELP', 'extra'],
          ['OBJECT', 'FREQ'],
          ['OBJECT', 'IDLETIME'],
          ['OBJECT', 'REFCOUNT'],
        ],
        { resp },
      );
    });
  }

  test('glob patterns match as Redis does, quirks included', async () => {
    // One key at a time, so KEYS replies are [] or [key] and their order cannot differ.
    const patterns = [
      '*', '**', '?', '*?', '?*', 'a*', '*a', 'a?c', '[abc]*', '[^abc]*', '[a-c]*', '[c-a]*', '[abc', '[^',
      '[', ']', '[]]', '[]', '[a-]', '[-a]', '[\\]]*', '\\*', '\\', 'a\\', '\\a*', '*\\', '[\\', '[a\\',
      '[\x80-\xff]*', '[a-\xff]*', '[\xff-a]*', '*\x00*', '\x00', '[\x00-\x7f]*', 'A*', '[A-Z]*', '*b*c',
      'a*b*c*', '*[', '*[a', 'abc', 'ab', 'abcd', '?[b-c]?',
    ];
    const subjects = ['abc', 'a', 'A', 'b', ']', '-', '\\', '*', '\x00', '\xff', '\x90', 'a\x00c', '[', 'Abc', 'bca', '*x'];
    const steps: Step[] = [];
    for (const subject of subjects) {
      steps.push(['SET', subject, 'v']);
      for (const pattern of patterns) steps.push(['KEYS', pattern], ['SCAN', '0', 'MATCH', pattern]);
      steps.push(['DEL', subject]);
    }
    await pair.expectSame(steps);
  });

  test('random glob patterns against random keys', async () => {
    let state = 12345;
    const random = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const patternChars = ['a', 'b', 'B', '*', '?', '[', ']', '^', '-', '\\', '\xf0'];
    const keyChars = ['a', 'b', 'B', ']', '-', '\\', '*', '\xf0'];
    const draw = (chars: string[], max: number): string => {
      let s = '';
      for (let n = Math.floor(random() * max); n > 0; n--) s += chars[Math.floor(random() * chars.length)];
      return s;
    };
    const steps: Step[] = [];
    for (let k = 0; k < 30; k++) {
      const key = draw(keyChars, 7) || 'a';
      steps.push(['SET', key, 'v']);
      for (let p = 0; p < 60; p++) steps.push(['KEYS', draw(patternChars, 8)]);
      steps.push(['DEL', key]);
    }
    await pair.expectSame(steps);
  });

  test('the empty key', async () => {
    await pair.expectSame([
      ['SET', '', 'v'],
      ['KEYS', '*'],
      ['KEYS', '**'],
      ['KEYS', '?'],
      ['SCAN', '0'],
      ['SCAN', '0', 'MATCH', '**'],
      ['EXISTS', ''],
      ['TYPE', ''],
      ['RENAME', '', 'x'],
      ['RENAME', 'x', ''],
      ['RANDOMKEY'],
      ['COPY', '', 'y'],
      ['EXPIREAT', '', FAR],
      ['EXPIRETIME', ''],
      ['OBJECT', 'ENCODING', ''],
      ['DEL', '', 'y'],
    ]);
  });
});

describeCompat(
  'OBJECT under an LFU maxmemory policy compat',
  (pair) => {
    for (const resp of RESPS) {
      test(`FREQ, IDLETIME and REFCOUNT (RESP${resp})`, async () => {
        await pair.expectSame(
          [
            ['OBJECT', 'FREQ', 'nokey'],
            ['SET', 'k', '123'],
            ['OBJECT', 'FREQ', 'k'],
            ['OBJECT', 'IDLETIME', 'k'],
            // Integers are not shared when each key needs its own access data.
            ['OBJECT', 'REFCOUNT', 'k'],
            ['OBJECT', 'ENCODING', 'k'],
            // The first access always increments a fresh counter (later ones only probably).
            ['GET', 'k'],
            ['OBJECT', 'FREQ', 'k'],
            ['OBJECT', 'FREQ', 'k'],
            // A copy starts with a fresh counter.
            ['COPY', 'k', 'k3'],
            ['OBJECT', 'FREQ', 'k3'],
          ],
          { resp },
        );
      });
    }
  },
  {
    nodis: { config: { maxmemory: '1gb', 'maxmemory-policy': 'allkeys-lfu' } },
    redisDirectives: ['--maxmemory', '1gb', '--maxmemory-policy', 'allkeys-lfu'],
  },
);
