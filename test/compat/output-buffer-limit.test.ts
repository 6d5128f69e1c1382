/**
 * client-output-buffer-limit against redis-server 7.0.15: CONFIG SET/GET values and errors byte for
 * byte, and CONFIG REWRITE of the directive's lines in a configuration file.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { REDIS_SERVER, describeCompat, freePort } from './harness';
import { RawConnection } from '../helpers/raw-connection';
import { startNodis } from '../helpers/nodis';
import { loadConfigFromString } from '../../src/config/conf-file';

const LIMIT = 'client-output-buffer-limit';
const DEFAULT = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';
const set = (value: string): string[] => ['CONFIG', 'SET', LIMIT, value];
const get = (): string[] => ['CONFIG', 'GET', LIMIT];

/** CONFIG SET each value then CONFIG GET, and back to the defaults at the end. */
const roundTrips = (values: string[]): string[][] => [...values.flatMap((v) => [set(v), get()]), set(DEFAULT)];

describeCompat('client-output-buffer-limit compat', (pair) => {
  test('defaults, and the name in any case and through patterns', async () => {
    for (const resp of [2, 3] as const) {
      await pair.expectSame(
        [get(), ['CONFIG', 'GET', 'CLIENT-OUTPUT-BUFFER-LIMIT'], ['CONFIG', 'GET', 'client-output-*'], ['CONFIG', 'GET', '*output-buffer*']],
        { resp },
      );
    }
  });

  test('partial updates: only the classes given change', async () => {
    await pair.expectSame(
      roundTrips([
        'normal 1 2 3', 'pubsub 1mb 2kb 10', 'replica 10 20 30', 'slave 1gb 512mb 0', 'Normal 4 5 6', 'PUBSUB 7 8 9 NORMAL 10 11 12',
        'normal 1 2 3 pubsub 4 5 6 replica 7 8 9', 'normal 1 2 3 normal 4 5 6', '', 'normal 1K 2MB 3', 'normal 1G 1gb 1',
        'normal 1 2 +3', 'normal 1 2 -0', 'normal 1 2 -9223372036854775808', 'normal 1 2 2147483647', 'normal 1 2 4294967296',
        'normal 18446744073709551615 18446744073709551616 5', 'normal 99999999999999999999999 0 0', 'normal 20000000000gb 17179869183gb 1',
        'normal kb mb 1', 'normal 007 010 007', 'pubsub 0 0 0',
      ]),
    );
  });

  test('errors, to the letter, and a refused value changes nothing', async () => {
    await pair.expectSame([
      set('normal 1 2 3'),
      ...[
        'normal 1 2', 'normal', 'normal 1 2 3 pubsub', 'normal 1 2  3', ' normal 1 2 3', 'normal 1 2 3 ',
        'master 1 2 3', 'foo 1 2 3', 'normal1 2 3 4', 'normal 1 2 3 master 1 2 3', 'pubsub 4 5 6 foo 1 2 3',
        'normal x 2 3', 'normal 1 x 3', 'normal 1 2 x', 'normal -1 2 3', 'normal 1 -2 3', 'normal 1 2 -1', 'normal 1 2 3x',
        'normal 1 2 1.5', 'normal 1 2 2147483648', 'normal 1 2 9223372036854775807', 'normal 1 2 99999999999999999999999',
        'normal 1mbb 2 3', 'normal 1.5mb 2 3', 'normal 0x10 2 3', 'pubsub 1 2 3 normal 1 2 x',
        'normal 100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 0 0',
      ].flatMap((v) => [set(v), get()]),
      ['CONFIG', 'SET', LIMIT, 'normal 5 5 5', LIMIT, 'pubsub 1 1 1'],
      ['CONFIG', 'SET', LIMIT, 'normal 5 5 5', 'maxmemory', 'x'],
      ['CONFIG', 'SET', 'maxmemory', '1', LIMIT, 'foo 1 1 1'],
      get(),
      ['CONFIG', 'SET', LIMIT],
      set(DEFAULT),
      get(),
    ]);
  });

  test('CONFIG REWRITE writes one line per class, in place, forcing only the classes changed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-obl-'));
    const original = [
      'save ""',
      `${LIMIT} pubsub 1 2 3`,
      '# between',
      `${LIMIT} normal 5mb 1kb 7 slave 1 1 1`,
      `${LIMIT} normal 9 9 9`,
      '',
    ].join('\n');
    const redisFile = path.join(dir, 'redis.conf');
    const nodisFile = path.join(dir, 'nodis.conf');
    fs.writeFileSync(redisFile, original);
    fs.writeFileSync(nodisFile, original);
    const port = await freePort();
    const child = spawn(REDIS_SERVER, [redisFile, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' });
    const nodis = await startNodis();
    let redis: RawConnection | null = null;
    let conn: RawConnection | null = null;
    try {
      // Nodis reads the same file; redis-server got it on its command line.
      loadConfigFromString(nodis.server.config, original);
      nodis.server.configFile = nodisFile;
      redis = await connectWhenUp(port);
      conn = await RawConnection.connect(nodis.port);
      const both = async (...argv: string[]): Promise<void> => {
        const replies = [await redis!.call(...argv), await conn!.call(...argv)];
        expect(replies[1], argv.join(' ')).toBe(replies[0]);
      };
      await both(...get());
      const scenarios = [
        [],
        ['normal 0 0 0 replica 268435456 67108864 60'],
        ['pubsub 33554432 8388608 60', 'normal 18446744073709551615 9223372036854775808 2147483647'],
        [DEFAULT],
        ['replica 256mb 1gb 0 pubsub 3kb 1000 1'],
      ];
      for (const changes of scenarios) {
        for (const value of changes) await both(...set(value));
        await both('CONFIG', 'REWRITE');
        const expected = directiveLines(fs.readFileSync(redisFile, 'latin1'));
        expect(expected.filter((line) => line.startsWith(LIMIT)).length).toBeGreaterThan(0);
        expect(directiveLines(fs.readFileSync(nodisFile, 'latin1')), changes.join(' / ')).toEqual(expected);
      }
      // The rewritten file loads back to the same value.
      const reloaded = nodis.server.config;
      const before = reloaded.get(LIMIT);
      reloaded.set(LIMIT, DEFAULT.split(' '));
      loadConfigFromString(reloaded, fs.readFileSync(nodisFile, 'latin1'));
      expect(reloaded.get(LIMIT)).toBe(before);
    } finally {
      redis?.close();
      conn?.close();
      child.kill('SIGKILL');
      await nodis.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The lines of the directive, and comments and the rewrite signature to see where they stand. */
function directiveLines(content: string): string[] {
  return content.split('\n').filter((line) => line.startsWith(LIMIT) || line.startsWith('#'));
}

async function connectWhenUp(port: number): Promise<RawConnection> {
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      const conn = await RawConnection.connect(port);
      if ((await conn.call('PING')) === '+PONG\r\n') return conn;
      conn.close();
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
