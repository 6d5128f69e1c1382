/**
 * Blocking list commands with several real clients: who gets served and in which order, what a
 * served pop propagates, timeouts, CLIENT UNBLOCK, disconnected waiters, and the commands other
 * than pushes that make a key ready (RENAME, MOVE, COPY, SWAPDB, LMOVE).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import type Redis from 'ioredis';
import { useNodis, type NodisHandle } from '../helpers/nodis';
import { waitForBlockedClients } from '../helpers/blocking';

describe('blocking list commands', () => {
  const nodis: NodisHandle = useNodis();
  let control: Redis;
  let propagated: [number, string[]][];

  const blocked = (n: number): Promise<void> => waitForBlockedClients(nodis.server, n);

  /** A new connection (each blocking client needs its own). */
  const connect = (db = 0) => nodis.client({ db });

  beforeEach(async () => {
    control ??= connect();
    await control.flushall();
    propagated = [];
    nodis.server.dispatcher.sinks.length = 0;
    nodis.server.dispatcher.sinks.push({ propagate: (dbIndex, argv) => propagated.push([dbIndex, [...argv]]) });
  });

  test('waiters on a key are served first come, first served, by one push of several elements', async () => {
    const waiters = [connect(), connect(), connect()];
    const replies: Promise<unknown>[] = [];
    for (const [i, w] of waiters.entries()) {
      replies.push(w.blpop('q', 0));
      await blocked(i + 1);
    }
    expect(await control.lpush('q', 'a', 'b', 'c')).toBe(3);
    expect(await Promise.all(replies)).toEqual([
      ['q', 'c'],
      ['q', 'b'],
      ['q', 'a'],
    ]);
    expect(await control.exists('q')).toBe(0);
    await blocked(0);
    // The push propagates first, then each pop as the LPOP it was.
    expect(propagated).toEqual([
      [0, ['lpush', 'q', 'a', 'b', 'c']],
      [0, ['LPOP', 'q']],
      [0, ['LPOP', 'q']],
      [0, ['LPOP', 'q']],
    ]);
  });

  test('more waiters than elements: the rest keep waiting, in order', async () => {
    const first = connect();
    const second = connect();
    const a = first.brpop('q', 0);
    await blocked(1);
    const b = second.brpop('q', 0);
    await blocked(2);
    await control.rpush('q', 'x');
    expect(await a).toEqual(['q', 'x']);
    await blocked(1);
    await control.rpush('q', 'y', 'z');
    expect(await b).toEqual(['q', 'z']);
    expect(await control.lrange('q', 0, -1)).toEqual(['y']);
    expect(propagated.filter(([, argv]) => argv[0] === 'RPOP')).toEqual([
      [0, ['RPOP', 'q']],
      [0, ['RPOP', 'q']],
    ]);
  });

  test('with several keys: the first that has data at the call, else the one that becomes ready', async () => {
    await control.rpush('k2', 'two');
    await control.rpush('k3', 'three');
    const w = connect();
    expect(await w.blpop('k1', 'k2', 'k3', 0)).toEqual(['k2', 'two']);
    const pending = w.blpop('k1', 'k2', 'k4', 0);
    await blocked(1);
    await control.rpush('k4', 'four');
    expect(await pending).toEqual(['k4', 'four']);
    // A key that turns into another type does not wake the waiter; a list afterwards does.
    const again = w.blpop('k5', 0);
    await blocked(1);
    await control.set('k5', 'string');
    await control.del('k5');
    await control.rpush('k5', 'five');
    expect(await again).toEqual(['k5', 'five']);
  });

  test('a served BLMPOP pops up to its count and propagates LPOP/RPOP with the number popped', async () => {
    const w = connect();
    const pending = w.call('BLMPOP', '0', '2', 'm1', 'm2', 'RIGHT', 'COUNT', '5');
    await blocked(1);
    await control.rpush('m2', '1', '2', '3');
    expect(await pending).toEqual(['m2', ['3', '2', '1']]);
    expect(propagated.at(-1)).toEqual([0, ['RPOP', 'm2', '3']]);
    const small = w.call('BLMPOP', '0', '1', 'm3', 'LEFT', 'COUNT', '2');
    await blocked(1);
    await control.rpush('m3', 'a', 'b', 'c');
    expect(await small).toEqual(['m3', ['a', 'b']]);
    expect(propagated.at(-1)).toEqual([0, ['LPOP', 'm3', '2']]);
    expect(await control.lrange('m3', 0, -1)).toEqual(['c']);
  });

  test('served BLMOVE and BRPOPLPUSH propagate LMOVE and RPOPLPUSH', async () => {
    const w = connect();
    const move = w.blmove('src', 'dst', 'RIGHT', 'LEFT', 0);
    await blocked(1);
    await control.rpush('src', 'a', 'b');
    expect(await move).toBe('b');
    const legacy = w.brpoplpush('src2', 'dst', 0);
    await blocked(1);
    await control.rpush('src2', 'c');
    expect(await legacy).toBe('c');
    expect(await control.lrange('dst', 0, -1)).toEqual(['c', 'b']);
    expect(await control.lrange('src', 0, -1)).toEqual(['a']);
    expect(propagated).toEqual([
      [0, ['rpush', 'src', 'a', 'b']],
      [0, ['LMOVE', 'src', 'dst', 'right', 'left']],
      [0, ['rpush', 'src2', 'c']],
      [0, ['RPOPLPUSH', 'src2', 'dst']],
    ]);
  });

  test('an element moved by a served BLMOVE serves the waiters of its destination', async () => {
    const mover = connect();
    const reader = connect();
    const moved = mover.blmove('a', 'b', 'LEFT', 'LEFT', 0);
    await blocked(1);
    const read = reader.blpop('b', 0);
    await blocked(2);
    await control.rpush('a', 'x');
    expect(await moved).toBe('x');
    expect(await read).toEqual(['b', 'x']);
    expect(await control.exists('a', 'b')).toBe(0);
  });

  test('a served BLMOVE whose destination holds another type gets WRONGTYPE and pops nothing', async () => {
    const w = connect();
    const move = w.blmove('src', 'dst', 'LEFT', 'LEFT', 0).catch((e: Error) => e.message);
    await blocked(1);
    await control.set('dst', 'v');
    await control.rpush('src', 'a');
    expect(await move).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    await blocked(0);
    expect(await control.lrange('src', 0, -1)).toEqual(['a']);
    expect(propagated.map(([, argv]) => argv[0])).toEqual(['set', 'rpush']);
  });

  test('a waiter that disconnected takes nothing: the element stays in the list', async () => {
    const gone = connect();
    const pending = gone.blmove('src', 'dst', 'LEFT', 'RIGHT', 0).catch(() => 'closed');
    await blocked(1);
    gone.disconnect();
    await blocked(0);
    expect(await pending).toBe('closed');
    await control.lpush('src', 'kept');
    expect(await control.lrange('src', 0, -1)).toEqual(['kept']);
    expect(await control.exists('dst')).toBe(0);
    expect(propagated).toEqual([[0, ['lpush', 'src', 'kept']]]);
    // The next waiter gets it, exactly once.
    const next = connect();
    expect(await next.brpoplpush('src', 'dst', 0)).toBe('kept');
    expect(await control.lrange('dst', 0, -1)).toEqual(['kept']);
  });

  test('timeouts answer null; a tiny timeout still waits at least 1 ms', async () => {
    const w = connect();
    expect(await w.blpop('none', 0.05)).toBeNull();
    expect(await w.brpoplpush('none', 'dst', 0.05)).toBeNull();
    expect(await w.call('BLMPOP', '0.0001', '1', 'none', 'LEFT')).toBeNull();
    await blocked(0);
    expect(await control.exists('dst')).toBe(0);
    expect(propagated).toEqual([]);
  });

  test('a timeout that rounds up to 0 ms (-0.0001) waits forever, as in Redis', async () => {
    const w = connect();
    const id = (await w.client('ID')) as number;
    for (const timeout of ['-0.0001', '-0.001']) {
      const pending = w.blpop('none', timeout);
      await blocked(1);
      await new Promise((r) => setTimeout(r, 20));
      await blocked(1);
      expect(await control.client('UNBLOCK', id)).toBe(1);
      expect(await pending).toBeNull();
    }
  });

  test('CLIENT UNBLOCK ends the wait as a timeout or with an error', async () => {
    const w = connect();
    const id = (await w.client('ID')) as number;
    const asTimeout = w.blpop('none', 0);
    await blocked(1);
    expect(await control.client('UNBLOCK', id, 'TIMEOUT')).toBe(1);
    expect(await asTimeout).toBeNull();
    const asError = w.blmove('none', 'dst', 'LEFT', 'LEFT', 0).catch((e: Error) => e.message);
    await blocked(1);
    expect(await control.client('UNBLOCK', id, 'ERROR')).toBe(1);
    expect(await asError).toBe('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    expect(await control.client('UNBLOCK', id)).toBe(0);
  });

  test('RENAME, COPY and MOVE into the awaited key wake its waiters', async () => {
    const w = connect();
    let pending = w.blpop('q', 0);
    await blocked(1);
    await control.rpush('tmp', 'renamed');
    await control.rename('tmp', 'q');
    expect(await pending).toEqual(['q', 'renamed']);

    pending = w.blpop('q', 0);
    await blocked(1);
    await control.rpush('orig', 'copied');
    await control.copy('orig', 'q');
    expect(await pending).toEqual(['q', 'copied']);
    expect(await control.lrange('orig', 0, -1)).toEqual(['copied']);

    pending = w.blpop('q', 0);
    await blocked(1);
    const db1 = connect(1);
    await db1.rpush('q', 'moved');
    await db1.move('q', 0);
    expect(await pending).toEqual(['q', 'moved']);
    expect(propagated.at(-1)).toEqual([0, ['LPOP', 'q']]);
  });

  test('SWAPDB wakes waiters of keys that now hold data; waiters are served in their own database', async () => {
    const db1 = connect(1);
    await db1.rpush('q', 'from-db1');
    // A waiter in db 1 on another key, and one in db 0 on q.
    const waiter1 = connect(1);
    const other = waiter1.blpop('elsewhere', 0);
    await blocked(1);
    const waiter0 = connect();
    const pending = waiter0.blpop('q', 0);
    await blocked(2);
    await control.swapdb(0, 1);
    expect(await pending).toEqual(['q', 'from-db1']);
    expect(propagated.at(-1)).toEqual([0, ['LPOP', 'q']]);
    // Pushes in db 0 do not serve the waiter in db 1.
    await control.rpush('elsewhere', 'db0');
    await blocked(1);
    await db1.rpush('elsewhere', 'db1');
    expect(await other).toEqual(['elsewhere', 'db1']);
    expect(propagated.at(-1)).toEqual([1, ['LPOP', 'elsewhere']]);
    expect(await control.lrange('elsewhere', 0, -1)).toEqual(['db0']);
  });

  test('a waiter on several keys made ready at once is served exactly once', async () => {
    const db1 = connect(1);
    await db1.rpush('k1', 'a');
    await db1.rpush('k2', 'b');
    const w = connect();
    const pending = w.blpop('k1', 'k2', 0);
    await blocked(1);
    await control.swapdb(0, 1);
    const [key] = (await pending) as [string, string];
    expect(['k1', 'k2']).toContain(key);
    expect((await control.llen('k1')) + (await control.llen('k2'))).toBe(1);
    await blocked(0);
  });

  test('INFO reports blocked clients', async () => {
    const w = connect();
    const pending = w.brpop('none', 0);
    await blocked(1);
    expect(await control.info('clients')).toContain('blocked_clients:1\r\n');
    await control.rpush('none', 'x');
    expect(await pending).toEqual(['none', 'x']);
    expect(await control.info('clients')).toContain('blocked_clients:0\r\n');
  });
});
