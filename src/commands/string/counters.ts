/**
 * INCR, DECR, INCRBY, DECRBY (signed 64-bit, exactly) and INCRBYFLOAT (long double, exactly as
 * Redis computes and prints it). Counters stay JS numbers while they are safe integers; BigInt
 * is used only near the 64-bit limits.
 */
import type { Client } from '../../server/client';
import type { CommandHandler } from '../registry';
import { Errors } from '../../protocol/errors';
import { parseInt64, parseLong } from '../arguments';
import { writeOfType } from '../lookup';
import { stringOf, type StringValue } from '../../keyspace/value';
import {
  addLongDouble,
  formatLongDoubleHuman,
  longDoubleFromNumber,
  parseLongDouble,
  type LongDouble,
} from '../../types/long-double';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A signed 64-bit integer parsed as Redis's string2ll: a number when exact, else a BigInt. */
function parseInteger(s: string): number | bigint | null {
  if (s.length < 16) return parseLong(s);
  const big = parseInt64(s);
  if (big === null) return null;
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big;
}

/** The integer a string value holds, or null when it is not one. */
function integerOf(v: StringValue | undefined): number | bigint | null {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  return parseInteger(stringOf(v));
}

function incrDecr(c: Client, key: string, increment: number | bigint): void {
  const current = writeOfType<StringValue>(c, key, 'string');
  if (current === null) return;
  const value = integerOf(current);
  if (value === null) return c.reply.error(Errors.notInteger);
  let result: number | bigint;
  if (typeof value === 'number' && typeof increment === 'number' && Number.isSafeInteger(value + increment)) {
    result = value + increment;
  } else {
    const sum = BigInt(value) + BigInt(increment);
    if (sum < INT64_MIN || sum > INT64_MAX) return c.reply.error(Errors.overflow);
    const n = Number(sum);
    result = Number.isSafeInteger(n) ? n : sum;
  }
  // Integers beyond 2^53 are kept as their text, which still reads as encoding "int".
  c.db.set(key, typeof result === 'number' ? result : result.toString(), true);
  c.server.notify('$', 'incrby', key, c.db.id);
  c.reply.integer(result);
}

function incrementOrReply(c: Client, arg: string): number | bigint | null {
  const n = parseInteger(arg);
  if (n === null) c.reply.error(Errors.notInteger);
  return n;
}

function incrby(c: Client, argv: string[]): void {
  const increment = incrementOrReply(c, argv[2]);
  if (increment !== null) incrDecr(c, argv[1], increment);
}

function decrby(c: Client, argv: string[]): void {
  const decrement = incrementOrReply(c, argv[2]);
  if (decrement === null) return;
  // -LLONG_MIN does not fit.
  if (decrement === INT64_MIN) return c.reply.error('ERR decrement would overflow');
  incrDecr(c, argv[1], typeof decrement === 'number' ? 0 - decrement : 0n - decrement);
}

function longDoubleOf(v: StringValue | undefined): LongDouble | null {
  if (v === undefined) return longDoubleFromNumber(0);
  if (typeof v === 'number') return longDoubleFromNumber(v);
  return parseLongDouble(stringOf(v));
}

function incrbyfloat(c: Client, argv: string[]): void {
  const key = argv[1];
  const current = writeOfType<StringValue>(c, key, 'string');
  if (current === null) return;
  const value = longDoubleOf(current);
  const increment = value === null ? null : parseLongDouble(argv[2]);
  if (value === null || increment === null) return c.reply.error(Errors.notFloat);
  const sum = addLongDouble(value, increment);
  if (sum.kind !== 'finite') return c.reply.error('ERR increment would produce NaN or Infinity');
  const text = formatLongDoubleHuman(sum);
  c.db.set(key, text, true);
  c.server.notify('$', 'incrbyfloat', key, c.db.id);
  c.reply.bulk(text);
  // Replicas and the AOF get the result, so float formatting can never make them diverge.
  c.server.dispatcher.alsoPropagate(['SET', key, text, 'KEEPTTL']);
}

export const counterHandlers: Record<string, CommandHandler> = {
  incr: (c, argv) => incrDecr(c, argv[1], 1),
  decr: (c, argv) => incrDecr(c, argv[1], -1),
  incrby,
  decrby,
  incrbyfloat,
};
