/**
 * INFO, TIME, LASTSAVE, MONITOR and SHUTDOWN.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from '../../server/client';
import type { Server } from '../../server/server';
import type { CommandHandler } from '../registry';
import { Errors } from '../../protocol/errors';
import { isOption } from '../arguments';
import { systemClock } from '../../keyspace/clock';
import { findDirective } from '../../config/directives';
import { buildInfo, lastSaveTime } from '../../server/info';

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

function lastsave(c: Client): void {
  c.reply.integer(lastSaveTime(c.server));
}

/** MONITOR: from now on the client receives every command the server runs. A repeat is ignored. */
function monitor(c: Client): void {
  if (c.monitor) return;
  c.monitor = true;
  c.server.monitors.add(c);
  c.reply.ok();
}

/** Saves the dataset before exiting; returns false when it could not. Set by persistence. */
export type ShutdownSaver = (server: Server) => boolean;
const savers = new WeakMap<Server, ShutdownSaver>();

export function setShutdownSaver(server: Server, saver: ShutdownSaver): void {
  savers.set(server, saver);
}

function saveConfigured(server: Server): boolean {
  return findDirective('save') !== undefined && server.config.get('save').trim() !== '';
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
  if ((save || saveConfigured(server)) && !nosave) {
    const saver = savers.get(server);
    if (!saver || !saver(server)) {
      server.log.warning(saver ? 'Error trying to save the DB, can\'t exit.' : 'No persistence to save the DB with, can\'t exit.');
      if (!force) return c.reply.error('ERR Errors trying to SHUTDOWN. Check logs.');
    }
  }
  c.closeAfterReply = true;
  void server.shutdown('SHUTDOWN', true);
}

export const adminHandlers: Record<string, CommandHandler> = { info, time, lastsave, monitor, shutdown };
