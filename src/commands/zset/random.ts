/**
 * ZRANDMEMBER and ZSCAN: the commands that visit members in no particular order.
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isCOption, parseInt64 } from '../arguments';
import { readOfType } from '../lookup';
import { checkRepeatCountOrReply, parseRandomCountOrReply, pickDistinct } from '../random-pick';
import { parseScanCursorOrReply, parseScanOptionsOrReply, replyScan, scanMatches } from '../scan';
import { ZsetEntries, type SortedSet } from '../../types/zset';
import { replyEntries } from './common';

/** Redis's bound on a count with WITHSCORES, LONG_MAX / 2 (the reply holds twice as many items). */
const WITHSCORES_COUNT_LIMIT = (2n ** 63n - 1n) / 2n;

/** One random member and its score, appended to out. */
function pickRandom(zset: SortedSet, out: ZsetEntries): void {
  const i = Math.floor(Math.random() * zset.size);
  out.push(zset.memberAt(i), zset.scoreAt(i));
}

/** ZRANDMEMBER key count [WITHSCORES] (Redis's zrandmemberWithCountCommand). */
function zrandmemberWithCount(c: Client, key: string, count: number, withScores: boolean): void {
  const zset = readOfType<SortedSet>(c, key, 'zset');
  if (zset === null) return;
  if (zset === undefined || count === 0) return c.reply.array(0);
  const out = new ZsetEntries();
  const size = zset.size;
  if (count < 0 || count === 1) {
    // Repeats allowed: every pick samples the whole set.
    const picks = Math.abs(count);
    if (!checkRepeatCountOrReply(c, picks)) return;
    for (let n = 0; n < picks; n++) pickRandom(zset, out);
  } else if (count >= size) {
    // The whole sorted set, from the highest score down (Redis's zset iterator walks backwards).
    zset.rangeByRank(0, size - 1, true, out);
  } else {
    const positions = pickDistinct(size, count);
    // A listpack gives its sample in listpack order, as Redis's lpRandomPairsUnique.
    if (zset.isCompact) positions.sort((a, b) => a - b);
    for (const i of positions) out.push(zset.memberAt(i), zset.scoreAt(i));
  }
  replyEntries(c, out, withScores);
}

function zrandmember(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const count = parseRandomCountOrReply(c, argv[2]);
    if (count === null) return;
    if (argv.length > 4 || (argv.length === 4 && !isCOption(argv[3], 'WITHSCORES'))) {
      return c.reply.error(Errors.syntax);
    }
    const withScores = argv.length === 4;
    if (withScores) {
      const exact = parseInt64(argv[2])!;
      if (exact < -WITHSCORES_COUNT_LIMIT || exact > WITHSCORES_COUNT_LIMIT) return c.reply.error('ERR value is out of range');
    }
    return zrandmemberWithCount(c, argv[1], count, withScores);
  }
  const zset = readOfType<SortedSet>(c, argv[1], 'zset');
  if (zset === null) return;
  if (zset === undefined) return c.reply.nullBulk();
  c.reply.bulk(zset.memberAt(Math.floor(Math.random() * zset.size)));
}

/** ZSCAN key cursor [MATCH pattern] [COUNT count]: flat member, score pairs. */
function zscan(c: Client, argv: string[]): void {
  const cursor = parseScanCursorOrReply(c, argv[2]);
  if (cursor === null) return;
  const zset = readOfType<SortedSet>(c, argv[1], 'zset');
  if (zset === null) return;
  if (zset === undefined) return replyScan(c, 0, []);
  const options = parseScanOptionsOrReply(c, argv, 3, false);
  if (options === null) return;
  const found: string[] = [];
  const next = zset.scan(cursor, options.count, (member, score) => {
    if (scanMatches(options, member)) found.push(member, score);
  });
  replyScan(c, next, found);
}

export const randomHandlers = { zrandmember, zscan };
