/**
 * The AOF base in command form (aof-use-rdb-preamble no): the commands rewriteAppendOnlyFileRio
 * writes for each type, in batches of 64 items, and a round trip of a random dataset of every
 * type and encoding through them.
 */
import { describe, expect, test } from 'vitest';
import { createBaseFormat } from '../../src/persistence/aof/base-format';
import { KeyspaceSnapshot } from '../../src/persistence/snapshot';
import { datasetDigest } from '../../src/commands/server/digest';
import { seededRandom } from '../helpers/seeded-random';
import { offlineServer, populate, type OfflineServer } from '../persistence/dataset-helpers';

/** The base file `s` would get, as text. */
function commandBase(s: OfflineServer): string {
  const chunks: Buffer[] = [];
  const format = createBaseFormat(s.server, (chunk) => chunks.push(chunk));
  expect(format.extension).toBe('aof');
  format.begin();
  new KeyspaceSnapshot(s.server.keyspace, {
    beginDb: (db, keys, expires) => format.beginDb(db, keys, expires),
    entry: (key, value, expireAt) => format.entry(key, value, expireAt),
  }).finish();
  format.finish();
  return Buffer.concat(chunks).toString('latin1');
}

const resp = (...argv: string[]): string => `*${argv.length}\r\n${argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;

describe('command form of the AOF base', () => {
  test('each type as Redis writes it, batches of 64 items, PEXPIREAT after a key with a TTL', () => {
    const s = offlineServer({ 'aof-use-rdb-preamble': 'no' });
    const items = Array.from({ length: 130 }, (_, i) => `m${i}`);
    s.run('SET', 'str', 'v\x00');
    s.run('SET', 'int', '12');
    s.run('RPUSH', 'list', ...items);
    s.run('SADD', 'set', ...items);
    s.run('HSET', 'hash', ...items.flatMap((m, i) => [m, String(i)]));
    s.run('ZADD', 'zset', ...items.flatMap((m, i) => [String(i / 10), m]));
    s.run('ZADD', 'zsmall', '0.1', 'b', '0', 'a');
    s.run('PEXPIREAT', 'str', '4102444800000');
    s.run('SELECT', '4');
    s.run('ZADD', 'inf', '-inf', 'a', '+inf', 'b');
    const text = commandBase(s);
    expect(text.startsWith(resp('SELECT', '0'))).toBe(true);
    expect(text).toContain(resp('SET', 'str', 'v\x00') + resp('PEXPIREAT', 'str', '4102444800000'));
    expect(text).toContain(resp('SET', 'int', '12'));
    expect(text).toContain(resp('RPUSH', 'list', ...items.slice(0, 64)) + resp('RPUSH', 'list', ...items.slice(64, 128)) + resp('RPUSH', 'list', ...items.slice(128)));
    expect(text.match(/\$4\r\nSADD\r\n/g)).toHaveLength(3);
    expect(text.match(/\*130\r\n\$5\r\nHMSET\r\n/g)).toHaveLength(2);
    expect(text.match(/\*6\r\n\$5\r\nHMSET\r\n/g)).toHaveLength(1);
    expect(text.match(/\*130\r\n\$4\r\nZADD\r\n\$4\r\nzset\r\n/g)).toHaveLength(2);
    expect(text).toContain(resp('ZADD', 'zsmall', '0', 'a', '0.10000000000000001', 'b'));
    expect(text).toContain(resp('SELECT', '4') + resp('ZADD', 'inf', '-inf', 'a', 'inf', 'b'));
  });

  test('a random dataset of every type and encoding comes back the same when its commands run', () => {
    const s = offlineServer({ 'aof-use-rdb-preamble': 'no' });
    populate(s, seededRandom(7), 3, 300);
    const text = commandBase(s);
    const copy = offlineServer({}, s.clock.now());
    let rest = text;
    while (rest.length > 0) {
      // Each command is "*n" then n "$len" + bytes; walk them without a parser of its own.
      const argc = Number(/^\*(\d+)\r\n/.exec(rest)![1]);
      rest = rest.slice(rest.indexOf('\n') + 1);
      const argv: string[] = [];
      for (let i = 0; i < argc; i++) {
        const len = Number(/^\$(\d+)\r\n/.exec(rest)![1]);
        const start = rest.indexOf('\n') + 1;
        argv.push(rest.slice(start, start + len));
        rest = rest.slice(start + len + 2);
      }
      copy.run(...argv);
    }
    expect(datasetDigest(copy.server.keyspace).toString('hex')).toBe(datasetDigest(s.server.keyspace).toString('hex'));
    expect(datasetDigest(s.server.keyspace).toString('hex')).not.toBe('0'.repeat(40));
  });
});
