/**
 * Sorted set commands, split by theme: adding and reading members (zset/add.ts), ranges
 * (zset/ranges.ts), set operations (zset/setops.ts), pops and blocking pops (zset/pops.ts),
 * ZRANDMEMBER and ZSCAN (zset/random.ts). The structure is in src/types/zset.ts.
 */
import type { CommandGroup } from './registry';
import type { RedisValue } from '../keyspace/value';
import { SortedSet } from '../types/zset';
import { formatDouble } from '../protocol/format-double';
import { DIGEST_LENGTH, mixDigest, registerValueDigester, xorDigest } from './server/digest';
import { trackListpackLimits } from './zset/common';
import { addHandlers } from './zset/add';
import { rangeHandlers } from './zset/ranges';
import { setOperationHandlers } from './zset/setops';
import { popHandlers } from './zset/pops';
import { randomHandlers } from './zset/random';

/**
 * DEBUG DIGEST of a sorted set (debug.c): each member and its "%.17g" score mixed into a digest
 * of their own, and those xored together, so the order does not matter.
 */
function digestSortedSet(digest: Buffer, value: RedisValue): void {
  const zset = value as SortedSet;
  const element = Buffer.alloc(DIGEST_LENGTH);
  for (let i = 0; i < zset.size; i++) {
    element.fill(0);
    mixDigest(element, zset.memberAt(i));
    mixDigest(element, formatDouble(zset.scoreAt(i)));
    xorDigest(digest, element);
  }
}

export const zsetCommands: CommandGroup = {
  group: 'zset',
  handlers: {
    ...addHandlers,
    ...rangeHandlers,
    ...setOperationHandlers,
    ...popHandlers,
    ...randomHandlers,
  },
  install(server) {
    trackListpackLimits(server);
    registerValueDigester('zset', digestSortedSet);
  },
};
