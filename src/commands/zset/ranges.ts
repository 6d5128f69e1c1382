/**
 * Ranges: ZRANGE with its BYSCORE / BYLEX / REV / LIMIT / WITHSCORES options, the older forms
 * (ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX), ZRANGESTORE, and ZREMRANGEBYRANK /
 * BYSCORE / BYLEX. Argument order, option errors and replies follow Redis 7.0's
 * zrangeGenericCommand and zremrangeGenericCommand.
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isCOption, parseLong } from '../arguments';
import { readOfType, writeOfType } from '../lookup';
import { ZsetEntries, type SortedSet } from '../../types/zset';
import type { LexRange, ScoreRange } from '../../types/zset-range';
import {
  afterRemoval,
  parseLexRangeOrReply,
  parseScoreRangeOrReply,
  replyEntries,
  storeEntries,
} from './common';

const enum RangeType {
  Auto,
  Rank,
  Score,
  Lex,
}

const enum Direction {
  Auto,
  Forward,
  Reverse,
}

/**
 * Sanitizes a rank interval as Redis does (negative ranks count from the end); returns null
 * when it selects nothing.
 */
function clampRanks(start: number, end: number, size: number): [number, number] | null {
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) return null;
  return [start, end >= size ? size - 1 : end];
}

/** A parsed range argument pair: ranks, scores or members. */
type RangeSpec =
  | { type: RangeType.Rank; start: number; end: number }
  | { type: RangeType.Score; range: ScoreRange }
  | { type: RangeType.Lex; range: LexRange };

/** Parses min and max for the range type, replying Redis's error for that type on failure. */
function parseRangeOrReply(c: Client, type: RangeType, minArg: string, maxArg: string): RangeSpec | null {
  if (type === RangeType.Rank) {
    const start = parseLong(minArg);
    const end = start === null ? null : parseLong(maxArg);
    if (start === null || end === null) {
      c.reply.error(Errors.notInteger);
      return null;
    }
    return { type, start, end };
  }
  if (type === RangeType.Score) {
    const range = parseScoreRangeOrReply(c, minArg, maxArg);
    return range === null ? null : { type, range };
  }
  const range = parseLexRangeOrReply(c, minArg, maxArg);
  return range === null ? null : { type: RangeType.Lex, range };
}

/**
 * The ZRANGE family. `first` is the index of the source key (1, or 2 for ZRANGESTORE, whose
 * destination is argv[1]); the older commands fix the range type and direction.
 */
function zrangeGeneric(c: Client, argv: string[], first: number, store: boolean, type: RangeType, direction: Direction): void {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = first + 3; j < argv.length; j++) {
    const arg = argv[j];
    if (!store && isCOption(arg, 'WITHSCORES')) {
      withScores = true;
    } else if (isCOption(arg, 'LIMIT') && argv.length - j - 1 >= 2) {
      const parsedOffset = parseLong(argv[j + 1]);
      const parsedLimit = parsedOffset === null ? null : parseLong(argv[j + 2]);
      if (parsedOffset === null || parsedLimit === null) return c.reply.error(Errors.notInteger);
      offset = parsedOffset;
      limit = parsedLimit;
      j += 2;
    } else if (direction === Direction.Auto && isCOption(arg, 'REV')) {
      direction = Direction.Reverse;
    } else if (type === RangeType.Auto && isCOption(arg, 'BYLEX')) {
      type = RangeType.Lex;
    } else if (type === RangeType.Auto && isCOption(arg, 'BYSCORE')) {
      type = RangeType.Score;
    } else {
      return c.reply.error(Errors.syntax);
    }
  }
  if (type === RangeType.Auto) type = RangeType.Rank;
  const reverse = direction === Direction.Reverse;
  // As Redis: the default limit is -1, so "LIMIT 0 -1" goes unnoticed with a rank range.
  if (limit !== -1 && type === RangeType.Rank) {
    return c.reply.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  }
  if (withScores && type === RangeType.Lex) {
    return c.reply.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  }
  // Score and lex ranges are given as max, min when reversed.
  const swap = reverse && type !== RangeType.Rank;
  const minArg = argv[swap ? first + 2 : first + 1];
  const maxArg = argv[swap ? first + 1 : first + 2];

  const spec = parseRangeOrReply(c, type, minArg, maxArg);
  if (spec === null) return;

  const zset = readOfType<SortedSet>(c, argv[first], 'zset');
  if (zset === null) return;
  const out = new ZsetEntries();
  if (zset !== undefined) {
    if (spec.type === RangeType.Rank) {
      const ranks = clampRanks(spec.start, spec.end, zset.size);
      if (ranks !== null) zset.rangeByRank(ranks[0], ranks[1], reverse, out);
    } else if (offset <= 0 || offset < zset.size) {
      // (An offset past the end answers nothing at once, as Redis.)
      if (spec.type === RangeType.Score) zset.rangeByScore(spec.range, offset, limit, reverse, out);
      else zset.rangeByLex(spec.range, offset, limit, reverse, out);
    }
  }
  if (store) {
    // A stored result is built in ascending order, whatever the direction of the range.
    if (reverse) out.reverse();
    storeEntries(c, argv[1], out, 'zrangestore');
  } else {
    replyEntries(c, out, withScores);
  }
}

/** ZREMRANGEBYRANK, ZREMRANGEBYSCORE and ZREMRANGEBYLEX. */
function zremrangeGeneric(c: Client, argv: string[], type: RangeType): void {
  const spec = parseRangeOrReply(c, type, argv[2], argv[3]);
  if (spec === null) return;
  const key = argv[1];
  const zset = writeOfType<SortedSet>(c, key, 'zset');
  if (zset === null) return;
  if (zset === undefined) return c.reply.integer(0);
  let deleted = 0;
  if (spec.type === RangeType.Rank) {
    const ranks = clampRanks(spec.start, spec.end, zset.size);
    if (ranks !== null) deleted = zset.removeRangeByRank(ranks[0], ranks[1]);
  } else if (spec.type === RangeType.Score) {
    deleted = zset.removeRangeByScore(spec.range);
  } else {
    deleted = zset.removeRangeByLex(spec.range);
  }
  if (deleted > 0) {
    afterRemoval(c, key, zset, REMOVE_EVENTS[type]);
    c.server.keyspace.dirty += deleted - 1;
  }
  c.reply.integer(deleted);
}

const REMOVE_EVENTS: Record<number, string> = {
  [RangeType.Rank]: 'zremrangebyrank',
  [RangeType.Score]: 'zremrangebyscore',
  [RangeType.Lex]: 'zremrangebylex',
};

export const rangeHandlers = {
  zrange: (c: Client, argv: string[]) => zrangeGeneric(c, argv, 1, false, RangeType.Auto, Direction.Auto),
  zrangestore: (c: Client, argv: string[]) => zrangeGeneric(c, argv, 2, true, RangeType.Auto, Direction.Auto),
  zrevrange: (c: Client, argv: string[]) => zrangeGeneric(c, argv, 1, false, RangeType.Rank, Direction.Reverse),
  zrangebyscore: (c: Client, argv: string[]) => zrangeGeneric(c, argv, 1, false, RangeType.Score, Direction.Forward),
  zrevrangebyscore: (c: Client, argv: string[]) => zrangeGeneric(c, argv, 1, false, RangeType.Score, Direction.Reverse),
  zrangebylex: (c: Client, argv: string[]) => zrangeGeneric(c, argv, 1, false, RangeType.Lex, Direction.Forward),
  zrevrangebylex: (c: Client, argv: string[]) => zrangeGeneric(c, argv, 1, false, RangeType.Lex, Direction.Reverse),
  zremrangebyrank: (c: Client, argv: string[]) => zremrangeGeneric(c, argv, RangeType.Rank),
  zremrangebyscore: (c: Client, argv: string[]) => zremrangeGeneric(c, argv, RangeType.Score),
  zremrangebylex: (c: Client, argv: string[]) => zremrangeGeneric(c, argv, RangeType.Lex),
};
