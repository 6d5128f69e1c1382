/**
 * Pub/sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, the sharded
 * SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH, and PUBSUB's introspection subcommands. The subscription
 * index and message delivery are in src/pubsub/pubsub.ts.
 *
 * A RESP2 client with subscriptions is in "subscribed mode": only the subscribe family, PING,
 * QUIT and RESET may run (a guard refuses the rest, after the OOM check as in Redis's
 * processCommand). A RESP3 client gets messages as push frames and may run anything.
 */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { CHANNELS, PATTERNS, SHARD_CHANNELS, type PubsubKind } from '../pubsub/pubsub';
import { replyHelp } from './generic/object';
import { installKeyspaceNotifications } from '../pubsub/notifications';

function subscriber(kind: PubsubKind) {
  return (c: Client, argv: string[]): void => {
    for (let i = 1; i < argv.length; i++) c.server.pubsub.subscribe(c, kind, argv[i]);
  };
}

function unsubscriber(kind: PubsubKind) {
  return (c: Client, argv: string[]): void => {
    c.server.pubsub.unsubscribe(c, kind, argv.length > 1 ? argv.slice(1) : null);
  };
}

function publish(c: Client, argv: string[]): void {
  c.reply.integer(c.server.pubsub.publish(argv[1], argv[2]));
}

function spublish(c: Client, argv: string[]): void {
  c.reply.integer(c.server.pubsub.shardPublish(argv[1], argv[2]));
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]. */
function activeNames(kind: PubsubKind) {
  return (c: Client, argv: string[]): void => {
    if (argv.length > 3) {
      return c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try PUBSUB HELP.`);
    }
    c.reply.bulkArray(c.server.pubsub.activeNames(kind, argv.length === 3 ? argv[2] : null));
  };
}

/** PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: channel, count pairs (a flat array in RESP3 too). */
function subscriberCounts(kind: PubsubKind) {
  return (c: Client, argv: string[]): void => {
    const pubsub = c.server.pubsub;
    c.reply.array(2 * (argv.length - 2));
    for (let i = 2; i < argv.length; i++) {
      c.reply.bulk(argv[i]);
      c.reply.integer(pubsub.subscriberCount(kind, argv[i]));
    }
  };
}

const PUBSUB_HELP = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

/** Commands a RESP2 client may run while subscribed. */
const ALLOWED_WHILE_SUBSCRIBED = new Set([
  'ping',
  'subscribe',
  'ssubscribe',
  'unsubscribe',
  'sunsubscribe',
  'psubscribe',
  'punsubscribe',
  'quit',
  'reset',
]);

function install(server: Server): void {
  server.dispatcher.guards.push((c, spec) => {
    if (c.subscriptions === null || c.resp !== 2) return null;
    const name = spec.fullName;
    const base = name.includes('|') ? name.slice(0, name.indexOf('|')) : name;
    if (ALLOWED_WHILE_SUBSCRIBED.has(base)) return null;
    return `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
  });
  server.resetHooks.push((c) => server.pubsub.forget(c));
  installKeyspaceNotifications(server);
}

export const pubsubCommands: CommandGroup = {
  group: 'pubsub',
  install,
  handlers: {
    subscribe: subscriber(CHANNELS),
    unsubscribe: unsubscriber(CHANNELS),
    psubscribe: subscriber(PATTERNS),
    punsubscribe: unsubscriber(PATTERNS),
    ssubscribe: subscriber(SHARD_CHANNELS),
    sunsubscribe: unsubscriber(SHARD_CHANNELS),
    publish,
    spublish,
    'pubsub|channels': activeNames(CHANNELS),
    'pubsub|shardchannels': activeNames(SHARD_CHANNELS),
    'pubsub|numsub': subscriberCounts(CHANNELS),
    'pubsub|shardnumsub': subscriberCounts(SHARD_CHANNELS),
    'pubsub|numpat': (c) => c.reply.integer(c.server.pubsub.patternCount),
    'pubsub|help': (c, argv) => replyHelp(c, argv[0], PUBSUB_HELP),
  },
};
