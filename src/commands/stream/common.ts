/**
 * What the stream commands share: ID arguments with Redis's errors, entry replies, node limits
 * from the configuration, and how consumer group changes are recorded.
 */
import type { Client } from '../../server/client';
import { Stream, type NodeLimits } from '../../types/stream';
import { formatId, nextId, parseStreamId, previousId, type ParsedId, type StreamId } from '../../types/stream-id';
import { writeOfType } from '../lookup';

export const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

/** A C string's view of an argument: Redis compares options with strcmp/strcasecmp. */
export function cString(arg: string): string {
  const nul = arg.indexOf('\0');
  return nul < 0 ? arg : arg.slice(0, nul);
}

/** streamParseIDOrReply (strict: "-" and "+" rejected), replying the error on failure. */
export function parseIdOrReply(c: Client, arg: string, missingSeqMax: boolean, strict: boolean): StreamId | null {
  const parsed = parseStreamId(arg, missingSeqMax, strict);
  if (parsed === null) {
    c.reply.error(INVALID_ID);
    return null;
  }
  return parsed.id;
}

/** XADD's ID: strict, and "<ms>-*" allowed. */
export function parseAddIdOrReply(c: Client, arg: string): ParsedId | null {
  const parsed = parseStreamId(arg, false, true, true);
  if (parsed === null) c.reply.error(INVALID_ID);
  return parsed;
}

/**
 * A range bound (streamParseIntervalIDOrReply): "(" makes it exclusive, turned into an
 * inclusive bound by stepping to the next (start) or previous (end) ID.
 */
export function parseRangeBoundOrReply(c: Client, arg: string, isEnd: boolean): StreamId | null {
  const exclusive = arg.length > 1 && arg[0] === '(';
  const parsed = parseStreamId(exclusive ? arg.slice(1) : arg, isEnd, exclusive);
  if (parsed === null) {
    c.reply.error(INVALID_ID);
    return null;
  }
  if (!exclusive) return parsed.id;
  const stepped = isEnd ? previousId(parsed.id) : nextId(parsed.id);
  if (stepped === null) {
    c.reply.error(isEnd ? 'ERR invalid end ID for the interval' : 'ERR invalid start ID for the interval');
    return null;
  }
  return stepped;
}

export function replyId(c: Client, id: StreamId): void {
  c.reply.bulk(formatId(id));
}

/** One entry: [id, [field, value, ...]]. */
export function replyEntry(c: Client, id: StreamId, fieldValues: string[]): void {
  c.reply.array(2);
  c.reply.bulk(formatId(id));
  c.reply.bulkArray(fieldValues);
}

/** Replies entries of [start, end] (at most count, 0: all) as an array; returns how many. */
export function replyRange(c: Client, stream: Stream, start: StreamId, end: StreamId, count: number, reverse: boolean): number {
  const entries: [StreamId, string[]][] = [];
  stream.forEachInRange(start, end, reverse, (id, fieldValues) => {
    entries.push([id, fieldValues]);
    return count === 0 || entries.length < count;
  });
  c.reply.array(entries.length);
  for (const [id, fieldValues] of entries) replyEntry(c, id, fieldValues);
  return entries.length;
}

export function nodeLimits(c: Client): NodeLimits {
  const config = c.server.config;
  return {
    maxBytes: config.getNumber('stream-node-max-bytes'),
    maxEntries: config.getNumber('stream-node-max-entries'),
  };
}

/** The stream at `key` for a change (null: WRONGTYPE replied; undefined: missing). */
export function writeStream(c: Client, key: string): Stream | undefined | null {
  return writeOfType<Stream>(c, key, 'stream');
}

/**
 * Records a consumer group change: the value's memory is re-accounted and the change counts
 * `dirty` times towards propagation and saves, but (as in Redis) it is not a modification of
 * the key: WATCH and blocked clients do not hear of it.
 */
export function groupChanged(c: Client, key: string, dirty = 1): void {
  c.db.resized(key);
  c.server.keyspace.dirty += dirty;
}

/**
 * Whether the client replays commands that were already checked (AOF loading): Redis's
 * mustObeyClient, for which XADD/XTRIM do not apply their own LIMIT rules.
 */
export function isReplayClient(c: Client): boolean {
  return c.socket === null && c.reply.muted;
}
