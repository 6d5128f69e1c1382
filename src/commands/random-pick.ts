/**
 * What SRANDMEMBER and HRANDFIELD (and any other "random members with a count" command) share:
 * the count argument with Redis's range and errors, and picking distinct random positions.
 */
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { parseInt64 } from './arguments';

const LONG_MAX = 2n ** 63n - 1n;

/**
 * Redis answers a negative count with that many random picks, building the whole reply in
 * memory; a count past this would exhaust the process, so Nodis refuses it.
 */
export const MAX_REPEATED_PICKS = 1 << 24;

/**
 * Parses a count as Redis's getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX). The result is
 * exact up to 2^53, which is all a reply can hold anyway.
 */
export function parseRandomCountOrReply(c: Client, arg: string): number | null {
  const n = parseInt64(arg);
  if (n === null) {
    c.reply.error(Errors.notInteger);
    return null;
  }
  if (n < -LONG_MAX) {
    c.reply.error(`ERR value is out of range, value must between -${LONG_MAX} and ${LONG_MAX}`);
    return null;
  }
  return Number(n);
}

/** Refuses a repeat count too big to answer (see MAX_REPEATED_PICKS); true when it is fine. */
export function checkRepeatCountOrReply(c: Client, count: number): boolean {
  if (count <= MAX_REPEATED_PICKS) return true;
  c.reply.error('ERR value is out of range');
  return false;
}

/**
 * `count` distinct positions in [0, size), uniformly at random (count < size). As Redis: when
 * count is close to size, start from every position and drop random ones; otherwise draw until
 * enough distinct ones came up.
 */
export function pickDistinct(size: number, count: number, random: () => number = Math.random): number[] {
  if (count * 3 > size) {
    const positions = new Array<number>(size);
    for (let i = 0; i < size; i++) positions[i] = i;
    for (let left = size; left > count; left--) {
      const drop = Math.floor(random() * left);
      positions[drop] = positions[left - 1];
    }
    positions.length = count;
    return positions;
  }
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(random() * size));
  return [...picked];
}
