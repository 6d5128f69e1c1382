/**
 * Client-side caching against redis-server, byte for byte: CLIENT TRACKING options and errors,
 * CLIENT CACHING / GETREDIR / TRACKINGINFO, RESP3 invalidation pushes, RESP2 invalidations through
 * a redirect client subscribed to __redis__:invalidate, broken redirects, BCAST prefixes (one
 * batched message per prefix and event-loop turn), OPTIN/OPTOUT, NOLOOP, MULTI, flushes, expiry.
 */
import { expect, test } from 'vitest';
import { compatScript as compat, describeCompat, type CompatPair } from './harness';
import { withMirrored, type MirroredConnection } from './mirrored';

/** The connection's client ID on each server: [redis, nodis]. */
async function idsOf(conn: MirroredConnection): Promise<[string, string]> {
  const [r, n] = await Promise.all([conn.redis.call('CLIENT', 'ID'), conn.nodis.call('CLIENT', 'ID')]);
  return [r.slice(1, -2), n.slice(1, -2)];
}

/**
 * CLIENT TRACKING ON REDIRECT <the target's id on each side> ...options; compares the replies.
 * `target` is a connection, or its IDs (a RESP2 subscriber cannot run CLIENT ID).
 */
async function trackWithRedirect(
  conn: MirroredConnection,
  target: MirroredConnection | [string, string],
  ...options: string[]
): Promise<void> {
  const [redisId, nodisId] = Array.isArray(target) ? target : await idsOf(target);
  conn.redis.send(['CLIENT', 'TRACKING', 'ON', 'REDIRECT', redisId, ...options]);
  conn.nodis.send(['CLIENT', 'TRACKING', 'ON', 'REDIRECT', nodisId, ...options]);
  await conn.read('CLIENT TRACKING ON REDIRECT');
}

/** A reply with the connection's own client ID replaced, to compare replies that show IDs. */
async function readWithIds(conn: MirroredConnection, ids: [string, string]): Promise<void> {
  const [r, n] = await Promise.all([conn.redis.readReply(), conn.nodis.readReply()]);
  const scrub = (b: Buffer, id: string): string => b.toString('latin1').split(`:${id}\r\n`).join(':<id>\r\n');
  expect(scrub(n, ids[1])).toBe(scrub(r, ids[0]));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function suite(pair: CompatPair): void {
  compat(pair, 'option errors', () => [
    ['CLIENT', 'TRACKING'],
    ['CLIENT', 'TRACKING', 'MAYBE'],
    ['CLIENT', 'TRACKING', 'ON', 'GARBAGE'],
    ['CLIENT', 'TRACKING', 'ON', 'PREFIX'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', 'x'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '0'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '-5'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '99999999'],
    ['CLIENT', 'TRACKING', 'ON', 'REDIRECT', '99999999999999999999999'],
    ['CLIENT', 'TRACKING', 'ON', 'PREFIX', 'a'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTOUT'],
    ['CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'OPTIN', 'OPTOUT'],
    ['CLIENT', 'TRACKING', 'OFF', 'BCAST', 'PREFIX', 'a', 'NOLOOP'],
    ['CLIENT', 'TRACKING', 'OFF', 'GARBAGE'],
    ['CLIENT', 'TRACKING', 'off'],
    ['CLIENT', 'TRACKING', 'on', 'optin'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST'],
    ['CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
    ['CLIENT', 'TRACKING', 'ON', 'OPTIN', 'OPTOUT'],
    ['CLIENT', 'TRACKING', 'OFF'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'a'],
    ['CLIENT', 'TRACKING', 'ON'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'ab'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', ''],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'b'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'x\nz\x00q', 'PREFIX', 'x'],
    ['CLIENT', 'TRACKINGINFO'],
    ['CLIENT', 'TRACKING', 'ON', 'BCAST'],
    ['CLIENT', 'TRACKINGINFO'],
    ['CLIENT', 'CACHING'],
    ['CLIENT', 'CACHING', 'YES', 'NO'],
    ['CLIENT', 'GETREDIR', 'x'],
    ['CLIENT', 'TRACKINGINFO', 'x'],
  ]);

  test('a later new prefix overlapping another replies the error and then OK, as Redis 7.0 does', async () => {
    await pair.expectSame([
      { raw: '*9\r\n$6\r\nCLIENT\r\n$8\r\nTRACKING\r\n$2\r\nON\r\n$5\r\nBCAST\r\n$6\r\nPREFIX\r\n$1\r\na\r\n$6\r\nPREFIX\r\n$1\r\nb\r\n$6\r\nPREFIX\r\n$2\r\nbc\r\n', replies: 2 },
      ['CLIENT', 'TRACKINGINFO'],
      ['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', '\xff', 'PREFIX', '\x00'],
      ['CLIENT', 'TRACKINGINFO'],
      ['CLIENT', 'TRACKING', 'OFF'],
      ['CLIENT', 'TRACKINGINFO'],
    ]);
  });

  compat(pair, 'CLIENT CACHING, GETREDIR and TRACKINGINFO', () => [
    ['CLIENT', 'GETREDIR'],
    ['CLIENT', 'TRACKINGINFO'],
    ['CLIENT', 'CACHING', 'YES'],
    ['CLIENT', 'TRACKING', 'ON'],
    ['CLIENT', 'GETREDIR'],
    ['CLIENT', 'CACHING', 'YES'],
    ['CLIENT', 'CACHING', 'NO'],
    ['CLIENT', 'TRACKING', 'ON', 'OPTIN', 'NOLOOP'],
    ['CLIENT', 'CACHING', 'NO'],
    ['CLIENT', 'CACHING', 'maybe'],
    ['CLIENT', 'CACHING', 'yes'],
    ['CLIENT', 'TRACKINGINFO'],
    ['CLIENT', 'GETNAME'],
    ['CLIENT', 'TRACKINGINFO'],
    ['PING'],
    ['CLIENT', 'TRACKINGINFO'],
    ['CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
    ['CLIENT', 'TRACKING', 'OFF'],
    ['CLIENT', 'TRACKING', 'ON', 'OPTOUT'],
    ['CLIENT', 'CACHING', 'YES'],
    ['CLIENT', 'CACHING', 'no'],
    ['CLIENT', 'TRACKINGINFO'],
    ['GET', 'x'],
    ['CLIENT', 'TRACKINGINFO'],
    ['CLIENT', 'TRACKING', 'OFF'],
    ['CLIENT', 'GETREDIR'],
    ['CLIENT', 'TRACKINGINFO'],
  ]);

  test('RESP3: reads are remembered, a change by another client is pushed once', async () => {
    await withMirrored(pair, 2, async (tracked, writer) => {
      await tracked.call(['CLIENT', 'TRACKING', 'ON']);
      await tracked.call(['GET', 'k']);
      await tracked.call(['MGET', 'k', 'a', '\x00bin\xff']);
      await writer.call(['SET', 'k', 'v']);
      await tracked.read('invalidate k');
      await writer.call(['SET', 'k', 'w']);
      await writer.call(['MSET', 'a', '1', '\x00bin\xff', '2']);
      await tracked.read('invalidate a or the binary key');
      await tracked.read('invalidate the other one');
      await tracked.expectNothingWithin(50);
      // Writes to keys not read, and read-only commands of others, say nothing.
      await writer.call(['SET', 'other', '1']);
      await writer.call(['GET', 'k']);
      await tracked.expectNothingWithin(50);
      // A key is the same key in every database; SWAPDB invalidates nothing.
      await tracked.call(['STRLEN', 'k']);
      await writer.call(['SWAPDB', '0', '1']);
      await writer.call(['SELECT', '1']);
      await writer.call(['DEL', 'k']);
      await tracked.read('invalidate k from another database');
      await tracked.call(['CLIENT', 'TRACKING', 'OFF']);
    }, 3);
  });

  test('RESP3: the client\'s own write is invalidated after its reply; inside MULTI after EXEC', async () => {
    await withMirrored(pair, 1, async (c) => {
      await c.call(['CLIENT', 'TRACKING', 'ON']);
      await c.call(['GET', 'k']);
      await c.call(['SET', 'k', 'v'], true);
      await c.read('invalidate after +OK');
      await c.call(['GET', 'k']);
      await c.call(['MULTI']);
      await c.call(['SET', 'k', 'x']);
      await c.call(['GET', 'k']);
      await c.call(['SET', 'k', 'y']);
      await c.call(['EXEC']);
      await c.read('first invalidation after EXEC');
      await c.read('second invalidation after EXEC');
      // Keys read by a failing read (wrong type) are remembered too.
      await c.call(['HSET', 'h', 'f', 'v']);
      await c.call(['GET', 'h']);
      await c.call(['DEL', 'h']);
      await c.read('invalidate h');
      await c.expectNothingWithin(50);
    }, 3);
  });

  test('FLUSHALL and FLUSHDB invalidate everything with a null, once per command', async () => {
    await withMirrored(pair, 3, async (resp3, writer, resp2) => {
      await resp3.call(['CLIENT', 'TRACKING', 'ON']);
      await resp3.call(['GET', 'k']);
      await writer.call(['SELECT', '5']);
      await writer.call(['FLUSHDB']);
      await resp3.read('null after FLUSHDB of another database');
      await writer.call(['SET', 'k', 'v']);
      await resp3.expectNothingWithin(50);
      await writer.call(['FLUSHALL']);
      await resp3.read('null after FLUSHALL');
      await resp3.call(['FLUSHALL']);
      await resp3.read('own FLUSHALL: null after +OK');
      await writer.call(['MULTI']);
      await writer.call(['FLUSHALL']);
      await writer.call(['FLUSHDB']);
      await writer.call(['EXEC']);
      await resp3.read('first null');
      await resp3.read('second null');
      await resp3.expectNothingWithin(50);
      await trackWithRedirect(resp2, resp3);
      await writer.call(['FLUSHDB']);
      await resp3.read('null for the tracked RESP3 client');
      await resp3.read('null in RESP2 form, redirected to the RESP3 client');
    }, 3);
  });

  test('RESP2: invalidations go to a redirect client subscribed to __redis__:invalidate', async () => {
    await withMirrored(pair, 3, async (subscriber, tracked, writer) => {
      const ids = await idsOf(subscriber);
      await subscriber.call(['SUBSCRIBE', '__redis__:invalidate']);
      await trackWithRedirect(tracked, ids);
      await tracked.call(['GET', 'k1']);
      await tracked.call(['MGET', 'k1', 'k2']);
      await writer.call(['SET', 'k1', 'x']);
      await subscriber.read('message for k1');
      await writer.call(['DEL', 'k2']);
      await writer.call(['SET', 'k2', 'v']);
      await subscriber.read('message for k2');
      await tracked.call(['SET', 'k3', 'v', 'PX', '30']);
      await tracked.call(['GET', 'k3']);
      await sleep(60);
      await tracked.call(['GET', 'k3']);
      await subscriber.read('message for the expired k3');
      await writer.call(['FLUSHALL']);
      await subscriber.read('null message');
      await tracked.call(['CLIENT', 'GETREDIR'], false);
      await tracked.expectNothingWithin(20);
      // RESP2 without redirection: keys are remembered but nothing can be sent.
      await writer.call(['CLIENT', 'TRACKING', 'ON']);
      await writer.call(['GET', 'w']);
      await writer.call(['SET', 'w', '1']);
      await writer.expectNothingWithin(20);
    });
  });

  test('RESP2 redirect to a client that is not subscribed sends nothing', async () => {
    await withMirrored(pair, 2, async (target, tracked) => {
      await trackWithRedirect(tracked, target);
      await tracked.call(['GET', 'k']);
      await tracked.call(['SET', 'k', 'v']);
      await target.expectNothingWithin(30);
      await tracked.expectNothingWithin(30);
    });
  });

  test('a redirect client that went away: tracking-redir-broken push and the R flag', async () => {
    await withMirrored(pair, 3, async (tracked, writer, gone) => {
      const ids = await idsOf(gone);
      await trackWithRedirect(tracked, gone);
      await tracked.call(['GET', 'k']);
      gone.close();
      await sleep(50);
      await writer.call(['SET', 'k', 'v']);
      await readWithIds(tracked, ids);
      await tracked.call(['CLIENT', 'TRACKINGINFO'], false);
      const [r, n] = await Promise.all([tracked.redis.call('CLIENT', 'INFO'), tracked.nodis.call('CLIENT', 'INFO')]);
      expect(/flags=(\S+)/.exec(n)![1]).toBe(/flags=(\S+)/.exec(r)![1]);
      expect(/redir=(\S+)/.exec(n)![1]).toBe(ids[1]);
    }, 3);
  });

  test('RESP3 redirect client receives pushes; GETREDIR and TRACKINGINFO show the redirect', async () => {
    await withMirrored(pair, 3, async (target, tracked, writer) => {
      const ids = await idsOf(target);
      await trackWithRedirect(tracked, target, 'NOLOOP');
      tracked.send(['CLIENT', 'GETREDIR']);
      await readWithIds(tracked, ids);
      tracked.send(['CLIENT', 'TRACKINGINFO']);
      await readWithIds(tracked, ids);
      await tracked.call(['GET', 'k']);
      await writer.call(['SET', 'k', 'v']);
      await target.read('push on the redirect client');
      await tracked.call(['GET', 'k']);
      // NOLOOP: the client's own change is not announced.
      await tracked.call(['SET', 'k', 'own']);
      await target.expectNothingWithin(30);
      await writer.call(['SET', 'k', 'other']);
      await target.expectNothingWithin(30);
    }, 3);
  });

  test('BCAST: one sorted message per prefix with the keys changed in a turn', async () => {
    await withMirrored(pair, 3, async (a, b, writer) => {
      await a.call(['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'b', 'PREFIX', 'a', 'NOLOOP']);
      await b.call(['CLIENT', 'TRACKING', 'ON', 'BCAST']);
      await a.call(['CLIENT', 'TRACKINGINFO']);
      await b.call(['CLIENT', 'TRACKINGINFO']);
      // Pipelined: the servers read them in one go and announce them together.
      const pipeline = [['SET', 'bz', '1'], ['SET', 'ab', '1'], ['SET', 'aa', '1'], ['DEL', 'ab'], ['SET', 'c', '1']];
      const raw = pipeline.map((argv) => `*${argv.length}\r\n${argv.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`).join('');
      writer.redis.write(raw);
      writer.nodis.write(raw);
      for (let i = 0; i < pipeline.length; i++) await writer.read(`reply ${i + 1}`);
      await a.read('keys under a');
      await a.read('keys under b');
      await b.read('every key');
      // NOLOOP: keys a client changed itself are left out.
      await a.call(['SET', 'a1', 'x']);
      await b.read('a1 for the other client');
      await a.expectNothingWithin(30);
      await b.call(['SET', 'e', 'v', 'PX', '20']);
      await b.read('own change, after the reply');
      // No command is sent: active expiry deletes the key and the change is announced.
      await b.read('e expired');
      await b.call(['FLUSHALL']);
      await b.read('null after own FLUSHALL');
      await a.read('null for the other client');
      await a.call(['CLIENT', 'TRACKING', 'OFF']);
      await writer.call(['SET', 'aa', '2']);
      await b.read('aa');
      await a.expectNothingWithin(30);
    }, 3);
  });

  test('BCAST over RESP2 with a redirect, and CLIENT LIST flags', async () => {
    await withMirrored(pair, 3, async (subscriber, tracked, writer) => {
      const ids = await idsOf(subscriber);
      await subscriber.call(['SUBSCRIBE', '__redis__:invalidate']);
      await trackWithRedirect(tracked, ids, 'BCAST', 'PREFIX', 'user:');
      await writer.call(['SET', 'user:1', 'x']);
      await writer.call(['SET', 'item:1', 'x']);
      await subscriber.read('user:1');
      await subscriber.expectNothingWithin(30);
      const [r, n] = await Promise.all([tracked.redis.call('CLIENT', 'INFO'), tracked.nodis.call('CLIENT', 'INFO')]);
      expect(/flags=(\S+)/.exec(n)![1]).toBe(/flags=(\S+)/.exec(r)![1]);
    });
  });

  test('OPTIN tracks after CACHING YES only; OPTOUT stops after CACHING NO', async () => {
    await withMirrored(pair, 2, async (c, writer) => {
      await c.call(['CLIENT', 'TRACKING', 'ON', 'OPTIN']);
      await c.call(['GET', 'not-cached']);
      await c.call(['CLIENT', 'CACHING', 'YES']);
      await c.call(['GET', 'cached']);
      await c.call(['GET', 'not-cached-2']);
      await writer.call(['MSET', 'not-cached', '1', 'cached', '1', 'not-cached-2', '1']);
      await c.read('cached only');
      await c.expectNothingWithin(30);
      // CACHING survives other CLIENT subcommands, and lasts for a whole transaction.
      await c.call(['CLIENT', 'CACHING', 'YES']);
      await c.call(['CLIENT', 'GETNAME']);
      await c.call(['MULTI']);
      await c.call(['GET', 'm1']);
      await c.call(['GET', 'm2']);
      await c.call(['EXEC']);
      await c.call(['GET', 'm3']);
      await writer.call(['MSET', 'm1', '1', 'm2', '1', 'm3', '1']);
      await c.read('m1');
      await c.read('m2');
      await c.expectNothingWithin(30);
      // A refused command ends CACHING too.
      await c.call(['CLIENT', 'CACHING', 'YES']);
      await c.call(['GET']);
      await c.call(['GET', 'r']);
      await writer.call(['SET', 'r', '1']);
      await c.expectNothingWithin(30);
      await c.call(['CLIENT', 'TRACKING', 'OFF']);
      await c.call(['CLIENT', 'TRACKING', 'ON', 'OPTOUT']);
      await c.call(['GET', 'o1']);
      await c.call(['CLIENT', 'CACHING', 'NO']);
      await c.call(['GET', 'o2']);
      await writer.call(['MSET', 'o1', '1', 'o2', '1']);
      await c.read('o1 only');
      await c.expectNothingWithin(30);
    }, 3);
  });

  test('NOLOOP in default mode skips the client\'s own changes only', async () => {
    await withMirrored(pair, 2, async (c, writer) => {
      await c.call(['CLIENT', 'TRACKING', 'ON', 'NOLOOP']);
      await c.call(['GET', 'k']);
      await c.call(['SET', 'k', 'v']);
      await c.expectNothingWithin(30);
      // The key was forgotten all the same.
      await writer.call(['SET', 'k', 'w']);
      await c.expectNothingWithin(30);
      await c.call(['GET', 'k']);
      await writer.call(['SET', 'k', 'x']);
      await c.read('invalidate k');
    }, 3);
  });

  test('tracking off keeps the old entries: on again, they are still announced', async () => {
    await withMirrored(pair, 2, async (c, writer) => {
      await c.call(['CLIENT', 'TRACKING', 'ON']);
      await c.call(['GET', 'old']);
      await c.call(['CLIENT', 'TRACKING', 'OFF']);
      await writer.call(['SET', 'x', '1']);
      await c.call(['CLIENT', 'TRACKING', 'ON']);
      await writer.call(['SET', 'old', '1']);
      await c.read('invalidate old');
      // RESET turns tracking off.
      await c.call(['RESET']);
      await c.call(['CLIENT', 'TRACKINGINFO']);
    }, 3);
  });

  test('INFO counters and tracking-table-max-keys', async () => {
    await withMirrored(pair, 2, async (c, admin) => {
      const info = async (): Promise<void> => {
        const [r, n] = await Promise.all([admin.redis.call('INFO'), admin.nodis.call('INFO')]);
        const pick = (s: string) => s.split('\r\n').filter((l) => l.startsWith('tracking_')).join('\n');
        expect(pick(n)).toBe(pick(r));
      };
      await admin.call(['CONFIG', 'GET', 'tracking-table-max-keys']);
      await admin.call(['CONFIG', 'SET', 'tracking-table-max-keys', '-1']);
      await c.call(['CLIENT', 'TRACKING', 'ON']);
      await c.call(['MGET', 'k1', 'k2', 'k3']);
      await admin.call(['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', 'p', 'PREFIX', 'q']);
      await admin.call(['MGET', 'k1', 'z']);
      await info();
      await admin.call(['CONFIG', 'SET', 'tracking-table-max-keys', '1']);
      await admin.call(['PING']);
      // Two of the three keys leave the table, their invalidations announced (which ones is random).
      const first = await c.read('an evicted key', false);
      const second = await c.read('another evicted key', false);
      for (const push of [first, second]) expect(push.toString()).toMatch(/^>2\r\n\$10\r\ninvalidate\r\n\*1\r\n\$2\r\nk[123]\r\n$/);
      await info();
      await admin.call(['CONFIG', 'SET', 'tracking-table-max-keys', '1000000']);
      await admin.call(['CLIENT', 'TRACKING', 'OFF']);
      await info();
    }, 3);
  });
}

describeCompat('compat: client tracking', suite);
