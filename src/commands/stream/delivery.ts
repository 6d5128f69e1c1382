/**
 * Delivering entries to a consumer group (streamReplyWithRange with a group, and
 * streamReplyWithRangeFromConsumerPEL), and the commands that propagate group changes:
 * XCLAIM ... FORCE JUSTID LASTID for each delivery, XGROUP SETID after a NOACK read, XGROUP
 * CREATECONSUMER for a consumer created by a NOACK read.
 */
import type { Client } from '../../server/client';
import type { Stream } from '../../types/stream';
import { MAX_ID, formatId, nextId, type StreamId } from '../../types/stream-id';
import type { Consumer, ConsumerGroup, PendingEntry } from '../../types/stream-groups';

/** An entry to reply: its fields, or null for a pending entry no longer in the stream. */
export type DeliveredEntry = [StreamId, string[] | null];

/** streamPropagateXCLAIM: an idempotent XCLAIM that recreates the pending entry as it is now. */
export function propagateXclaim(c: Client, key: string, group: ConsumerGroup, groupArg: string, idArg: string, entry: PendingEntry): void {
  c.server.dispatcher.alsoPropagate([
    'XCLAIM',
    key,
    groupArg,
    entry.consumer!.name,
    '0',
    idArg,
    'TIME',
    String(entry.deliveryTime),
    'RETRYCOUNT',
    String(entry.deliveryCount),
    'FORCE',
    'JUSTID',
    'LASTID',
    formatId(group.lastId),
  ]);
}

/** streamPropagateGroupID: XGROUP SETID key group last-id ENTRIESREAD entries-read. */
export function propagateGroupId(c: Client, key: string, group: ConsumerGroup, groupArg: string): void {
  c.server.dispatcher.alsoPropagate(['XGROUP', 'SETID', key, groupArg, formatId(group.lastId), 'ENTRIESREAD', String(group.entriesRead)]);
}

/** streamCreateConsumer: a new consumer, announced with the xgroup-createconsumer event. */
export function createConsumer(c: Client, key: string, group: ConsumerGroup, name: string): Consumer {
  const consumer = group.createConsumer(name, c.server.keyspace.now())!;
  c.server.keyspace.dirty++;
  c.server.notify('t', 'xgroup-createconsumer', key, c.db.id);
  return consumer;
}

/**
 * The consumer named `name`, created if needed; a consumer created by a NOACK read propagates as
 * XGROUP CREATECONSUMER (nothing else would create it on replicas). Its seen time becomes now.
 */
export function consumerForRead(c: Client, key: string, group: ConsumerGroup, groupArg: string, name: string, noack: boolean): Consumer {
  let consumer = group.consumer(name);
  if (consumer === undefined) {
    consumer = createConsumer(c, key, group, name);
    if (noack) c.server.dispatcher.alsoPropagate(['XGROUP', 'CREATECONSUMER', key, groupArg, name]);
  }
  consumer.seenTime = c.server.keyspace.now();
  return consumer;
}

/**
 * Delivers new entries after `after` (at most count, 0: all) to `consumer`: advances the group's
 * last ID and entries-read counter, adds them to the PELs (unless noack), and propagates.
 */
export function deliverNew(
  c: Client,
  key: string,
  stream: Stream,
  group: ConsumerGroup,
  groupArg: string,
  consumer: Consumer,
  after: StreamId,
  count: number,
  noack: boolean,
): DeliveredEntry[] {
  const delivered: DeliveredEntry[] = [];
  const start = nextId(after);
  if (start === null) return delivered;
  const now = c.server.keyspace.now();
  let advanced = false;
  stream.forEachInRange(start, MAX_ID, false, (id, fieldValues) => {
    if (id > group.lastId) {
      if (group.entriesRead !== -1 && !stream.hasTombstonesFrom(id)) group.entriesRead++;
      else if (stream.entriesAdded) group.entriesRead = stream.estimateDistanceFromFirstEverEntry(id);
      group.lastId = id;
      if (noack) advanced = true;
    }
    delivered.push([id, fieldValues]);
    if (!noack) {
      let entry = group.pel.get(id);
      if (entry === undefined) {
        entry = { deliveryTime: now, deliveryCount: 1, consumer };
        group.addPending(id, entry);
      } else {
        // Already pending (the group's ID was moved back): the entry changes hands.
        group.assign(id, entry, consumer);
        entry.deliveryTime = now;
        entry.deliveryCount = 1;
      }
      propagateXclaim(c, key, group, groupArg, formatId(id), entry);
    }
    return count === 0 || delivered.length < count;
  });
  if (advanced) propagateGroupId(c, key, group, groupArg);
  return delivered;
}

/**
 * The consumer's own pending entries from `start` (history reads): each delivered again (time and
 * count updated), or with null fields when the entry was deleted from the stream meanwhile.
 */
export function deliverHistory(c: Client, stream: Stream, consumer: Consumer, start: StreamId, count: number): DeliveredEntry[] {
  const delivered: DeliveredEntry[] = [];
  const pel = consumer.pel;
  const now = c.server.keyspace.now();
  for (let i = pel.seek(start); i < pel.size && (count === 0 || delivered.length < count); i++) {
    const id = pel.idAt(i);
    const fieldValues = stream.get(id);
    if (fieldValues !== undefined) {
      const entry = pel.valueAt(i);
      entry.deliveryTime = now;
      entry.deliveryCount++;
    }
    delivered.push([id, fieldValues ?? null]);
  }
  return delivered;
}

/** Replies delivered entries as an array of [id, fields] (fields a null array when gone). */
export function replyDelivered(c: Client, delivered: DeliveredEntry[]): void {
  c.reply.array(delivered.length);
  for (const [id, fieldValues] of delivered) {
    c.reply.array(2);
    c.reply.bulk(formatId(id));
    if (fieldValues === null) c.reply.nullArray();
    else c.reply.bulkArray(fieldValues);
  }
}
