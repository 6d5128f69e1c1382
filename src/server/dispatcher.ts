/**
 * The single gate every command passes through, in Redis's processCommand order: lookup, arity,
 * authentication, then the hooks later capabilities fill (transaction queueing, the OOM check),
 * the handler itself, and after it statistics, the slow log, MONITOR and propagation of writes.
 * Handlers never repeat these checks.
 */
import { cText } from '../protocol/errors';
import { performance } from 'node:perf_hooks';
import { CommandFlag, type CommandSpec, type CommandTable } from '../commands/registry';
import type { Client } from './client';
import { LatencyHistogram } from './latency-histogram';
import type { Server } from './server';
import { systemClock } from '../keyspace/clock';
import { latencyAddSampleIfNeeded } from './latency-monitor';

/** A check run before a command: returns an error reply to refuse it, or null to go on. */
export type CommandGuard = (client: Client, spec: CommandSpec, argv: string[]) => string | null;

/** Receives every write as a command stream (AOF, replicas). */
export interface PropagationSink {
  propagate(dbIndex: number, argv: string[]): void;
}

/**
 * Takes the command over before it runs (MULTI queueing): returns true when it handled the
 * command and the handler must not run now.
 */
export type CommandInterceptor = (client: Client, spec: CommandSpec, argv: string[]) => boolean;

/**
 * Hears of a command refused by the checks (Redis's rejectCommand): returns the error reply to
 * send, the one it was given or another (a refused EXEC aborts its transaction).
 */
export type RejectionHook = (client: Client, spec: CommandSpec | undefined, argv: string[], error: string) => string;

/** One command waiting in a propagation unit, with the database it applies to. */
interface PendingPropagation {
  dbIndex: number;
  argv: string[];
}

function quoteArgs(argv: string[]): string {
  let out = '';
  for (let i = 1; i < argv.length && out.length < 128; i++) out += `'${cText(argv[i], 128 - out.length)}' `;
  return out;
}

export class Dispatcher {
  readonly guards: CommandGuard[] = [];
  /** Checks that come before authentication, as Redis's protected-command check (DEBUG). */
  readonly preAuthGuards: CommandGuard[] = [];
  readonly interceptors: CommandInterceptor[] = [];
  readonly rejectionHooks: RejectionHook[] = [];
  /** The client whose command is being processed (Redis's server.current_client), else null. */
  currentClient: Client | null = null;
  /** Run after each command call, those EXEC runs included (client tracking remembers keys). */
  readonly afterCallHooks: ((client: Client, spec: CommandSpec, argv: string[]) => void)[] = [];
  /**
   * Run after each command a client sent, refused and queued ones included, once its reply is
   * complete (Redis's afterCommand and resetClient).
   */
  readonly afterCommandHooks: ((client: Client) => void)[] = [];
  readonly sinks: PropagationSink[] = [];
  /** Set by a handler that wants a different command propagated (SET EX -> SET PXAT). */
  private propagateOverride: string[][] | null = null;
  /** Set by a handler whose command propagates even when it changed nothing (FLUSHDB). */
  private propagateAlways = false;
  /** Commands propagated since the outermost beginUnit(), sent together by endUnit(). */
  private unit: PendingPropagation[] | null = null;
  private unitDepth = 0;

  constructor(
    private readonly server: Server,
    private readonly table: CommandTable,
  ) {}

  /** Whether commands propagate anywhere (AOF, replicas): work done only for them can be skipped. */
  get propagates(): boolean {
    return this.sinks.length > 0;
  }

  /** Replaces what the running command propagates; a handler may call it several times. */
  alsoPropagate(argv: string[]): void {
    (this.propagateOverride ??= []).push(argv);
  }

  /**
   * Propagates only what alsoPropagate() adds, never the command itself (Redis's
   * preventCommandPropagation: XREADGROUP propagates as XCLAIM / XGROUP SETID).
   */
  preventPropagation(): void {
    this.propagateOverride ??= [];
  }

  /** Propagates the running command even if it left the keyspace unchanged. */
  forcePropagation(): void {
    this.propagateAlways = true;
  }

  /**
   * Starts collecting what commands propagate, to send it as one unit (EXEC, scripts): units
   * nest, and only the outermost endUnit() sends.
   */
  beginUnit(): void {
    if (this.unitDepth++ === 0) this.unit = [];
  }

  /**
   * Sends what the unit collected: a single command as it is, several wrapped in MULTI ... EXEC
   * (Redis's propagatePendingCommands), MULTI in the database of the first command and EXEC in
   * the one of the last, so that the sinks add no SELECT around them.
   */
  endUnit(): void {
    if (--this.unitDepth > 0) return;
    const pending = this.unit!;
    this.unit = null;
    if (pending.length === 0) return;
    const wrap = pending.length > 1;
    if (wrap) this.sendToSinks(pending[0].dbIndex, ['MULTI']);
    for (const { dbIndex, argv } of pending) this.sendToSinks(dbIndex, argv);
    if (wrap) this.sendToSinks(pending[pending.length - 1].dbIndex, ['EXEC']);
  }

  /** Propagates one command now, or into the open unit. */
  private propagate(dbIndex: number, argv: string[]): void {
    if (this.unit !== null) this.unit.push({ dbIndex, argv });
    else this.sendToSinks(dbIndex, argv);
  }

  private sendToSinks(dbIndex: number, argv: string[]): void {
    for (const sink of this.sinks) sink.propagate(dbIndex, argv);
  }

  /**
   * Commands whose flags depend on their arguments (Redis's getCommandFlags): EVAL and FCALL take
   * the flags their script or function declares. Given the table's flags, a provider returns the
   * command's.
   */
  readonly flagProviders = new Map<string, (c: Client, argv: string[], flags: number) => number>();

  /**
   * A command's flags as the checks before it see them (CLIENT PAUSE WRITE, the OOM check): EXEC
   * also carries the flags of the commands it queued, EVAL and FCALL their script's.
   */
  flagsOf(c: Client, spec: CommandSpec, argv: string[]): number {
    const queued = c.transaction;
    if (queued !== null && spec.fullName === 'exec') return spec.flags | queued.queuedFlags;
    const provider = this.flagProviders.get(spec.fullName);
    return provider === undefined ? spec.flags : provider(c, argv, spec.flags);
  }

  execute(c: Client, argv: string[]): void {
    this.currentClient = c;
    try {
      this.process(c, argv);
      for (const hook of this.afterCommandHooks) hook(c);
    } finally {
      this.currentClient = null;
    }
  }

  private process(c: Client, argv: string[]): void {
    const spec = this.table.lookupArgv(argv);
    // CLIENT LIST's cmd= shows the command being run, or tried (Redis sets lastcmd at lookup).
    c.lastCommand = spec ?? null;
    const error = this.check(c, spec, argv);
    if (error !== null) {
      if (spec) spec.stats.rejectedCalls++;
      let reply = error;
      for (const hook of this.rejectionHooks) reply = hook(c, spec, argv, reply);
      c.reply.error(reply);
      return;
    }
    const command = spec!;
    for (const interceptor of this.interceptors) if (interceptor(c, command, argv)) return;
    this.call(c, command, argv);
  }

  /** The checks before a command runs; returns an error reply or null. */
  private check(c: Client, spec: CommandSpec | undefined, argv: string[]): string | null {
    if (spec === undefined) {
      return `ERR unknown command '${cText(argv[0], 128)}', with args beginning with: ${quoteArgs(argv)}`;
    }
    if (spec.handler === null) {
      if (argv.length === 1 || !spec.subcommands) return `ERR wrong number of arguments for '${spec.fullName}' command`;
      return `ERR unknown subcommand '${cText(argv[1], 128)}'. Try ${cText(argv[0], 128).toUpperCase()} HELP.`;
    }
    const arity = spec.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
      return `ERR wrong number of arguments for '${spec.fullName}' command`;
    }
    for (const guard of this.preAuthGuards) {
      const refused = guard(c, spec, argv);
      if (refused !== null) return refused;
    }
    if (!c.authenticated && !(spec.flags & CommandFlag.NoAuth)) return 'NOAUTH Authentication required.';
    if (c.inTransaction && spec.flags & CommandFlag.NoMulti) return 'ERR Command not allowed inside a transaction';
    for (const guard of this.guards) {
      const refused = guard(c, spec, argv);
      if (refused !== null) return refused;
    }
    return null;
  }

  /** Runs a command that passed the checks (also used by EXEC and scripts). */
  /** Nesting of call() (EXEC and scripts call commands from inside a command). */
  private depth = 0;

  /**
   * Runs work on behalf of a client outside a command of its own (serving a blocked client):
   * time is frozen as for a command, and whatever the work passes to alsoPropagate() is
   * propagated in the client's database.
   */
  runAs<T>(c: Client, work: () => T): T {
    const keyspace = this.server.keyspace;
    const savedOverride = this.propagateOverride;
    this.propagateOverride = null;
    keyspace.freezeTime(this.server.clock.now());
    this.server.stats.runningClient = c;
    try {
      return work();
    } finally {
      this.server.stats.runningClient = null;
      keyspace.freezeTime(0);
      const streams = this.propagateOverride as string[][] | null;
      this.propagateOverride = savedOverride;
      if (streams) for (const cmd of streams) this.propagate(c.db.id, cmd);
    }
  }

  /**
   * Runs a command replayed from a persisted file, as Redis's loading client runs it (the
   * command's proc called directly): time frozen as for a command, but no statistics, slow log,
   * MONITOR or propagation. What the handler asks to propagate is dropped, and a command that
   * runs it (DEBUG LOADAOF) keeps its own propagation state.
   */
  callForLoading(c: Client, spec: CommandSpec, argv: string[]): void {
    const keyspace = this.server.keyspace;
    const savedOverride = this.propagateOverride;
    const savedAlways = this.propagateAlways;
    keyspace.freezeTime(this.server.clock.now());
    try {
      spec.handler!(c, argv);
    } catch (e) {
      this.server.log.warning(`Error executing '${spec.fullName}': ${(e as Error).stack ?? e}`);
      c.reply.error(`ERR ${(e as Error).message}`);
    } finally {
      keyspace.freezeTime(0);
      this.propagateOverride = savedOverride;
      this.propagateAlways = savedAlways;
    }
  }

  call(c: Client, spec: CommandSpec, argv: string[]): void {
    this.depth++;
    try {
      this.callUnchecked(c, spec, argv);
    } finally {
      this.depth--;
    }
    // Keys made ready for blocked clients are served once the outermost command is done.
    if (this.depth === 0) this.server.blocking.handleReadyKeys();
  }

  private callUnchecked(c: Client, spec: CommandSpec, argv: string[]): void {
    const server = this.server;
    const keyspace = server.keyspace;
    const stats = server.stats;
    const dirtyBefore = keyspace.dirty;
    const dbIndex = c.db.id;
    // One clock read gives the command's wall time and the start of its duration.
    const t0 = performance.now();
    const startedAt = systemClock.at(t0);
    // Commands run by a command (EXEC, scripts) see the time the outermost one started at.
    const outermost = this.depth === 1;
    if (outermost) keyspace.freezeTime(server.clock.at(t0));
    c.commandFailed = false;
    stats.runningClient = c;
    this.propagateOverride = null;
    this.propagateAlways = false;
    try {
      spec.handler!(c, argv);
    } catch (e) {
      server.log.warning(`Error executing '${spec.fullName}': ${(e as Error).stack ?? e}`);
      c.reply.error(`ERR ${(e as Error).message}`);
    }
    const usec = Math.round((performance.now() - t0) * 1000);
    latencyAddSampleIfNeeded(server, spec.flags & CommandFlag.Fast ? 'fast-command' : 'command', usec / 1000);
    stats.runningClient = null;
    if (outermost) keyspace.freezeTime(0);

    const s = spec.stats;
    s.calls++;
    s.usec += usec;
    if (server.limits.latencyTracking) (s.latency ??= new LatencyHistogram()).record(usec * 1000);
    if (c.commandFailed) s.failedCalls++;
    stats.totalCommandsProcessed++;
    c.commandsProcessed++;
    // Inside EXEC, CLIENT LIST keeps showing cmd=exec, as in Redis.
    if (outermost) c.lastCommand = spec;
    c.lastInteraction = startedAt;

    const slower = server.limits.slowlogSlowerThan;
    if (slower >= 0 && usec >= slower && !(spec.flags & CommandFlag.SkipSlowlog)) {
      stats.addSlowlogEntry(c, argv, usec, server.limits.slowlogMaxLen);
    }
    if (server.monitors.size > 0 && !(spec.flags & (CommandFlag.SkipMonitor | CommandFlag.Admin))) {
      // The database after the command, as Redis shows it (SELECT 1 appears as db 1).
      server.feedMonitors(c, c.db.id, argv, startedAt);
    }
    if ((keyspace.dirty !== dirtyBefore || this.propagateAlways) && this.propagates) {
      const streams = this.propagateOverride ?? [argv];
      // A command that propagates as several (SPOP with a count) goes out as one MULTI/EXEC unit.
      const unit = streams.length > 1;
      if (unit) this.beginUnit();
      for (const cmd of streams) this.propagate(dbIndex, cmd);
      if (unit) this.endUnit();
    }
    this.propagateOverride = null;
    this.propagateAlways = false;
    for (const hook of this.afterCallHooks) hook(c, spec, argv);
  }
}
