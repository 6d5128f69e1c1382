/**
 * XREAD and XREADGROUP (xreadCommand), with BLOCK served through the server's BlockingManager
 * as Redis 7.0's serveClientsBlockedOnStreamKey does: `$` is resolved when the command blocks,
 * a blocked XREADGROUP reads from the group's last ID at the time it is served, and ends with an
 * error when its stream or group disappears.
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isCOption, parseBlockTimeoutOrReply, parseLong } from '../arguments';
import { readAny } from '../lookup';
import { isStringValue } from '../../keyspace/value';
import type { Stream } from '../../types/stream';
import { MAX_ID, MIN_ID, nextId, type StreamId } from '../../types/stream-id';
import type { ConsumerGroup } from '../../types/stream-groups';
import { cString, groupChanged, parseIdOrReply } from './common';
import { consumerForRead, deliverHistory, deliverNew, replyDelivered, type DeliveredEntry } from './delivery';

/** Entries a blocked read gets at most when it gave no COUNT (XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;

interface ReadRequest {
  group: string | null;
  consumer: string;
  noack: boolean;
  count: number;
  /** -1: no BLOCK; else the absolute timeout (0: forever). */
  timeoutAt: number;
  keys: string[];
  /** Per key: read entries above this ID; MAX_ID stands for ">" (new entries of the group). */
  ids: StreamId[];
}

function isStream(value: unknown): value is Stream {
  return value !== undefined && !isStringValue(value as never) && (value as Stream).type === 'stream';
}

function parseReadArgsOrReply(c: Client, argv: string[], isGroupRead: boolean): Omit<ReadRequest, 'ids'> & { idArgs: string[] } | null {
  const command = isGroupRead ? 'XREADGROUP' : 'XREAD';
  const request = { group: null as string | null, consumer: '', noack: false, count: 0, timeoutAt: -1, keys: [] as string[], idArgs: [] as string[] };
  let streamsAt = 0;
  for (let i = 1; i < argv.length; i++) {
    const moreArgs = argv.length - i - 1;
    const opt = argv[i];
    if (isCOption(opt, 'BLOCK') && moreArgs > 0) {
      const timeoutAt = parseBlockTimeoutOrReply(c, argv[++i], 'milliseconds');
      if (timeoutAt === null) return null;
      request.timeoutAt = timeoutAt;
    } else if (isCOption(opt, 'COUNT') && moreArgs > 0) {
      const count = parseLong(argv[++i]);
      if (count === null) {
        c.reply.error(Errors.notInteger);
        return null;
      }
      request.count = count < 0 ? 0 : count;
    } else if (isCOption(opt, 'STREAMS') && moreArgs > 0) {
      streamsAt = i + 1;
      const streamArgs = argv.length - streamsAt;
      if (streamArgs % 2 !== 0) {
        const symbol = isGroupRead ? '>' : '$';
        c.reply.error(`ERR Unbalanced ${command} list of streams: for each stream key an ID or '${symbol}' must be specified.`);
        return null;
      }
      request.keys = argv.slice(streamsAt, streamsAt + streamArgs / 2);
      request.idArgs = argv.slice(streamsAt + streamArgs / 2);
      break;
    } else if (isCOption(opt, 'GROUP') && moreArgs >= 2) {
      if (!isGroupRead) {
        c.reply.error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      request.group = argv[i + 1];
      request.consumer = argv[i + 2];
      i += 2;
    } else if (isCOption(opt, 'NOACK')) {
      if (!isGroupRead) {
        c.reply.error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      request.noack = true;
    } else {
      c.reply.error(Errors.syntax);
      return null;
    }
  }
  if (streamsAt === 0) {
    c.reply.error(Errors.syntax);
    return null;
  }
  if (isGroupRead && request.group === null) {
    c.reply.error('ERR Missing GROUP option for XREADGROUP');
    return null;
  }
  return request;
}

/** Resolves each key's ID argument ($, >, or an ID), checking types and groups as Redis does. */
function resolveIdsOrReply(c: Client, keys: string[], idArgs: string[], group: string | null): StreamId[] | null {
  const ids: StreamId[] = [];
  for (let i = 0; i < keys.length; i++) {
    const value = readAny(c, keys[i]);
    if (value !== undefined && !isStream(value)) {
      c.reply.error(Errors.wrongType);
      return null;
    }
    const stream = value as Stream | undefined;
    if (group !== null && (stream === undefined || stream.group(group) === undefined)) {
      c.reply.error(`NOGROUP No such key '${cString(keys[i])}' or consumer group '${cString(group)}' in XREADGROUP with GROUP option`);
      return null;
    }
    const arg = cString(idArgs[i]);
    if (arg === '$') {
      if (group !== null) {
        c.reply.error(
          'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
        );
        return null;
      }
      ids.push(stream ? stream.lastId : MIN_ID);
    } else if (arg === '>') {
      if (group === null) {
        c.reply.error('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
        return null;
      }
      ids.push(MAX_ID);
    } else {
      const id = parseIdOrReply(c, idArgs[i], false, true);
      if (id === null) return null;
      ids.push(id);
    }
  }
  return ids;
}

/** Replies the per-stream results: an array of [key, entries] (RESP2) or a map (RESP3). */
function replyStreams(c: Client, served: [string, DeliveredEntry[]][]): void {
  if (c.reply.resp === 2) c.reply.array(served.length);
  else c.reply.map(served.length);
  for (const [key, entries] of served) {
    if (c.reply.resp === 2) c.reply.array(2);
    c.reply.bulk(key);
    replyDelivered(c, entries);
  }
}

/** Reads what one stream can give now (the synchronous part of xreadCommand), or null. */
function readNow(c: Client, request: ReadRequest, index: number): DeliveredEntry[] | null {
  const key = request.keys[index];
  const value = readAny(c, key);
  if (value === undefined) return null;
  const stream = value as Stream;
  const after = request.ids[index];
  if (request.group === null) {
    if (stream.length === 0 || !(stream.edgeId(true)! > after)) return null;
    return collectRange(stream, after, request.count);
  }
  const group = stream.group(request.group)!;
  const history = after !== MAX_ID;
  if (!history && !(stream.length > 0 && stream.edgeId(true)! > group.lastId)) return null;
  c.db.lookupWrite(key);
  const consumer = consumerForRead(c, key, group, request.group, request.consumer, request.noack);
  const entries = history
    ? deliverHistory(c, stream, consumer, nextId(after) ?? MAX_ID, request.count)
    : deliverNew(c, key, stream, group, request.group, consumer, group.lastId, request.count, request.noack);
  groupChanged(c, key);
  return entries;
}

function collectRange(stream: Stream, after: StreamId, count: number): DeliveredEntry[] {
  const entries: DeliveredEntry[] = [];
  const start = nextId(after);
  if (start === null) return entries;
  stream.forEachInRange(start, MAX_ID, false, (id, fieldValues) => {
    entries.push([id, fieldValues]);
    return count === 0 || entries.length < count;
  });
  return entries;
}

/** Serves a blocked XREAD/XREADGROUP from `key` (serveClientsBlockedOnStreamKey). */
function serveBlocked(c: Client, request: ReadRequest, key: string): boolean {
  const value = c.db.lookupWrite(key);
  const stream = isStream(value) ? value : undefined;
  if (stream === undefined) {
    if (request.group === null) return false;
    c.reply.error('UNBLOCKED the stream key no longer exists');
    return true;
  }
  const index = request.keys.indexOf(key);
  const count = request.count || BLOCKED_DEFAULT_COUNT;
  let group: ConsumerGroup | undefined;
  let after = request.ids[index];
  if (request.group !== null) {
    group = stream.group(request.group);
    if (group === undefined) {
      c.reply.error('NOGROUP the consumer group this client was blocked on no longer exists');
      return true;
    }
    after = group.lastId;
  }
  if (!(stream.lastId > after)) return false;
  let entries: DeliveredEntry[];
  if (group !== undefined) {
    const consumer = consumerForRead(c, key, group, request.group!, request.consumer, request.noack);
    entries = deliverNew(c, key, stream, group, request.group!, consumer, after, count, request.noack);
    groupChanged(c, key);
  } else {
    entries = collectRange(stream, after, count);
  }
  replyStreams(c, [[key, entries]]);
  return true;
}

function readGeneric(c: Client, argv: string[], isGroupRead: boolean): void {
  // The command propagates through what it does (XCLAIM, XGROUP SETID), never as itself.
  c.server.dispatcher.preventPropagation();
  const parsed = parseReadArgsOrReply(c, argv, isGroupRead);
  if (parsed === null) return;
  const ids = resolveIdsOrReply(c, parsed.keys, parsed.idArgs, parsed.group);
  if (ids === null) return;
  const request: ReadRequest = { ...parsed, ids };
  const served: [string, DeliveredEntry[]][] = [];
  for (let i = 0; i < request.keys.length; i++) {
    const entries = readNow(c, request, i);
    if (entries !== null) served.push([request.keys[i], entries]);
  }
  if (served.length > 0) return replyStreams(c, served);
  if (request.timeoutAt === -1 || !c.server.blocking.canBlock(c)) return c.reply.nullArray();
  c.server.blocking.block(c, {
    keys: request.keys,
    timeoutAt: request.timeoutAt,
    servesDeletedKey: isGroupRead,
    tryServe: (client, key) => serveBlocked(client, request, key),
  });
}

export const readHandlers = {
  xread: (c: Client, argv: string[]) => readGeneric(c, argv, false),
  xreadgroup: (c: Client, argv: string[]) => readGeneric(c, argv, true),
};
