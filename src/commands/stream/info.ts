/** XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS and XINFO HELP (Redis 7.0). */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isCOption, parseLong } from '../arguments';
import { readOfType } from '../lookup';
import { replyHelp } from '../generic/object';
import type { Stream } from '../../types/stream';
import { MAX_ID, MIN_ID } from '../../types/stream-id';
import type { ConsumerGroup, PendingEntry, SortedIds } from '../../types/stream-groups';
import { cString, replyEntry, replyId, replyRange } from './common';

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

function subcommandSyntaxError(c: Client, argv: string[]): void {
  c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
}

function streamOrReply(c: Client, key: string): Stream | null {
  const stream = readOfType<Stream>(c, key, 'stream');
  if (stream === undefined) c.reply.error(Errors.noSuchKey);
  return stream ?? null;
}

function replyLag(c: Client, stream: Stream, group: ConsumerGroup): void {
  const lag = stream.groupLag(group);
  if (lag === null) c.reply.nullBulk();
  else c.reply.integer(lag);
}

function replyEntriesRead(c: Client, group: ConsumerGroup): void {
  if (group.entriesRead === -1) c.reply.nullBulk();
  else c.reply.integer(group.entriesRead);
}

/** The figures XINFO STREAM starts with, in both forms. */
function replyStreamHeader(c: Client, stream: Stream): void {
  c.reply.bulk('length');
  c.reply.integer(stream.length);
  c.reply.bulk('radix-tree-keys');
  c.reply.integer(stream.nodes.length);
  c.reply.bulk('radix-tree-nodes');
  c.reply.integer(stream.radixTreeNodes());
  c.reply.bulk('last-generated-id');
  replyId(c, stream.lastId);
  c.reply.bulk('max-deleted-entry-id');
  replyId(c, stream.maxDeletedId);
  c.reply.bulk('entries-added');
  c.reply.integer(stream.entriesAdded);
  c.reply.bulk('recorded-first-entry-id');
  replyId(c, stream.firstId);
}

function replyEdgeEntry(c: Client, stream: Stream, last: boolean): void {
  let replied = false;
  stream.forEachInRange(MIN_ID, MAX_ID, last, (id, fieldValues) => {
    replyEntry(c, id, fieldValues);
    replied = true;
    return false;
  });
  if (!replied) c.reply.nullBulk();
}

function replyFullGroup(c: Client, stream: Stream, group: ConsumerGroup, count: number): void {
  c.reply.map(7);
  c.reply.bulk('name');
  c.reply.bulk(group.name);
  c.reply.bulk('last-delivered-id');
  replyId(c, group.lastId);
  c.reply.bulk('entries-read');
  replyEntriesRead(c, group);
  c.reply.bulk('lag');
  replyLag(c, stream, group);
  c.reply.bulk('pel-count');
  c.reply.integer(group.pel.size);
  c.reply.bulk('pending');
  replyPendingEntries(c, group.pel, count, true);
  const consumers = group.sortedConsumers();
  c.reply.bulk('consumers');
  c.reply.array(consumers.length);
  for (const consumer of consumers) {
    c.reply.map(4);
    c.reply.bulk('name');
    c.reply.bulk(consumer.name);
    c.reply.bulk('seen-time');
    c.reply.integer(consumer.seenTime);
    c.reply.bulk('pel-count');
    c.reply.integer(consumer.pel.size);
    c.reply.bulk('pending');
    replyPendingEntries(c, consumer.pel, count, false);
  }
}

/**
 * The first `count` (0: all) entries of a pending list, as XINFO STREAM FULL lists them: id,
 * [consumer,] delivery time, delivery count.
 */
function replyPendingEntries(c: Client, pel: SortedIds<PendingEntry>, count: number, withConsumer: boolean): void {
  const shown = count === 0 ? pel.size : Math.min(count, pel.size);
  c.reply.array(shown);
  for (let i = 0; i < shown; i++) {
    const entry = pel.valueAt(i);
    c.reply.array(withConsumer ? 4 : 3);
    replyId(c, pel.idAt(i));
    if (withConsumer) c.reply.bulk(entry.consumer!.name);
    c.reply.integer(entry.deliveryTime);
    c.reply.integer(entry.deliveryCount);
  }
}

function xinfoStream(c: Client, argv: string[]): void {
  const stream = streamOrReply(c, argv[2]);
  if (stream === null) return;
  const options = argv.length - 3;
  let full = false;
  let count = 10;
  if (options > 0) {
    if ((options !== 1 && options !== 3) || !isCOption(argv[3], 'FULL')) return subcommandSyntaxError(c, argv);
    if (options === 3) {
      if (!isCOption(argv[4], 'COUNT')) return subcommandSyntaxError(c, argv);
      const parsed = parseLong(argv[5]);
      if (parsed === null) return c.reply.error(Errors.notInteger);
      count = parsed < 0 ? 10 : parsed;
    }
    full = true;
  }
  c.reply.map(full ? 9 : 10);
  replyStreamHeader(c, stream);
  if (!full) {
    c.reply.bulk('groups');
    c.reply.integer(stream.groups?.size ?? 0);
    c.reply.bulk('first-entry');
    replyEdgeEntry(c, stream, false);
    c.reply.bulk('last-entry');
    replyEdgeEntry(c, stream, true);
    return;
  }
  c.reply.bulk('entries');
  replyRange(c, stream, MIN_ID, MAX_ID, count, false);
  c.reply.bulk('groups');
  const groups = stream.sortedGroups();
  c.reply.array(groups.length);
  for (const group of groups) replyFullGroup(c, stream, group, count);
}

function xinfoGroups(c: Client, argv: string[]): void {
  const stream = streamOrReply(c, argv[2]);
  if (stream === null) return;
  const groups = stream.sortedGroups();
  c.reply.array(groups.length);
  for (const group of groups) {
    c.reply.map(6);
    c.reply.bulk('name');
    c.reply.bulk(group.name);
    c.reply.bulk('consumers');
    c.reply.integer(group.consumerCount);
    c.reply.bulk('pending');
    c.reply.integer(group.pel.size);
    c.reply.bulk('last-delivered-id');
    replyId(c, group.lastId);
    c.reply.bulk('entries-read');
    replyEntriesRead(c, group);
    c.reply.bulk('lag');
    replyLag(c, stream, group);
  }
}

function xinfoConsumers(c: Client, argv: string[]): void {
  const stream = streamOrReply(c, argv[2]);
  if (stream === null) return;
  const group = stream.group(argv[3]);
  if (group === undefined) {
    return c.reply.error(`NOGROUP No such consumer group '${cString(argv[3])}' for key name '${cString(argv[2])}'`);
  }
  const now = c.server.keyspace.now();
  const consumers = group.sortedConsumers();
  c.reply.array(consumers.length);
  for (const consumer of consumers) {
    c.reply.map(3);
    c.reply.bulk('name');
    c.reply.bulk(consumer.name);
    c.reply.bulk('pending');
    c.reply.integer(consumer.pel.size);
    c.reply.bulk('idle');
    c.reply.integer(Math.max(0, now - consumer.seenTime));
  }
}

export const infoHandlers = {
  'xinfo|stream': xinfoStream,
  'xinfo|groups': xinfoGroups,
  'xinfo|consumers': xinfoConsumers,
  'xinfo|help': (c: Client, argv: string[]) => replyHelp(c, argv[0], XINFO_HELP),
};
