/**
 * Consumer group commands: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP),
 * XACK, XPENDING, XCLAIM and XAUTOCLAIM, as Redis 7.0's t_stream.c.
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isCOption, parseInt64, parseLong } from '../arguments';
import { readOfType } from '../lookup';
import { replyHelp } from '../generic/object';
import { Stream } from '../../types/stream';
import { MIN_ID, formatId, parseStreamId, type StreamId } from '../../types/stream-id';
import { INVALID_ENTRIES_READ, type ConsumerGroup, type PendingEntry } from '../../types/stream-groups';
import { cString, groupChanged, parseIdOrReply, parseRangeBoundOrReply, replyEntry, replyId, writeStream } from './common';
import { createConsumer, propagateGroupId, propagateXclaim } from './delivery';

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

function subcommandSyntaxError(c: Client, argv: string[]): void {
  c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
}

function noGroupError(c: Client, key: string, group: string): void {
  c.reply.error(`NOGROUP No such key '${cString(key)}' or consumer group '${cString(group)}'`);
}

function parseLongLongOrReply(c: Client, arg: string, error: string = Errors.notInteger): number | null {
  const n = parseLong(arg);
  if (n === null) c.reply.error(error);
  return n;
}

interface XgroupTarget {
  stream: Stream | undefined;
  group: ConsumerGroup | undefined;
  mkstream: boolean;
  entriesRead: number;
}

/** The checks every XGROUP subcommand but HELP shares: options, the key, the group. */
function xgroupTargetOrReply(c: Client, argv: string[], needsGroup: boolean): XgroupTarget | null {
  const isCreate = isCOption(argv[1], 'CREATE');
  const isSetid = isCOption(argv[1], 'SETID');
  const target: XgroupTarget = { stream: undefined, group: undefined, mkstream: false, entriesRead: INVALID_ENTRIES_READ };
  for (let i = 5; i < argv.length; ) {
    if (isCreate && isCOption(argv[i], 'MKSTREAM')) {
      target.mkstream = true;
      i++;
    } else if ((isCreate || isSetid) && isCOption(argv[i], 'ENTRIESREAD') && i + 1 < argv.length) {
      const n = parseLongLongOrReply(c, argv[i + 1]);
      if (n === null) return null;
      if (n < 0 && n !== INVALID_ENTRIES_READ) {
        c.reply.error('ERR value for ENTRIESREAD must be positive or -1');
        return null;
      }
      target.entriesRead = n;
      i += 2;
    } else {
      subcommandSyntaxError(c, argv);
      return null;
    }
  }
  const stream = writeStream(c, argv[2]);
  if (stream === null) return null;
  target.stream = stream;
  if (!target.mkstream) {
    if (stream === undefined) {
      c.reply.error(
        'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
      );
      return null;
    }
    target.group = stream.group(argv[3]);
    if (target.group === undefined && needsGroup) {
      c.reply.error(`NOGROUP No such consumer group '${cString(argv[3])}' for key name '${cString(argv[2])}'`);
      return null;
    }
  }
  return target;
}

function xgroupCreate(c: Client, argv: string[]): void {
  const target = xgroupTargetOrReply(c, argv, false);
  if (target === null) return;
  if (argv.length > 8) return subcommandSyntaxError(c, argv);
  const key = argv[2];
  let stream = target.stream;
  let id: StreamId | null;
  if (cString(argv[4]) === '$') id = stream ? stream.lastId : MIN_ID;
  else id = parseIdOrReply(c, argv[4], false, true);
  if (id === null) return;
  if (stream === undefined) {
    stream = new Stream();
    c.db.set(key, stream);
  }
  if (stream.createGroup(argv[3], id, target.entriesRead) === undefined) {
    return c.reply.error('BUSYGROUP Consumer Group name already exists');
  }
  c.reply.ok();
  groupChanged(c, key);
  c.server.notify('t', 'xgroup-create', key, c.db.id);
}

function xgroupSetid(c: Client, argv: string[]): void {
  const target = xgroupTargetOrReply(c, argv, true);
  if (target === null) return;
  if (argv.length !== 5 && argv.length !== 7) return subcommandSyntaxError(c, argv);
  const id = cString(argv[4]) === '$' ? target.stream!.lastId : parseIdOrReply(c, argv[4], false, false);
  if (id === null) return;
  const group = target.group!;
  group.lastId = id;
  group.entriesRead = target.entriesRead;
  c.reply.ok();
  groupChanged(c, argv[2]);
  c.server.notify('t', 'xgroup-setid', argv[2], c.db.id);
}

function xgroupDestroy(c: Client, argv: string[]): void {
  const target = xgroupTargetOrReply(c, argv, false);
  if (target === null) return;
  const key = argv[2];
  if (target.group === undefined) return c.reply.integer(0);
  target.stream!.destroyGroup(argv[3]);
  c.reply.integer(1);
  groupChanged(c, key);
  c.server.notify('t', 'xgroup-destroy', key, c.db.id);
  // Clients blocked in XREADGROUP on this group end their wait with NOGROUP.
  c.server.blocking.signalKeyReady(c.db, key);
}

function xgroupCreateConsumer(c: Client, argv: string[]): void {
  const target = xgroupTargetOrReply(c, argv, true);
  if (target === null) return;
  if (target.group!.consumer(argv[4]) !== undefined) return c.reply.integer(0);
  createConsumer(c, argv[2], target.group!, argv[4]);
  c.db.resized(argv[2]);
  c.reply.integer(1);
}

function xgroupDelConsumer(c: Client, argv: string[]): void {
  const target = xgroupTargetOrReply(c, argv, true);
  if (target === null) return;
  const group = target.group!;
  const consumer = group.consumer(argv[4]);
  let pending = 0;
  if (consumer !== undefined) {
    pending = group.deleteConsumer(consumer);
    groupChanged(c, argv[2]);
    c.server.notify('t', 'xgroup-delconsumer', argv[2], c.db.id);
  }
  c.reply.integer(pending);
}

/** The stream and group for XACK/XPENDING/XCLAIM (read lookups, as Redis); null: error replied. */
function streamOfType(c: Client, key: string): Stream | undefined | null {
  return readOfType<Stream>(c, key, 'stream');
}

function xack(c: Client, argv: string[]): void {
  const key = argv[1];
  const stream = streamOfType(c, key);
  if (stream === null) return;
  const group = stream?.group(argv[2]);
  if (group === undefined) return c.reply.integer(0);
  // Parse every ID first: the command acknowledges all or nothing.
  const ids: StreamId[] = [];
  for (let i = 3; i < argv.length; i++) {
    const id = parseIdOrReply(c, argv[i], false, true);
    if (id === null) return;
    ids.push(id);
  }
  c.db.lookupWrite(key);
  let acknowledged = 0;
  for (const id of ids) if (group.removePending(id)) acknowledged++;
  if (acknowledged > 0) groupChanged(c, key, acknowledged);
  c.reply.integer(acknowledged);
}

function xpending(c: Client, argv: string[]): void {
  const summary = argv.length === 3;
  if (!summary && (argv.length < 6 || argv.length > 9)) return c.reply.error(Errors.syntax);
  let minIdle = 0;
  let start: StreamId | null = null;
  let end: StreamId | null = null;
  let count = 0;
  let consumerName: string | undefined;
  if (!summary) {
    let at = 3;
    if (isCOption(argv[3], 'IDLE')) {
      const idle = parseLongLongOrReply(c, argv[4]);
      if (idle === null) return;
      if (argv.length < 8) return c.reply.error(Errors.syntax);
      minIdle = idle;
      at += 2;
    }
    const parsedCount = parseLongLongOrReply(c, argv[at + 2]);
    if (parsedCount === null) return;
    count = parsedCount < 0 ? 0 : parsedCount;
    start = parseRangeBoundOrReply(c, argv[at], false);
    if (start === null) return;
    end = parseRangeBoundOrReply(c, argv[at + 1], true);
    if (end === null) return;
    if (at + 3 < argv.length) consumerName = argv[at + 3];
  }
  const stream = streamOfType(c, argv[1]);
  if (stream === null) return;
  const group = stream?.group(argv[2]);
  if (group === undefined) return noGroupError(c, argv[1], argv[2]);
  if (summary) return replyPendingSummary(c, group);
  let pel = group.pel;
  if (consumerName !== undefined) {
    const consumer = group.consumer(consumerName);
    if (consumer === undefined) return c.reply.array(0);
    pel = consumer.pel;
  }
  const now = c.server.keyspace.now();
  const rows: [StreamId, PendingEntry][] = [];
  for (let i = pel.seek(start!); count > 0 && i < pel.size && pel.idAt(i) <= end!; i++) {
    const entry = pel.valueAt(i);
    if (minIdle && now - entry.deliveryTime < minIdle) continue;
    rows.push([pel.idAt(i), entry]);
    count--;
  }
  c.reply.array(rows.length);
  for (const [id, entry] of rows) {
    c.reply.array(4);
    replyId(c, id);
    c.reply.bulk(entry.consumer!.name);
    c.reply.integer(Math.max(0, now - entry.deliveryTime));
    c.reply.integer(entry.deliveryCount);
  }
}

function replyPendingSummary(c: Client, group: ConsumerGroup): void {
  const pel = group.pel;
  c.reply.array(4);
  c.reply.integer(pel.size);
  if (pel.size === 0) {
    c.reply.nullBulk();
    c.reply.nullBulk();
    c.reply.nullArray();
    return;
  }
  replyId(c, pel.idAt(0));
  replyId(c, pel.idAt(pel.size - 1));
  const owners = group.sortedConsumers().filter((consumer) => consumer.pel.size > 0);
  c.reply.array(owners.length);
  for (const consumer of owners) {
    c.reply.array(2);
    c.reply.bulk(consumer.name);
    c.reply.bulk(String(consumer.pel.size));
  }
}

interface ClaimOptions {
  force: boolean;
  justId: boolean;
  deliveryTime: number;
  retryCount: number;
  lastId: StreamId | null;
}

/** XCLAIM's trailing options, after the IDs that parsed. */
function parseClaimOptionsOrReply(c: Client, argv: string[], from: number, now: number): ClaimOptions | null {
  const options: ClaimOptions = { force: false, justId: false, deliveryTime: -1, retryCount: -1, lastId: null };
  for (let j = from; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    const opt = argv[j];
    if (isCOption(opt, 'FORCE')) {
      options.force = true;
    } else if (isCOption(opt, 'JUSTID')) {
      options.justId = true;
    } else if (isCOption(opt, 'IDLE') && moreArgs > 0) {
      const idle = parseLongLongOrReply(c, argv[++j], 'ERR Invalid IDLE option argument for XCLAIM');
      if (idle === null) return null;
      options.deliveryTime = now - idle;
    } else if (isCOption(opt, 'TIME') && moreArgs > 0) {
      const time = parseLongLongOrReply(c, argv[++j], 'ERR Invalid TIME option argument for XCLAIM');
      if (time === null) return null;
      options.deliveryTime = time;
    } else if (isCOption(opt, 'RETRYCOUNT') && moreArgs > 0) {
      const retry = parseLongLongOrReply(c, argv[++j], 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
      if (retry === null) return null;
      options.retryCount = retry;
    } else if (isCOption(opt, 'LASTID') && moreArgs > 0) {
      const id = parseIdOrReply(c, argv[++j], false, true);
      if (id === null) return null;
      options.lastId = id;
    } else {
      c.reply.error(`ERR Unrecognized XCLAIM option '${cString(opt)}'`);
      return null;
    }
  }
  // A bogus time (negative, in the future) means now: clients compute it from their own clocks.
  if (options.deliveryTime < 0 || options.deliveryTime > now) options.deliveryTime = now;
  return options;
}

function xclaim(c: Client, argv: string[]): void {
  const key = argv[1];
  const stream = streamOfType(c, key);
  if (stream === null) return;
  const group = stream?.group(argv[2]);
  if (group === undefined) return noGroupError(c, key, argv[2]);
  const minIdleArg = parseLongLongOrReply(c, argv[4], 'ERR Invalid min-idle-time argument for XCLAIM');
  if (minIdleArg === null) return;
  const minIdle = Math.max(0, minIdleArg);
  const ids: string[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    if (parseStreamId(argv[j], false, true) === null) break;
    ids.push(argv[j]);
  }
  const now = c.server.keyspace.now();
  const options = parseClaimOptionsOrReply(c, argv, j, now);
  if (options === null) return;
  c.server.dispatcher.preventPropagation();
  c.db.lookupWrite(key);
  let dirty = 0;
  let propagateLastId = false;
  if (options.lastId !== null && options.lastId > group.lastId) {
    group.lastId = options.lastId;
    propagateLastId = true;
  }
  let consumer = group.consumer(argv[3]);
  if (consumer === undefined) consumer = createConsumer(c, key, group, argv[3]);
  consumer.seenTime = now;
  const claimed: [StreamId, string[] | null][] = [];
  for (const idArg of ids) {
    const id = parseStreamId(idArg, false, true)!.id;
    let entry = group.pel.get(id);
    const fieldValues = stream!.get(id);
    if (fieldValues === undefined) {
      // The entry is gone from the stream: its pending entry goes too.
      if (entry !== undefined) {
        propagateXclaim(c, key, group, argv[2], idArg, entry);
        propagateLastId = false;
        dirty++;
        group.removePending(id);
      }
      continue;
    }
    if (options.force && entry === undefined) {
      entry = { deliveryTime: now, deliveryCount: 1, consumer: null };
      group.pel.set(id, entry);
    }
    if (entry === undefined) continue;
    if (entry.consumer !== null && minIdle && now - entry.deliveryTime < minIdle) continue;
    entry.deliveryTime = options.deliveryTime;
    if (options.retryCount >= 0) entry.deliveryCount = options.retryCount;
    else if (!options.justId) entry.deliveryCount++;
    group.assign(id, entry, consumer);
    claimed.push([id, options.justId ? null : fieldValues]);
    propagateXclaim(c, key, group, argv[2], idArg, entry);
    propagateLastId = false;
    dirty++;
  }
  if (propagateLastId) {
    propagateGroupId(c, key, group, argv[2]);
    dirty++;
  }
  groupChanged(c, key, dirty);
  c.reply.array(claimed.length);
  for (const [id, fieldValues] of claimed) {
    if (fieldValues === null) replyId(c, id);
    else replyEntry(c, id, fieldValues);
  }
}

/** LONG_MAX / max(sizeof(streamID), attempts factor): XAUTOCLAIM's largest COUNT. */
const AUTOCLAIM_MAX_COUNT = (2n ** 63n - 1n) / 16n;

function xautoclaim(c: Client, argv: string[]): void {
  const key = argv[1];
  const minIdleArg = parseLongLongOrReply(c, argv[4], 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
  if (minIdleArg === null) return;
  const minIdle = Math.max(0, minIdleArg);
  const start = parseRangeBoundOrReply(c, argv[5], false);
  if (start === null) return;
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    if (isCOption(argv[j], 'COUNT') && j + 1 < argv.length) {
      const parsed = parseInt64(argv[++j]);
      if (parsed === null || parsed < 1n || parsed > AUTOCLAIM_MAX_COUNT) return c.reply.error('ERR COUNT must be > 0');
      count = Number(parsed);
    } else if (isCOption(argv[j], 'JUSTID')) {
      justId = true;
    } else {
      return c.reply.error(Errors.syntax);
    }
  }
  const stream = streamOfType(c, key);
  if (stream === null) return;
  const group = stream?.group(argv[2]);
  if (group === undefined) return noGroupError(c, key, argv[2]);
  c.server.dispatcher.preventPropagation();
  c.db.lookupWrite(key);
  const now = c.server.keyspace.now();
  let consumer = group.consumer(argv[3]);
  if (consumer === undefined) consumer = createConsumer(c, key, group, argv[3]);
  consumer.seenTime = now;
  let attempts = count * 10;
  const claimed: [StreamId, string[]][] = [];
  const deleted: StreamId[] = [];
  const pel = group.pel;
  let i = pel.seek(start);
  let dirty = 0;
  while (attempts-- > 0 && count > 0 && i < pel.size) {
    const id = pel.idAt(i);
    const entry = pel.valueAt(i);
    const fieldValues = stream!.get(id);
    if (fieldValues === undefined) {
      propagateXclaim(c, key, group, argv[2], formatId(id), entry);
      dirty++;
      group.removePending(id);
      deleted.push(id);
      count--;
      continue;
    }
    i++;
    if (minIdle && now - entry.deliveryTime < minIdle) continue;
    entry.deliveryTime = now;
    if (!justId) entry.deliveryCount++;
    group.assign(id, entry, consumer);
    claimed.push([id, fieldValues]);
    count--;
    propagateXclaim(c, key, group, argv[2], formatId(id), entry);
    dirty++;
  }
  groupChanged(c, key, dirty);
  c.reply.array(3);
  c.reply.bulk(i < pel.size ? formatId(pel.idAt(i)) : '0-0');
  c.reply.array(claimed.length);
  for (const [id, fieldValues] of claimed) {
    if (justId) replyId(c, id);
    else replyEntry(c, id, fieldValues);
  }
  c.reply.array(deleted.length);
  for (const id of deleted) replyId(c, id);
}

export const groupHandlers = {
  'xgroup|create': xgroupCreate,
  'xgroup|setid': xgroupSetid,
  'xgroup|destroy': xgroupDestroy,
  'xgroup|createconsumer': xgroupCreateConsumer,
  'xgroup|delconsumer': xgroupDelConsumer,
  'xgroup|help': (c: Client, argv: string[]) => replyHelp(c, argv[0], XGROUP_HELP),
  xack,
  xpending,
  xclaim,
  xautoclaim,
};
