/**
 * Hash commands: HSET/HMSET/HSETNX, HGET/HMGET, HDEL, HLEN, HSTRLEN, HEXISTS, HGETALL/HKEYS/HVALS,
 * HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN. Replies, errors, keyspace events and propagation
 * follow Redis 7.0's t_hash.c; the structure is in src/types/hash.ts.
 */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { isOption } from './arguments';
import { readOfType, writeOfType } from './lookup';
import { parseScanCursorOrReply, parseScanOptionsOrReply, replyScan, scanMatches } from './scan';
import { checkRepeatCountOrReply, parseRandomCountOrReply, pickDistinct } from './random-pick';
import { optionName } from './string/string-values';
import { HashValue } from '../types/hash';
import { parseCanonicalInt64 } from '../types/intset';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble, type LongDouble } from '../types/long-double';
import { mixDigest, registerValueDigester, xorDigest, DIGEST_LENGTH } from './server/digest';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** HRANDFIELD WITHVALUES counts must fit twice in a long (the RESP2 reply holds 2 * count). */
const LONG_MAX_HALF = 2n ** 62n - 1n;
const LONG_MIN_HALF = -(2n ** 62n);

/**
 * Stores a hash changed by a write: a new one (`existing` undefined) is added to the database,
 * an existing one marked modified.
 */
function commitWrite(c: Client, key: string, hash: HashValue, existing: HashValue | undefined): void {
  if (existing === undefined) c.db.set(key, hash);
  else c.db.modified(key);
}

/** Sets a field with the server's current listpack limits. */
function setField(c: Client, hash: HashValue, field: string, value: string): boolean {
  const config = c.server.config;
  return hash.set(
    field,
    value,
    config.getNumber('hash-max-listpack-entries'),
    config.getNumber('hash-max-listpack-value'),
  );
}

/** HSET key field value [field value ...] (replies the number of new fields), and HMSET (+OK). */
function hsetGeneric(c: Client, argv: string[], command: string): void {
  if (argv.length % 2 === 1) return c.reply.error(Errors.wrongArgs(command));
  const key = argv[1];
  const existing = writeOfType<HashValue>(c, key, 'hash');
  if (existing === null) return;
  const hash = existing ?? new HashValue();
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (setField(c, hash, argv[i], argv[i + 1])) created++;
  commitWrite(c, key, hash, existing);
  c.server.notify('h', 'hset', key, c.db.id);
  if (command === 'hset') c.reply.integer(created);
  else c.reply.ok();
}

function hsetnx(c: Client, argv: string[]): void {
  const key = argv[1];
  const existing = writeOfType<HashValue>(c, key, 'hash');
  if (existing === null) return;
  if (existing?.has(argv[2])) return c.reply.integer(0);
  const hash = existing ?? new HashValue();
  setField(c, hash, argv[2], argv[3]);
  commitWrite(c, key, hash, existing);
  c.server.notify('h', 'hset', key, c.db.id);
  c.reply.integer(1);
}

function hget(c: Client, argv: string[]): void {
  const hash = readOfType<HashValue>(c, argv[1], 'hash');
  if (hash === null) return;
  const value = hash?.get(argv[2]);
  if (value === undefined) c.reply.nullBulk();
  else c.reply.bulk(value);
}

/** HMGET: a missing key answers as an empty hash, a null per field. */
function hmget(c: Client, argv: string[]): void {
  const hash = readOfType<HashValue>(c, argv[1], 'hash');
  if (hash === null) return;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const value = hash?.get(argv[i]);
    if (value === undefined) c.reply.nullBulk();
    else c.reply.bulk(value);
  }
}

function hdel(c: Client, argv: string[]): void {
  const key = argv[1];
  const hash = writeOfType<HashValue>(c, key, 'hash');
  if (hash === null) return;
  if (hash === undefined) return c.reply.integer(0);
  let deleted = 0;
  let keyRemoved = false;
  for (let i = 2; i < argv.length; i++) {
    if (!hash.delete(argv[i])) continue;
    deleted++;
    if (hash.size === 0) {
      c.db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    if (!keyRemoved) c.db.modified(key);
    c.server.notify('h', 'hdel', key, c.db.id);
    if (keyRemoved) c.server.notify('g', 'del', key, c.db.id);
  }
  c.reply.integer(deleted);
}

function hlen(c: Client, argv: string[]): void {
  const hash = readOfType<HashValue>(c, argv[1], 'hash');
  if (hash !== null) c.reply.integer(hash?.size ?? 0);
}

function hstrlen(c: Client, argv: string[]): void {
  const hash = readOfType<HashValue>(c, argv[1], 'hash');
  if (hash !== null) c.reply.integer(hash?.get(argv[2])?.length ?? 0);
}

function hexists(c: Client, argv: string[]): void {
  const hash = readOfType<HashValue>(c, argv[1], 'hash');
  if (hash !== null) c.reply.integer(hash?.has(argv[2]) ? 1 : 0);
}

const enum Parts {
  Fields = 1,
  Values = 2,
  Both = 3,
}

/** HGETALL (a map), HKEYS and HVALS (arrays), in the hash's iteration order. */
function getAllGeneric(c: Client, argv: string[], parts: Parts): void {
  const hash = readOfType<HashValue>(c, argv[1], 'hash');
  if (hash === null) return;
  const size = hash?.size ?? 0;
  if (parts === Parts.Both) c.reply.map(size);
  else c.reply.array(size);
  for (let i = 0; i < size; i++) {
    if (parts & Parts.Fields) c.reply.bulk(hash!.fieldAt(i));
    if (parts & Parts.Values) c.reply.bulk(hash!.valueAt(i));
  }
}

function hincrby(c: Client, argv: string[]): void {
  const key = argv[1];
  const field = argv[2];
  const increment = parseCanonicalInt64(argv[3]);
  if (increment === null) return c.reply.error(Errors.notInteger);
  const existing = writeOfType<HashValue>(c, key, 'hash');
  if (existing === null) return;
  let current: number | bigint = 0;
  const old = existing?.get(field);
  if (old !== undefined) {
    const parsed = parseCanonicalInt64(old);
    if (parsed === null) return c.reply.error('ERR hash value is not an integer');
    current = parsed;
  }
  let result: number | bigint;
  if (typeof current === 'number' && typeof increment === 'number' && Number.isSafeInteger(current + increment)) {
    result = current + increment;
  } else {
    const sum = BigInt(current) + BigInt(increment);
    if (sum < INT64_MIN || sum > INT64_MAX) return c.reply.error(Errors.overflow);
    result = sum;
  }
  const hash = existing ?? new HashValue();
  setField(c, hash, field, String(result));
  commitWrite(c, key, hash, existing);
  c.server.notify('h', 'hincrby', key, c.db.id);
  c.reply.integer(result);
}

function hincrbyfloat(c: Client, argv: string[]): void {
  const key = argv[1];
  const field = argv[2];
  const increment = parseLongDouble(argv[3]);
  if (increment === null) return c.reply.error(Errors.notFloat);
  if (increment.kind !== 'finite') return c.reply.error('ERR value is NaN or Infinity');
  const existing = writeOfType<HashValue>(c, key, 'hash');
  if (existing === null) return;
  let sum: LongDouble = increment;
  const old = existing?.get(field);
  if (old !== undefined) {
    const current = parseLongDouble(old);
    if (current === null) return c.reply.error('ERR hash value is not a float');
    sum = addLongDouble(current, increment);
    if (sum.kind !== 'finite') return c.reply.error('ERR increment would produce NaN or Infinity');
  }
  const text = formatLongDoubleHuman(sum);
  const hash = existing ?? new HashValue();
  setField(c, hash, field, text);
  commitWrite(c, key, hash, existing);
  c.server.notify('h', 'hincrbyfloat', key, c.db.id);
  c.reply.bulk(text);
  // Replicas and the AOF get the result, so float formatting can never make them diverge.
  c.server.dispatcher.alsoPropagate(['HSET', key, field, text]);
}

/** One HRANDFIELD entry: the field, its value WITHVALUES (as a [field, value] pair in RESP3). */
function replyRandomEntry(c: Client, hash: HashValue, i: number, withValues: boolean): void {
  if (withValues && c.reply.resp > 2) c.reply.array(2);
  c.reply.bulk(hash.fieldAt(i));
  if (withValues) c.reply.bulk(hash.valueAt(i));
}

/** The array header of an HRANDFIELD reply of `count` entries (flat field, value in RESP2). */
function replyRandomHeader(c: Client, count: number, withValues: boolean): void {
  c.reply.array(withValues && c.reply.resp === 2 ? count * 2 : count);
}

/** HRANDFIELD key count [WITHVALUES] (Redis's hrandfieldWithCountCommand cases). */
function hrandfieldWithCount(c: Client, argv: string[]): void {
  const count = parseRandomCountOrReply(c, argv[2]);
  if (count === null) return;
  let withValues = false;
  if (argv.length > 4 || (argv.length === 4 && !isOption(optionName(argv[3]), 'WITHVALUES'))) {
    return c.reply.error(Errors.syntax);
  }
  if (argv.length === 4) {
    withValues = true;
    const exact = BigInt(argv[2]);
    if (exact < LONG_MIN_HALF || exact > LONG_MAX_HALF) return c.reply.error('ERR value is out of range');
  }
  const hash = readOfType<HashValue>(c, argv[1], 'hash');
  if (hash === null) return;
  if (hash === undefined || count === 0) return c.reply.array(0);
  const size = hash.size;
  const wanted = Math.abs(count);
  if (count < 0 || count === 1) {
    // Repeats allowed: each pick on its own.
    if (!checkRepeatCountOrReply(c, wanted)) return;
    replyRandomHeader(c, wanted, withValues);
    for (let i = 0; i < wanted; i++) replyRandomEntry(c, hash, Math.floor(Math.random() * size), withValues);
    return;
  }
  if (count >= size) {
    replyRandomHeader(c, size, withValues);
    for (let i = 0; i < size; i++) replyRandomEntry(c, hash, i, withValues);
    return;
  }
  replyRandomHeader(c, count, withValues);
  for (const i of pickDistinct(size, count)) replyRandomEntry(c, hash, i, withValues);
}

function hrandfield(c: Client, argv: string[]): void {
  if (argv.length >= 3) return hrandfieldWithCount(c, argv);
  const hash = readOfType<HashValue>(c, argv[1], 'hash');
  if (hash === null) return;
  if (hash === undefined) return c.reply.nullBulk();
  c.reply.bulk(hash.fieldAt(Math.floor(Math.random() * hash.size)));
}

/** HSCAN key cursor [MATCH pattern] [COUNT count]: fields and values, filtered by field. */
function hscan(c: Client, argv: string[]): void {
  const cursor = parseScanCursorOrReply(c, argv[2]);
  if (cursor === null) return;
  const hash = readOfType<HashValue>(c, argv[1], 'hash');
  if (hash === null) return;
  if (hash === undefined) return replyScan(c, 0, []);
  const options = parseScanOptionsOrReply(c, argv, 3, false);
  if (options === null) return;
  const found: string[] = [];
  const next = hash.scan(cursor, options.count, (field, value) => {
    if (scanMatches(options, field)) found.push(field, value);
  });
  replyScan(c, next, found);
}

/** DEBUG DIGEST: each field/value pair digested in order, the pairs xored together (debug.c). */
function digestHash(digest: Buffer, value: unknown): void {
  const hash = value as HashValue;
  for (let i = 0; i < hash.size; i++) {
    const pair = Buffer.alloc(DIGEST_LENGTH);
    mixDigest(pair, hash.fieldAt(i));
    mixDigest(pair, hash.valueAt(i));
    xorDigest(digest, pair);
  }
}

export const hashCommands: CommandGroup = {
  group: 'hash',
  handlers: {
    hset: (c, argv) => hsetGeneric(c, argv, 'hset'),
    hmset: (c, argv) => hsetGeneric(c, argv, 'hmset'),
    hsetnx,
    hget,
    hmget,
    hdel,
    hlen,
    hstrlen,
    hexists,
    hgetall: (c, argv) => getAllGeneric(c, argv, Parts.Both),
    hkeys: (c, argv) => getAllGeneric(c, argv, Parts.Fields),
    hvals: (c, argv) => getAllGeneric(c, argv, Parts.Values),
    hincrby,
    hincrbyfloat,
    hrandfield,
    hscan,
  },
  install: () => registerValueDigester('hash', digestHash),
};
