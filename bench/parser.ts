/**
 * Request parsing: Nodis's RequestParser against redis-parser (the RESP parser ioredis uses; it
 * reads multibulk requests as arrays of bulk strings), with strings and with Buffers.
 *
 *   npm run build && node dist/bench/parser.js
 *
 * Inputs: 1000 pipelined SET commands in one buffer, a single GET, and a SET of a 1 MB value
 * (in one buffer, and in 64 KB socket-sized chunks).
 */
import Benchmark from 'benchmark';
import { RequestParser } from '../src/protocol/request-parser';
import { formatCount, formatRatio, markdownTable } from './lib/stats';

interface RedisParserOptions {
  returnReply(reply: unknown): void;
  returnError(error: Error): void;
  returnFatalError?(error: Error): void;
  returnBuffers?: boolean;
}
type RedisParserConstructor = new (options: RedisParserOptions) => { execute(data: Buffer): void };
// redis-parser ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RedisParser = require('redis-parser') as RedisParserConstructor;

function encode(argv: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const arg of argv) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

function chunked(data: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  return chunks;
}

interface Input {
  name: string;
  chunks: Buffer[];
  requests: number;
}

const value16 = 'v'.repeat(16);
const inputs: Input[] = [
  {
    name: '1000 pipelined SETs',
    chunks: [Buffer.concat(Array.from({ length: 1000 }, (_, i) => encode(['SET', `key:${String(i).padStart(6, '0')}`, value16])))],
    requests: 1000,
  },
  { name: 'one GET', chunks: [encode(['GET', 'key:000001'])], requests: 1 },
  { name: 'SET of 1 MB, one buffer', chunks: [encode(['SET', 'big', Buffer.alloc(1024 * 1024, 'x')])], requests: 1 },
  { name: 'SET of 1 MB, 64 KB chunks', chunks: chunked(encode(['SET', 'big', Buffer.alloc(1024 * 1024, 'x')]), 65536), requests: 1 },
];

type Parse = (chunks: Buffer[]) => unknown[][];

const limits = { maxBulkLen: 512 * 1024 * 1024, unauthenticated: false };

const nodisParse: Parse = (chunks) => {
  const parser = new RequestParser(limits);
  const out: string[][] = [];
  for (const chunk of chunks) {
    parser.feed(chunk);
    for (let argv = parser.next(); argv !== null; argv = parser.next()) out.push(argv);
  }
  return out;
};

function redisParserParse(returnBuffers: boolean): Parse {
  let out: unknown[][] = [];
  const parser = new RedisParser({
    returnBuffers,
    returnReply: (reply) => out.push(reply as unknown[]),
    returnError: (e) => {
      throw e;
    },
  });
  return (chunks) => {
    out = [];
    for (const chunk of chunks) parser.execute(chunk);
    return out;
  };
}

const parsers: [string, Parse][] = [
  ['nodis RequestParser (latin1 strings)', nodisParse],
  ['redis-parser (strings)', redisParserParse(false)],
  ['redis-parser (returnBuffers)', redisParserParse(true)],
];

/** Every parser must read every input into the same arguments before it is timed. */
function checkCorrectness(): void {
  for (const input of inputs) {
    const expected = nodisParse(input.chunks).map((argv) => argv.map((a) => Buffer.from(a as string, 'latin1')));
    if (expected.length !== input.requests) throw new Error(`nodis parsed ${expected.length} requests from "${input.name}"`);
    for (const [name, parse] of parsers) {
      const got = parse(input.chunks).map((argv) => argv.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'latin1'))));
      const same = got.length === expected.length && got.every((argv, i) => argv.length === expected[i].length && argv.every((a, j) => a.equals(expected[i][j])));
      if (!same) throw new Error(`${name} parsed "${input.name}" differently`);
    }
  }
}

function run(): void {
  checkCorrectness();
  const rows: string[][] = [];
  for (const input of inputs) {
    const hz = new Map<string, number>();
    const suite = new Benchmark.Suite(input.name);
    for (const [name, parse] of parsers) suite.add(name, () => parse(input.chunks));
    suite.on('cycle', (event: Benchmark.Event) => {
      const bench = event.target as unknown as Benchmark;
      hz.set(String(bench.name), bench.hz ?? 0);
      console.error(`${input.name}: ${String(event.target)}`);
    });
    suite.run({ async: false });
    const ours = hz.get(parsers[0][0]) ?? NaN;
    for (const [name] of parsers) {
      const opsPerSecond = hz.get(name) ?? NaN;
      rows.push([
        input.name,
        name,
        formatCount(opsPerSecond),
        formatCount(opsPerSecond * input.requests),
        name === parsers[0][0] ? '1.00' : formatRatio(ours / opsPerSecond),
      ]);
    }
  }
  console.log(`node ${process.version}\n`);
  console.log(markdownTable(['input', 'parser', 'parses/s', 'requests/s', 'nodis/this'], rows));
}

run();
