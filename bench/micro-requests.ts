/**
 * Micro-benchmark cases for whole requests in-process and for the sorted set's skiplist, run by
 * micro.ts (`node dist/bench/micro.js requests`, `node dist/bench/micro.js skiplist`).
 *
 * - requestCases: what a socket read costs Nodis besides the socket: the bytes of 16 pipelined
 *   requests (as redis-benchmark -P 16 sends them) fed to a client, parsed, dispatched (checks,
 *   statistics, memory accounting) and their replies encoded, for PING, SET, GET, INCR and LPUSH
 *   over 100k random keys (redis-benchmark -r 100000). A batch of BATCH requests per timed call.
 * - skiplistCases: insert, rank and range walks on a 100k-member skiplist.
 */
import { Server } from '../src/server/server';
import { configFrom } from '../src/index';
import type { Client } from '../src/server/client';
import { SkipList } from '../src/types/skiplist';

export interface MicroCase {
  group: string;
  name: string;
  fn: () => void;
}

const KEYSPACE = 100_000;
const PIPELINE = 16;
/** Distinct reads prepared per command, cycled through. */
const READS = 512;

function encodeRequest(argv: string[]): string {
  return `*${argv.length}\r\n` + argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
}

function randomKey(prefix: string): string {
  return prefix + String(Math.floor(Math.random() * KEYSPACE)).padStart(12, '0');
}

const REQUESTS: Record<string, () => string[]> = {
  PING: () => ['PING'],
  SET: () => ['SET', randomKey('key:'), 'xxxxxxxxxxxxxxxx'],
  GET: () => ['GET', randomKey('key:')],
  INCR: () => ['INCR', randomKey('counter:')],
  LPUSH: () => ['LPUSH', 'mylist', 'xxxxxxxxxxxxxxxx'],
  HSET: () => ['HSET', 'myhash', randomKey('element:'), 'xxxxxxxxxxxxxxxx'],
  ZADD: () => ['ZADD', 'myzset', String(Math.floor(Math.random() * KEYSPACE)), randomKey('element:')],
  // The side-by-side xadd test's command: auto IDs into one growing stream.
  XADD: () => ['XADD', 'bench:stream', '*', 'field', randomKey(''), 'n', '1'],
};

/** READS socket reads of PIPELINE requests each, made by `request`. */
function reads(request: () => string[]): Buffer[] {
  return Array.from({ length: READS }, () => {
    let text = '';
    for (let i = 0; i < PIPELINE; i++) text += encodeRequest(request());
    return Buffer.from(text, 'latin1');
  });
}

export function requestCases(batch: number): MicroCase[] {
  const server = new Server({ config: configFrom({ loglevel: 'warning' }) });
  // A client without a socket: replies are encoded, then dropped by take().
  const client: Client = server.addClient(null);
  const readsPerCall = Math.max(1, Math.round(batch / PIPELINE));
  // The keys GET reads exist, as after redis-benchmark's SET test.
  for (const chunk of reads(REQUESTS.SET)) client.onData(chunk);
  client.reply.out.take();
  return Object.entries(REQUESTS).map(([name, request]) => {
    const prepared = reads(request);
    let at = 0;
    return {
      group: 'requests',
      name: `${name}, ${PIPELINE} per read`,
      fn: () => {
        for (let i = 0; i < readsPerCall; i++) {
          client.onData(prepared[(at = (at + 1) % READS)]);
          client.reply.out.take();
        }
      },
    };
  });
}

export function skiplistCases(batch: number): MicroCase[] {
  const SIZE = 100_000;
  const members = Array.from({ length: SIZE }, (_, i) => `member:${String(i).padStart(8, '0')}`);
  const full = new SkipList();
  for (let i = 0; i < SIZE; i++) full.insert(Math.random() * SIZE, members[i]);
  let growing = new SkipList();
  let inserted = 0;
  /** A random 1-based rank. */
  const randomRank = (below = SIZE) => 1 + Math.floor(Math.random() * below);
  return [
    {
      group: 'skiplist',
      name: 'insert (lists of 100k, rebuilt)',
      fn: () => {
        for (let i = 0; i < batch; i++) {
          if (inserted === SIZE) {
            growing = new SkipList();
            inserted = 0;
          }
          growing.insert(Math.random(), members[inserted++]);
        }
      },
    },
    {
      group: 'skiplist',
      name: 'rank of a member, 100k',
      fn: () => {
        for (let i = 0; i < batch; i++) {
          const node = full.byRank(randomRank());
          full.rankOf(full.score(node), full.member(node));
        }
      },
    },
    {
      group: 'skiplist',
      name: 'walk 10 from a rank, 100k',
      fn: () => {
        for (let i = 0; i < batch / 10; i++) {
          let node = full.byRank(randomRank(SIZE - 10));
          for (let k = 0; k < 10; k++) node = full.next(node);
        }
      },
    },
    {
      group: 'skiplist',
      name: 'update a score, 100k',
      fn: () => {
        for (let i = 0; i < batch; i++) full.updateScore(full.byRank(randomRank()), Math.random() * SIZE);
      },
    },
  ];
}
