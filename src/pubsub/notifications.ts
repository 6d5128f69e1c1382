/**
 * Keyspace notifications (notify-keyspace-events): every keyspace event the commands report
 * through server.notify(kind, event, key, db) is published, when its class is enabled, as
 * `__keyspace@<db>__:<key>` carrying the event name (K) and `__keyevent@<db>__:<event>` carrying
 * the key (E). Class letters: g generic, $ string, l list, s set, h hash, z zset, x expired,
 * e evicted, t stream, d module, n new key, m key miss; A is g$lshzxetd. The stored setting keeps
 * an "n" given with A, which CONFIG GET does not print (as in Redis).
 */
import type { Server } from '../server/server';

type Listener = (kind: string, event: string, key: string, dbId: number) => void;

export function installKeyspaceNotifications(server: Server): void {
  let listener: Listener | null = null;
  const refresh = (): void => {
    if (listener !== null) {
      const listeners = server.keyspaceEventListeners;
      listeners.splice(listeners.indexOf(listener), 1);
      listener = null;
    }
    listener = notifierFor(server, server.config.get('notify-keyspace-events'));
    if (listener !== null) server.keyspaceEventListeners.push(listener);
  };
  refresh();
  server.config.onChange((name) => {
    if (name === 'notify-keyspace-events') refresh();
  });
}

/** A listener publishing the enabled classes, or null when nothing would be published. */
function notifierFor(server: Server, flags: string): Listener | null {
  const keyspace = flags.includes('K');
  const keyevent = flags.includes('E');
  const classes = flags.replace('A', 'g$lshzxetd').replace(/[KE]/g, '');
  if ((!keyspace && !keyevent) || classes === '') return null;
  const enabled = new Set(classes);
  return (kind, event, key, dbId) => {
    if (!enabled.has(kind)) return;
    if (keyspace) server.pubsub.publish(`__keyspace@${dbId}__:${key}`, event);
    if (keyevent) server.pubsub.publish(`__keyevent@${dbId}__:${event}`, key);
  };
}
