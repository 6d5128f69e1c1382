/**
 * Commands that pop from one list and push to another (LMOVE, RPOPLPUSH), or pop from the first
 * non-empty of several lists (LMPOP). Their blocking forms in blocking.ts share these parts.
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isCOption } from '../arguments';
import { writeOfType } from '../lookup';
import type { Quicklist } from '../../types/quicklist';
import {
  ListEnd,
  elementsRemoved,
  parseAtLeastOrReply,
  parseListEndOrReply,
  popAt,
  popCommandName,
  popRangeWithKey,
  pushMovedValue,
} from './list-values';

/**
 * lmoveGenericCommand once the source list is known to exist: pops at `from`, pushes at `to` of
 * the destination, and replies the element. False (and nothing changed) when the destination
 * holds another type (WRONGTYPE was replied).
 */
export function moveFrom(c: Client, srcKey: string, src: Quicklist, dstKey: string, from: ListEnd, to: ListEnd): boolean {
  const dst = writeOfType<Quicklist>(c, dstKey, 'list');
  if (dst === null) return false;
  const value = popAt(src, from)!;
  // With srcKey === dstKey, dst is src: the element goes back before the emptiness check.
  pushMovedValue(c, dstKey, dst, value, to);
  elementsRemoved(c, srcKey, from, src);
  return true;
}

function moveGeneric(c: Client, srcKey: string, dstKey: string, from: ListEnd, to: ListEnd): void {
  const src = writeOfType<Quicklist>(c, srcKey, 'list');
  if (src === null) return;
  if (src === undefined) return c.reply.nullBulk();
  moveFrom(c, srcKey, src, dstKey, from, to);
}

function lmove(c: Client, argv: string[]): void {
  const from = parseListEndOrReply(c, argv[3]);
  if (from === null) return;
  const to = parseListEndOrReply(c, argv[4]);
  if (to === null) return;
  moveGeneric(c, argv[1], argv[2], from, to);
}

function rpoplpush(c: Client, argv: string[]): void {
  moveGeneric(c, argv[1], argv[2], ListEnd.Tail, ListEnd.Head);
}

export interface MultiPopArgs {
  keys: string[];
  end: ListEnd;
  count: number;
}

/**
 * LMPOP/BLMPOP's arguments from `numkeysIndex` on: numkeys key... LEFT|RIGHT [COUNT count].
 * Null after replying the error.
 */
export function parseMultiPopArgsOrReply(c: Client, argv: string[], numkeysIndex: number): MultiPopArgs | null {
  const numkeys = parseAtLeastOrReply(c, argv[numkeysIndex], 1, 'ERR numkeys should be greater than 0');
  if (numkeys === null) return null;
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) {
    c.reply.error(Errors.syntax);
    return null;
  }
  const end = parseListEndOrReply(c, argv[whereIndex]);
  if (end === null) return null;
  let count = -1;
  for (let i = whereIndex + 1; i < argv.length; i++) {
    if (count === -1 && isCOption(argv[i], 'COUNT') && i + 1 < argv.length) {
      const parsed = parseAtLeastOrReply(c, argv[++i], 1, 'ERR count should be greater than 0');
      if (parsed === null) return null;
      count = parsed;
    } else {
      c.reply.error(Errors.syntax);
      return null;
    }
  }
  return { keys: argv.slice(numkeysIndex + 1, whereIndex), end, count: count === -1 ? 1 : count };
}

/**
 * Pops up to `count` elements from `key`'s list and replies [key, [elements]]; it propagates as
 * LPOP/RPOP key n with the number actually popped.
 */
export function popRangePropagated(c: Client, key: string, list: Quicklist, end: ListEnd, count: number): void {
  const popped = Math.min(count, list.length);
  popRangeWithKey(c, key, list, end, count);
  c.server.dispatcher.alsoPropagate([popCommandName(end), key, String(popped)]);
}

/**
 * The first of `keys` holding a non-empty list, or undefined when none does; null after a
 * WRONGTYPE reply (a key of another type met before any list).
 */
export function firstNonEmptyList(c: Client, keys: string[]): [string, Quicklist] | undefined | null {
  for (const key of keys) {
    const list = writeOfType<Quicklist>(c, key, 'list');
    if (list === null) return null;
    if (list !== undefined && list.length > 0) return [key, list];
  }
  return undefined;
}

function lmpop(c: Client, argv: string[]): void {
  const args = parseMultiPopArgsOrReply(c, argv, 1);
  if (args === null) return;
  const found = firstNonEmptyList(c, args.keys);
  if (found === null) return;
  if (found === undefined) return c.reply.nullArray();
  popRangePropagated(c, found[0], found[1], args.end, args.count);
}

export const moveHandlers = { lmove, rpoplpush, lmpop };
