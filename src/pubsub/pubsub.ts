/**
 * Publish/subscribe: who listens to which channel, pattern or shard channel, and the delivery of
 * messages into subscribers' reply buffers (RESP3 push frames, RESP2 arrays).
 *
 * Three namespaces, as in Redis 7.0: channels (SUBSCRIBE/PUBLISH), patterns (PSUBSCRIBE, matched
 * against the channel a message is published to, with the KEYS glob matcher) and shard channels
 * (SSUBSCRIBE/SPUBLISH, separate from plain channels; without cluster mode they behave like
 * channels of their own). A client's subscriptions live in its `subscriptions` field, the
 * server-wide index here; both are kept in step by subscribe/unsubscribe.
 */
import { globMatch } from '../keyspace/glob';
import type { Client } from '../server/client';

/** A namespace of subscriptions, named after its commands' reply words. */
export interface PubsubKind {
  readonly subscribe: string;
  readonly unsubscribe: string;
}

export const CHANNELS: PubsubKind = { subscribe: 'subscribe', unsubscribe: 'unsubscribe' };
export const PATTERNS: PubsubKind = { subscribe: 'psubscribe', unsubscribe: 'punsubscribe' };
export const SHARD_CHANNELS: PubsubKind = { subscribe: 'ssubscribe', unsubscribe: 'sunsubscribe' };

/** What one client is subscribed to. */
export class ClientSubscriptions {
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();

  of(kind: PubsubKind): Set<string> {
    return kind === CHANNELS ? this.channels : kind === PATTERNS ? this.patterns : this.shardChannels;
  }

  /**
   * The count a (un)subscribe confirmation carries: channels and patterns together, shard
   * channels on their own (Redis's clientSubscriptionsCount / clientShardSubscriptionsCount).
   */
  countFor(kind: PubsubKind): number {
    return kind === SHARD_CHANNELS ? this.shardChannels.size : this.channels.size + this.patterns.size;
  }

  get total(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Message headers, pre-encoded for both protocols: [RESP2, RESP3]. */
const MESSAGE_HEADER = [latin1('*3\r\n$7\r\nmessage\r\n'), latin1('>3\r\n$7\r\nmessage\r\n')];
const PMESSAGE_HEADER = [latin1('*4\r\n$8\r\npmessage\r\n'), latin1('>4\r\n$8\r\npmessage\r\n')];
const SMESSAGE_HEADER = [latin1('*3\r\n$8\r\nsmessage\r\n'), latin1('>3\r\n$8\r\nsmessage\r\n')];
const PUSH3_HEADER = [latin1('*3\r\n'), latin1('>3\r\n')];
const NULL_BULK2 = latin1('$-1\r\n');
const NULL3 = latin1('_\r\n');
/** ':' */
const INTEGER_PREFIX = 58;

function header(client: Client, pair: Buffer[]): Buffer {
  return pair[client.resp === 2 ? 0 : 1];
}

export class PubSub {
  /** channel -> subscribers, in the order they subscribed. */
  private readonly channels = new Map<string, Set<Client>>();
  /** pattern -> subscribers. */
  private readonly patterns = new Map<string, Set<Client>>();
  private readonly shardChannels = new Map<string, Set<Client>>();

  private index(kind: PubsubKind): Map<string, Set<Client>> {
    return kind === CHANNELS ? this.channels : kind === PATTERNS ? this.patterns : this.shardChannels;
  }

  /** Number of channels (PUBSUB CHANNELS, INFO pubsub_channels), patterns, shard channels. */
  get channelCount(): number {
    return this.channels.size;
  }

  get patternCount(): number {
    return this.patterns.size;
  }

  get shardChannelCount(): number {
    return this.shardChannels.size;
  }

  /** Subscribes a client and replies the confirmation; repeating a subscription only confirms it. */
  subscribe(client: Client, kind: PubsubKind, name: string): void {
    const mine = (client.subscriptions ??= new ClientSubscriptions()).of(kind);
    if (!mine.has(name)) {
      mine.add(name);
      const index = this.index(kind);
      let subscribers = index.get(name);
      if (subscribers === undefined) index.set(name, (subscribers = new Set()));
      subscribers.add(client);
    }
    this.confirm(client, kind.subscribe, name, client.subscriptions.countFor(kind));
  }

  /**
   * Unsubscribes a client from `name`, or from everything of that kind when `name` is null;
   * replies one confirmation per name (one with a null name when there was nothing), unless
   * `notify` is false (a closing or RESET client).
   */
  unsubscribe(client: Client, kind: PubsubKind, names: readonly string[] | null, notify = true): void {
    const subscriptions = client.subscriptions;
    const mine = subscriptions?.of(kind);
    const targets = names ?? (mine ? [...mine] : []);
    if (targets.length === 0 && notify) {
      this.confirm(client, kind.unsubscribe, null, subscriptions ? subscriptions.countFor(kind) : 0);
    }
    for (const name of targets) {
      if (mine?.delete(name)) {
        const index = this.index(kind);
        const subscribers = index.get(name)!;
        subscribers.delete(client);
        if (subscribers.size === 0) index.delete(name);
      }
      if (notify) this.confirm(client, kind.unsubscribe, name, subscriptions ? subscriptions.countFor(kind) : 0);
    }
    if (subscriptions && subscriptions.total === 0) client.subscriptions = null;
  }

  /** Drops every subscription of a client (disconnect, RESET), without replies. */
  forget(client: Client): void {
    if (client.subscriptions === null) return;
    for (const kind of [CHANNELS, PATTERNS, SHARD_CHANNELS]) this.unsubscribe(client, kind, null, false);
  }

  /** A (un)subscribe confirmation: a push, sent even under CLIENT REPLY OFF as Redis does. */
  private confirm(client: Client, word: string, name: string | null, count: number): void {
    const out = client.reply.out;
    out.writeRaw(header(client, PUSH3_HEADER));
    out.writeBulk(word);
    if (name === null) out.writeRaw(client.resp === 2 ? NULL_BULK2 : NULL3);
    else out.writeBulk(name);
    out.writeLengthLine(INTEGER_PREFIX, count);
  }

  /**
   * Delivers a message to the channel's subscribers and to every client with a matching
   * pattern (once per matching pattern); returns how many deliveries that made.
   */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const subscribers = this.channels.get(channel);
    if (subscribers !== undefined) {
      for (const client of subscribers) {
        deliver(client, MESSAGE_HEADER, null, channel, message);
        receivers++;
      }
    }
    if (this.patterns.size > 0) {
      for (const [pattern, clients] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        for (const client of clients) {
          deliver(client, PMESSAGE_HEADER, pattern, channel, message);
          receivers++;
        }
      }
    }
    return receivers;
  }

  /** SPUBLISH: delivers to the shard channel's subscribers only. */
  shardPublish(channel: string, message: string): number {
    const subscribers = this.shardChannels.get(channel);
    if (subscribers === undefined) return 0;
    for (const client of subscribers) deliver(client, SMESSAGE_HEADER, null, channel, message);
    return subscribers.size;
  }

  /** Names with at least one subscriber matching an optional glob pattern (PUBSUB CHANNELS). */
  activeNames(kind: PubsubKind, pattern: string | null): string[] {
    const names: string[] = [];
    for (const name of this.index(kind).keys()) {
      if (pattern === null || globMatch(pattern, name)) names.push(name);
    }
    return names;
  }

  /** Subscribers of one channel (PUBSUB NUMSUB / SHARDNUMSUB). */
  subscriberCount(kind: PubsubKind, name: string): number {
    return this.index(kind).get(name)?.size ?? 0;
  }
}

/**
 * Writes one message into a subscriber's pending replies. Pushes bypass CLIENT REPLY OFF, as
 * Redis's pub/sub replies do.
 */
function deliver(client: Client, headers: Buffer[], pattern: string | null, channel: string, message: string): void {
  // A client over its output buffer limits still counts as a receiver, as in Redis, but gets nothing more.
  if (client.closed || client.closeAsap) return;
  const out = client.reply.out;
  out.writeRaw(header(client, headers));
  if (pattern !== null) out.writeBulk(pattern);
  out.writeBulk(channel);
  out.writeBulk(message);
  client.markPendingWrite();
  client.server.outputLimits.check(client);
}
