/**
 * used_memory is an estimate kept by the key tables, not a heap walk. This checks it against the
 * heap itself: loading known data of every type must grow used_memory by about as much as it
 * grows V8's heap (after full collections), within the factor stated below.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createServer, type Server } from '../../src/index';
import type { Client } from '../../src/server/client';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** How far apart estimate and heap growth may be (measured ratios are printed by the test). */
const FACTOR = 1.3;

/** The JS heap plus memory outside it held by JS objects (typed arrays' buffers). */
function heapUsed(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

let server: Server;
let client: Client;

beforeAll(async () => {
  server = await createServer({ port: 0, config: { save: '', appendonly: 'no' } });
  client = server.addClient(null);
});

afterAll(async () => {
  await server.close();
});

/** Runs a command with its arguments as flat latin1 strings, as the request parser makes them. */
function run(...argv: string[]): void {
  server.execute(client, argv.map((arg) => Buffer.from(arg, 'latin1').latin1Slice()));
  client.reply.out.take();
}

const datasets: [string, (i: number) => void, number][] = [
  ['small strings', (i) => run('SET', `str:${String(i).padStart(6, '0')}`, `val${String(i).padStart(7, '0')}`), 100_000],
  ['integers', (i) => run('SET', `int:${String(i).padStart(6, '0')}`, String(i * 7919)), 100_000],
  ['strings of 50 bytes', (i) => run('SET', `s50:${i}`, 'x'.repeat(50)), 50_000],
  ['strings with a TTL', (i) => run('SET', `ttl:${i}`, 'x'.repeat(50), 'EX', '1000'), 50_000],
  ['hashes of 10 fields', (i) => run('HSET', `h:${i}`, ...Array.from({ length: 20 }, (_, j) => `f${j}-${i % 7}`)), 10_000],
  ['big hashes', (i) => run('HSET', `bh:${i % 10}`, `field:${i}`, `value:${i}`), 50_000],
  ['sorted sets of 10', (i) => run('ZADD', `z:${i}`, ...Array.from({ length: 10 }, (_, j) => [String(j * 1.5), `m${j}`]).flat()), 10_000],
  ['big sorted sets', (i) => run('ZADD', `bz:${i % 10}`, String(i), `member:${i}`), 50_000],
  ['sets of integers', (i) => run('SADD', `si:${i % 1000}`, String(i)), 200_000],
  ['big sets', (i) => run('SADD', `bs:${i % 10}`, `member:${i}`), 50_000],
  ['lists', (i) => run('RPUSH', `l:${i % 10}`, `element:${i}`), 100_000],
];

describe('used_memory follows the heap', () => {
  for (const [name, write, count] of datasets) {
    test(`${name}: used_memory growth is within ${FACTOR}x of the heap growth`, () => {
      run('FLUSHALL');
      const heapBefore = heapUsed();
      const usedBefore = server.memory.usedMemory();
      for (let i = 0; i < count; i++) write(i);
      const heapGrowth = heapUsed() - heapBefore;
      const usedGrowth = server.memory.usedMemory() - usedBefore;
      const ratio = usedGrowth / heapGrowth;
      console.log(`[memory] ${name}: heap +${heapGrowth}, used_memory +${usedGrowth}, ratio ${ratio.toFixed(2)}`);
      expect(ratio).toBeGreaterThan(1 / FACTOR);
      expect(ratio).toBeLessThan(FACTOR);
      // And deleting everything gives it all back.
      run('FLUSHALL');
      expect(server.memory.usedMemory() - usedBefore).toBeLessThanOrEqual(0);
    });
  }
});
