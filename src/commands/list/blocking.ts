/**
 * Blocking list commands: BLPOP, BRPOP, BLMPOP, BLMOVE and BRPOPLPUSH. Each first tries to serve
 * at once, like its non-blocking form (and then propagates as that form); otherwise the client
 * waits on the keys through the server's BlockingManager and is served when a key gets data
 * (Redis 7.0's serveClientBlockedOnList), answers null at its timeout, or does not block at all
 * inside MULTI or a script.
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { parseBlockTimeoutOrReply } from '../arguments';
import { writeOfType } from '../lookup';
import { isStringValue } from '../../keyspace/value';
import type { Quicklist } from '../../types/quicklist';
import {
  ListEnd,
  elementsRemoved,
  endName,
  parseListEndOrReply,
  popAt,
  popCommandName,
  pushMovedValue,
} from './list-values';
import { firstNonEmptyList, moveFrom, parseMultiPopArgsOrReply, popRangePropagated } from './move';

/** The non-empty list at `key` for a blocked client, or undefined when it cannot serve it. */
function readyList(c: Client, key: string): Quicklist | undefined {
  const value = c.db.lookupWrite(key);
  if (value === undefined || isStringValue(value) || value.type !== 'list') return undefined;
  const list = value as Quicklist;
  return list.length > 0 ? list : undefined;
}

/** Pops one element for BLPOP/BRPOP and replies [key, element]. */
function popOneWithKey(c: Client, key: string, list: Quicklist, end: ListEnd): void {
  const value = popAt(list, end)!;
  c.reply.array(2);
  c.reply.bulk(key);
  c.reply.bulk(value);
  elementsRemoved(c, key, end, list);
  c.server.dispatcher.alsoPropagate([popCommandName(end), key]);
}

/**
 * Serves a blocked BLPOP/BRPOP (count -1) or BLMPOP from `key`, as the waiting client; the pop
 * propagates as LPOP/RPOP [count].
 */
function serveBlockedPop(c: Client, key: string, end: ListEnd, count: number): boolean {
  const list = readyList(c, key);
  if (list === undefined) return false;
  if (count === -1) popOneWithKey(c, key, list, end);
  else popRangePropagated(c, key, list, end, count);
  return true;
}

/**
 * blockingPopGenericCommand: BLPOP/BRPOP (count -1, a [key, element] reply) and BLMPOP (a
 * [key, [elements]] reply).
 */
function blockingPop(c: Client, keys: string[], end: ListEnd, timeoutArg: string, count: number): void {
  const timeoutAt = parseBlockTimeoutOrReply(c, timeoutArg, 'seconds');
  if (timeoutAt === null) return;
  const found = firstNonEmptyList(c, keys);
  if (found === null) return;
  if (found !== undefined) {
    const [key, list] = found;
    if (count === -1) popOneWithKey(c, key, list, end);
    else popRangePropagated(c, key, list, end, count);
    return;
  }
  // Where blocking is not allowed, the only answer is the timeout's.
  if (!c.server.blocking.canBlock(c)) return c.reply.nullArray();
  c.server.blocking.block(c, {
    keys,
    timeoutAt,
    tryServe: (client, key) => serveBlockedPop(client, key, end, count),
  });
}

function blpop(c: Client, argv: string[]): void {
  blockingPop(c, argv.slice(1, -1), ListEnd.Head, argv[argv.length - 1], -1);
}

function brpop(c: Client, argv: string[]): void {
  blockingPop(c, argv.slice(1, -1), ListEnd.Tail, argv[argv.length - 1], -1);
}

function blmpop(c: Client, argv: string[]): void {
  const args = parseMultiPopArgsOrReply(c, argv, 2);
  if (args === null) return;
  blockingPop(c, args.keys, args.end, argv[1], args.count);
}

/** What BLMOVE or BRPOPLPUSH propagates for a move from `srcKey`. */
function moveCommand(srcKey: string, dstKey: string, from: string, to: string, asRpoplpush: boolean): string[] {
  return asRpoplpush ? ['RPOPLPUSH', srcKey, dstKey] : ['LMOVE', srcKey, dstKey, from, to];
}

/**
 * Serves a blocked BLMOVE/BRPOPLPUSH from `srcKey`. A destination of another type ends the wait
 * with WRONGTYPE, and nothing is popped.
 */
function serveBlockedMove(
  c: Client,
  srcKey: string,
  dstKey: string,
  from: ListEnd,
  to: ListEnd,
  asRpoplpush: boolean,
): boolean {
  const src = readyList(c, srcKey);
  if (src === undefined) return false;
  const dst = c.db.lookupWrite(dstKey);
  if (dst !== undefined && (isStringValue(dst) || dst.type !== 'list')) {
    c.reply.error(Errors.wrongType);
    return true;
  }
  const value = popAt(src, from)!;
  pushMovedValue(c, dstKey, dst as Quicklist | undefined, value, to);
  elementsRemoved(c, srcKey, from, src);
  c.server.dispatcher.alsoPropagate(moveCommand(srcKey, dstKey, endName(from), endName(to), asRpoplpush));
  return true;
}

/**
 * blmoveGenericCommand. `directionArgs` are the LEFT/RIGHT arguments as sent (an immediate move
 * propagates them as they are), null for BRPOPLPUSH.
 */
function blockingMove(
  c: Client,
  argv: string[],
  from: ListEnd,
  to: ListEnd,
  timeoutArg: string,
  directionArgs: [string, string] | null,
): void {
  const timeoutAt = parseBlockTimeoutOrReply(c, timeoutArg, 'seconds');
  if (timeoutAt === null) return;
  const [, srcKey, dstKey] = argv;
  const src = writeOfType<Quicklist>(c, srcKey, 'list');
  if (src === null) return;
  const asRpoplpush = directionArgs === null;
  if (src !== undefined) {
    if (moveFrom(c, srcKey, src, dstKey, from, to)) {
      const [fromArg, toArg] = directionArgs ?? ['', ''];
      c.server.dispatcher.alsoPropagate(moveCommand(srcKey, dstKey, fromArg, toArg, asRpoplpush));
    }
    return;
  }
  if (!c.server.blocking.canBlock(c)) return c.reply.nullBulk();
  c.server.blocking.block(c, {
    keys: [srcKey],
    timeoutAt,
    tryServe: (client, key) => serveBlockedMove(client, key, dstKey, from, to, asRpoplpush),
  });
}

function blmove(c: Client, argv: string[]): void {
  const from = parseListEndOrReply(c, argv[3]);
  if (from === null) return;
  const to = parseListEndOrReply(c, argv[4]);
  if (to === null) return;
  blockingMove(c, argv, from, to, argv[5], [argv[3], argv[4]]);
}

function brpoplpush(c: Client, argv: string[]): void {
  blockingMove(c, argv, ListEnd.Tail, ListEnd.Head, argv[3], null);
}

export const blockingHandlers = { blpop, brpop, blmpop, blmove, brpoplpush };
