/**
 * Records what the server propagates and the keyspace events it fires, replacing any sinks and
 * listeners installed before. `kinds` lists the event classes to keep (e.g. '$g' for string and
 * generic events); the propagated commands are kept as sent.
 */
import type { Server } from '../../src/server/server';

export interface RecordedWrites {
  propagated: string[][];
  /** [kind, event, key] */
  events: string[][];
}

export function recordWrites(server: Server, kinds: string): RecordedWrites {
  const log: RecordedWrites = { propagated: [], events: [] };
  server.dispatcher.sinks.length = 0;
  server.keyspaceEventListeners.length = 0;
  server.dispatcher.sinks.push({ propagate: (_db, argv) => log.propagated.push([...argv]) });
  server.keyspaceEventListeners.push((kind, event, key) => {
    if (kinds.includes(kind)) log.events.push([kind, event, key]);
  });
  return log;
}
