/**
 * INFO, TIME, MONITOR and SHUTDOWN.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '../../server/client';
import type { Server, ShutdownSaver } from '../../server/server';
import type { CommandHandler } from '../registry';
import { Errors } from '../../protocol/errors';
import { isOption } from '../arguments';
import { systemClock } from '../../keyspace/clock';
import { buildInfo } from '../../server/info';

function info(c: Client, argv: string[]): void {
  c.reply.verbatim(buildInfo(c.server, argv.slice(1)));
}

/** TIME: seconds and microseconds, both as bulk strings. */
function time(c: Client): void {
  const server = c.server;
  const micros =
    server.clock === systemClock
      ? Math.floor((performance.timeOrigin + performance.now()) * 1000)
      : Math.floor(server.clock.now()) * 1000;
  c.reply.array(2);
  c.reply.bulk(String(Math.floor(micros / 1e6)));
  c.reply.bulk(String(micros % 1e6));
}

/** MONITOR: from now on the client receives every command the server runs. A repeat is ignored. */
function monitor(c: Client): void {
  if (c.monitor) return;
  c.monitor = true;
  c.server.monitors.add(c);
  c.reply.ok();
}

/** Installs the save SHUTDOWN and signals run before exiting (persistence). */
export function setShutdownSaver(server: Server, saver: ShutdownSaver | null): void {
  server.shutdownSaver = saver;
}

/** SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: no reply on success, the connection closes. */
function shutdown(c: Client, argv: string[]): void {
  let save = false;
  let nosave = false;
  let force = false;
  let abort = false;
  let other = false;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (isOption(arg, 'NOSAVE')) nosave = true;
    else if (isOption(arg, 'SAVE')) save = true;
    else if (isOption(arg, 'NOW')) other = true;
    else if (isOption(arg, 'FORCE')) force = true;
    else if (isOption(arg, 'ABORT')) abort = true;
    else return c.reply.error(Errors.syntax);
  }
  if ((abort && (save || nosave || force || other)) || (save && nosave)) return c.reply.error(Errors.syntax);
  // A shutdown never waits for replicas here, so there is never one in progress to abort.
  if (abort) return c.reply.error('ERR No shutdown in progress.');

  const server = c.server;
  if (!server.prepareShutdown({ save, nosave, force })) return c.reply.error('ERR Errors trying to SHUTDOWN. Check logs.');
  c.closeAfterReply = true;
  void server.finishShutdown();
}

export const adminHandlers: Record<string, CommandHandler> = { info, time, monitor, shutdown };
