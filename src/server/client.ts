/**
 * One connected client: its socket, query buffer (the request parser), reply buffer, selected
 * database and connection state. Input is parsed and executed command by command; all replies
 * produced while handling one read leave in a single socket write.
 */
import type { Socket } from 'node:net';
import { RequestParser, type ParserLimits } from '../protocol/request-parser';
import { ReplyWriter } from '../protocol/reply-writer';
import type { Database } from '../keyspace/database';
import type { Server } from './server';
import type { CommandSpec } from '../commands/registry';
import type { TransactionState } from './transaction';
import type { ClientSubscriptions } from '../pubsub/pubsub';
import type { ClientTracking } from '../pubsub/tracking';

export type ReplyMode = 'on' | 'off' | 'skip';

/** Size of Redis's static per-client reply buffer (PROTO_REPLY_CHUNK_BYTES), shown as rbs/rbp. */
const REPLY_BUFFER_SIZE = 16 * 1024;
/** Pipelined requests whose keys are prefetched per read, and the table size from which it pays. */
const PEEKED_REQUESTS = 32;
const PREFETCH_MIN_KEYS = 16384;
const peekedSpans = new Int32Array(2 * PEEKED_REQUESTS);
/** Fixed per-client overhead counted in tot-mem (Redis counts sizeof(client) and friends). */
const CLIENT_STRUCT_SIZE = 1024;

export class Client {
  readonly reply: ReplyWriter;
  readonly parser: RequestParser;
  db: Database;
  name = '';
  authenticated: boolean;
  user = 'default';
  readonly createdAt: number;
  lastInteraction: number;
  /** The last command run, for CLIENT LIST's cmd= field. */
  lastCommand: CommandSpec | null = null;
  /** Set while a command runs if it replied with an error (failed_calls). */
  commandFailed = false;
  /** Close the connection once pending replies are written (QUIT, protocol errors). */
  closeAfterReply = false;
  /** Over its output buffer limits: closed soon, nothing more is read from or written to it. */
  closeAsap = false;
  /** When (unix seconds) its output went past the soft output buffer limit; 0 when under it. */
  outputSoftLimitSince = 0;
  closed = false;
  replyMode: ReplyMode = 'on';
  /** Set by CLIENT REPLY SKIP: the command after it runs with its reply dropped. */
  replySkipNext = false;
  /** Commands that must wait: a pause (CLIENT PAUSE) holds the client's next request here. */
  pendingArgv: string[] | null = null;
  /** Waiting on keys (BLPOP and friends): no further command is read until it is released. */
  blocked = false;
  /** Inside MULTI: commands are queued, and blocking commands do not block. */
  inTransaction = false;
  /** MULTI queue and WATCHed keys, created at the first MULTI or WATCH (see transaction.ts). */
  transaction: TransactionState | null = null;
  /** Receives every command the server runs (MONITOR). */
  monitor = false;
  /** Channels, patterns and shard channels subscribed to; null when none (src/pubsub). */
  subscriptions: ClientSubscriptions | null = null;
  /** Client-side caching state (CLIENT TRACKING); null while tracking is off. */
  tracking: ClientTracking | null = null;
  /** Exempt from client eviction (CLIENT NO-EVICT). */
  noEvict = false;
  /** In the server's pendingWrites, to be flushed. */
  awaitingFlush = false;
  /** Number of commands run, for statistics. */
  commandsProcessed = 0;
  libName = '';
  libVersion = '';
  readonly addr: string;
  readonly laddr: string;
  readonly fd: number;

  constructor(
    readonly id: number,
    readonly server: Server,
    readonly socket: Socket | null,
  ) {
    this.reply = new ReplyWriter((message) => server.stats.recordError(this, message));
    this.db = server.keyspace.databases[0];
    this.authenticated = !server.authRequired();
    this.parser = new RequestParser(new ClientParserLimits(this));
    this.createdAt = Date.now();
    this.lastInteraction = this.createdAt;
    this.addr = socket ? formatAddress(socket.remoteAddress, socket.remotePort) : '';
    this.laddr = socket ? formatAddress(socket.localAddress, socket.localPort) : '';
    this.fd = socket ? ((socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1) : -1;
  }

  get resp(): number {
    return this.reply.resp;
  }

  selectDb(index: number): void {
    this.db = this.server.keyspace.databases[index];
  }

  /**
   * Handles bytes read from the socket. A `shared` chunk is the server's read buffer, overwritten
   * by the next read: what the commands run now leave unread is copied first.
   */
  onData(chunk: Buffer, shared = false): void {
    this.lastInteraction = Date.now();
    this.parser.feed(chunk, shared);
    if (this.parser.bufferedBytes > this.server.limits.queryBufferLimit) {
      this.server.log.warning(`Closing client that reached max query buffer length: ${this.describe()}`);
      this.close();
      return;
    }
    this.prefetchKeys();
    this.processInput();
    if (shared) this.parser.keepUnreadInput();
    this.server.flushSoon();
  }

  /**
   * With several requests in the buffer and a table too large for the caches, loads the memory
   * their keys' lookups will need all at once (KeyTable.prefetch), so that the cache misses of
   * the pipelined requests overlap instead of following one another.
   */
  private prefetchKeys(): void {
    const table = this.db.table;
    if (table.size < PREFETCH_MIN_KEYS) return;
    const found = this.parser.peekSecondArgs(peekedSpans, PEEKED_REQUESTS);
    if (found >= 2) table.prefetchBytes(this.parser.buffered, peekedSpans, found);
  }

  /** Runs every complete request in the query buffer, unless the client must wait. */
  processInput(): void {
    while (!this.closed && !this.closeAfterReply && !this.closeAsap && !this.blocked) {
      let argv = this.pendingArgv;
      if (argv) {
        this.pendingArgv = null;
      } else {
        argv = this.parser.next();
        if (argv === null) {
          if (this.parser.error) this.protocolError(this.parser.error);
          break;
        }
      }
      if (this.server.mustWait(this, argv)) {
        this.pendingArgv = argv;
        break;
      }
      this.server.execute(this, argv);
      this.server.outputLimits.check(this);
      this.afterCommand();
    }
    this.markPendingWrite();
  }

  /** CLIENT REPLY ON/OFF/SKIP: whether replies are sent or dropped. */
  setReplyMode(mode: ReplyMode): void {
    this.replyMode = mode;
    this.reply.muted = mode !== 'on';
  }

  /** After each command, rejected ones included: SKIP mutes exactly the one command after it. */
  private afterCommand(): void {
    if (this.replyMode === 'skip') this.setReplyMode('on');
    if (this.replySkipNext) {
      this.replySkipNext = false;
      this.setReplyMode('skip');
    }
  }

  private protocolError(message: string): void {
    this.server.log.verbose(`Protocol error (${message}) from client: ${this.describe()}`);
    this.reply.error(`ERR ${message}`);
    this.closeAfterReply = true;
  }

  /** Goes on with buffered commands after a wait (blocked or paused) ended. */
  resumeInput(): void {
    if (this.closed || this.blocked) return;
    this.processInput();
    this.server.flushPendingReplies();
  }

  /** Queues this client for the next flush of replies. */
  markPendingWrite(): void {
    if (this.reply.out.pendingBytes > 0 || this.closeAfterReply) this.server.queueWrite(this);
  }

  /** Writes all pending replies to the socket in one go. */
  flush(): void {
    const data = this.reply.out.take();
    if (this.socket && !this.closed && !this.closeAsap && data !== null) {
      if (Buffer.isBuffer(data)) {
        this.socket.write(data);
      } else {
        this.socket.cork();
        for (const piece of data) this.socket.write(piece);
        this.socket.uncork();
      }
    }
    if (this.closeAfterReply) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.socket) {
      this.socket.end();
      this.socket.destroySoon();
    }
    this.server.unlinkClient(this);
  }

  /**
   * One line of CLIENT LIST / CLIENT INFO, field for field as Redis 7.0.15 prints it.
   * `argvBytes` is the size of the command this client is running (argv-mem), when it is the caller.
   */
  describe(argvBytes = 0): string {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const qbuf = this.parser.bufferedBytes;
    const qbufFree = Math.max(0, this.parser.capacity - qbuf);
    // Redis keeps replies in a static 16k buffer (obl bytes) and then in a list of blocks (oll
    // blocks, omem bytes); pending bytes here are mapped onto the same three numbers.
    const pending = this.reply.out.pendingBytes;
    const obl = Math.min(pending, REPLY_BUFFER_SIZE);
    const overflow = pending - obl + (this.socket?.writableLength ?? 0);
    const oll = Math.ceil(overflow / REPLY_BUFFER_SIZE);
    const totMem = this.memoryUsage(argvBytes);
    const multi = this.inTransaction ? (this.transaction?.queue.length ?? 0) : -1;
    const multiMem = this.transaction?.queuedBytes ?? 0;
    const events = overflow > 0 ? 'rw' : 'r';
    const cmd = this.lastCommand ? this.lastCommand.fullName : 'NULL';
    const subs = this.subscriptions;
    return (
      `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${this.fd} name=${this.name} ` +
      `age=${nowSeconds - Math.floor(this.createdAt / 1000)} idle=${nowSeconds - Math.floor(this.lastInteraction / 1000)} ` +
      `flags=${this.flagString()} db=${this.db.id} sub=${subs?.channels.size ?? 0} psub=${subs?.patterns.size ?? 0} ssub=${subs?.shardChannels.size ?? 0} multi=${multi} qbuf=${qbuf} ` +
      `qbuf-free=${qbufFree} argv-mem=${argvBytes} multi-mem=${multiMem} rbs=${REPLY_BUFFER_SIZE} rbp=${REPLY_BUFFER_SIZE} ` +
      `obl=${obl} oll=${oll} omem=${overflow} tot-mem=${totMem} events=${events} cmd=${cmd} ` +
      `user=${this.user} redir=${this.tracking?.redirect ?? -1} resp=${this.resp}`
    );
  }

  /** Output counted against client-output-buffer-limit: reply bytes past the static buffer, plus the socket's queue (omem). */
  outputBufferBytes(): number {
    return Math.max(0, this.reply.out.pendingBytes - REPLY_BUFFER_SIZE) + (this.socket?.writableLength ?? 0);
  }

  /**
   * Memory this client holds (CLIENT LIST tot-mem, mem_clients_normal, client eviction): the
   * query buffer, the command being run, pending replies, and a fixed part for the client itself.
   */
  memoryUsage(argvBytes = 0): number {
    const queryBuffer = Math.max(this.parser.capacity, this.parser.bufferedBytes);
    const pending = this.reply.out.pendingBytes;
    const overflow = Math.max(0, pending - REPLY_BUFFER_SIZE) + (this.socket?.writableLength ?? 0);
    const transaction = this.transaction?.memoryUsage() ?? 0;
    return CLIENT_STRUCT_SIZE + queryBuffer + argvBytes + REPLY_BUFFER_SIZE + overflow + transaction;
  }

  /** CLIENT LIST flags, in Redis's order (O monitor, P pub/sub, x MULTI, b blocked, t tracking, R broken redirect, B broadcast, c closing, e no-evict; N for none). */
  private flagString(): string {
    let flags = '';
    if (this.monitor) flags += 'O';
    if (this.subscriptions !== null) flags += 'P';
    if (this.inTransaction) flags += 'x';
    if (this.blocked) flags += 'b';
    if (this.tracking !== null) {
      flags += 't';
      if (this.tracking.brokenRedirect) flags += 'R';
      if (this.tracking.bcast) flags += 'B';
    }
    if (this.closeAfterReply) flags += 'c';
    if (this.noEvict) flags += 'e';
    return flags || 'N';
  }
}

/**
 * The parser's limits for one client, read live. A class (getters on the prototype) rather than an
 * object literal with getters: literals would give every client's object its own hidden class, and
 * the parser's reads of them would go megamorphic with many clients.
 */
class ClientParserLimits implements ParserLimits {
  constructor(private readonly client: Client) {}

  get maxBulkLen(): number {
    return this.client.server.limits.maxBulkLen;
  }

  get unauthenticated(): boolean {
    return !this.client.authenticated;
  }
}

function formatAddress(address: string | undefined, port: number | undefined): string {
  if (!address) return '';
  const bare = address.startsWith('::ffff:') ? address.slice(7) : address;
  return bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`;
}
