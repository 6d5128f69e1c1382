/**
 * List commands against redis-server 7.0.15, byte for byte, in RESP2 and RESP3: every command's
 * replies and errors, the immediate (non-blocking) paths of the blocking commands, a blocked
 * client served by another connection, DEBUG DIGEST-VALUE, and the quicklist node layout that
 * DEBUG OBJECT reports.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { compatScript as compat, describeCompat, type CompatPair } from './harness';
import { RawConnection } from '../helpers/raw-connection';
import { startNodis } from '../helpers/nodis';
import type { Quicklist } from '../../src/types/quicklist';

const BIN = '\x00\xff\r\nbin\x00';
const LLONG_MAX = '9223372036854775807';
const LLONG_MIN = '-9223372036854775808';
const BIG = 'x'.repeat(20000);
const RESPS = [2, 3] as const;

/** One connection to each server, sending the same commands and comparing the replies. */
class Twin {
  private constructor(
    readonly redis: RawConnection,
    readonly nodis: RawConnection,
  ) {}

  static async open(pair: CompatPair, resp: 2 | 3): Promise<Twin> {
    const twin = new Twin(await RawConnection.connect(pair.redisPort), await RawConnection.connect(pair.nodisPort));
    if (resp === 3) await twin.both('HELLO', '3');
    return twin;
  }

  send(...argv: string[]): void {
    this.redis.send(argv);
    this.nodis.send(argv);
  }

  /** Reads one reply from each and expects the same bytes. */
  async expectReply(label: string): Promise<string> {
    const [a, b] = await Promise.all([this.redis.readReply(), this.nodis.readReply()]);
    expect(JSON.stringify(b.toString('latin1')), label).toBe(JSON.stringify(a.toString('latin1')));
    return a.toString('latin1');
  }

  async same(...argv: string[]): Promise<string> {
    this.send(...argv);
    return this.expectReply(argv.join(' '));
  }

  /** Sends without comparing (replies that differ by nature, such as client ids). */
  async both(...argv: string[]): Promise<[string, string]> {
    this.send(...argv);
    const [a, b] = await Promise.all([this.redis.readReply(), this.nodis.readReply()]);
    return [a.toString('latin1'), b.toString('latin1')];
  }

  close(): void {
    this.redis.close();
    this.nodis.close();
  }
}

/** Waits until each server reports `n` blocked clients. */
async function waitBlocked(control: Twin, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const replies = await control.both('INFO', 'clients');
    if (replies.every((r) => r.includes(`blocked_clients:${n}\r\n`))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`servers did not reach ${n} blocked clients`);
}

describeCompat(
  'list commands compat',
  (pair) => {
    compat(pair, 'push-and-length', (k) => [
      ['LPUSH', k('l'), 'a'],
      ['LPUSH', k('l'), 'b', 'c'],
      ['RPUSH', k('l'), 'd', 'e', 'f'],
      ['LLEN', k('l')],
      ['LRANGE', k('l'), '0', '-1'],
      ['RPUSH', k('l'), BIN, '', '123', '-7', LLONG_MAX, LLONG_MIN, '007'],
      ['LRANGE', k('l'), '0', '-1'],
      ['LLEN', k('missing')],
      ['LPUSHX', k('missing'), 'a'],
      ['RPUSHX', k('missing'), 'a', 'b'],
      ['EXISTS', k('missing')],
      ['LPUSHX', k('l'), 'x', 'y'],
      ['RPUSHX', k('l'), 'z'],
      ['LRANGE', k('l'), '0', '-1'],
      ['OBJECT', 'ENCODING', k('l')],
      ['TYPE', k('l')],
      ['SET', k('s'), 'v'],
      ['LPUSH', k('s'), 'a'],
      ['RPUSH', k('s'), 'a'],
      ['LPUSHX', k('s'), 'a'],
      ['RPUSHX', k('s'), 'a'],
      ['LLEN', k('s')],
      ['LPUSH', k('l')],
      ['RPUSHX', k('l')],
      ['RPUSH', k('big'), BIG, BIG, 'small'],
      ['LRANGE', k('big'), '0', '-1'],
      ['OBJECT', 'ENCODING', k('big')],
    ]);

    compat(pair, 'pop', (k) => [
      ['RPUSH', k('l'), 'a', 'b', 'c', 'd', 'e', 'f'],
      ['LPOP', k('l')],
      ['RPOP', k('l')],
      ['LPOP', k('l'), '2'],
      ['RPOP', k('l'), '1'],
      ['LPOP', k('l'), '0'],
      ['RPOP', k('l'), '0'],
      ['LPOP', k('l'), '-1'],
      ['LPOP', k('l'), 'x'],
      ['LPOP', k('l'), '1.5'],
      ['LPOP', k('l'), LLONG_MAX],
      ['EXISTS', k('l')],
      ['RPUSH', k('l'), 'a', 'b', 'c'],
      ['RPOP', k('l'), '99999999999999999999'],
      ['RPOP', k('l'), '10'],
      ['EXISTS', k('l')],
      ['LPOP', k('missing')],
      ['RPOP', k('missing')],
      ['LPOP', k('missing'), '1'],
      ['RPOP', k('missing'), '0'],
      ['LPOP', k('missing'), '-1'],
      ['LPOP', k('l'), '1', '2'],
      ['RPOP', k('missing'), '1', '2', '3'],
      ['SET', k('s'), 'v'],
      ['LPOP', k('s')],
      ['RPOP', k('s'), '1'],
      ['LPOP', k('s'), '0'],
      ['RPUSH', k('one'), BIN],
      ['RPOP', k('one')],
      ['EXISTS', k('one')],
    ]);

    compat(pair, 'lrange-lindex', (k) => [
      ['RPUSH', k('l'), '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      ['LRANGE', k('l'), '0', '0'],
      ['LRANGE', k('l'), '2', '5'],
      ['LRANGE', k('l'), '-3', '-1'],
      ['LRANGE', k('l'), '-100', '100'],
      ['LRANGE', k('l'), '5', '2'],
      ['LRANGE', k('l'), '10', '20'],
      ['LRANGE', k('l'), '-1', '-2'],
      ['LRANGE', k('l'), '0', '-11'],
      ['LRANGE', k('l'), LLONG_MIN, LLONG_MAX],
      ['LRANGE', k('l'), LLONG_MAX, LLONG_MIN],
      ['LRANGE', k('l'), 'x', '1'],
      ['LRANGE', k('l'), '0', '9223372036854775808'],
      ['LRANGE', k('missing'), '0', '-1'],
      ['LRANGE', k('missing'), 'x', '1'],
      ['LINDEX', k('l'), '0'],
      ['LINDEX', k('l'), '9'],
      ['LINDEX', k('l'), '10'],
      ['LINDEX', k('l'), '-1'],
      ['LINDEX', k('l'), '-10'],
      ['LINDEX', k('l'), '-11'],
      ['LINDEX', k('l'), LLONG_MAX],
      ['LINDEX', k('l'), LLONG_MIN],
      ['LINDEX', k('l'), 'x'],
      ['LINDEX', k('l'), ' 1'],
      ['LINDEX', k('missing'), '0'],
      ['LINDEX', k('missing'), 'x'],
      ['SET', k('s'), 'v'],
      ['LRANGE', k('s'), '0', '-1'],
      ['LRANGE', k('s'), 'x', '-1'],
      ['LINDEX', k('s'), '0'],
      ['LINDEX', k('s'), 'x'],
      ['LLEN', k('s')],
    ]);

    compat(pair, 'lset', (k) => [
      ['RPUSH', k('l'), 'a', 'b', 'c'],
      ['LSET', k('l'), '0', 'A'],
      ['LSET', k('l'), '-1', 'C'],
      ['LSET', k('l'), '1', BIN],
      ['LSET', k('l'), '3', 'x'],
      ['LSET', k('l'), '-4', 'x'],
      ['LSET', k('l'), LLONG_MAX, 'x'],
      ['LSET', k('l'), 'x', 'x'],
      ['LSET', k('l'), '0', BIG],
      ['LSET', k('l'), '2', '12345'],
      ['LRANGE', k('l'), '0', '-1'],
      ['LSET', k('missing'), '0', 'x'],
      ['LSET', k('missing'), 'x', 'x'],
      ['SET', k('s'), 'v'],
      ['LSET', k('s'), '0', 'x'],
      ['LSET', k('s'), 'x', 'x'],
    ]);

    compat(pair, 'linsert', (k) => [
      ['RPUSH', k('l'), 'a', 'b', 'c', 'b'],
      ['LINSERT', k('l'), 'BEFORE', 'b', 'x'],
      ['LINSERT', k('l'), 'after', 'b', 'y'],
      ['LINSERT', k('l'), 'AfTeR', 'c', 'z'],
      ['LINSERT', k('l'), 'before', 'a', 'first'],
      ['LINSERT', k('l'), 'after', 'b', 'last'],
      ['LINSERT', k('l'), 'before', 'nope', 'x'],
      ['LINSERT', k('l'), 'middle', 'a', 'x'],
      ['LINSERT', k('l'), 'before\x00junk', 'a', 'nul'],
      ['LINSERT', k('l'), 'before', BIN, 'x'],
      ['LINSERT', k('l'), 'after', 'a', BIN],
      ['LINSERT', k('l'), 'before', BIN, 'y'],
      ['LRANGE', k('l'), '0', '-1'],
      ['RPUSH', k('n'), '10', '010'],
      ['LINSERT', k('n'), 'after', '010', 'x'],
      ['LINSERT', k('n'), 'after', '10', 'y'],
      ['LRANGE', k('n'), '0', '-1'],
      ['LINSERT', k('missing'), 'before', 'a', 'x'],
      ['LINSERT', k('missing'), 'sideways', 'a', 'x'],
      ['EXISTS', k('missing')],
      ['SET', k('s'), 'v'],
      ['LINSERT', k('s'), 'before', 'a', 'x'],
      ['LINSERT', k('s'), 'sideways', 'a', 'x'],
    ]);

    compat(pair, 'lrem', (k) => [
      ['RPUSH', k('l'), 'a', 'b', 'a', 'c', 'a', 'b', 'a'],
      ['LREM', k('l'), '1', 'a'],
      ['LRANGE', k('l'), '0', '-1'],
      ['LREM', k('l'), '-1', 'a'],
      ['LRANGE', k('l'), '0', '-1'],
      ['LREM', k('l'), '0', 'b'],
      ['LRANGE', k('l'), '0', '-1'],
      ['LREM', k('l'), '5', 'zz'],
      ['LREM', k('l'), LLONG_MIN, 'a'],
      ['LRANGE', k('l'), '0', '-1'],
      ['LREM', k('l'), '0', 'c'],
      ['EXISTS', k('l')],
      ['LREM', k('l'), 'x', 'a'],
      ['LREM', k('missing'), '0', 'a'],
      ['LREM', k('missing'), 'x', 'a'],
      ['RPUSH', k('b'), BIN, 'x', BIN],
      ['LREM', k('b'), '-5', BIN],
      ['LRANGE', k('b'), '0', '-1'],
      ['SET', k('s'), 'v'],
      ['LREM', k('s'), '0', 'a'],
    ]);

    compat(pair, 'ltrim', (k) => [
      ['RPUSH', k('l'), '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      ['LTRIM', k('l'), '1', '-2'],
      ['LRANGE', k('l'), '0', '-1'],
      ['LTRIM', k('l'), '-100', '100'],
      ['LRANGE', k('l'), '0', '-1'],
      ['LTRIM', k('l'), '2', '3'],
      ['LRANGE', k('l'), '0', '-1'],
      ['LTRIM', k('l'), '5', '1'],
      ['EXISTS', k('l')],
      ['RPUSH', k('m'), 'a', 'b', 'c'],
      ['LTRIM', k('m'), LLONG_MIN, LLONG_MAX],
      ['LTRIM', k('m'), '0', '-4'],
      ['EXISTS', k('m')],
      ['LTRIM', k('missing'), '0', '1'],
      ['LTRIM', k('missing'), 'x', '1'],
      ['LTRIM', k('missing'), '0', 'x'],
      ['SET', k('s'), 'v'],
      ['LTRIM', k('s'), '0', '1'],
    ]);

    compat(pair, 'lpos', (k) => [
      ['RPUSH', k('l'), 'a', 'b', 'c', 'a', 'b', 'c', 'a'],
      ['LPOS', k('l'), 'a'],
      ['LPOS', k('l'), 'c'],
      ['LPOS', k('l'), 'zz'],
      ['LPOS', k('l'), 'a', 'RANK', '2'],
      ['LPOS', k('l'), 'a', 'RANK', '-1'],
      ['LPOS', k('l'), 'a', 'RANK', '-2'],
      ['LPOS', k('l'), 'a', 'RANK', '4'],
      ['LPOS', k('l'), 'a', 'COUNT', '0'],
      ['LPOS', k('l'), 'a', 'COUNT', '2'],
      ['LPOS', k('l'), 'a', 'COUNT', '2', 'RANK', '2'],
      ['LPOS', k('l'), 'a', 'COUNT', '0', 'RANK', '-1'],
      ['LPOS', k('l'), 'a', 'COUNT', '1', 'RANK', '-2'],
      ['LPOS', k('l'), 'zz', 'COUNT', '0'],
      ['LPOS', k('l'), 'a', 'MAXLEN', '3'],
      ['LPOS', k('l'), 'a', 'MAXLEN', '3', 'RANK', '2'],
      ['LPOS', k('l'), 'a', 'MAXLEN', '4', 'RANK', '2', 'COUNT', '0'],
      ['LPOS', k('l'), 'c', 'RANK', '-1', 'MAXLEN', '1'],
      ['LPOS', k('l'), 'c', 'RANK', '-1', 'MAXLEN', '2', 'COUNT', '0'],
      ['LPOS', k('l'), 'a', 'RANK', LLONG_MAX],
      ['LPOS', k('l'), 'a', 'RANK', LLONG_MIN],
      ['LPOS', k('l'), 'a', 'RANK', LLONG_MIN, 'COUNT', '0'],
      ['LPOS', k('l'), 'a', 'RANK', LLONG_MIN, 'COUNT', '2'],
      ['LPOS', k('l'), 'a', 'RANK', '-9223372036854775807'],
      ['LPOS', k('l'), 'a', 'rank', '1', 'count', '1', 'maxlen', '0'],
      ['LPOS', k('l'), 'a', 'RANK\x00x', '2'],
      ['LPOS', k('l'), 'a', 'COUNT', '1', 'COUNT', '0'],
      ['LPOS', k('l'), 'a', 'RANK', '0'],
      ['LPOS', k('l'), 'a', 'RANK', 'x'],
      ['LPOS', k('l'), 'a', 'RANK', '9223372036854775808'],
      ['LPOS', k('l'), 'a', 'COUNT', '-1'],
      ['LPOS', k('l'), 'a', 'COUNT', 'x'],
      ['LPOS', k('l'), 'a', 'MAXLEN', '-1'],
      ['LPOS', k('l'), 'a', 'MAXLEN', 'x'],
      ['LPOS', k('l'), 'a', 'RANK'],
      ['LPOS', k('l'), 'a', 'FOO', '1'],
      ['LPOS', k('l'), 'a', 'COUNT'],
      ['LPOS', k('missing'), 'a'],
      ['LPOS', k('missing'), 'a', 'COUNT', '0'],
      ['LPOS', k('missing'), 'a', 'RANK', '0'],
      ['SET', k('s'), 'v'],
      ['LPOS', k('s'), 'a'],
      ['LPOS', k('s'), 'a', 'RANK', '0'],
      ['RPUSH', k('b'), BIN, '1', BIN],
      ['LPOS', k('b'), BIN, 'COUNT', '0'],
      ['LPOS', k('b'), '01'],
    ]);

    compat(pair, 'lmove-rpoplpush', (k) => [
      ['RPUSH', k('src'), 'a', 'b', 'c', 'd'],
      ['LMOVE', k('src'), k('dst'), 'LEFT', 'RIGHT'],
      ['LMOVE', k('src'), k('dst'), 'right', 'left'],
      ['LMOVE', k('src'), k('dst'), 'Left', 'Left'],
      ['LMOVE', k('src'), k('dst'), 'RIGHT', 'RIGHT'],
      ['EXISTS', k('src')],
      ['LRANGE', k('dst'), '0', '-1'],
      ['LMOVE', k('dst'), k('dst'), 'LEFT', 'RIGHT'],
      ['LRANGE', k('dst'), '0', '-1'],
      ['RPOPLPUSH', k('dst'), k('other')],
      ['RPOPLPUSH', k('dst'), k('dst')],
      ['LRANGE', k('dst'), '0', '-1'],
      ['RPUSH', k('one'), 'x'],
      ['LMOVE', k('one'), k('one'), 'LEFT', 'LEFT'],
      ['LRANGE', k('one'), '0', '-1'],
      ['LMOVE', k('missing'), k('dst'), 'LEFT', 'LEFT'],
      ['RPOPLPUSH', k('missing'), k('dst')],
      ['LMOVE', k('missing'), k('dst'), 'UP', 'LEFT'],
      ['LMOVE', k('dst'), k('x'), 'LEFT', 'DOWN'],
      ['LMOVE', k('dst'), k('x'), 'left\x00junk', 'right'],
      ['SET', k('s'), 'v'],
      ['LMOVE', k('s'), k('dst'), 'LEFT', 'LEFT'],
      ['LMOVE', k('dst'), k('s'), 'LEFT', 'LEFT'],
      ['RPOPLPUSH', k('dst'), k('s')],
      ['RPOPLPUSH', k('s'), k('dst')],
      ['LRANGE', k('dst'), '0', '-1'],
      ['RPUSH', k('bin'), BIN],
      ['RPOPLPUSH', k('bin'), k('bin2')],
      ['LRANGE', k('bin2'), '0', '-1'],
    ]);

    compat(pair, 'lmpop', (k) => [
      ['RPUSH', k('a'), '1', '2', '3', '4', '5'],
      ['RPUSH', k('b'), 'x', 'y'],
      ['LMPOP', '2', k('missing'), k('a'), 'LEFT'],
      ['LMPOP', '2', k('missing'), k('a'), 'RIGHT', 'COUNT', '2'],
      ['LMPOP', '1', k('a'), 'left', 'count', '10'],
      ['EXISTS', k('a')],
      ['LMPOP', '3', k('a'), k('b'), k('c'), 'RIGHT'],
      ['LMPOP', '1', k('missing'), 'LEFT'],
      ['LMPOP', '1', k('missing'), 'LEFT', 'COUNT', '2'],
      ['LMPOP', '0', k('a'), 'LEFT'],
      ['LMPOP', '-1', k('a'), 'LEFT'],
      ['LMPOP', 'x', k('a'), 'LEFT'],
      ['LMPOP', '2', k('a'), 'LEFT'],
      ['LMPOP', LLONG_MAX, k('a'), 'LEFT'],
      ['LMPOP', '1', k('b'), 'UP'],
      ['LMPOP', '1', k('b'), 'LEFT', 'COUNT', '0'],
      ['LMPOP', '1', k('b'), 'LEFT', 'COUNT', '-1'],
      ['LMPOP', '1', k('b'), 'LEFT', 'COUNT', 'x'],
      ['LMPOP', '1', k('b'), 'LEFT', 'COUNT'],
      ['LMPOP', '1', k('b'), 'LEFT', 'COUNT', '1', 'COUNT', '1'],
      ['LMPOP', '1', k('b'), 'LEFT', 'EXTRA'],
      ['LMPOP', '1', k('b'), 'right\x00', 'count\x00', '1'],
      ['LMPOP', '1'],
      ['SET', k('s'), 'v'],
      ['LMPOP', '2', k('s'), k('b'), 'LEFT'],
      ['LMPOP', '2', k('missing'), k('s'), 'LEFT'],
      ['RPUSH', k('c'), 'c1'],
      ['LMPOP', '2', k('c'), k('s'), 'LEFT'],
    ]);

    compat(pair, 'blocking commands that need not block', (k) => [
      ['RPUSH', k('a'), '1', '2', '3'],
      ['BLPOP', k('missing'), k('a'), '0'],
      ['BRPOP', k('a'), '0.01'],
      ['BLMPOP', '0', '2', k('missing'), k('a'), 'LEFT', 'COUNT', '5'],
      ['EXISTS', k('a')],
      ['RPUSH', k('a'), '1', '2', '3'],
      ['BLMOVE', k('a'), k('d'), 'LEFT', 'RIGHT', '0'],
      ['BRPOPLPUSH', k('a'), k('d'), '0'],
      ['BRPOPLPUSH', k('d'), k('d'), '1'],
      ['LRANGE', k('d'), '0', '-1'],
      ['BLPOP', k('a'), '-1'],
      ['BLPOP', k('a'), 'x'],
      ['BLPOP', k('a'), '1e400'],
      ['BLPOP', k('a'), 'inf'],
      ['BLPOP', k('a'), 'nan'],
      ['BLPOP', k('a'), '9223372036854775807'],
      ['BRPOP', k('a'), ''],
      ['BLPOP', k('a'), ' 1'],
      ['BLPOP', k('a'), '1\x00'],
      ['BLPOP', k('a'), '\x00'],
      ['BLPOP', k('a'), '-inf'],
      ['BLPOP', k('a'), '1e16'],
      ['BLPOP', k('a'), '1e5000'],
      ['BLPOP', k('a'), '1e-5000'],
      ['BLPOP', k('a'), '9223372036854775.808'],
      ['BLPOP', k('a'), '-0.5'],
      ['BLPOP', k('a'), '-1'],
      ['BLPOP', k('missing'), '0x1p-20'],
      ['BLPOP', k('missing'), '1e-400'],
      ['BLMOVE', k('a'), k('d'), 'UP', 'RIGHT', 'x'],
      ['BLMOVE', k('a'), k('d'), 'LEFT', 'RIGHT', 'x'],
      ['BRPOPLPUSH', k('a'), k('d'), '-0.5'],
      ['BLMPOP', 'x', '0', k('a'), 'LEFT'],
      ['BLMPOP', 'x', '1', k('a'), 'LEFT'],
      ['BLMPOP', '0', '2', k('a'), 'LEFT'],
      ['BLMPOP', '0', '1', k('a'), 'LEFT', 'COUNT', '0'],
      ['BLMPOP', '0', '1', k('a'), 'UP'],
      ['SET', k('s'), 'v'],
      ['BLPOP', k('missing'), k('s'), '0'],
      ['BRPOP', k('s'), k('a'), '0'],
      ['BLMPOP', '0', '1', k('s'), 'LEFT'],
      ['BLMOVE', k('s'), k('d'), 'LEFT', 'LEFT', '0'],
      ['BLMOVE', k('a'), k('s'), 'LEFT', 'LEFT', '0'],
      ['BRPOPLPUSH', k('a'), k('s'), '0'],
      ['LRANGE', k('a'), '0', '-1'],
      ['BLPOP', k('missing'), '0.05'],
      ['BRPOP', k('missing'), k('missing2'), '0.05'],
      ['BLMPOP', '0.05', '1', k('missing'), 'RIGHT'],
      ['BLMOVE', k('missing'), k('d'), 'LEFT', 'LEFT', '0.05'],
      ['BRPOPLPUSH', k('missing'), k('d'), '0.05'],
      ['EXISTS', k('missing')],
    ]);

    compat(pair, 'expired keys are missing lists', (k) => [
      ['RPUSH', k('l'), 'a', 'b'],
      ['PEXPIRE', k('l'), '1'],
      { argv: ['DEBUG', 'SLEEP', '0.01'], compare: false },
      ['LLEN', k('l')],
      ['LPUSHX', k('l'), 'x'],
      ['LRANGE', k('l'), '0', '-1'],
      ['RPUSH', k('l'), 'c'],
      ['TTL', k('l')],
      ['LRANGE', k('l'), '0', '-1'],
    ]);

    for (const resp of RESPS) {
      test(`DEBUG DIGEST-VALUE of lists (RESP${resp})`, async () => {
        await pair.expectSame(
          [
            ['RPUSH', 'dl', 'a', '1', BIN, '', LLONG_MIN, BIG],
            ['LPUSH', 'dl2', 'a', '1', BIN, '', LLONG_MIN, BIG],
            ['DEBUG', 'DIGEST-VALUE', 'dl', 'dl2', 'missing'],
            ['PEXPIRE', 'dl', '100000'],
            ['DEBUG', 'DIGEST-VALUE', 'dl'],
            ['DEBUG', 'DIGEST'],
          ],
          { resp },
        );
      });

      test(`a blocked BLPOP is served by another client's push (RESP${resp})`, async () => {
        const control = await Twin.open(pair, resp);
        const waiter = await Twin.open(pair, resp);
        const other = await Twin.open(pair, resp);
        try {
          await control.same('FLUSHALL');
          waiter.send('BLPOP', 'q1', 'q2', '0');
          await waitBlocked(control, 1);
          other.send('BRPOP', 'q2', '0');
          await waitBlocked(control, 2);
          await control.same('SET', 'q1', 'string');
          await control.same('DEL', 'q1');
          await control.same('RPUSH', 'q2', 'a', 'b', 'c');
          await waiter.expectReply('first waiter on q2');
          await other.expectReply('second waiter on q2');
          await control.same('LRANGE', 'q2', '0', '-1');
          waiter.send('BLMOVE', 'src', 'dst', 'RIGHT', 'LEFT', '0');
          await waitBlocked(control, 1);
          await control.same('LPUSH', 'src', 'x', 'y');
          await waiter.expectReply('BLMOVE served');
          await control.same('LRANGE', 'src', '0', '-1');
          await control.same('LRANGE', 'dst', '0', '-1');
          waiter.send('BLMPOP', '0', '2', 'm1', 'm2', 'RIGHT', 'COUNT', '3');
          await waitBlocked(control, 1);
          await control.same('RPUSH', 'm2', '1', '2');
          await waiter.expectReply('BLMPOP served');
          waiter.send('BRPOPLPUSH', 'p', 'wrong', '0');
          await waitBlocked(control, 1);
          await control.same('SET', 'wrong', 'v');
          await control.same('RPUSH', 'p', 'e');
          await waiter.expectReply('BRPOPLPUSH to a string');
          await control.same('LRANGE', 'p', '0', '-1');
          await waiter.same('BLPOP', 'never', '0.05');
          await waiter.same('BLMOVE', 'never', 'd', 'LEFT', 'LEFT', '0.05');
          await waiter.same('BLMPOP', '0.05', '1', 'never', 'LEFT');
        } finally {
          control.close();
          waiter.close();
          other.close();
        }
      });

      test(`CLIENT UNBLOCK of a blocked list pop (RESP${resp})`, async () => {
        const control = await Twin.open(pair, resp);
        const waiter = await Twin.open(pair, resp);
        try {
          const [redisId, nodisId] = (await waiter.both('CLIENT', 'ID')).map((r) => r.slice(1, -2));
          for (const [withError, mode] of [
            [false, 'TIMEOUT'],
            [true, 'ERROR'],
          ] as const) {
            waiter.send('BRPOPLPUSH', 'nothing', 'dst', '0');
            await waitBlocked(control, 1);
            control.redis.send(['CLIENT', 'UNBLOCK', redisId, mode]);
            control.nodis.send(['CLIENT', 'UNBLOCK', nodisId, mode]);
            await control.expectReply(`CLIENT UNBLOCK ${mode}`);
            await waiter.expectReply(withError ? 'unblocked with an error' : 'unblocked as a timeout');
          }
        } finally {
          control.close();
          waiter.close();
        }
      });
    }

    /** Compares DEBUG OBJECT's quicklist facts with the Nodis list's own node accounting. */
    let nodis: Awaited<ReturnType<typeof startNodis>>;
    beforeAll(async () => {
      nodis = await startNodis();
    });
    afterAll(async () => {
      await nodis?.stop();
    });

    test('quicklist nodes split, merge and shrink as in redis-server', async () => {
      const redis = await RawConnection.connect(pair.redisPort);
      const local = await RawConnection.connect(nodis.port);
      const run = async (...argv: string[]) => {
        const [a, b] = await Promise.all([redis.call(...argv), local.call(...argv)]);
        expect(b, argv.join(' ').slice(0, 80)).toBe(a);
      };
      const expectLayout = async (key: string, label: string) => {
        const info = await redis.call('DEBUG', 'OBJECT', key);
        const nodes = Number(/ql_nodes:(\d+)/.exec(info)![1]);
        const bytes = Number(/ql_uncompressed_size:(\d+)/.exec(info)![1]);
        const list = nodis.server.keyspace.databases[0].peek(key) as Quicklist;
        expect(list.nodeStats(), label).toEqual({ nodes, bytes });
      };
      try {
        await run('FLUSHALL');
        const values = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? String(i * 37) : `v${'x'.repeat(i % 90)}${i}`));
        await run('RPUSH', 'q', ...values);
        await expectLayout('q', 'after RPUSH');
        await run('LPUSH', 'q', ...values.slice(0, 1000));
        await expectLayout('q', 'after LPUSH');
        for (const [i, pivot] of [5, 400, 999, 1500, 2999].entries()) {
          await run('LINSERT', 'q', i % 2 ? 'BEFORE' : 'AFTER', values[pivot], `inserted${'y'.repeat(i * 50)}`);
        }
        await expectLayout('q', 'after LINSERT');
        await run('LSET', 'q', '10', BIG);
        await run('LSET', 'q', '-10', '123');
        await expectLayout('q', 'after LSET');
        await run('LREM', 'q', '-50', values[3]);
        await run('LREM', 'q', '0', values[6]);
        await expectLayout('q', 'after LREM');
        await run('LTRIM', 'q', '100', '-200');
        await run('LPOP', 'q', '300');
        await run('RPOP', 'q', '7');
        await expectLayout('q', 'after LTRIM and pops');
        for (const fill of ['3', '1', '0', '-1', '-5', '128']) {
          await run('CONFIG', 'SET', 'list-max-listpack-size', fill);
          const key = `fill${fill}`;
          await run('RPUSH', key, ...values.slice(0, 400));
          await run('LINSERT', key, 'AFTER', values[1], 'x');
          await run('LINSERT', key, 'BEFORE', values[3], 'y');
          await run('LINSERT', key, 'AFTER', values[200], 'z');
          await run('LPUSH', key, 'head1', 'head2');
          await run('LREM', key, '3', values[9]);
          await expectLayout(key, `fill ${fill}`);
        }
        // An existing list keeps the node size it was created with.
        await run('RPUSH', 'fill3', ...values.slice(0, 50));
        await expectLayout('fill3', 'fill kept per list');
        await run('CONFIG', 'SET', 'list-max-listpack-size', '-2');
      } finally {
        redis.close();
        local.close();
      }
    });
  },
  { nodis: { config: { 'enable-debug-command': 'yes' } }, redisDirectives: ['--enable-debug-command', 'yes'] },
);
