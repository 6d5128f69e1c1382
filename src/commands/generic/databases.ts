/**
 * Commands on whole databases: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB.
 */
import type { Client } from '../../server/client';
import type { Server } from '../../server/server';
import { Errors } from '../../protocol/errors';
import { isOption } from '../arguments';
import { databaseAt, parseIntOrReply } from './access';

/** DBSIZE counts every stored key, including expired ones not yet reclaimed (as Redis). */
function dbsize(c: Client): void {
  c.reply.integer(c.db.size);
}

/**
 * The optional SYNC / ASYNC argument of FLUSHDB and FLUSHALL. Both empty at once here (dropping
 * the tables is O(1); the garbage collector frees them in the background), so it is only checked.
 */
function flushArgumentsValid(c: Client, argv: string[]): boolean {
  if (argv.length === 1) return true;
  if (argv.length === 2 && (isOption(argv[1], 'SYNC') || isOption(argv[1], 'ASYNC'))) return true;
  c.reply.error(Errors.syntax);
  return false;
}

function flushdb(c: Client, argv: string[]): void {
  if (!flushArgumentsValid(c, argv)) return;
  c.server.keyspace.dirty += c.db.clear();
  // Replicas and the AOF get the FLUSHDB even when the database was already empty.
  c.server.dispatcher.forcePropagation();
  c.reply.ok();
}

/** Run by FLUSHALL once the databases are empty: persistence stops a BGSAVE and saves. */
export type FlushAllHook = (server: Server) => void;
const flushAllHooks = new WeakMap<Server, FlushAllHook>();

export function setFlushAllHook(server: Server, hook: FlushAllHook): void {
  flushAllHooks.set(server, hook);
}

function flushall(c: Client, argv: string[]): void {
  if (!flushArgumentsValid(c, argv)) return;
  const server = c.server;
  server.keyspace.flushAll();
  flushAllHooks.get(server)?.(server);
  // Replicas and the AOF get the FLUSHALL even when every database was already empty.
  server.dispatcher.forcePropagation();
  c.reply.ok();
}

function swapdb(c: Client, argv: string[]): void {
  const first = parseIntOrReply(c, argv[1], 'ERR invalid first DB index');
  if (first === null) return;
  const second = parseIntOrReply(c, argv[2], 'ERR invalid second DB index');
  if (second === null) return;
  if (databaseAt(c, first) === undefined || databaseAt(c, second) === undefined) {
    return c.reply.error(Errors.dbIndexOutOfRange);
  }
  const keyspace = c.server.keyspace;
  if (first === second) keyspace.dirty++;
  else keyspace.swap(first, second);
  c.reply.ok();
}

export const databaseHandlers = { dbsize, flushdb, flushall, swapdb };
