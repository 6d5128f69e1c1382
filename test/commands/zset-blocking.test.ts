/**
 * BZPOPMIN, BZPOPMAX and BZMPOP with several real clients: who gets served and in which order,
 * what a served pop replies (RESP2 and RESP3) and propagates, timeouts, CLIENT UNBLOCK,
 * disconnected waiters, databases, the writes that make a key ready, and the rule that a
 * blocking pop inside MULTI answers at once.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import type Redis from 'ioredis';
import { useNodis, type NodisHandle } from '../helpers/nodis';
import { waitForBlockedClients } from '../helpers/blocking';

describe('blocking zset pops', () => {
  const nodis: NodisHandle = useNodis();
  let control: Redis;
  let propagated: [number, string[]][];

  const blocked = (n: number): Promise<void> => waitForBlockedClients(nodis.server, n);

  const connect = (db = 0) => nodis.client({ db });

  beforeEach(async () => {
    control ??= connect();
    await control.flushall();
    propagated = [];
    nodis.server.dispatcher.sinks.length = 0;
    nodis.server.dispatcher.sinks.push({ propagate: (dbIndex, argv) => propagated.push([dbIndex, [...argv]]) });
  });

  test('waiters are served first come, first served by one ZADD of several members', async () => {
    const waiters = [connect(), connect(), connect()];
    const replies: Promise<unknown>[] = [];
    replies.push(waiters[0].bzpopmin('z', 0));
    await blocked(1);
    replies.push(waiters[1].bzpopmax('z', 0));
    await blocked(2);
    replies.push(waiters[2].bzpopmin('z', 0));
    await blocked(3);
    expect(await control.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd')).toBe(4);
    expect(await Promise.all(replies)).toEqual([
      ['z', 'a', '1'],
      ['z', 'd', '4'],
      ['z', 'b', '2'],
    ]);
    expect(await control.zrange('z', 0, -1)).toEqual(['c']);
    await blocked(0);
    expect(propagated).toEqual([
      [0, ['zadd', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd']],
      [0, ['ZPOPMIN', 'z']],
      [0, ['ZPOPMAX', 'z']],
      [0, ['ZPOPMIN', 'z']],
    ]);
  });

  test('more waiters than members: the rest keep waiting, in order', async () => {
    const first = connect();
    const second = connect();
    const a = first.bzpopmin('z', 0);
    await blocked(1);
    const b = second.bzpopmin('z', 0);
    await blocked(2);
    await control.zadd('z', 5, 'x');
    expect(await a).toEqual(['z', 'x', '5']);
    await blocked(1);
    expect(await control.exists('z')).toBe(0);
    await control.zadd('z', 7, 'y', 6, 'w');
    expect(await b).toEqual(['z', 'w', '6']);
    expect(await control.zrange('z', 0, -1, 'WITHSCORES')).toEqual(['y', '7']);
  });

  test('with several keys: the first with members at the call, else the one that becomes ready', async () => {
    await control.zadd('k2', 2, 'two');
    await control.zadd('k3', 3, 'three');
    const w = connect();
    expect(await w.bzpopmax('k1', 'k2', 'k3', 0)).toEqual(['k2', 'two', '2']);
    const pending = w.bzpopmin('k1', 'k2', 'k4', 0);
    await blocked(1);
    await control.zadd('k4', 4, 'four');
    expect(await pending).toEqual(['k4', 'four', '4']);
    // A key that turns into another type does not wake the waiter; a sorted set afterwards does.
    const again = w.bzpopmin('k5', 0);
    await blocked(1);
    await control.set('k5', 'string');
    await blocked(1);
    await control.del('k5');
    await control.zadd('k5', 5, 'five');
    expect(await again).toEqual(['k5', 'five', '5']);
  });

  test('a served BZMPOP pops up to its count and propagates the number popped', async () => {
    const w = connect();
    const pending = w.call('BZMPOP', '0', '2', 'm1', 'm2', 'MAX', 'COUNT', '5');
    await blocked(1);
    await control.zadd('m2', 1, 'a', 2, 'b', 3, 'c');
    expect(await pending).toEqual(['m2', [['c', '3'], ['b', '2'], ['a', '1']]]);
    expect(propagated.at(-1)).toEqual([0, ['ZPOPMAX', 'm2', '3']]);
    const small = w.call('BZMPOP', '0', '1', 'm3', 'MIN', 'COUNT', '2');
    await blocked(1);
    await control.zadd('m3', 1, 'a', 2, 'b', 3, 'c');
    expect(await small).toEqual(['m3', [['a', '1'], ['b', '2']]]);
    expect(propagated.at(-1)).toEqual([0, ['ZPOPMIN', 'm3', '2']]);
    const one = w.call('BZMPOP', '0', '1', 'm4', 'MIN');
    await blocked(1);
    await control.zadd('m4', 1, 'a');
    expect(await one).toEqual(['m4', [['a', '1']]]);
    expect(propagated.at(-1)).toEqual([0, ['ZPOPMIN', 'm4', '1']]);
  });

  test('served replies in RESP3 carry doubles', async () => {
    const raw = await nodis.raw();
    await raw.call('HELLO', '3');
    raw.send(['BZPOPMAX', 'r3', '0']);
    await blocked(1);
    await control.zadd('r3', 1.5, 'a', 2.5, 'b');
    expect(await raw.readReply()).toEqual(Buffer.from('*3\r\n$2\r\nr3\r\n$1\r\nb\r\n,2.5\r\n'));
    raw.send(['BZMPOP', '0', '1', 'r3', 'MIN', 'COUNT', '2']);
    expect(await raw.readReply()).toEqual(Buffer.from('*2\r\n$2\r\nr3\r\n*1\r\n*2\r\n$1\r\na\r\n,1.5\r\n'));
    raw.send(['BZPOPMIN', 'r3', '0.01']);
    expect(await raw.readReply()).toEqual(Buffer.from('_\r\n'));
  });

  test('a timeout answers a null array and takes nothing', async () => {
    const w = connect();
    expect(await w.bzpopmin('t', 0.05)).toBeNull();
    expect(await w.call('BZMPOP', '0.05', '1', 't', 'MIN')).toBeNull();
    await blocked(0);
    await control.zadd('t', 1, 'a');
    expect(await control.zcard('t')).toBe(1);
  });

  test('CLIENT UNBLOCK ends the wait as a timeout, or with an error', async () => {
    const w = connect();
    const id = await w.client('ID');
    const pending = w.bzpopmin('u', 0);
    await blocked(1);
    expect(await control.client('UNBLOCK', id)).toBe(1);
    expect(await pending).toBeNull();
    const failing = w.bzmpop(0, 1, 'u', 'MIN').catch((e: Error) => e.message);
    await blocked(1);
    expect(await control.client('UNBLOCK', id, 'ERROR')).toBe(1);
    expect(await failing).toBe('UNBLOCKED client unblocked via CLIENT UNBLOCK');
  });

  test('a disconnected waiter takes nothing; the next waiter is served', async () => {
    const gone = connect();
    const stays = connect();
    void gone.bzpopmin('d', 0).catch(() => undefined);
    await blocked(1);
    const pending = stays.bzpopmin('d', 0);
    await blocked(2);
    gone.disconnect();
    await blocked(1);
    await control.zadd('d', 1, 'only');
    expect(await pending).toEqual(['d', 'only', '1']);
  });

  test('waiters are per database', async () => {
    const inOne = connect(1);
    const pending = inOne.bzpopmin('k', 0);
    await blocked(1);
    await control.zadd('k', 1, 'db0');
    await blocked(1);
    const other = connect(1);
    await other.zadd('k', 2, 'db1');
    expect(await pending).toEqual(['k', 'db1', '2']);
    expect(propagated.at(-1)).toEqual([1, ['ZPOPMIN', 'k']]);
    expect(await control.zcard('k')).toBe(1);
  });

  test('the STORE commands and RENAME make a waited key ready too', async () => {
    await control.zadd('src', 1, 'a', 2, 'b');
    const w = connect();
    const byUnion = w.bzpopmax('u', 0);
    await blocked(1);
    await control.zunionstore('u', 1, 'src');
    expect(await byUnion).toEqual(['u', 'b', '2']);
    const byRange = w.bzpopmin('r', 0);
    await blocked(1);
    await control.zrangestore('r', 'src', 0, 0);
    expect(await byRange).toEqual(['r', 'a', '1']);
    const byRename = w.bzpopmin('n', 0);
    await blocked(1);
    await control.rename('src', 'n');
    expect(await byRename).toEqual(['n', 'a', '1']);
  });

  test('inside MULTI a blocking pop answers at once instead of waiting', async () => {
    const raw = await nodis.raw();
    const transaction = async (...commands: string[][]): Promise<string> => {
      expect(await raw.call('MULTI')).toBe('+OK\r\n');
      for (const argv of commands) expect(await raw.call(...argv)).toBe('+QUEUED\r\n');
      return raw.call('EXEC');
    };
    expect(await transaction(['BZPOPMIN', 'missing', '0'], ['BZMPOP', '0', '1', 'missing', 'MIN'])).toBe(
      '*2\r\n*-1\r\n*-1\r\n',
    );
    await raw.call('HELLO', '3');
    await raw.call('ZADD', 'z', '1', 'a');
    expect(await transaction(['BZPOPMAX', 'missing', '0'], ['BZPOPMAX', 'z', '0'])).toBe(
      '*2\r\n_\r\n*3\r\n$1\r\nz\r\n$1\r\na\r\n,1\r\n',
    );
    expect(nodis.server.blocking.blockedCount).toBe(0);
  });
});
