/**
 * Transactions with several clients and server internals: CLIENT LIST fields, clients that
 * close or RESET, many watchers, eviction of a watched key, CLIENT PAUSE WRITE, blocked clients
 * served after EXEC, and what an EXEC propagates (one unit: MULTI ... EXEC around several writes).
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { useNodis } from '../helpers/nodis';
import { RawConnection } from '../helpers/raw-connection';
import { callParsed as call, parseReply, textOf } from '../helpers/resp-value';

/** The CLIENT LIST line of the client named `name`, as a map of its fields. */
async function clientFields(admin: RawConnection, name: string): Promise<Map<string, string>> {
  const text = textOf(await call(admin, 'CLIENT', 'LIST'));
  const line = text.split('\n').find((l) => l.includes(` name=${name} `));
  if (!line) throw new Error(`no client named ${name}`);
  return new Map(line.split(' ').map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]));
}

async function eventually(done: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const OK = { status: 'OK' };
const QUEUED = { status: 'QUEUED' };

describe('transactions', () => {
  const nodis = useNodis();
  let admin: RawConnection;
  /** What the server propagated, with the database of each command. */
  let propagated: [number, string[]][];

  beforeEach(async () => {
    admin ??= await nodis.raw();
    await call(admin, 'FLUSHALL');
    propagated = [];
    nodis.server.dispatcher.sinks.push({ propagate: (db, argv) => propagated.push([db, [...argv]]) });
  });

  afterEach(async () => {
    nodis.server.dispatcher.sinks.length = 0;
    await call(admin, 'CONFIG', 'SET', 'maxmemory', '0');
    await call(admin, 'CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    await call(admin, 'CLIENT', 'UNPAUSE');
  });

  test('CLIENT LIST: flag x, multi= queued count and multi-mem= queued bytes while in MULTI', async () => {
    const tx = await nodis.raw();
    await call(tx, 'CLIENT', 'SETNAME', 'tx');
    let fields = await clientFields(admin, 'tx');
    expect([fields.get('flags'), fields.get('multi'), fields.get('multi-mem')]).toEqual(['N', '-1', '0']);
    await call(tx, 'MULTI');
    fields = await clientFields(admin, 'tx');
    expect([fields.get('flags'), fields.get('multi'), fields.get('multi-mem')]).toEqual(['x', '0', '0']);
    expect(await call(tx, 'SET', 'a', '1')).toEqual(QUEUED);
    expect(await call(tx, 'SET', 'abcdefgh', '12345678901234567890')).toEqual(QUEUED);
    fields = await clientFields(admin, 'tx');
    // As Redis counts it: the argument bytes plus 8 per argument (84 for these two).
    expect([fields.get('flags'), fields.get('multi'), fields.get('multi-mem')]).toEqual(['x', '2', '84']);
    // Once the transaction failed, nothing more is stored.
    await call(tx, 'NOSUCH');
    expect(await call(tx, 'SET', 'b', '2')).toEqual(QUEUED);
    expect((await clientFields(admin, 'tx')).get('multi')).toBe('2');
    expect(await call(tx, 'EXEC')).toEqual({ error: 'EXECABORT Transaction discarded because of previous errors.' });
    fields = await clientFields(admin, 'tx');
    expect([fields.get('flags'), fields.get('multi'), fields.get('multi-mem'), fields.get('cmd')]).toEqual(['N', '-1', '0', 'exec']);
    tx.close();
  });

  test('CLIENT INFO run by EXEC: still in MULTI, with the queue, and cmd=exec', async () => {
    const tx = await nodis.raw();
    await call(tx, 'MULTI');
    await call(tx, 'SET', 'a', '1');
    await call(tx, 'CLIENT', 'INFO');
    const [, info] = (await call(tx, 'EXEC')) as [unknown, string];
    expect(info).toMatch(/ flags=x .* multi=2 .* multi-mem=55 .* cmd=exec /);
    tx.close();
  });

  test('a closed client is forgotten: its watched keys and its queue go', async () => {
    const tx = await nodis.raw();
    await call(tx, 'WATCH', 'a', 'b');
    await call(tx, 'SELECT', '1');
    await call(tx, 'WATCH', 'a');
    await call(tx, 'MULTI');
    await call(tx, 'SET', 'a', '1');
    const transactions = nodis.server.transactions;
    expect([transactions.watchedKeyCount(0), transactions.watchedKeyCount(1)]).toEqual([2, 1]);
    tx.close();
    await eventually(() => transactions.watchedKeyCount(0) === 0 && transactions.watchedKeyCount(1) === 0);
    expect(await call(admin, 'EXISTS', 'a')).toBe(0);
  });

  test('RESET ends MULTI and unwatches', async () => {
    const tx = await nodis.raw();
    await call(tx, 'WATCH', 'k');
    await call(tx, 'MULTI');
    await call(tx, 'SET', 'k', '1');
    expect(await call(tx, 'RESET')).toEqual({ status: 'RESET' });
    expect(nodis.server.transactions.watchedKeyCount(0)).toBe(0);
    await call(admin, 'SET', 'k', 'other');
    expect(await call(tx, 'MULTI')).toEqual(OK);
    expect(await call(tx, 'GET', 'k')).toEqual(QUEUED);
    expect(await call(tx, 'EXEC')).toEqual(['other']);
    tx.close();
  });

  test('one write fails the transactions of every client watching the key, and only theirs', async () => {
    const watchers: RawConnection[] = [];
    for (let i = 0; i < 30; i++) {
      const w = await nodis.raw();
      await call(w, 'WATCH', 'shared', `own:${i}`);
      watchers.push(w);
    }
    const bystander = await nodis.raw();
    await call(bystander, 'WATCH', 'elsewhere');
    expect(nodis.server.transactions.watchedKeyCount(0)).toBe(32);
    await call(admin, 'SET', 'shared', 'v');
    // Touched watchers stop watching at once; the bystander still watches its key.
    expect(nodis.server.transactions.watchedKeyCount(0)).toBe(1);
    for (const w of watchers) {
      await call(w, 'MULTI');
      await call(w, 'INCR', 'count');
      expect(await call(w, 'EXEC')).toBeNull();
      w.close();
    }
    await call(bystander, 'MULTI');
    await call(bystander, 'INCR', 'count');
    expect(await call(bystander, 'EXEC')).toEqual([1]);
    bystander.close();
  });

  test('WATCH of many keys, then UNWATCH, leaves nothing behind', async () => {
    const w = await nodis.raw();
    const keys = Array.from({ length: 5000 }, (_, i) => `key:${i}`);
    expect(await call(w, 'WATCH', ...keys, ...keys)).toEqual(OK);
    expect(nodis.server.transactions.watchedKeyCount(0)).toBe(5000);
    await call(w, 'UNWATCH');
    expect(nodis.server.transactions.watchedKeyCount(0)).toBe(0);
    w.close();
  });

  test('eviction of a watched key fails EXEC', async () => {
    const w = await nodis.raw();
    await call(admin, 'SET', 'k', 'v');
    await call(w, 'WATCH', 'k');
    await call(admin, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random');
    await call(admin, 'CONFIG', 'SET', 'maxmemory', '1');
    await call(admin, 'GET', 'other'); // evicts before it runs
    await call(admin, 'CONFIG', 'SET', 'maxmemory', '0');
    expect(await call(admin, 'EXISTS', 'k')).toBe(0);
    await call(w, 'MULTI');
    await call(w, 'PING');
    expect(await call(w, 'EXEC')).toBeNull();
    expect(propagated).toContainEqual([0, ['DEL', 'k']]);
    w.close();
  });

  test('CLIENT PAUSE WRITE holds an EXEC with writes, not a read-only one', async () => {
    const writer = await nodis.raw();
    const reader = await nodis.raw();
    await call(writer, 'MULTI');
    await call(writer, 'SET', 'paused', 'yes');
    await call(reader, 'MULTI');
    await call(reader, 'GET', 'paused');
    await call(admin, 'CLIENT', 'PAUSE', '100000', 'WRITE');
    writer.send(['EXEC']);
    expect(await call(reader, 'EXEC')).toEqual([null]);
    expect(nodis.server.keyspace.databases[0].peek('paused')).toBeUndefined();
    await call(admin, 'CLIENT', 'UNPAUSE');
    expect(parseReply(await writer.readReply())).toEqual([OK]);
    expect(await call(admin, 'GET', 'paused')).toBe('yes');
    writer.close();
    reader.close();
  });

  test('a client blocked on a key is served once the EXEC that pushed to it is over', async () => {
    const blocked = await nodis.raw();
    const tx = await nodis.raw();
    blocked.send(['BLPOP', 'queue', '0']);
    await eventually(() => [...nodis.server.clients.values()].some((c) => c.blocked));
    await call(tx, 'MULTI');
    await call(tx, 'RPUSH', 'queue', 'a');
    await call(tx, 'RPUSH', 'queue', 'b');
    await call(tx, 'LLEN', 'queue');
    // Inside the transaction nobody was served yet: LLEN saw both elements.
    expect(await call(tx, 'EXEC')).toEqual([1, 2, 2]);
    expect(parseReply(await blocked.readReply())).toEqual(['queue', 'a']);
    expect(await call(admin, 'LRANGE', 'queue', '0', '-1')).toEqual(['b']);
    blocked.close();
    tx.close();
  });

  test('a client that kills itself inside EXEC: the rest of the queue still runs', async () => {
    const tx = await nodis.raw();
    const id = String(await call(tx, 'CLIENT', 'ID'));
    await call(tx, 'MULTI');
    await call(tx, 'CLIENT', 'KILL', 'ID', id);
    await call(tx, 'SET', 'after-kill', '1');
    tx.send(['EXEC']);
    await eventually(() => nodis.server.keyspace.databases[0].peek('after-kill') !== undefined);
    expect(await call(admin, 'GET', 'after-kill')).toBe('1');
    tx.close();
  });

  describe('propagation', () => {
    test('no write: nothing; one write: the command alone; several: wrapped in MULTI ... EXEC', async () => {
      const tx = await nodis.raw();
      for (const queue of [[['GET', 'a']], [['SET', 'one', '1'], ['GET', 'one']], [['SET', 'x', '1'], ['INCR', 'x']]]) {
        await call(tx, 'MULTI');
        for (const argv of queue) await call(tx, ...argv);
        await call(tx, 'EXEC');
      }
      expect(propagated).toEqual([
        [0, ['SET', 'one', '1']],
        [0, ['MULTI']],
        [0, ['SET', 'x', '1']],
        [0, ['INCR', 'x']],
        [0, ['EXEC']],
      ]);
      tx.close();
    });

    test('SELECT inside: MULTI in the first database, EXEC in the last; rewrites kept', async () => {
      const tx = await nodis.raw();
      await call(tx, 'MULTI');
      await call(tx, 'SET', 'x', '1');
      await call(tx, 'SELECT', '2');
      await call(tx, 'SET', 'y', '2', 'EX', '100');
      await call(tx, 'LPUSH', 'y', 'wrongtype');
      expect(await call(tx, 'EXEC')).toEqual([OK, OK, OK, { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' }]);
      expect(propagated.map(([db, argv]) => [db, argv[0], argv[3]])).toEqual([
        [0, 'MULTI', undefined],
        [0, 'SET', undefined],
        [2, 'SET', 'PXAT'],
        [2, 'EXEC', undefined],
      ]);
      tx.close();
    });

    test('a command that propagates several commands is one unit inside EXEC too', async () => {
      const tx = await nodis.raw();
      await call(admin, 'SADD', 's', 'a', 'b', 'c', 'd');
      propagated.length = 0;
      await call(tx, 'MULTI');
      await call(tx, 'SPOP', 's', '2');
      const [popped] = (await call(tx, 'EXEC')) as string[][];
      expect(propagated).toEqual([[0, ['MULTI']], ...popped.map((m) => [0, ['SREM', 's', m]]), [0, ['EXEC']]]);
      tx.close();
    });

    test('a key expiring inside EXEC propagates its DEL at once, ahead of the unit', async () => {
      const tx = await nodis.raw();
      // Only the lookup inside EXEC may find the key expired: no active expiry cycle meanwhile.
      nodis.server.cron.activeExpire.enabled = false;
      await call(admin, 'SET', 'gone', 'v', 'PX', '1');
      await new Promise((r) => setTimeout(r, 10));
      propagated.length = 0;
      await call(tx, 'MULTI');
      await call(tx, 'GET', 'gone');
      await call(tx, 'SET', 'z', '1');
      await call(tx, 'SET', 'y', '1');
      expect(await call(tx, 'EXEC')).toEqual([null, OK, OK]);
      expect(propagated).toEqual([
        [0, ['DEL', 'gone']],
        [0, ['MULTI']],
        [0, ['SET', 'z', '1']],
        [0, ['SET', 'y', '1']],
        [0, ['EXEC']],
      ]);
      nodis.server.cron.activeExpire.enabled = true;
      tx.close();
    });

    test('aborted transactions propagate nothing', async () => {
      const tx = await nodis.raw();
      await call(tx, 'MULTI');
      await call(tx, 'SET', 'a', '1');
      await call(tx, 'NOSUCH');
      await call(tx, 'EXEC');
      await call(tx, 'WATCH', 'w');
      await call(admin, 'SET', 'w', '1');
      propagated.length = 0;
      await call(tx, 'MULTI');
      await call(tx, 'SET', 'a', '1');
      expect(await call(tx, 'EXEC')).toBeNull();
      await call(tx, 'MULTI');
      await call(tx, 'SET', 'a', '1');
      await call(tx, 'DISCARD');
      expect(propagated).toEqual([]);
      tx.close();
    });
  });
});
