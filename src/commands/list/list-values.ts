/**
 * Helpers the list commands share (Redis's t_list.c list API): creating a list with the
 * configured node size, pushing and popping at either end, the bookkeeping after elements were
 * popped (events, deleting an emptied list), and the argument forms several commands parse.
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isCOption, parseLong } from '../arguments';
import { Quicklist } from '../../types/quicklist';

/** Which end of a list: LEFT is the head, RIGHT the tail. */
export const enum ListEnd {
  Head,
  Tail,
}

/** LEFT or RIGHT (getListPositionFromObjectOrReply); null after replying a syntax error. */
export function parseListEndOrReply(c: Client, arg: string): ListEnd | null {
  if (isCOption(arg, 'RIGHT')) return ListEnd.Tail;
  if (isCOption(arg, 'LEFT')) return ListEnd.Head;
  c.reply.error(Errors.syntax);
  return null;
}

/** The lowercase direction name Redis propagates (shared.left / shared.right). */
export function endName(end: ListEnd): string {
  return end === ListEnd.Head ? 'left' : 'right';
}

/** The pop command a pop at `end` propagates as. */
export function popCommandName(end: ListEnd): string {
  return end === ListEnd.Head ? 'LPOP' : 'RPOP';
}

/**
 * An integer in min..LONG_MAX (getRangeLongFromObjectOrReply with a message): anything else,
 * not a number included, replies `message`.
 */
export function parseAtLeastOrReply(c: Client, arg: string, min: number, message: string): number | null {
  const n = parseLong(arg);
  if (n === null || n < min) {
    c.reply.error(message);
    return null;
  }
  return n;
}

/** A new empty list with the node size currently configured (Redis fixes it at creation). */
export function newList(c: Client): Quicklist {
  return new Quicklist(c.server.config.getNumber('list-max-listpack-size'));
}

export function pushAt(list: Quicklist, end: ListEnd, value: string): void {
  if (end === ListEnd.Head) list.pushHead(value);
  else list.pushTail(value);
}

export function popAt(list: Quicklist, end: ListEnd): string | undefined {
  return end === ListEnd.Head ? list.popHead() : list.popTail();
}

/**
 * After popping from the list at `key` (listElementsRemoved): the lpop/rpop event, and the key
 * deleted when the list is now empty.
 */
export function elementsRemoved(c: Client, key: string, end: ListEnd, list: Quicklist): void {
  const db = c.db;
  c.server.notify('l', end === ListEnd.Head ? 'lpop' : 'rpop', key, db.id);
  if (list.length === 0) {
    db.delete(key);
    c.server.notify('g', 'del', key, db.id);
  } else {
    db.modified(key);
  }
}

/** Pops up to `count` elements at `end` and replies them as an array, in pop order. */
export function popAndReplyRange(c: Client, list: Quicklist, end: ListEnd, count: number): void {
  const n = Math.min(count, list.length);
  c.reply.array(n);
  for (let i = 0; i < n; i++) c.reply.bulk(popAt(list, end)!);
}

/**
 * listPopRangeAndReplyWithKey: replies [key, [elements]] with up to `count` elements popped at
 * `end`, then does the bookkeeping.
 */
export function popRangeWithKey(c: Client, key: string, list: Quicklist, end: ListEnd, count: number): void {
  c.reply.array(2);
  c.reply.bulk(key);
  popAndReplyRange(c, list, end, count);
  elementsRemoved(c, key, end, list);
}

/**
 * The push half of LMOVE (lmoveHandlePush): pushes `value` at `end` of the list at `dstKey`
 * (`dst`, or a new list when undefined), fires the push event and replies the value.
 */
export function pushMovedValue(c: Client, dstKey: string, dst: Quicklist | undefined, value: string, end: ListEnd): void {
  if (dst === undefined) {
    const list = newList(c);
    pushAt(list, end, value);
    c.db.set(dstKey, list);
  } else {
    pushAt(dst, end, value);
    c.db.modified(dstKey);
  }
  c.server.notify('l', end === ListEnd.Head ? 'lpush' : 'rpush', dstKey, c.db.id);
  c.reply.bulk(value);
}
