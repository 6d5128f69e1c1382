/**
 * Client-side caching (Redis 7.0's tracking.c): the server remembers which clients may hold a
 * copy of which keys, and tells them when such a key changes.
 *
 * - Default mode: the keys a tracked client reads with a read-only command go into the tracking
 *   table (key -> client IDs). The first change of such a key sends every client that read it
 *   an invalidation, and the key is forgotten until it is read again. The table is global: a key
 *   name is the same key in every database. A client that turned tracking off keeps its IDs in
 *   the table (Redis cleans them lazily): tracking on again, it hears about those keys too.
 * - BCAST mode: nothing is remembered; every change of a key under one of the client's prefixes
 *   is announced. Keys changed during one event-loop turn go out together, sorted, one message
 *   per prefix (Redis sends them in beforeSleep).
 * - OPTIN / OPTOUT: keys are remembered only after CLIENT CACHING YES / unless CLIENT CACHING NO,
 *   for the next command (or the next transaction).
 * - NOLOOP: no invalidation for the client's own changes.
 *
 * Messages are RESP3 pushes (`>2 invalidate [keys]`), or with REDIRECT go to another client: a
 * push if it speaks RESP3, a message on `__redis__:invalidate` if it is a subscribed RESP2
 * client. A FLUSHDB/FLUSHALL invalidates everything: the keys part is a null. When a client's own
 * command invalidates a key it tracks, the message follows the command's reply.
 */
import { CommandFlag, type CommandSpec } from '../commands/registry';
import { keysOfCommand } from '../commands/server/key-specs';
import type { Client } from '../server/client';
import type { Server } from '../server/server';

export const TRACKING_CHANNEL = '__redis__:invalidate';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const INVALIDATE_PUSH = latin1('>2\r\n$10\r\ninvalidate\r\n');
const INVALIDATE_MESSAGE = latin1(`*3\r\n$7\r\nmessage\r\n$${TRACKING_CHANNEL.length}\r\n${TRACKING_CHANNEL}\r\n`);
const REDIR_BROKEN_PUSH = latin1('>2\r\n$21\r\ntracking-redir-broken\r\n');
/** The "all keys" of a flush, in the protocol of the tracked client (Redis's shared.null[resp]). */
const FLUSH_NULL = [latin1('$-1\r\n'), latin1('_\r\n')];

/** Options of CLIENT TRACKING ON. */
export interface TrackingOptions {
  /** Client ID the messages go to; 0 for none. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: string[];
}

/** One client's tracking state; `client.tracking` is null while tracking is off. */
export class ClientTracking {
  redirect = 0;
  bcast = false;
  optin = false;
  optout = false;
  noloop = false;
  /** CLIENT CACHING YES (OPTIN) or NO (OPTOUT) was given for the next command. */
  caching = false;
  /** The redirect client was gone when a message was due (CLIENT LIST flag R). */
  brokenRedirect = false;
  /** BCAST prefixes. */
  readonly prefixes = new Set<string>();
}

/** A BCAST prefix: its clients, and the keys under it changed this turn with who changed them last. */
interface PrefixState {
  readonly clients: Set<Client>;
  keys: Map<string, Client | null>;
}

/** An invalidation payload: one key, or an already encoded RESP array or null. */
type Payload = { key: string } | { proto: Buffer };

/** Order of client IDs in Redis's table: the bytes of a little-endian 64-bit integer. */
function compareIdBytes(a: number, b: number): number {
  for (let x = a, y = b; x > 0 || y > 0; x = Math.floor(x / 256), y = Math.floor(y / 256)) {
    const d = (x % 256) - (y % 256);
    if (d !== 0) return d;
  }
  return 0;
}

/** `*<n>` and the keys as bulk strings, skipping those last changed by `except` (NOLOOP). */
function encodeKeys(keys: Map<string, Client | null>, sorted: string[], except: Client | null): Buffer | null {
  let count = 0;
  let body = '';
  for (const key of sorted) {
    if (except !== null && keys.get(key) === except) continue;
    count++;
    body += `$${key.length}\r\n${key}\r\n`;
  }
  if (count === 0) return null;
  return latin1(`*${count}\r\n${body}`);
}

export class Tracking {
  /** key -> IDs of the clients that may cache it. */
  private readonly table = new Map<string, Set<number>>();
  /** IDs stored across the whole table (INFO tracking_total_items). */
  totalItems = 0;
  private readonly prefixTable = new Map<string, PrefixState>();
  /** Clients with tracking on (INFO tracking_clients). */
  clientCount = 0;
  /** Invalidations for the client whose command is running, sent once its reply is complete. */
  private pendingForCurrent: Payload[] = [];
  /** A FLUSHDB/FLUSHALL happened in the running command: the null goes out when it ends. */
  private flushSignalPending = false;
  private broadcastScheduled = false;
  private replyFlushScheduled = false;
  /** Rounds of table limiting that could not get under the limit (more effort each time). */
  private limitTimeouts = 0;
  private maxKeys: number;

  constructor(private readonly server: Server) {
    this.maxKeys = server.config.getNumber('tracking-table-max-keys');
    server.config.onChange((name) => {
      if (name === 'tracking-table-max-keys') this.maxKeys = server.config.getNumber(name);
    });
  }

  get keyCount(): number {
    return this.table.size;
  }

  get prefixCount(): number {
    return this.prefixTable.size;
  }

  // ---- enabling and disabling ----

  /** CLIENT TRACKING ON: the options were validated by the caller. */
  enable(c: Client, options: TrackingOptions): void {
    let state = c.tracking;
    if (state === null) {
      state = c.tracking = new ClientTracking();
      this.clientCount++;
    }
    // As enableTracking: the modes are set anew, CACHING given before survives.
    state.brokenRedirect = false;
    state.redirect = options.redirect;
    state.bcast = options.bcast;
    if (options.bcast) {
      if (options.prefixes.length === 0) this.addPrefix(c, state, '');
      for (const prefix of options.prefixes) this.addPrefix(c, state, prefix);
    }
    state.optin = options.optin;
    state.optout = options.optout;
    state.noloop = options.noloop;
  }

  private addPrefix(c: Client, state: ClientTracking, prefix: string): void {
    let entry = this.prefixTable.get(prefix);
    if (entry === undefined) this.prefixTable.set(prefix, (entry = { clients: new Set(), keys: new Map() }));
    if (!entry.clients.has(c)) {
      entry.clients.add(c);
      state.prefixes.add(prefix);
    }
  }

  /** CLIENT TRACKING OFF, RESET, disconnection. */
  disable(c: Client): void {
    const state = c.tracking;
    if (state === null) return;
    if (state.bcast) {
      for (const prefix of state.prefixes) {
        const entry = this.prefixTable.get(prefix)!;
        entry.clients.delete(c);
        if (entry.clients.size === 0) this.prefixTable.delete(prefix);
      }
    }
    c.tracking = null;
    this.clientCount--;
  }

  /** The first of the client's prefixes (in byte order) that overlaps `candidate`, or null. */
  existingOverlap(c: Client, candidate: string): string | null {
    const prefixes = c.tracking?.prefixes;
    if (!prefixes) return null;
    for (const existing of [...prefixes].sort()) {
      if (existing.startsWith(candidate) || candidate.startsWith(existing)) return existing;
    }
    return null;
  }

  // ---- remembering keys ----

  /**
   * After each command call (those EXEC runs included): a read-only command of a client in the
   * default mode remembers the keys it read.
   */
  afterCall(c: Client, spec: CommandSpec, argv: string[]): void {
    const state = c.tracking;
    if (state !== null && !state.bcast && spec.flags & CommandFlag.Readonly) this.rememberKeys(c, state, spec, argv);
    if (this.flushSignalPending) {
      this.flushSignalPending = false;
      this.signalFlush();
    }
  }

  private rememberKeys(c: Client, state: ClientTracking, spec: CommandSpec, argv: string[]): void {
    if (spec.flags & CommandFlag.Pubsub) return;
    if ((state.optin && !state.caching) || (state.optout && state.caching)) return;
    for (const { pos } of keysOfCommand(spec, argv)) {
      const key = argv[pos];
      let ids = this.table.get(key);
      if (ids === undefined) this.table.set(key, (ids = new Set()));
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.totalItems++;
      }
    }
  }

  /**
   * After each command a client sent (refused and queued ones included), its reply complete:
   * the invalidations its own command caused, then the end of CLIENT CACHING's effect, which
   * lasts for the next command, or until EXEC, and survives other CLIENT subcommands.
   */
  afterCommand(c: Client): void {
    if (this.pendingForCurrent.length > 0) {
      const pending = this.pendingForCurrent;
      this.pendingForCurrent = [];
      if (!c.closed && c.tracking !== null) for (const payload of pending) this.send(c, payload);
    }
    const state = c.tracking;
    if (state !== null && state.caching && !c.inTransaction && !c.lastCommand?.fullName.startsWith('client|')) {
      state.caching = false;
    }
  }

  // ---- invalidation ----

  /**
   * A key changed (Redis's trackingInvalidateKey): the clients that may cache it hear of it and
   * it is forgotten. `broadcast`: the change is announced to BCAST prefixes too, as made by
   * `modifier` (null for expiry and eviction).
   */
  invalidateKey(key: string, broadcast: boolean, modifier: Client | null, sendNow = false): void {
    if (this.table.size === 0 && this.prefixTable.size === 0) return;
    if (broadcast && this.prefixTable.size > 0) this.rememberForBroadcast(key, modifier);
    const ids = this.table.get(key);
    if (ids === undefined) return;
    this.table.delete(key);
    this.totalItems -= ids.size;
    const current = this.server.dispatcher.currentClient;
    const targets = ids.size > 1 ? [...ids].sort(compareIdBytes) : ids;
    for (const id of targets) {
      const target = this.server.clients.get(id);
      const state = target?.tracking;
      if (!target || !state || state.bcast) continue;
      if (target === current) {
        if (state.noloop) continue;
        if (!sendNow) {
          this.pendingForCurrent.push({ key });
          continue;
        }
      }
      this.send(target, { key });
    }
  }

  /** Records a key changed under BCAST prefixes; they are announced at the end of the turn. */
  rememberForBroadcast(key: string, modifier: Client | null): void {
    for (const [prefix, entry] of this.prefixTable) {
      if (prefix.length > 0 && !key.startsWith(prefix)) continue;
      entry.keys.set(key, modifier);
      if (!this.broadcastScheduled) {
        this.broadcastScheduled = true;
        setImmediate(() => this.broadcast());
      }
    }
  }

  /** trackingBroadcastInvalidationMessages: one message per prefix with the keys changed under it. */
  private broadcast(): void {
    this.broadcastScheduled = false;
    for (const prefix of [...this.prefixTable.keys()].sort()) {
      const entry = this.prefixTable.get(prefix)!;
      const keys = entry.keys;
      if (keys.size === 0) continue;
      entry.keys = new Map();
      if (this.clientCount === 0) continue;
      const sorted = [...keys.keys()].sort();
      const common = encodeKeys(keys, sorted, null)!;
      for (const client of entry.clients) {
        const proto = client.tracking!.noloop ? encodeKeys(keys, sorted, client) : common;
        if (proto !== null) this.send(client, { proto });
      }
    }
    this.server.flushPendingReplies();
  }

  /**
   * A database was emptied (FLUSHDB, FLUSHALL, DEBUG RELOAD): the whole table goes at once, and
   * every tracking client is told to drop everything when the command ends, once per command.
   */
  flushed(): void {
    this.table.clear();
    this.totalItems = 0;
    if (this.server.dispatcher.currentClient !== null) this.flushSignalPending = true;
    else this.signalFlush();
  }

  private signalFlush(): void {
    if (this.clientCount === 0) return;
    const current = this.server.dispatcher.currentClient;
    for (const client of this.server.clients.values()) {
      if (client.tracking === null) continue;
      const proto = FLUSH_NULL[client.resp === 2 ? 0 : 1];
      if (client === current) this.pendingForCurrent.push({ proto });
      else this.send(client, { proto });
    }
  }

  /**
   * trackingLimitUsedSlots: over tracking-table-max-keys, keys leave the table (their clients
   * are told, as if they changed), with more effort each round that could not get under it.
   * Redis walks to random keys; the oldest entries go first here.
   */
  limitTableSize(): void {
    const max = this.maxKeys;
    if (max === 0 || this.table.size <= max) {
      this.limitTimeouts = 0;
      return;
    }
    let effort = 100 * (this.limitTimeouts + 1);
    for (const key of this.table.keys()) {
      if (effort-- <= 0) break;
      this.invalidateKey(key, false, null, true);
      if (this.table.size <= max) {
        this.limitTimeouts = 0;
        return;
      }
    }
    this.limitTimeouts++;
  }

  // ---- messages ----

  /** sendTrackingMessage: an invalidation for tracked client `c`, to it or its redirect client. */
  private send(c: Client, payload: Payload): void {
    const state = c.tracking!;
    let to = c;
    if (state.redirect !== 0) {
      const redirect = this.server.clients.get(state.redirect);
      if (redirect === undefined || redirect.closed) {
        state.brokenRedirect = true;
        if (c.resp > 2) {
          c.reply.out.writeRaw(REDIR_BROKEN_PUSH);
          c.reply.out.writeLengthLine(58, state.redirect);
          this.written(c);
        }
        return;
      }
      to = redirect;
    }
    const out = to.reply.out;
    // Written straight to the output: pushes are sent even under CLIENT REPLY OFF.
    if (to.resp > 2) out.writeRaw(INVALIDATE_PUSH);
    else if (to !== c && to.subscriptions !== null) out.writeRaw(INVALIDATE_MESSAGE);
    else return; // RESP2 without redirection: no way to tell it
    if ('key' in payload) {
      out.writeRaw(ARRAY_OF_ONE);
      out.writeBulk(payload.key);
    } else {
      out.writeRaw(payload.proto);
    }
    this.written(to);
  }

  /** Queues the client's output; outside of a command nobody flushes it for us. */
  private written(c: Client): void {
    c.markPendingWrite();
    if (this.server.dispatcher.currentClient === null && !this.replyFlushScheduled) {
      this.replyFlushScheduled = true;
      setImmediate(() => {
        this.replyFlushScheduled = false;
        this.server.flushPendingReplies();
      });
    }
  }
}

const ARRAY_OF_ONE = latin1('*1\r\n');

const trackers = new WeakMap<Server, Tracking>();

/** The server's tracking state (created by installTracking). */
export function trackingOf(server: Server): Tracking {
  return trackers.get(server)!;
}

/** Wires tracking into the server: keyspace changes, command hooks, RESET, disconnection, cron. */
export function installTracking(server: Server): void {
  const tracking = new Tracking(server);
  trackers.set(server, tracking);
  const dispatcher = server.dispatcher;
  server.keyspace.addObserver({
    afterWrite: (_db, key) => tracking.invalidateKey(key, true, dispatcher.currentClient),
    beforeClear: () => tracking.flushed(),
  });
  // Expired and evicted keys are changes made by nobody: NOLOOP BCAST clients hear of them too.
  server.keyspaceEventListeners.push((_kind, event, key) => {
    if ((event === 'expired' || event === 'evicted') && tracking.prefixCount > 0) tracking.rememberForBroadcast(key, null);
  });
  dispatcher.afterCallHooks.push((c, spec, argv) => tracking.afterCall(c, spec, argv));
  dispatcher.afterCommandHooks.push((c) => tracking.afterCommand(c));
  // Before each command (after the memory checks, as processCommand): keep the table in bounds.
  dispatcher.guards.push(() => {
    if (tracking.clientCount > 0) tracking.limitTableSize();
    return null;
  });
  // Also when idle, so that a lowered tracking-table-max-keys takes effect.
  server.cron.tasks.push(() => {
    if (tracking.clientCount > 0) tracking.limitTableSize();
  });
  server.resetHooks.push((c) => tracking.disable(c));
  server.unlinkHooks.push((c) => tracking.disable(c));
}
