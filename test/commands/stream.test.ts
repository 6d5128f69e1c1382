/**
 * Stream commands with several real clients and a propagation sink: blocking XREAD/XREADGROUP
 * (FIFO service, `$` resolved at block time, timeouts, MULTI, deleted keys and groups), and what
 * XADD, XTRIM ~, XREADGROUP, XCLAIM and XAUTOCLAIM propagate (as Redis 7.0 writes them to AOF).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import type Redis from 'ioredis';
import { useNodis, type NodisHandle } from '../helpers/nodis';
import { waitForBlockedClients } from '../helpers/blocking';

describe('stream commands with several clients', () => {
  const nodis: NodisHandle = useNodis();
  let control: Redis;
  let propagated: string[][];

  const blocked = (n: number): Promise<void> => waitForBlockedClients(nodis.server, n);
  const connect = () => nodis.client();

  beforeEach(async () => {
    control ??= connect();
    await control.flushall();
    propagated = [];
    nodis.server.dispatcher.sinks.length = 0;
    // MULTI/EXEC wrapping of multi-command propagation is the transaction layer's business.
    nodis.server.dispatcher.sinks.push({
      propagate: (_db, argv) => {
        if (argv[0] !== 'MULTI' && argv[0] !== 'EXEC') propagated.push([...argv]);
      },
    });
  });

  test('XREAD BLOCK with $ waits for entries added after it blocked, waiters served in order', async () => {
    await control.xadd('s', '1-1', 'a', '1');
    const [w1, w2] = [connect(), connect()];
    const r1 = w1.xread('BLOCK', 0, 'STREAMS', 's', '$');
    await blocked(1);
    const r2 = w2.xread('COUNT', 1, 'BLOCK', 0, 'STREAMS', 'other', 's', '$', '$');
    await blocked(2);
    await control.multi().xadd('s', '2-1', 'b', '2').xadd('s', '2-2', 'c', '3').exec();
    expect(await r1).toEqual([['s', [['2-1', ['b', '2']], ['2-2', ['c', '3']]]]]);
    expect(await r2).toEqual([['s', [['2-1', ['b', '2']]]]]);
  });

  test('XREAD BLOCK times out with a null reply, and does not block inside MULTI', async () => {
    const w = connect();
    expect(await w.xread('BLOCK', 30, 'STREAMS', 's', '$')).toBeNull();
    const replies = await control.multi().xread('BLOCK', 0, 'STREAMS', 's', '$').exec();
    expect(replies).toEqual([[null, null]]);
  });

  test('a blocked XREADGROUP is served from the group and propagates XCLAIM', async () => {
    await control.xgroup('CREATE', 's', 'g', '$', 'MKSTREAM');
    const w = connect();
    const reply = w.xreadgroup('GROUP', 'g', 'alice', 'BLOCK', 0, 'STREAMS', 's', '>');
    await blocked(1);
    propagated = [];
    await control.xadd('s', '5-1', 'f', 'v');
    expect(await reply).toEqual([['s', [['5-1', ['f', 'v']]]]]);
    expect(propagated[0]).toEqual(['xadd', 's', '5-1', 'f', 'v']);
    expect(propagated[1].slice(0, 7)).toEqual(['XCLAIM', 's', 'g', 'alice', '0', '5-1', 'TIME']);
    expect(propagated[1].slice(8)).toEqual(['RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', '5-1']);
    expect(await control.xpending('s', 'g')).toEqual([1, '5-1', '5-1', [['alice', '1']]]);
  });

  test('NOACK from a blocked state propagates XGROUP CREATECONSUMER and SETID', async () => {
    await control.xgroup('CREATE', 's', 'g', '$', 'MKSTREAM');
    const w = connect();
    const reply = w.xreadgroup('GROUP', 'g', 'bob', 'NOACK', 'BLOCK', 0, 'STREAMS', 's', '>');
    await blocked(1);
    propagated = [];
    await control.xadd('s', '7-1', 'f', 'v');
    await reply;
    expect(propagated).toEqual([
      ['xadd', 's', '7-1', 'f', 'v'],
      ['XGROUP', 'CREATECONSUMER', 's', 'g', 'bob'],
      ['XGROUP', 'SETID', 's', 'g', '7-1', 'ENTRIESREAD', '1'],
    ]);
  });

  test('XREADGROUP waiters end with errors when the key or the group goes', async () => {
    for (const [end, error] of [
      [() => control.del('s'), 'UNBLOCKED the stream key no longer exists'],
      [() => control.set('s', 'x'), 'UNBLOCKED the stream key no longer exists'],
      [() => control.flushall(), 'UNBLOCKED the stream key no longer exists'],
      [() => control.xgroup('DESTROY', 's', 'g'), 'NOGROUP the consumer group this client was blocked on no longer exists'],
    ] as const) {
      await control.del('s');
      await control.xgroup('CREATE', 's', 'g', '$', 'MKSTREAM');
      const w = connect();
      const reply = w.xreadgroup('GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>').catch((e: Error) => e.message);
      await blocked(1);
      await end();
      expect(await reply).toBe(error);
      w.disconnect();
    }
  });

  test('a plain XREAD keeps waiting when its key is deleted', async () => {
    await control.xadd('s', '1-1', 'a', '1');
    const w = connect();
    const reply = w.xread('BLOCK', 0, 'STREAMS', 's', '$');
    await blocked(1);
    await control.del('s');
    expect(nodis.server.blocking.blockedCount).toBe(1);
    await control.xadd('s', '3-3', 'a', '1');
    expect(await reply).toEqual([['s', [['3-3', ['a', '1']]]]]);
  });

  test('XADD * and ms-* propagate the concrete ID; MAXLEN ~ propagates the exact result', async () => {
    const id = await control.xadd('s', '*', 'a', '1');
    await control.xadd('s', '9999999999999-*', 'a', '2');
    expect(propagated).toEqual([
      ['xadd', 's', id, 'a', '1'],
      ['xadd', 's', '9999999999999-0', 'a', '2'],
    ]);
    for (let i = 0; i < 150; i++) await control.xadd('s', `9999999999999-${i + 1}`, 'f', 'v');
    propagated = [];
    await control.xadd('s', 'MAXLEN', '~', '10', '9999999999999-200', 'f', 'v');
    const length = await control.xlen('s');
    expect(propagated).toEqual([['xadd', 's', 'MAXLEN', '=', String(length), '9999999999999-200', 'f', 'v']]);
    propagated = [];
    await control.xtrim('s', 'MAXLEN', '~', '0');
    expect(propagated).toEqual([['xtrim', 's', 'MAXLEN', '=', String(await control.xlen('s'))]]);
    expect(id).toMatch(/^\d+-0$/);
  });

  test('XREADGROUP propagates XCLAIM per entry and nothing for history reads or empty reads', async () => {
    await control.xadd('s', '1-1', 'a', '1');
    await control.xadd('s', '1-2', 'a', '2');
    await control.xgroup('CREATE', 's', 'g', '0');
    propagated = [];
    await control.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 's', '>');
    expect(propagated.map((argv) => argv.slice(0, 6))).toEqual([
      ['XCLAIM', 's', 'g', 'c', '0', '1-1'],
      ['XCLAIM', 's', 'g', 'c', '0', '1-2'],
    ]);
    propagated = [];
    await control.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 's', '0');
    await control.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 's', '>');
    expect(propagated).toEqual([]);
    await control.xautoclaim('s', 'g', 'd', 0, '0', 'COUNT', 1);
    expect(propagated[0].slice(0, 6)).toEqual(['XCLAIM', 's', 'g', 'd', '0', '1-1']);
    expect(propagated[0].slice(8, 10)).toEqual(['RETRYCOUNT', '3']);
  });

  test('XREADGROUP and XACK do not invalidate WATCH, XADD does', async () => {
    await control.xadd('s', '1-1', 'a', '1');
    await control.xgroup('CREATE', 's', 'g', '0');
    const watcher = connect();
    await watcher.watch('s');
    await control.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 's', '>');
    await control.xack('s', 'g', '1-1');
    expect(await watcher.multi().ping().exec()).toEqual([[null, 'PONG']]);
    await watcher.watch('s');
    await control.xadd('s', '2-1', 'a', '1');
    expect(await watcher.multi().ping().exec()).toBeNull();
  });

  test('consumer idle and pending delivery times follow the clock', async () => {
    await control.xadd('s', '1-1', 'a', '1');
    await control.xgroup('CREATE', 's', 'g', '0');
    await control.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 's', '>');
    await new Promise((r) => setTimeout(r, 20));
    const [[id, consumer, idle, count]] = (await control.xpending('s', 'g', '-', '+', 10)) as [string, string, number, number][];
    expect([id, consumer, count]).toEqual(['1-1', 'c', 1]);
    expect(idle).toBeGreaterThanOrEqual(20);
    const claimed = await control.xclaim('s', 'g', 'd', 5, '1-1', 'JUSTID');
    expect(claimed).toEqual(['1-1']);
    const consumers = (await control.xinfo('CONSUMERS', 's', 'g')) as unknown[][];
    expect(consumers.map((c) => c[1])).toEqual(['c', 'd']);
  });
});
