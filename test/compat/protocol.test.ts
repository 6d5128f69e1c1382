import { test } from 'vitest';
import { describeCompat } from './harness';

describeCompat('protocol compat', (pair) => {
  test('inline and multibulk requests, unknown commands, arity', async () => {
    await pair.expectSame([
      { raw: 'PING\r\n' },
      { raw: 'ping hello\r\n' },
      { raw: '  echo   "a b\\x41\\n"  \r\n' },
      { raw: 'PING\n' },
      { raw: '\r\n\r\nPING\r\n' },
      { raw: '*0\r\n*-1\r\nPING\r\n' },
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
    ]);
  });

  test('pipelined requests split at every byte', async () => {
    const steps = [];
    const raw = '*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\nPING\r\n*1\r\n$4\r\nPING\r\n';
    steps.push({ raw, replies: 3 });
    await pair.expectSame(steps);
  });

  for (const bad of [
    '*abc\r\n',
    '*2\r\nx\r\n',
    '*1\r\n$-5\r\n',
    '*1\r\n$abc\r\n',
    '"unbalanced\r\n',
    "'also unbalanced\r\n",
    '"closing"x\r\n',
    '*3000000000\r\n',
    'PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n',
  ]) {
    test(`malformed input ${JSON.stringify(bad)} gets the same error and close`, async () => {
      await pair.expectSameUntilClose(bad);
    });
  }

  test('too big inline request', async () => {
    await pair.expectSameUntilClose('a'.repeat(70 * 1024));
  });
});
