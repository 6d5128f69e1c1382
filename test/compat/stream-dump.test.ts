/**
 * DUMP and RESTORE against redis-server 7.0.15: stream payloads are byte for byte Redis's (where
 * no delivery or seen time differs between the servers), payloads restore across servers both
 * ways to streams that answer identically, 6.x payloads (RDB_TYPE_STREAM_LISTPACKS) load with
 * the metadata 7.0 derives, and RESTORE's errors, corrupt streams included, match.
 */
import { expect, test } from 'vitest';
import { describeCompat, type CompatPair } from './harness';
import { RawConnection } from '../helpers/raw-connection';
import { describeStreams, populateStreams, STREAM_KEYS } from '../persistence/stream-dataset';
import { ListpackBuilder } from '../../src/persistence/rdb/listpack';
import { buildNodeListpack } from '../../src/persistence/rdb/stream-writer';
import { Stream } from '../../src/types/stream';
import { GROUPS, len, payload, sampleStream, str, v15Payload, v19Payload, type GroupSpec } from '../persistence/stream-payloads';

/** Keys whose DUMP holds no time that differs between the two servers. */
const TIMELESS_KEYS = STREAM_KEYS.filter((key) => key !== 's:groups');

async function withConnections<T>(pair: CompatPair, body: (redis: RawConnection, nodis: RawConnection) => Promise<T>): Promise<T> {
  const redis = await RawConnection.connect(pair.redisPort);
  const nodis = await RawConnection.connect(pair.nodisPort);
  try {
    return await body(redis, nodis);
  } finally {
    redis.close();
    nodis.close();
  }
}

/** The payload of a bulk reply. */
function bulkBody(reply: string): string {
  const header = reply.indexOf('\r\n');
  return reply.slice(header + 2, reply.length - 2);
}

describeCompat('DUMP / RESTORE of streams', (pair) => {
  test('DUMP payloads of streams without times are byte for byte Redis\'s', async () => {
    await pair.expectSame([['PING']]);
    await Promise.all([populateStreams(pair.redisPort), populateStreams(pair.nodisPort)]);
    await pair.expectSame(
      TIMELESS_KEYS.map((key) => ['DUMP', key]),
      { flush: false },
    );
    await pair.expectSame([['DUMP', 'missing']]);
  });

  test('payloads restore across servers both ways to identical streams', async () => {
    await pair.expectSame([['PING']]);
    await Promise.all([populateStreams(pair.redisPort), populateStreams(pair.nodisPort)]);
    await withConnections(pair, async (redis, nodis) => {
      for (const key of STREAM_KEYS) {
        const fromRedis = bulkBody(await redis.call('DUMP', key));
        const fromNodis = bulkBody(await nodis.call('DUMP', key));
        for (const conn of [redis, nodis]) {
          expect(await conn.call('RESTORE', `r:${key}`, '0', fromRedis)).toBe('+OK\r\n');
          expect(await conn.call('RESTORE', `n:${key}`, '0', fromNodis)).toBe('+OK\r\n');
        }
      }
    });
    // Each server now holds a copy of Redis's streams (r:) and of Nodis's (n:): all four agree.
    const redisOfRedis = await describeStreams(pair.redisPort, STREAM_KEYS, 'r:');
    expect(await describeStreams(pair.nodisPort, STREAM_KEYS, 'r:')).toEqual(redisOfRedis);
    const redisOfNodis = await describeStreams(pair.redisPort, STREAM_KEYS, 'n:');
    expect(await describeStreams(pair.nodisPort, STREAM_KEYS, 'n:')).toEqual(redisOfNodis);
    // Nodis's copy of its own stream answers as the original.
    expect(await describeStreams(pair.nodisPort, STREAM_KEYS, 'n:')).toEqual(await describeStreams(pair.nodisPort));
  });

  test('6.x payloads (type 15) load with the entries-added, first ID and entries-read 7.0 derives', async () => {
    const withDeleted = sampleStream(10, [1, 5, 10]);
    const empty = new Stream();
    const steps: string[][] = [
      ['RESTORE', 'v15', '0', v15Payload(withDeleted, 12, GROUPS)],
      ['RESTORE', 'v15-empty', '0', v15Payload(empty, 3, [{ name: 'g', lastSeq: 3, pel: [], consumers: [] }])],
      ['RESTORE', 'v19', '0', v19Payload(withDeleted, GROUPS)],
    ];
    for (const key of ['v15', 'v15-empty', 'v19']) {
      steps.push(['XINFO', 'STREAM', key, 'FULL'], ['XINFO', 'GROUPS', key], ['XRANGE', key, '-', '+'], ['XPENDING', key, 'g']);
    }
    await pair.expectSame(steps);
    await pair.expectSame(steps, { resp: 3 });
  });

  test('corrupt stream payloads are refused as Redis refuses them', async () => {
    const stream = sampleStream(8, [3]);
    const missingFromPel: GroupSpec = { name: 'g', lastSeq: 8, pel: [], consumers: [{ name: 'c', seen: 1, owns: [2] }] };
    const twoGroups: GroupSpec[] = [GROUPS[1], GROUPS[1]];
    const twoConsumers: GroupSpec = { name: 'g', lastSeq: 8, pel: [], consumers: [{ name: 'c', seen: 1, owns: [] }, { name: 'c', seen: 2, owns: [] }] };
    const doublePel: GroupSpec = {
      name: 'g',
      lastSeq: 8,
      pel: [
        { seq: 2, time: 1, count: 1 },
        { seq: 2, time: 1, count: 1 },
      ],
      consumers: [],
    };
    const shortKey = payload(19, [len(1), str('short'), str(Buffer.from(buildNodeListpack(stream.nodes[0], new ListpackBuilder())))]);
    const emptyListpack = payload(19, [len(1), str(stream.nodes[0].masterId), str(Buffer.from([7, 0, 0, 0, 0, 0, 0xff]))]);
    const cut = v19Payload(stream, []);
    const cutBody = Buffer.from(cut, 'latin1').subarray(0, 30);
    await pair.expectSame([
      ['RESTORE', 'k1', '0', v19Payload(stream, [missingFromPel])],
      ['RESTORE', 'k2', '0', v19Payload(stream, twoGroups)],
      ['RESTORE', 'k3', '0', v19Payload(stream, [twoConsumers])],
      ['RESTORE', 'k4', '0', v19Payload(stream, [doublePel])],
      ['RESTORE', 'k5', '0', shortKey],
      ['RESTORE', 'k6', '0', emptyListpack],
      ['RESTORE', 'k7', '0', payload(19, [cutBody.subarray(1)])],
      ['EXISTS', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'],
    ]);
  });

  test('RESTORE options and errors', async () => {
    const stream = sampleStream(3, []);
    const p = v19Payload(stream, []);
    const badCrc = p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) ^ 1);
    const future = payload(19, [Buffer.from(p, 'latin1').subarray(1, p.length - 10)], 11);
    await pair.expectSame([
      ['RESTORE', 's', '0', p],
      ['RESTORE', 's', '0', p],
      ['RESTORE', 's', '0', p, 'REPLACE'],
      ['RESTORE', 's', '-1', p, 'REPLACE'],
      ['RESTORE', 's', 'abc', p, 'REPLACE'],
      ['RESTORE', 't', '0', badCrc],
      ['RESTORE', 't', '0', future],
      ['RESTORE', 't', '0', 'short'],
      ['RESTORE', 't', '0', p, 'IDLETIME', '-1'],
      ['RESTORE', 't', '0', p, 'FREQ', '256'],
      ['RESTORE', 't', '0', p, 'FREQ', 'x'],
      ['RESTORE', 't', '0', p, 'IDLETIME', '5', 'FREQ', '5'],
      ['RESTORE', 't', '0', p, 'NOPE'],
      ['RESTORE', 't', '0', p, 'IDLETIME'],
      ['RESTORE', 't', '4102444800000', p, 'ABSTTL'],
      ['PEXPIRETIME', 't'],
      ['RESTORE', 'u', '1', p, 'ABSTTL'],
      ['EXISTS', 'u'],
      ['RESTORE', 's', '1', p, 'ABSTTL', 'REPLACE'],
      ['EXISTS', 's'],
      ['RESTORE', 'v', '0', p, 'IDLETIME', '100'],
      ['OBJECT', 'IDLETIME', 'v'],
      ['XINFO', 'STREAM', 't', 'FULL'],
    ]);
  });

  test('DUMP of every other type is byte for byte Redis\'s and restores', async () => {
    const steps: string[][] = [
      ['SET', 'int', '12345'],
      ['SET', 'big-int', '123456789012'],
      ['SET', 'text', 'hello'],
      ['SET', 'long', 'a'.repeat(200)],
      ['RPUSH', 'list', 'a', '1', '\x00\xff'],
      ['SADD', 'ints', '1', '2', '3'],
      ['SADD', 'words', 'a', 'b'],
      ['HSET', 'hash', 'f', 'v', 'n', '1'],
      ['ZADD', 'zset', '1.5', 'a', '2', 'b'],
    ];
    for (const key of ['int', 'big-int', 'text', 'long', 'list', 'ints', 'hash', 'zset']) steps.push(['DUMP', key]);
    await pair.expectSame(steps);
    await withConnections(pair, async (redis, nodis) => {
      for (const key of ['int', 'text', 'long', 'list', 'words', 'hash', 'zset']) {
        const fromRedis = bulkBody(await redis.call('DUMP', key));
        expect(await nodis.call('RESTORE', `copy:${key}`, '0', fromRedis)).toBe('+OK\r\n');
        expect(await nodis.call('DEBUG', 'DIGEST-VALUE', `copy:${key}`)).toBe(await redis.call('DEBUG', 'DIGEST-VALUE', key));
      }
    });
  });
}, { nodis: { config: { 'enable-debug-command': 'yes' } }, redisDirectives: ['--enable-debug-command', 'yes'] });

