/**
 * A dataset with every type and encoding Redis 7.0 saves (small and big, binary keys and
 * values, TTLs, several databases), and a way to describe a server's keyspace key by key
 * (TYPE, OBJECT ENCODING, DEBUG DIGEST-VALUE, PEXPIRETIME) so that two servers can be compared.
 */
import { expect } from 'vitest';
import { RawConnection } from '../helpers/raw-connection';
import { parseReply, type RespValue } from '../helpers/resp-value';
import { seededRandom } from '../helpers/seeded-random';

/** A TTL far in the future, fixed so that both servers get the same absolute time. */
export const FAR_EXPIRE_MS = 4102444800000; // 2100-01-01

function randomBytes(random: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(random() * 256));
  return s;
}

/** Integers at every listpack / intset / RDB integer encoding boundary, and near-integers. */
export const BOUNDARY_INTEGERS = [
  '0', '1', '127', '128', '-1', '-128', '-129', '255', '256', '-4096', '4095', '4096', '-4097', '-32768', '32767',
  '32768', '-32769', '-8388608', '8388607', '8388608', '-2147483648', '2147483647', '2147483648', '-2147483649',
  '9007199254740993', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '-0', '01', '+1', ' 1',
  '1.5', '12345678901', '123456789012',
];

/** The commands that build the dataset (all deterministic). */
export function datasetCommands(): string[][] {
  const random = seededRandom(42);
  const cmds: string[][] = [];
  const add = (...argv: string[]): void => {
    cmds.push(argv);
  };
  const withTtl = (key: string): void => add('PEXPIREAT', key, String(FAR_EXPIRE_MS + cmds.length));

  // Strings: every integer encoding, embstr, raw, compressible, incompressible, binary, empty.
  add('SELECT', '0');
  BOUNDARY_INTEGERS.forEach((v, i) => add('SET', `s:int:${i}`, v));
  add('SET', 's:embstr', 'hello world');
  add('SET', 's:compressible', 'abc'.repeat(100));
  add('SET', 's:random', randomBytes(random, 300));
  add('SET', 's:empty', '');
  add('SET', 's:binary', '\x00\xff\r\n\x01binary\x00');
  add('SET', 's:float', '3.14');
  add('SET', 's:21', 'aaaaaaaaaaaaaaaaaaaaa');
  add('SET', 's:append', 'start');
  add('APPEND', 's:append', '-more'.repeat(20));
  add('SETRANGE', 's:setrange', '5', 'xyz');
  add('SET', 's:big-compressible', 'nodis'.repeat(40000));
  add('SET', 's:big-random', randomBytes(random, 1_500_000));
  add('SET', '\x00key\xff', 'binary key');
  add('SET', '42', 'integer-like key');
  add('SET', '-7', 'negative integer-like key');
  add('SET', 'k'.repeat(300), 'long key');
  add('SET', '', 'empty key');
  withTtl('s:embstr');
  withTtl('42');
  withTtl('s:big-random');

  // Lists: one node, many nodes, every element encoding, pushes at both ends, inserts.
  add('RPUSH', 'l:small', 'a', 'b', '1', '-5', '100000', 'x'.repeat(70), '');
  add('RPUSH', 'l:ints', ...BOUNDARY_INTEGERS);
  const big: string[] = [];
  for (let i = 0; i < 3000; i++) big.push(i % 3 === 0 ? String(i * 7919 - 100000) : `element-${i}`);
  add('RPUSH', 'l:big', ...big);
  add('RPUSH', 'l:long-elements', 'y'.repeat(100), 'z'.repeat(5000), randomBytes(random, 20000), 'short');
  for (let i = 0; i < 500; i++) add('LPUSH', 'l:heads', `head-${i}`);
  add('RPUSH', 'l:inserted', ...big.slice(0, 400));
  for (let i = 0; i < 50; i++) add('LINSERT', 'l:inserted', 'BEFORE', `element-${i * 7 + 1}`, `ins-${i}`);
  add('RPUSH', 'l:binary', '\x00', '\xff\xfe', '\r\n');
  withTtl('l:big');

  // Sets: intsets of each width, hashtables of strings and of too many integers.
  add('SADD', 'st:int16', '1', '2', '3', '-5', '32767');
  add('SADD', 'st:int32', '1', '-2147483648', '70000');
  add('SADD', 'st:int64', '1', '1099511627776', '-4611686018427387904', '9223372036854775807');
  add('SADD', 'st:strings', 'a', 'b', '1', '\x00\xff', 'x'.repeat(100));
  const manyInts: string[] = [];
  for (let i = 0; i < 600; i++) manyInts.push(String(i * 3));
  add('SADD', 'st:many-ints', ...manyInts);
  add('SADD', 'st:intset-max', ...manyInts.slice(0, 512));
  withTtl('st:strings');

  // Hashes: listpack, hashtable by count, hashtable by length, binary, integer fields/values.
  add('HSET', 'h:listpack', 'f1', 'v1', 'f2', '2', '3', '-4', 'empty', '', 'bin\x00', '\xff');
  const fields: string[] = [];
  for (let i = 0; i < 600; i++) fields.push(`field-${i}`, i % 2 ? String(i) : `value-${i}`);
  add('HSET', 'h:many', ...fields);
  add('HSET', 'h:long-value', 'f', 'v'.repeat(100), 'g', 'small');
  add('HSET', 'h:long-field', 'f'.repeat(65), 'v');
  add('HSET', 'h:ints', ...BOUNDARY_INTEGERS.flatMap((v, i) => [v, String(i)]));
  withTtl('h:many');

  // Sorted sets: listpack and skiplist, with special and integral scores.
  add('ZADD', 'z:listpack', '1', 'a', '2.5', 'b', '-inf', 'c', '+inf', 'd', '-0', 'e', '1e300', 'f', '0.1', 'g',
    '4611686018427387904', 'h', '1e20', 'i', '-3', 'j', '1', 'a2', '5e-324', 'k');
  const members: string[] = [];
  for (let i = 0; i < 300; i++) members.push(String(Math.floor(random() * 1000) / 8), `member-${i}`);
  add('ZADD', 'z:skiplist', ...members);
  add('ZADD', 'z:long-member', '1', 'm'.repeat(65), '2', 'n');
  add('ZADD', 'z:ties', '7', 'b', '7', 'a', '7', 'c', '7', '\x00', '7', '\xff');
  add('ZADD', 'z:special', '-inf', 'low', '+inf', 'high', '0', 'zero', '-0', 'negzero', ...members.slice(0, 300));
  withTtl('z:skiplist');

  // Other databases.
  add('SELECT', '1');
  add('SET', 'db1:string', 'one');
  add('RPUSH', 'db1:list', 'x', 'y');
  add('PEXPIREAT', 'db1:list', String(FAR_EXPIRE_MS));
  add('SELECT', '5');
  add('ZADD', 'db5:zset', '1', 'one', '2', 'two');
  add('HSET', 'db5:hash', 'a', '1');
  add('SELECT', '15');
  add('SET', 'db15:string', 'fifteen');
  add('SELECT', '0');
  return cmds;
}

/** Sends commands pipelined over one connection and fails on an error reply. */
export async function sendAll(conn: RawConnection, cmds: string[][]): Promise<void> {
  const batch = 200;
  for (let i = 0; i < cmds.length; i += batch) {
    const part = cmds.slice(i, i + batch);
    for (const argv of part) conn.send(argv);
    for (const argv of part) {
      const reply = (await conn.readReply(20000)).toString('latin1');
      if (reply.startsWith('-')) throw new Error(`${argv.join(' ').slice(0, 80)}: ${reply}`);
    }
  }
}

async function parsed(conn: RawConnection, ...argv: string[]): Promise<RespValue> {
  conn.send(argv);
  return parseReply(await conn.readReply(20000));
}

export interface KeyDescription {
  type: string;
  encoding: string;
  digest: string;
  pexpiretime: number;
}

/** Every key of the given databases: "db/key" -> its description. */
export async function describeKeyspace(port: number, dbs: number[]): Promise<Map<string, KeyDescription>> {
  const conn = await RawConnection.connect(port);
  const out = new Map<string, KeyDescription>();
  try {
    for (const db of dbs) {
      await parsed(conn, 'SELECT', String(db));
      const keys = (await parsed(conn, 'KEYS', '*')) as string[];
      keys.sort();
      for (const key of keys) {
        conn.send(['TYPE', key]);
        conn.send(['OBJECT', 'ENCODING', key]);
        conn.send(['DEBUG', 'DIGEST-VALUE', key]);
        conn.send(['PEXPIRETIME', key]);
        const [type, encoding, digest, ttl] = await Promise.all([0, 1, 2, 3].map(async () => parseReply(await conn.readReply())));
        out.set(`${db}/${key}`, {
          type: (type as { status: string }).status,
          encoding: encoding as string,
          digest: ((digest as RespValue[])[0] as { status: string }).status,
          pexpiretime: ttl as number,
        });
      }
    }
  } finally {
    conn.close();
  }
  return out;
}

/** DEBUG DIGEST of the whole dataset. */
export async function datasetDigest(port: number): Promise<string> {
  const conn = await RawConnection.connect(port);
  try {
    return ((await parsed(conn, 'DEBUG', 'DIGEST')) as { status: string }).status;
  } finally {
    conn.close();
  }
}

/** Expects two keyspace descriptions to be equal, reporting the first keys that differ. */
export function expectSameKeyspace(actual: Map<string, KeyDescription>, expected: Map<string, KeyDescription>): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [key, want] of expected) expect(actual.get(key), JSON.stringify(key)).toEqual(want);
}

export const DATASET_DBS = [0, 1, 5, 15];
