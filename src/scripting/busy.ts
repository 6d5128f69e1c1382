/**
 * Busy scripts (Redis 7.0's scriptInterrupt and processEventsWhileBlocked).
 *
 * The script a command runs (EVAL, FCALL) is the server's running script while it runs. Once it
 * has run for busy-reply-threshold milliseconds (0: never), the server logs "Slow script
 * detected" and, while still waiting for the script, serves the other clients: the commands
 * already in their query buffers, then what their sockets hold, read directly (the event loop is
 * not running). Commands flagged allow-busy run (SCRIPT KILL, FUNCTION KILL, FUNCTION STATS,
 * SHUTDOWN NOSAVE, MULTI, DISCARD, WATCH, UNWATCH, AUTH, HELLO, QUIT, RESET, REPLCONF); any other
 * gets the BUSY error. The script's own client is not read meanwhile (Redis protects it).
 * Replies go straight to the socket when nothing is queued on it, else wait for the usual flush.
 */
import * as fs from 'node:fs';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { CommandFlag, type CommandSpec } from '../commands/registry';
import { isOption } from '../commands/arguments';
import type { WaitPolicy } from './lua-worker';

export const BUSY_EVAL_ERROR = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
export const BUSY_FUNCTION_ERROR = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
const NOT_BUSY_ERROR = 'NOTBUSY No scripts in execution right now.';
const UNKILLABLE_ERROR =
  'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the ' +
  'script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';

/** How often (ms) a busy server looks at its other clients while the script runs. */
const BUSY_POLL_MS = 2;

/** The script a command is running (Redis's scriptRunCtx). */
export interface RunningScript {
  caller: Client;
  /** The command that runs it (FUNCTION STATS shows it). */
  command: string[];
  /** The SHA1 for EVAL, the function name for FCALL. */
  name: string;
  isEval: boolean;
  startedAt: number;
  /** Past busy-reply-threshold: other clients are served meanwhile. */
  timedOut: boolean;
  /** It ran a write command: SCRIPT KILL refuses (Redis's SCRIPT_WRITE_DIRTY). */
  wroteDirty: boolean;
  killed: boolean;
}

const running = new WeakMap<Server, RunningScript>();

export function runningScript(server: Server): RunningScript | null {
  return running.get(server) ?? null;
}

/** The BUSY error for commands refused while `script` runs. */
export function busyError(script: RunningScript): string {
  return script.isEval ? BUSY_EVAL_ERROR : BUSY_FUNCTION_ERROR;
}

/**
 * Runs `work` with `script` as the server's running script, handing it the policy the worker's
 * wait loop follows.
 */
export function trackScript<T>(server: Server, script: RunningScript, work: (policy: WaitPolicy) => T): T {
  running.set(server, script);
  try {
    return work(() => nextWait(server, script));
  } finally {
    running.delete(server);
  }
}

/** Milliseconds to wait for the script before looking again, or -1 to abandon it. */
function nextWait(server: Server, script: RunningScript): number {
  const threshold = server.config.getNumber('busy-reply-threshold');
  if (threshold <= 0 && !script.timedOut) return Infinity;
  if (!script.timedOut) {
    const elapsed = Date.now() - script.startedAt;
    if (elapsed < threshold) return threshold - elapsed;
    script.timedOut = true;
    server.log.warning(
      `Slow script detected: still in execution after ${elapsed} milliseconds. You can try killing the script ` +
        `using the ${script.isEval ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${script.name}.`,
    );
  }
  serveOtherClients(server, script);
  if (script.killed || server.isClosing) return -1;
  return BUSY_POLL_MS;
}

/** SCRIPT KILL (isEval) and FUNCTION KILL: Redis's scriptKill. */
export function killScript(c: Client, isEval: boolean): void {
  const script = runningScript(c.server);
  if (script === null || !script.timedOut) return c.reply.error(NOT_BUSY_ERROR);
  if (script.wroteDirty) return c.reply.error(UNKILLABLE_ERROR);
  if (isEval && !script.isEval) return c.reply.error(BUSY_FUNCTION_ERROR);
  if (!isEval && script.isEval) return c.reply.error(BUSY_EVAL_ERROR);
  script.killed = true;
  c.reply.ok();
}

/**
 * The check before every command: while a script is busy, only allow-busy commands run, and
 * SHUTDOWN only with NOSAVE (its other errors come first, from the command itself).
 */
export function installBusyGuard(server: Server): void {
  if (guarded.has(server)) return;
  guarded.add(server);
  server.dispatcher.guards.push((c, spec, argv) => {
    const script = runningScript(server);
    if (script === null || !script.timedOut || c === script.caller) return null;
    if (!(spec.flags & CommandFlag.AllowBusy) || refusedShutdown(spec, argv)) return busyError(script);
    return null;
  });
}

const guarded = new WeakSet<Server>();

const SHUTDOWN_OPTIONS = ['NOSAVE', 'SAVE', 'NOW', 'FORCE', 'ABORT'];

/** A SHUTDOWN that would save or abort-check while busy: valid options, none of them NOSAVE or ABORT. */
function refusedShutdown(spec: CommandSpec, argv: string[]): boolean {
  if (spec.fullName !== 'shutdown') return false;
  for (let i = 1; i < argv.length; i++) {
    const option = SHUTDOWN_OPTIONS.find((name) => isOption(argv[i], name));
    if (option === undefined || option === 'NOSAVE' || option === 'ABORT') return false;
  }
  return true;
}

/** Redis's processEventsWhileBlocked, for the clients already connected. */
function serveOtherClients(server: Server, script: RunningScript): void {
  const dispatcher = server.dispatcher;
  const savedClient = dispatcher.currentClient;
  const savedRunning = server.stats.runningClient;
  try {
    for (const client of [...server.clients.values()]) {
      if (client === script.caller || client.closed) continue;
      readAvailable(server, client);
      if (client.closed) continue;
      client.processInput();
      writeNow(server, client);
      if (server.isClosing) return;
    }
  } finally {
    dispatcher.currentClient = savedClient;
    server.stats.runningClient = savedRunning;
  }
}

const readBuffer = Buffer.allocUnsafe(64 * 1024);

/** Feeds the client's parser with what its socket holds, read without the event loop. */
function readAvailable(server: Server, client: Client): void {
  const socket = client.socket;
  // Bytes Node already read but has not delivered yet must come first: leave that socket alone.
  if (socket === null || client.fd < 0 || socket.destroyed || socket.readableLength > 0) return;
  for (;;) {
    let count: number;
    try {
      count = fs.readSync(client.fd, readBuffer, 0, readBuffer.length, null);
    } catch {
      return; // EAGAIN: nothing there (other errors show up to the event loop later).
    }
    // 0 is the end of the stream: the event loop sees it too and closes the client.
    if (count <= 0) return;
    server.stats.netInputBytes += count;
    server.stats.totalReadsProcessed++;
    client.lastInteraction = Date.now();
    client.parser.feed(Buffer.from(readBuffer.subarray(0, count)));
    if (client.parser.bufferedBytes > server.limits.queryBufferLimit) {
      server.log.warning(`Closing client that reached max query buffer length: ${client.describe()}`);
      client.close();
      return;
    }
    if (count < readBuffer.length) return;
  }
}

/** Writes the client's pending replies to its socket now when nothing else is queued on it. */
function writeNow(server: Server, client: Client): void {
  const socket = client.socket;
  if (socket === null || client.closeAsap || socket.destroyed || socket.writableLength > 0 || client.fd < 0) return;
  for (const gate of server.replyGates) if (!gate()) return;
  const out = client.reply.out.take();
  if (out !== null) {
    const data = Buffer.isBuffer(out) ? out : Buffer.concat(out);
    server.stats.netOutputBytes += data.length;
    server.stats.totalWritesProcessed++;
    let written = 0;
    try {
      written = fs.writeSync(client.fd, data);
    } catch {
      written = 0; // EAGAIN: the socket takes it later.
    }
    if (written < data.length) socket.write(data.subarray(written));
  }
  if (client.closeAfterReply) client.close();
}
