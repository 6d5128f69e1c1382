/**
 * Pops: ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP (Redis 7.0's
 * genericZpopCommand and blockingGenericZpopCommand). Pops by ZMPOP and the blocking commands
 * propagate as ZPOPMIN/ZPOPMAX key [count], count being the number of members popped.
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isCOption, parseBlockTimeoutOrReply, parseLong } from '../arguments';
import { writeOfType } from '../lookup';
import { SortedSet, ZsetEntries } from '../../types/zset';
import { afterRemoval, replyScoredEntries } from './common';

/** How a pop's reply is shaped. */
const enum PopShape {
  /** ZPOPMIN/ZPOPMAX: member, score, ... ([member, score] pairs in RESP3 when a count is given). */
  Plain,
  /** BZPOPMIN/BZPOPMAX: key, member, score. */
  WithKey,
  /** ZMPOP/BZMPOP: [key, [[member, score], ...]]. */
  KeyAndPairs,
}

/**
 * Pops up to `count` members (-1: one, without a count) from a non-empty sorted set, replies in
 * the given shape, and does the bookkeeping; returns how many were popped.
 */
function popFrom(c: Client, key: string, zset: SortedSet, fromMax: boolean, count: number, shape: PopShape): number {
  const entries = new ZsetEntries();
  zset.pop(count === -1 ? 1 : count, fromMax, entries);
  if (shape === PopShape.WithKey) {
    c.reply.array(entries.length * 2 + 1);
    c.reply.bulk(key);
    for (let i = 0; i < entries.length; i++) {
      c.reply.bulk(entries.members[i]);
      c.reply.double(entries.scores[i]);
    }
  } else if (shape === PopShape.KeyAndPairs) {
    c.reply.array(2);
    c.reply.bulk(key);
    replyScoredEntries(c, entries, true);
  } else {
    replyScoredEntries(c, entries, c.reply.resp > 2 && count !== -1);
  }
  afterRemoval(c, key, zset, fromMax ? 'zpopmax' : 'zpopmin');
  c.server.keyspace.dirty += entries.length - 1;
  return entries.length;
}

/** The command a pop propagates as: ZPOPMIN/ZPOPMAX key, with the count popped unless -1. */
function propagatePop(c: Client, key: string, fromMax: boolean, popped: number | -1): void {
  const argv = [fromMax ? 'ZPOPMAX' : 'ZPOPMIN', key];
  if (popped !== -1) argv.push(String(popped));
  c.server.dispatcher.alsoPropagate(argv);
}

/**
 * The first of `keys` holding a sorted set, or undefined when none exists; null after a
 * WRONGTYPE reply (keys are checked in order, up to the first sorted set).
 */
function firstSortedSet(c: Client, keys: readonly string[]): [string, SortedSet] | undefined | null {
  for (const key of keys) {
    const zset = writeOfType<SortedSet>(c, key, 'zset');
    if (zset === null) return null;
    if (zset !== undefined && zset.size > 0) return [key, zset];
  }
  return undefined;
}

/** ZPOPMIN / ZPOPMAX key [count]. */
function zpopMinMax(c: Client, argv: string[], fromMax: boolean): void {
  if (argv.length > 3) return c.reply.error(Errors.syntax);
  let count = -1;
  if (argv.length === 3) {
    const parsed = parseLong(argv[2]);
    if (parsed === null || parsed < 0) return c.reply.error('ERR value is out of range, must be positive');
    count = parsed;
  }
  const found = firstSortedSet(c, [argv[1]]);
  if (found === null) return;
  if (found === undefined || count === 0) return c.reply.array(0);
  popFrom(c, found[0], found[1], fromMax, count, PopShape.Plain);
}

/** What ZMPOP and BZMPOP parse: numkeys, the keys, MIN|MAX and COUNT. */
interface MultiPop {
  keys: string[];
  fromMax: boolean;
  count: number;
}

function parseMultiPopOrReply(c: Client, argv: string[], numkeysIndex: number): MultiPop | null {
  const numkeys = parseLong(argv[numkeysIndex]);
  if (numkeys === null || numkeys < 1) {
    c.reply.error('ERR numkeys should be greater than 0');
    return null;
  }
  const whereIndex = numkeysIndex + numkeys + 1;
  const where = whereIndex < argv.length ? argv[whereIndex] : '';
  const fromMax = isCOption(where, 'MAX');
  if (!fromMax && !isCOption(where, 'MIN')) {
    c.reply.error(Errors.syntax);
    return null;
  }
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    if (count === -1 && isCOption(argv[j], 'COUNT') && j + 1 < argv.length) {
      const parsed = parseLong(argv[++j]);
      if (parsed === null || parsed < 1) {
        c.reply.error('ERR count should be greater than 0');
        return null;
      }
      count = parsed;
    } else {
      c.reply.error(Errors.syntax);
      return null;
    }
  }
  return { keys: argv.slice(numkeysIndex + 1, whereIndex), fromMax, count: count === -1 ? 1 : count };
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]. */
function zmpop(c: Client, argv: string[]): void {
  const parsed = parseMultiPopOrReply(c, argv, 1);
  if (parsed === null) return;
  const found = firstSortedSet(c, parsed.keys);
  if (found === null) return;
  if (found === undefined) return c.reply.nullArray();
  const popped = popFrom(c, found[0], found[1], parsed.fromMax, parsed.count, PopShape.KeyAndPairs);
  propagatePop(c, found[0], parsed.fromMax, popped);
}

/**
 * The blocking pops: serve at once from the first non-empty sorted set, or wait for one of the
 * keys (a null array on timeout, or at once inside MULTI).
 */
function blockingPop(c: Client, keys: string[], fromMax: boolean, timeoutArg: string, count: number, shape: PopShape): void {
  const timeoutAt = parseBlockTimeoutOrReply(c, timeoutArg, 'seconds');
  if (timeoutAt === null) return;
  const found = firstSortedSet(c, keys);
  if (found === null) return;
  if (found !== undefined) {
    const popped = popFrom(c, found[0], found[1], fromMax, count, shape);
    propagatePop(c, found[0], fromMax, count === -1 ? -1 : popped);
    return;
  }
  if (!c.server.blocking.canBlock(c)) return c.reply.nullArray();
  c.server.blocking.block(c, {
    keys,
    timeoutAt,
    tryServe(client, key) {
      const value = client.db.peek(key);
      if (!(value instanceof SortedSet) || value.size === 0) return false;
      client.db.lookupWrite(key);
      const popped = popFrom(client, key, value, fromMax, count, shape);
      propagatePop(client, key, fromMax, count === -1 ? -1 : popped);
      return true;
    },
  });
}

/** BZPOPMIN / BZPOPMAX key [key ...] timeout. */
function bzpopMinMax(c: Client, argv: string[], fromMax: boolean): void {
  blockingPop(c, argv.slice(1, -1), fromMax, argv[argv.length - 1], -1, PopShape.WithKey);
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]. */
function bzmpop(c: Client, argv: string[]): void {
  const parsed = parseMultiPopOrReply(c, argv, 2);
  if (parsed === null) return;
  blockingPop(c, parsed.keys, parsed.fromMax, argv[1], parsed.count, PopShape.KeyAndPairs);
}

export const popHandlers = {
  zpopmin: (c: Client, argv: string[]) => zpopMinMax(c, argv, false),
  zpopmax: (c: Client, argv: string[]) => zpopMinMax(c, argv, true),
  zmpop,
  bzpopmin: (c: Client, argv: string[]) => bzpopMinMax(c, argv, false),
  bzpopmax: (c: Client, argv: string[]) => bzpopMinMax(c, argv, true),
  bzmpop,
};
