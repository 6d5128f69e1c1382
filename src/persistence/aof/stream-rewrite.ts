/**
 * A stream as AOF commands (aof.c rewriteStreamObject): an XADD per live entry (or, for an
 * empty stream, XADD MAXLEN 0 of a placeholder entry), XSETID with the last ID, entries added
 * and max deleted ID; then per group XGROUP CREATE ... ENTRIESREAD, and per consumer either
 * XGROUP CREATECONSUMER (no pending entries) or one XCLAIM ... TIME RETRYCOUNT JUSTID FORCE per
 * pending entry it owns. Replaying them rebuilds the stream with its metadata; as in Redis,
 * consumer seen times are not kept, nor pending entries whose stream entry was deleted.
 */
import type { Stream } from '../../types/stream';
import { formatId, makeId, MAX_ID, MIN_ID } from '../../types/stream-id';

export function rewriteStreamCommands(key: string, stream: Stream, emit: (argv: string[]) => void): void {
  if (stream.length > 0) {
    stream.forEachInRange(MIN_ID, MAX_ID, false, (id, fieldValues) => {
      emit(['XADD', key, formatId(id), ...fieldValues]);
      return true;
    });
  } else {
    emit(['XADD', key, 'MAXLEN', '0', formatId(makeId(0, 1)), 'x', 'y']);
  }
  emit([
    'XSETID',
    key,
    formatId(stream.lastId),
    'ENTRIESADDED',
    String(stream.entriesAdded),
    'MAXDELETEDID',
    formatId(stream.maxDeletedId),
  ]);
  for (const group of stream.sortedGroups()) {
    emit(['XGROUP', 'CREATE', key, group.name, formatId(group.lastId), 'ENTRIESREAD', String(group.entriesRead)]);
    for (const consumer of group.sortedConsumers()) {
      const pel = consumer.pel;
      if (pel.size === 0) {
        emit(['XGROUP', 'CREATECONSUMER', key, group.name, consumer.name]);
        continue;
      }
      for (let i = 0; i < pel.size; i++) {
        const pending = pel.valueAt(i);
        emit([
          'XCLAIM',
          key,
          group.name,
          consumer.name,
          '0',
          formatId(pel.idAt(i)),
          'TIME',
          String(pending.deliveryTime),
          'RETRYCOUNT',
          String(pending.deliveryCount),
          'JUSTID',
          'FORCE',
        ]);
      }
    }
  }
}
