/**
 * List commands: pushes and pops, LRANGE/LINDEX/LLEN/LPOS reads, LSET/LINSERT/LREM/LTRIM edits.
 * LMOVE/RPOPLPUSH/LMPOP are in list/move.ts and the blocking commands in list/blocking.ts.
 * Argument order, replies, errors, keyspace events and propagation follow Redis 7.0's t_list.c.
 */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { isCOption, parseInt64, parseLongOrReply } from './arguments';
import { readOfType, writeOfType } from './lookup';
import { Quicklist } from '../types/quicklist';
import type { RedisValue } from '../keyspace/value';
import { mixDigest, registerValueDigester } from './server/digest';
import {
  ListEnd,
  elementsRemoved,
  newList,
  parseAtLeastOrReply,
  popAndReplyRange,
  popAt,
} from './list/list-values';
import { moveHandlers } from './list/move';
import { blockingHandlers } from './list/blocking';

const OUT_OF_RANGE = 'ERR index out of range';
const MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';
const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const LONG_MIN = -(2n ** 63n);

/** LPUSH/RPUSH, and LPUSHX/RPUSHX (onlyIfExists) that push only into an existing list. */
function pushGeneric(c: Client, argv: string[], end: ListEnd, onlyIfExists: boolean): void {
  const key = argv[1];
  const found = writeOfType<Quicklist>(c, key, 'list');
  if (found === null) return;
  if (found === undefined && onlyIfExists) return c.reply.integer(0);
  const list = found ?? newList(c);
  list.pushAll(argv, 2, end === ListEnd.Head);
  if (found) c.db.modified(key);
  else c.db.set(key, list);
  c.reply.integer(list.length);
  c.server.notify('l', end === ListEnd.Head ? 'lpush' : 'rpush', key, c.db.id);
}

/** LPOP/RPOP key [count]: one element as a bulk string, or with a count an array. */
function popGeneric(c: Client, argv: string[], end: ListEnd): void {
  // The command table allows any number of arguments; Redis checks the real arity here.
  if (argv.length > 3) return c.reply.error(Errors.wrongArgs(argv[0].toLowerCase()));
  const withCount = argv.length === 3;
  let count = 0;
  if (withCount) {
    const parsed = parseAtLeastOrReply(c, argv[2], 0, MUST_BE_POSITIVE);
    if (parsed === null) return;
    count = parsed;
  }
  const key = argv[1];
  const list = writeOfType<Quicklist>(c, key, 'list');
  if (list === null) return;
  if (list === undefined) return withCount ? c.reply.nullArray() : c.reply.nullBulk();
  if (withCount && count === 0) return c.reply.array(0);
  if (withCount) popAndReplyRange(c, list, end, count);
  else c.reply.bulk(popAt(list, end)!);
  elementsRemoved(c, key, end, list);
}

function llen(c: Client, argv: string[]): void {
  const list = readOfType<Quicklist>(c, argv[1], 'list');
  if (list === null) return;
  c.reply.integer(list === undefined ? 0 : list.length);
}

/** Clamps LRANGE/LTRIM's start and stop to the list, or null when the range is empty. */
function clampRange(start: number, stop: number, length: number): [number, number] | null {
  if (start < 0) start += length;
  if (stop < 0) stop += length;
  if (start < 0) start = 0;
  if (start > stop || start >= length) return null;
  return [start, stop >= length ? length - 1 : stop];
}

function lrange(c: Client, argv: string[]): void {
  const start = parseLongOrReply(c, argv[2]);
  if (start === null) return;
  const stop = parseLongOrReply(c, argv[3]);
  if (stop === null) return;
  const list = readOfType<Quicklist>(c, argv[1], 'list');
  if (list === null) return;
  const range = list === undefined ? null : clampRange(start, stop, list.length);
  if (range === null) return c.reply.array(0);
  c.reply.array(range[1] - range[0] + 1);
  list!.writeRange(range[0], range[1], c.reply);
}

function lindex(c: Client, argv: string[]): void {
  // Redis looks the key up before parsing the index: a missing key answers null either way.
  const list = readOfType<Quicklist>(c, argv[1], 'list');
  if (list === null) return;
  if (list === undefined) return c.reply.nullBulk();
  const index = parseLongOrReply(c, argv[2]);
  if (index === null) return;
  const value = list.get(index);
  if (value === undefined) c.reply.nullBulk();
  else c.reply.bulk(value);
}

function lset(c: Client, argv: string[]): void {
  const key = argv[1];
  const list = writeOfType<Quicklist>(c, key, 'list');
  if (list === null) return;
  if (list === undefined) return c.reply.error(Errors.noSuchKey);
  const index = parseLongOrReply(c, argv[2]);
  if (index === null) return;
  if (!list.set(index, argv[3])) return c.reply.error(OUT_OF_RANGE);
  c.reply.ok();
  c.db.modified(key);
  c.server.notify('l', 'lset', key, c.db.id);
}

function linsert(c: Client, argv: string[]): void {
  const [, key, where, pivot, value] = argv;
  let after: boolean;
  if (isCOption(where, 'AFTER')) after = true;
  else if (isCOption(where, 'BEFORE')) after = false;
  else return c.reply.error(Errors.syntax);
  const list = writeOfType<Quicklist>(c, key, 'list');
  if (list === null) return;
  if (list === undefined) return c.reply.integer(0);
  if (!list.insert(pivot, value, after)) return c.reply.integer(-1);
  c.db.modified(key);
  c.server.notify('l', 'linsert', key, c.db.id);
  c.reply.integer(list.length);
}

function lrem(c: Client, argv: string[]): void {
  const key = argv[1];
  const count = parseLongOrReply(c, argv[2]);
  if (count === null) return;
  const list = writeOfType<Quicklist>(c, key, 'list');
  if (list === null) return;
  if (list === undefined) return c.reply.integer(0);
  const removed = list.remove(argv[3], Math.abs(count), count < 0);
  if (removed > 0) {
    c.server.notify('l', 'lrem', key, c.db.id);
    if (list.length > 0) {
      c.db.modified(key);
    } else {
      c.db.delete(key);
      c.server.notify('g', 'del', key, c.db.id);
    }
  }
  c.reply.integer(removed);
}

function ltrim(c: Client, argv: string[]): void {
  const key = argv[1];
  const start = parseLongOrReply(c, argv[2]);
  if (start === null) return;
  const stop = parseLongOrReply(c, argv[3]);
  if (stop === null) return;
  const list = writeOfType<Quicklist>(c, key, 'list');
  if (list === null) return;
  if (list === undefined) return c.reply.ok();
  const length = list.length;
  const range = clampRange(start, stop, length);
  // Everything goes when the range is empty.
  const [keepFrom, keepTo] = range ?? [length, length - 1];
  const fromTail = length - 1 - keepTo;
  list.deleteRange(0, keepFrom);
  list.deleteRange(list.length - fromTail, fromTail);
  c.server.notify('l', 'ltrim', key, c.db.id);
  if (list.length === 0) {
    c.db.delete(key);
    c.server.notify('g', 'del', key, c.db.id);
  } else if (keepFrom + fromTail > 0) {
    c.db.modified(key);
  } else {
    // Redis signals the key (WATCH) but counts no change, so nothing propagates.
    const keyspace = c.server.keyspace;
    const dirty = keyspace.dirty;
    c.db.modified(key);
    keyspace.dirty = dirty;
  }
  c.reply.ok();
}

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
function lpos(c: Client, argv: string[]): void {
  let rank = 1;
  let fromTail = false;
  // LONG_MIN cannot be negated in C: it stays negative, so the first match counts, and with a
  // count the "enough matches" test overflows and never stops the scan.
  let rankIsMin = false;
  let count = -1; // -1: no COUNT option
  let maxlen = 0;
  for (let i = 3; i < argv.length; i++) {
    const hasValue = i + 1 < argv.length;
    if (isCOption(argv[i], 'RANK') && hasValue) {
      const parsed = parseInt64(argv[++i]);
      if (parsed === null) return c.reply.error(Errors.notInteger);
      if (parsed === 0n) return c.reply.error(RANK_ZERO);
      fromTail = parsed < 0n;
      rankIsMin = parsed === LONG_MIN;
      rank = rankIsMin ? 1 : Math.abs(Number(parsed));
    } else if (isCOption(argv[i], 'COUNT') && hasValue) {
      const parsed = parseAtLeastOrReply(c, argv[++i], 0, "ERR COUNT can't be negative");
      if (parsed === null) return;
      count = parsed;
    } else if (isCOption(argv[i], 'MAXLEN') && hasValue) {
      const parsed = parseAtLeastOrReply(c, argv[++i], 0, "ERR MAXLEN can't be negative");
      if (parsed === null) return;
      maxlen = parsed;
    } else {
      return c.reply.error(Errors.syntax);
    }
  }
  const list = readOfType<Quicklist>(c, argv[1], 'list');
  if (list === null) return;
  if (list === undefined) return count === -1 ? c.reply.nullBulk() : c.reply.array(0);
  const element = argv[2];
  const found: number[] = [];
  let matches = 0;
  let scanned = 0;
  list.scan(fromTail, (value, index) => {
    if (maxlen !== 0 && scanned++ >= maxlen) return false;
    if (value !== element || ++matches < rank) return true;
    found.push(index);
    if (count === -1) return false;
    return count === 0 || rankIsMin || matches - rank + 1 < count;
  });
  if (count !== -1) {
    c.reply.array(found.length);
    for (const index of found) c.reply.integer(index);
  } else if (found.length > 0) {
    c.reply.integer(found[0]);
  } else {
    c.reply.nullBulk();
  }
}

/** DEBUG DIGEST: a list's elements are mixed in order (debug.c xorObjectDigest). */
function digestList(digest: Buffer, value: RedisValue): void {
  (value as Quicklist).forEach((element) => mixDigest(digest, element));
}

export const listCommands: CommandGroup = {
  group: 'list',
  handlers: {
    lpush: (c, argv) => pushGeneric(c, argv, ListEnd.Head, false),
    rpush: (c, argv) => pushGeneric(c, argv, ListEnd.Tail, false),
    lpushx: (c, argv) => pushGeneric(c, argv, ListEnd.Head, true),
    rpushx: (c, argv) => pushGeneric(c, argv, ListEnd.Tail, true),
    lpop: (c, argv) => popGeneric(c, argv, ListEnd.Head),
    rpop: (c, argv) => popGeneric(c, argv, ListEnd.Tail),
    llen,
    lrange,
    lindex,
    lset,
    linsert,
    lrem,
    ltrim,
    lpos,
    ...moveHandlers,
    ...blockingHandlers,
  },
  install() {
    registerValueDigester('list', digestList);
  },
};
