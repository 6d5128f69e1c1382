/**
 * Client sockets are read into one buffer shared by every connection (src/server/socket-reader.ts),
 * or through 'data' events with NODIS_SOCKET_READ=stream. In both modes, requests cut at any byte
 * and interleaved with other clients' reads must arrive whole: in shared mode the next read, of
 * any client, overwrites the bytes a request left unparsed unless the parser kept a copy.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startNodis, type NodisHandle } from '../helpers/nodis';
import { encodeCommand, type RawConnection } from '../helpers/raw-connection';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes `data` in pieces of 1 to `maxPiece` bytes, waiting a little between them. */
async function writeInPieces(conn: RawConnection, data: Buffer, maxPiece: number, seed: number): Promise<void> {
  let state = seed;
  for (let at = 0; at < data.length; ) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const length = 1 + (state % maxPiece);
    conn.write(data.subarray(at, at + length));
    at += length;
    if (state % 4 === 0) await sleep(1);
  }
}

for (const mode of ['shared buffer', 'stream'] as const) {
  describe(`socket reads (${mode})`, () => {
    let nodis: NodisHandle & { stop(): Promise<void> };
    const saved = process.env.NODIS_SOCKET_READ;

    beforeAll(async () => {
      if (mode === 'stream') process.env.NODIS_SOCKET_READ = 'stream';
      else delete process.env.NODIS_SOCKET_READ;
      nodis = await startNodis();
    });

    afterAll(async () => {
      if (saved === undefined) delete process.env.NODIS_SOCKET_READ;
      else process.env.NODIS_SOCKET_READ = saved;
      await nodis.stop();
    });

    test('requests cut at any byte, from clients whose reads interleave, arrive whole', async () => {
      const big = Buffer.alloc(100_000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 3) & 0xff;
      const a = await nodis.raw();
      const b = await nodis.raw();
      const c = await nodis.raw();
      const setBig = Buffer.concat([encodeCommand(['SET', 'big', big]), encodeCommand(['STRLEN', 'big'])]);
      const counters = Buffer.concat(Array.from({ length: 200 }, (_, i) => encodeCommand(['INCRBY', `counter:${i % 7}`, String(i)])));
      const inline = Buffer.from('SET inline "two words"\r\nGET inline\r\n'.repeat(20), 'latin1');
      await Promise.all([writeInPieces(a, setBig, 9000, 1), writeInPieces(b, counters, 13, 2), writeInPieces(c, inline, 5, 3)]);

      expect((await a.readReply()).toString()).toBe('+OK\r\n');
      expect((await a.readReply()).toString()).toBe(':100000\r\n');
      const totals = new Array<number>(7).fill(0);
      for (let i = 0; i < 200; i++) {
        totals[i % 7] += i;
        expect((await b.readReply()).toString()).toBe(`:${totals[i % 7]}\r\n`);
      }
      for (let i = 0; i < 20; i++) {
        expect((await c.readReply()).toString()).toBe('+OK\r\n');
        expect((await c.readReply()).toString()).toBe('$9\r\ntwo words\r\n');
      }
      const stored = await nodis.client().getBuffer('big');
      expect(stored?.equals(big)).toBe(true);
    });

    test('replies to the reads of one event-loop turn leave in one write, as Redis writes in beforeSleep', async () => {
      const conn = await nodis.raw();
      conn.write(encodeCommand(['CLIENT', 'SETNAME', 'two-reads']));
      expect((await conn.readReply()).toString()).toBe('+OK\r\n');
      const client = [...nodis.server.clients.values()].find((c) => c.name === 'two-reads')!;
      const writesBefore = nodis.server.stats.totalWritesProcessed;
      // Two reads handled in the same turn of the loop (as when epoll reports both at once).
      client.onData(encodeCommand(['ECHO', 'first']));
      client.onData(encodeCommand(['ECHO', 'second']));
      expect(nodis.server.stats.totalWritesProcessed).toBe(writesBefore);
      expect((await conn.readReply()).toString()).toBe('$5\r\nfirst\r\n');
      expect((await conn.readReply()).toString()).toBe('$6\r\nsecond\r\n');
      expect(nodis.server.stats.totalWritesProcessed).toBe(writesBefore + 1);
    });

    test('a client that closes mid-request leaves the others unharmed', async () => {
      const quitter = await nodis.raw();
      const stayer = await nodis.raw();
      quitter.write('*3\r\n$3\r\nSET\r\n$4\r\ngone\r\n$10\r\nabc');
      stayer.write('*2\r\n$4\r\nECHO\r\n$5\r\nhel');
      await sleep(10);
      quitter.close();
      stayer.write('lo\r\n');
      expect((await stayer.readReply()).toString()).toBe('$5\r\nhello\r\n');
      expect(await nodis.client().exists('gone')).toBe(0);
    });
  });
}
