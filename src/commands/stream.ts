/**
 * Stream commands, split by theme: entries (stream/entries.ts: XADD, XTRIM, XDEL, XLEN, XRANGE,
 * XREVRANGE, XSETID), reads (stream/read.ts: XREAD, XREADGROUP, blocking), consumer groups
 * (stream/groups.ts: XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM) and XINFO (stream/info.ts).
 * The structure is in src/types/stream.ts.
 */
import type { CommandGroup } from './registry';
import type { RedisValue } from '../keyspace/value';
import type { Stream } from '../types/stream';
import { MAX_ID, MIN_ID, formatId } from '../types/stream-id';
import { mixDigest, registerValueDigester } from './server/digest';
import { entryHandlers } from './stream/entries';
import { readHandlers } from './stream/read';
import { groupHandlers } from './stream/groups';
import { infoHandlers } from './stream/info';

/**
 * DEBUG DIGEST of a stream (debug.c): each entry's "<ms>.<seq>" ID, then its fields and values,
 * mixed in order. Consumer groups are not part of it.
 */
function digestStream(digest: Buffer, value: RedisValue): void {
  (value as Stream).forEachInRange(MIN_ID, MAX_ID, false, (id, fieldValues) => {
    mixDigest(digest, formatId(id).replace('-', '.'));
    for (const item of fieldValues) mixDigest(digest, item);
    return true;
  });
}

export const streamCommands: CommandGroup = {
  group: 'stream',
  handlers: {
    ...entryHandlers,
    ...readHandlers,
    ...groupHandlers,
    ...infoHandlers,
  },
  install() {
    registerValueDigester('stream', digestStream);
  },
};
