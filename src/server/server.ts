/**
 * The server: listening sockets, the client registry, and the parts every command reaches
 * (configuration, keyspace, command table, dispatcher, statistics, log). It wires configuration
 * changes to the pieces they affect and runs the periodic tasks (see cron.ts).
 */
import { MemoryAccounting } from '../memory/accounting';
import { Evictor } from '../memory/eviction';
import { ClientEvictor } from '../memory/client-eviction';
import { installMemoryManagement } from '../memory/install';
import * as net from 'node:net';
import { Config } from '../config/config';
import { quoteRepr } from '../protocol/quote-repr';
import { Keyspace } from '../keyspace/keyspace';
import { systemClock, type Clock } from '../keyspace/clock';
import { CommandTable } from '../commands/registry';
import { ALL_COMMAND_GROUPS } from '../commands';
import { Dispatcher } from './dispatcher';
import { Client } from './client';
import { ServerStats } from './stats';
import { Logger, type LogFormat, type LogLevel } from '../log';
import { Cron } from './cron';
import { ClientPause } from './client-pause';
import { BlockingManager } from './blocking';
import { Transactions } from './transaction';
import { PubSub } from '../pubsub/pubsub';
import { OutputLimits } from './output-limits';
import { isLoopback, protectedModeMessage } from './protected-mode';
import { LatencyMonitor } from './latency-monitor';
import { EventLoopMonitor } from './event-loop-monitor';
import { SocketReader } from './socket-reader';

export { NODIS_VERSION } from './version';

/** The options of SHUTDOWN that decide about the last save. */
export interface ShutdownFlags {
  /** SHUTDOWN SAVE: save even when no save points are set. */
  save?: boolean;
  /** SHUTDOWN NOSAVE: do not save even when save points are set. */
  nosave?: boolean;
  /** SHUTDOWN FORCE: exit even when the save failed. */
  force?: boolean;
}

/** Saves the dataset before the server exits; false when it could not. Installed by persistence. */
export type ShutdownSaver = (server: Server) => boolean;

export interface ServerOptions {
  /** Directive values already validated into the Config (file and flags). */
  config?: Config;
  clock?: Clock;
  /** Receives log lines instead of stdout or logfile (tests). */
  logSink?: (line: string) => void;
}

/** Hot-path copies of configuration values, refreshed when the config changes. */
export interface Limits {
  maxBulkLen: number;
  queryBufferLimit: number;
  slowlogSlowerThan: number;
  slowlogMaxLen: number;
  maxClients: number;
  timeoutSeconds: number;
  keepAliveSeconds: number;
  /** latency-tracking: per-command latency histograms (INFO latencystats, LATENCY HISTOGRAM). */
  latencyTracking: boolean;
}

export class Server {
  readonly config: Config;
  readonly clock: Clock;
  readonly keyspace: Keyspace;
  readonly commands = new CommandTable();
  readonly dispatcher: Dispatcher;
  readonly stats = new ServerStats();
  readonly log: Logger;
  readonly clients = new Map<number, Client>();
  /** Reads every client socket into one shared buffer (see socket-reader.ts). */
  private readonly socketReader = new SocketReader(process.env.NODIS_SOCKET_READ !== 'stream');
  readonly monitors = new Set<Client>();
  /**
   * Clients with replies waiting for the next flush, each once (Client.awaitingFlush): the first
   * pendingWriteCount entries. A count rather than emptying the array, which costs a runtime call.
   */
  private readonly pendingWrites: (Client | null)[] = [];
  private pendingWriteCount = 0;
  readonly pause = new ClientPause(this);
  readonly blocking: BlockingManager;
  /** MULTI/EXEC queueing and WATCH. */
  readonly transactions: Transactions;
  /** Channel, pattern and shard channel subscriptions, and message delivery. */
  readonly pubsub = new PubSub();
  /** client-output-buffer-limit enforcement. */
  readonly outputLimits: OutputLimits;
  readonly memory: MemoryAccounting;
  readonly evictor: Evictor;
  readonly clientEvictor: ClientEvictor;
  readonly startedAt = Date.now();
  readonly runId = randomHex(40);
  limits!: Limits;
  private listeners: net.Server[] = [];
  private nextClientId = 1;
  readonly cron: Cron;
  /** Latency events sampled over latency-monitor-threshold (LATENCY). */
  readonly latencyMonitor: LatencyMonitor;
  /** Event-loop delay and stalls (INFO eventloop, the "eventloop" latency event), while listening. */
  readonly eventLoopMonitor: EventLoopMonitor;
  /** Absolute path of the configuration file the server started with, if any (INFO config_file). */
  configFile = '';
  private closing: Promise<void> | null = null;
  /** Called when SHUTDOWN or a signal stops the server (the CLI exits the process). */
  onShutdown: (() => void) | null = null;
  /** The save before exit (SHUTDOWN, SIGTERM); null until persistence installs one. */
  shutdownSaver: ShutdownSaver | null = null;

  constructor(options: ServerOptions = {}) {
    this.config = options.config ?? new Config();
    this.clock = options.clock ?? systemClock;
    this.latencyMonitor = new LatencyMonitor(this.config, () => this.clock.now());
    this.eventLoopMonitor = new EventLoopMonitor(this);
    this.log = new Logger({
      level: this.config.get('loglevel') as LogLevel,
      file: this.config.get('logfile'),
      format: this.config.get('log-format') as LogFormat,
      sink: options.logSink,
    });
    this.keyspace = new Keyspace(this.config.getNumber('databases'), this.clock);
    for (const group of ALL_COMMAND_GROUPS) this.commands.register(group);
    this.dispatcher = new Dispatcher(this, this.commands);
    this.blocking = new BlockingManager(this);
    this.transactions = new Transactions(this);
    this.memory = new MemoryAccounting(this);
    this.evictor = new Evictor(this);
    this.clientEvictor = new ClientEvictor(this);
    this.refreshLimits();
    this.outputLimits = new OutputLimits(this);
    this.config.onChange((name, value) => this.applyConfig(name, value));
    this.cron = new Cron(this);
    // An expired key leaves as a DEL in the write stream, and as an "expired" event.
    this.keyspace.addObserver({
      created: (db, key) => this.notify('n', 'new', key, db.id),
      expired: (db, key) => {
        for (const sink of this.dispatcher.sinks) sink.propagate(db.id, ['DEL', key]);
        this.notify('x', 'expired', key, db.id);
      },
    });
    for (const group of ALL_COMMAND_GROUPS) group.install?.(this);
    installMemoryManagement(this);
  }

  private refreshLimits(): void {
    const c = this.config;
    this.limits = {
      maxBulkLen: c.getNumber('proto-max-bulk-len'),
      queryBufferLimit: c.getNumber('client-query-buffer-limit'),
      slowlogSlowerThan: c.getNumber('slowlog-log-slower-than'),
      slowlogMaxLen: c.getNumber('slowlog-max-len'),
      maxClients: c.getNumber('maxclients'),
      timeoutSeconds: c.getNumber('timeout'),
      keepAliveSeconds: c.getNumber('tcp-keepalive'),
      latencyTracking: c.getBool('latency-tracking'),
    };
    this.keyspace.lfuMode = c.get('maxmemory-policy').includes('lfu');
    this.keyspace.lfu.logFactor = c.getNumber('lfu-log-factor');
    this.keyspace.lfu.decayTime = c.getNumber('lfu-decay-time');
  }

  private applyConfig(name: string, value: string): void {
    this.refreshLimits();
    if (name === 'loglevel') this.log.setLevel(value as LogLevel);
    else if (name === 'log-format') this.log.setFormat(value as LogFormat);
    else if (name === 'hz') this.cron.restart();
    else if (name === 'slowlog-max-len' && this.stats.slowlog.length > Number(value)) {
      this.stats.slowlog.length = Number(value);
    }
  }

  /** True once close() has begun. */
  get isClosing(): boolean {
    return this.closing !== null;
  }

  authRequired(): boolean {
    return this.config.get('requirepass') !== '';
  }

  /** Asynchronous set-up a capability starts at install time (the Lua engine): listen() waits for it. */
  readonly startupTasks: Promise<unknown>[] = [];

  /** Starts listening on every bind address; resolves once all are bound. */
  async listen(): Promise<void> {
    await Promise.all(this.startupTasks);
    const port = this.config.getNumber('port');
    const binds = this.config.get('bind').split(/\s+/).filter(Boolean);
    let boundPort = port;
    for (const entry of binds) {
      const optional = entry.startsWith('-');
      const host = optional ? entry.slice(1) : entry;
      try {
        const server = await this.listenOn(host === '*' ? '0.0.0.0' : host, boundPort);
        boundPort = (server.address() as net.AddressInfo).port;
        this.listeners.push(server);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (optional && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
        await this.close();
        throw new Error(`Could not create server TCP listening socket ${host}:${port}: ${(e as Error).message}`);
      }
    }
    if (this.listeners.length === 0) throw new Error('Failed listening on any bind address');
    this.cron.start();
    this.eventLoopMonitor.start();
    this.log.notice(`Server initialized`);
    this.log.notice(`Ready to accept connections tcp`);
  }

  private listenOn(host: string, port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const pauseOnConnect = this.socketReader.needsPausedSockets;
      const server = net.createServer({ noDelay: true, pauseOnConnect }, (socket) => this.accept(socket));
      server.once('error', reject);
      server.listen({ host, port, backlog: this.config.getNumber('tcp-backlog'), ipv6Only: host.includes(':') }, () => {
        server.off('error', reject);
        server.on('error', (e) => this.log.warning(`Listening socket error: ${e.message}`));
        resolve(server);
      });
    });
  }

  /** The TCP port actually bound (useful when configured as 0 for an ephemeral port). */
  get port(): number {
    const address = this.listeners[0]?.address() as net.AddressInfo | null;
    return address ? address.port : this.config.getNumber('port');
  }

  private accept(socket: net.Socket): void {
    if (this.clients.size >= this.limits.maxClients) {
      this.stats.rejectedConnections++;
      refuse(socket, '-ERR max number of clients reached\r\n');
      return;
    }
    if (this.config.getBool('protected-mode') && !this.authRequired() && !isLoopback(socket.remoteAddress)) {
      this.stats.rejectedConnections++;
      refuse(socket, `-${protectedModeMessage()}\r\n`);
      return;
    }
    // As in Redis, refused connections count only as rejected_connections.
    this.stats.totalConnectionsReceived++;
    const client = this.addClient(socket);
    if (this.limits.keepAliveSeconds > 0) socket.setKeepAlive(true, this.limits.keepAliveSeconds * 1000);
    this.socketReader.start(socket, (chunk, shared) => {
      this.stats.netInputBytes += chunk.length;
      this.stats.totalReadsProcessed++;
      client.onData(chunk, shared);
    });
    socket.on('error', () => client.close());
    socket.on('close', () => client.close());
  }

  /** Registers a client; socket is null for internal clients (scripts, AOF loading). */
  addClient(socket: net.Socket | null): Client {
    const client = new Client(this.nextClientId++, this, socket);
    if (socket) this.clients.set(client.id, client);
    return client;
  }

  unlinkClient(client: Client): void {
    this.clients.delete(client.id);
    this.monitors.delete(client);
    this.pause.forget(client);
    this.blocking.forget(client);
    this.transactions.forget(client);
    this.pubsub.forget(client);
    for (const hook of this.unlinkHooks) hook(client);
  }

  /** Run when a client is gone, for state later capabilities keep per client (client tracking). */
  readonly unlinkHooks: ((client: Client) => void)[] = [];

  /**
   * Listeners for keyspace events (keyspace notifications, client tracking). `kind` is the
   * notify-keyspace-events class letter of the event: g generic, $ string, l list, s set,
   * h hash, z zset, x expired, e evicted, t stream, n new key, m key miss.
   */
  readonly keyspaceEventListeners: ((kind: string, event: string, key: string, dbId: number) => void)[] = [];

  /** Reports a keyspace event, e.g. notify('$', 'set', key, db.id). Costs nothing with no listener. */
  notify(kind: string, event: string, key: string, dbId: number): void {
    for (const listener of this.keyspaceEventListeners) listener(kind, event, key, dbId);
  }

  /** Hooks that RESET runs to clear state later capabilities keep per client (MULTI, pub/sub). */
  readonly resetHooks: ((client: Client) => void)[] = [];

  /** RESET: the client goes back to the state of a new connection. */
  resetClient(client: Client): void {
    for (const hook of this.resetHooks) hook(client);
    this.monitors.delete(client);
    client.monitor = false;
    client.setReplyMode('on');
    client.replySkipNext = false;
    client.reply.resp = 2;
    client.selectDb(0);
    client.name = '';
    // Redis 7.0 keeps CLIENT NO-EVICT across RESET (7.2 clears it).
    if (this.authRequired()) {
      client.authenticated = false;
      client.user = 'default';
    }
  }

  execute(client: Client, argv: string[]): void {
    this.dispatcher.execute(client, argv);
  }

  /** True when the client's next command must wait (CLIENT PAUSE). */
  mustWait(client: Client, argv: string[]): boolean {
    return this.pause.mustWait(client, argv);
  }

  /**
   * Consulted before replies leave: a gate returns false to hold them back (the AOF holds them
   * until the writes they acknowledge are in the file) and calls flushPendingReplies() itself
   * once it lets them go.
   */
  readonly replyGates: (() => boolean)[] = [];

  /** Run by close() before the sockets go: persistence flushes its files and stops its timers. */
  readonly closeHooks: (() => void)[] = [];

  /** Queues a client whose replies the next flushPendingReplies() writes (once per flush). */
  queueWrite(client: Client): void {
    if (client.awaitingFlush) return;
    client.awaitingFlush = true;
    this.pendingWrites[this.pendingWriteCount++] = client;
  }

  private flushScheduled = false;
  private readonly scheduledFlush = (): void => {
    this.flushScheduled = false;
    this.flushPendingReplies();
  };

  /**
   * Writes the collected replies once the event loop has run every socket read that was ready,
   * as Redis writes in beforeSleep: the clients get their replies in one burst.
   */
  flushSoon(): void {
    if (this.flushScheduled || this.pendingWriteCount === 0) return;
    this.flushScheduled = true;
    setImmediate(this.scheduledFlush);
  }

  /** Writes the replies collected for every client since the last flush. */
  flushPendingReplies(): void {
    if (this.pendingWriteCount === 0) return;
    for (const gate of this.replyGates) if (!gate()) return;
    const pending = this.pendingWrites;
    // An array and a flag per client rather than a Set: this runs after every read.
    for (let i = 0; i < this.pendingWriteCount; i++) {
      const client = pending[i]!;
      pending[i] = null;
      client.awaitingFlush = false;
      if (client.closed) continue;
      const bytes = client.reply.out.pendingBytes;
      this.stats.netOutputBytes += bytes;
      if (bytes > 0) this.stats.totalWritesProcessed++;
      client.flush();
    }
    this.pendingWriteCount = 0;
  }

  feedMonitors(source: Client, dbIndex: number, argv: string[], atMs: number): void {
    const seconds = (atMs / 1000).toFixed(6);
    const origin = source.socket ? source.addr : 'lua';
    const line = `${seconds} [${dbIndex} ${origin}] ${argv.map(quoteRepr).join(' ')}`;
    // As in Redis, a monitor also sees the commands it sends itself.
    for (const monitor of this.monitors) {
      monitor.reply.status(line);
      monitor.markPendingWrite();
      this.outputLimits.check(monitor);
    }
  }

  /** Stops listening, disconnects every client, and resolves when all sockets are closed. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.cron.stop();
      this.eventLoopMonitor.stop();
      for (const hook of this.closeHooks) hook();
      // A listener's close() completes only once its connections are gone: close them too.
      const listenersClosed = Promise.all(this.listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
      this.listeners = [];
      const sockets = [...this.clients.values()].map((c) => c.socket!).filter(Boolean);
      for (const client of [...this.clients.values()]) client.close();
      await Promise.all(
        sockets.map((s) => (s.destroyed ? Promise.resolve() : new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.destroy();
        }))),
      );
      await listenersClosed;
      this.log.close();
    })();
    return this.closing;
  }

  /**
   * Redis's prepareForShutdown: true when the server may exit. Saves first when save points are
   * set or SAVE is given, unless NOSAVE; a failed save keeps the server running unless FORCE.
   */
  prepareShutdown(flags: ShutdownFlags = {}): boolean {
    this.log.notice('User requested shutdown...');
    const save = !flags.nosave && (flags.save || this.config.get('save') !== '');
    if (!save) return true;
    const saver = this.shutdownSaver;
    if (saver !== null && saver(this)) return true;
    if (flags.force) {
      this.log.warning('Error trying to save the DB. Exit anyway.');
      return true;
    }
    this.log.warning(saver ? "Error trying to save the DB, can't exit." : "No persistence to save the DB with, can't exit.");
    this.log.warning('Errors trying to shut down the server. Check the logs for more information.');
    return false;
  }

  /** The end of a shutdown that prepareShutdown allowed: close, and let the embedder (or CLI) exit. */
  async finishShutdown(): Promise<void> {
    this.log.warning('Nodis is now ready to exit, bye bye...');
    await this.close();
    this.onShutdown?.();
  }

  /**
   * Signals (and embedders): prepare, then close. Resolves false when the save failed and the
   * server keeps running. `announced`: the caller already logged why (the CLI logs Redis's
   * "Received SIGTERM scheduling shutdown...").
   */
  async shutdown(reason: string, announced = false, flags: ShutdownFlags = {}): Promise<boolean> {
    if (!announced) this.log.warning(`${reason}, scheduling shutdown...`);
    if (!this.prepareShutdown(flags)) return false;
    await this.finishShutdown();
    return true;
  }
}

/** Answers a connection that is not accepted and closes it (it may have been accepted paused). */
function refuse(socket: net.Socket, reply: string): void {
  socket.resume();
  socket.end(reply);
}

function randomHex(length: number): string {
  let s = '';
  while (s.length < length) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}
