/**
 * Adding, removing and reading single members: ZADD, ZINCRBY, ZREM, ZSCORE, ZMSCORE, ZCARD,
 * ZRANK, ZREVRANK, and the counts ZCOUNT and ZLEXCOUNT (Redis 7.0's t_zset.c).
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isCOption, parseDouble } from '../arguments';
import { readOfType, writeOfType } from '../lookup';
import { SortedSet, ZaddIn, ZaddOut } from '../../types/zset';
import { afterRemoval, limitsOf, parseLexRangeOrReply, parseScoreRangeOrReply } from './common';

/** CH's bit among the parsed ZADD options (it changes the reply, not zsetAdd). */
const CH = 1 << 8;

/** The flag of a ZADD option (NX, XX, GT, LT, INCR, CH), or 0 when the argument is none. */
function zaddOption(arg: string): number {
  // Every option starts with a letter; the first score (a digit, sign or dot) ends the options.
  const first = arg.charCodeAt(0) | 0x20;
  if (first < 0x61 || first > 0x7a) return 0;
  if (isCOption(arg, 'NX')) return ZaddIn.NX;
  if (isCOption(arg, 'XX')) return ZaddIn.XX;
  if (isCOption(arg, 'GT')) return ZaddIn.GT;
  if (isCOption(arg, 'LT')) return ZaddIn.LT;
  if (isCOption(arg, 'CH')) return CH;
  if (isCOption(arg, 'INCR')) return ZaddIn.Incr;
  return 0;
}

/** ZADD and ZINCRBY (Redis's zaddGenericCommand). */
function zaddGeneric(c: Client, argv: string[], flags: number): void {
  const key = argv[1];
  let scoreIndex = 2;
  for (let option; scoreIndex < argv.length && (option = zaddOption(argv[scoreIndex])) !== 0; scoreIndex++) {
    flags |= option;
  }
  const incr = (flags & ZaddIn.Incr) !== 0;
  const nx = (flags & ZaddIn.NX) !== 0;
  const xx = (flags & ZaddIn.XX) !== 0;
  const gt = (flags & ZaddIn.GT) !== 0;
  const lt = (flags & ZaddIn.LT) !== 0;
  const pairs = argv.length - scoreIndex;
  if (pairs === 0 || pairs % 2 !== 0) return c.reply.error(Errors.syntax);
  if (nx && xx) return c.reply.error('ERR XX and NX options at the same time are not compatible');
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    return c.reply.error('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if (incr && pairs > 2) return c.reply.error('ERR INCR option supports a single increment-element pair');

  // Every score is checked before anything changes: the command runs fully or not at all.
  const scores = new Array<number>(pairs / 2);
  for (let j = 0; j < scores.length; j++) {
    const score = parseDouble(argv[scoreIndex + j * 2]);
    if (score === null) return c.reply.error(Errors.notFloat);
    scores[j] = score;
  }

  const existing = writeOfType<SortedSet>(c, key, 'zset');
  if (existing === null) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  // A missing key with XX: nothing to do (and no key is created).
  if (existing !== undefined || !xx) {
    const zset = existing ?? new SortedSet();
    const limits = limitsOf(c);
    for (let j = 0; j < scores.length; j++) {
      const result = zset.add(scores[j], argv[scoreIndex + 1 + j * 2], flags, limits);
      if (result === ZaddOut.NaN) {
        // Only INCR can get here, with a single member: nothing was changed.
        return c.reply.error('ERR resulting score is not a number (NaN)');
      }
      if (result & ZaddOut.Added) added++;
      if (result & ZaddOut.Updated) updated++;
      if (!(result & ZaddOut.Nop)) processed++;
      score = zset.lastScore;
    }
    if (added + updated > 0) {
      if (existing === undefined) c.db.set(key, zset, false);
      else c.db.modified(key);
      c.server.keyspace.dirty += added + updated - 1;
      c.server.notify('z', incr ? 'zincr' : 'zadd', key, c.db.id);
    }
  }
  if (incr) {
    if (processed > 0) c.reply.double(score);
    else c.reply.nullBulk();
  } else {
    c.reply.integer(flags & CH ? added + updated : added);
  }
}

function zrem(c: Client, argv: string[]): void {
  const key = argv[1];
  const zset = writeOfType<SortedSet>(c, key, 'zset');
  if (zset === null) return;
  if (zset === undefined) return c.reply.integer(0);
  let deleted = 0;
  for (let i = 2; i < argv.length && zset.size > 0; i++) if (zset.remove(argv[i])) deleted++;
  if (deleted > 0) {
    afterRemoval(c, key, zset, 'zrem');
    c.server.keyspace.dirty += deleted - 1;
  }
  c.reply.integer(deleted);
}

function zscore(c: Client, argv: string[]): void {
  const zset = readOfType<SortedSet>(c, argv[1], 'zset');
  if (zset === null) return;
  const score = zset?.score(argv[2]);
  if (score === undefined) c.reply.nullBulk();
  else c.reply.double(score);
}

function zmscore(c: Client, argv: string[]): void {
  const zset = readOfType<SortedSet>(c, argv[1], 'zset');
  if (zset === null) return;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = zset?.score(argv[i]);
    if (score === undefined) c.reply.nullBulk();
    else c.reply.double(score);
  }
}

function zcard(c: Client, argv: string[]): void {
  const zset = readOfType<SortedSet>(c, argv[1], 'zset');
  if (zset === null) return;
  c.reply.integer(zset?.size ?? 0);
}

function zrankGeneric(c: Client, argv: string[], reverse: boolean): void {
  const zset = readOfType<SortedSet>(c, argv[1], 'zset');
  if (zset === null) return;
  const rank = zset === undefined ? -1 : zset.rank(argv[2], reverse);
  if (rank < 0) c.reply.nullBulk();
  else c.reply.integer(rank);
}

function zcount(c: Client, argv: string[]): void {
  const range = parseScoreRangeOrReply(c, argv[2], argv[3]);
  if (range === null) return;
  const zset = readOfType<SortedSet>(c, argv[1], 'zset');
  if (zset === null) return;
  c.reply.integer(zset === undefined ? 0 : zset.countByScore(range));
}

function zlexcount(c: Client, argv: string[]): void {
  const range = parseLexRangeOrReply(c, argv[2], argv[3]);
  if (range === null) return;
  const zset = readOfType<SortedSet>(c, argv[1], 'zset');
  if (zset === null) return;
  c.reply.integer(zset === undefined ? 0 : zset.countByLex(range));
}

export const addHandlers = {
  zadd: (c: Client, argv: string[]) => zaddGeneric(c, argv, 0),
  zincrby: (c: Client, argv: string[]) => zaddGeneric(c, argv, ZaddIn.Incr),
  zrem,
  zscore,
  zmscore,
  zcard,
  zrank: (c: Client, argv: string[]) => zrankGeneric(c, argv, false),
  zrevrank: (c: Client, argv: string[]) => zrankGeneric(c, argv, true),
  zcount,
  zlexcount,
};
