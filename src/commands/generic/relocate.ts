/**
 * Commands that give a value a new name or database: RENAME, RENAMENX, COPY, MOVE. A TTL goes
 * along with the value; a moved value keeps its access metadata (LRU/LFU), a copy starts fresh.
 */
import type { Client } from '../../server/client';
import type { Database } from '../../keyspace/database';
import { cloneValue } from '../../keyspace/value';
import { Errors } from '../../protocol/errors';
import { isOption } from '../arguments';
import { liveValue, lookupForRead, parseDatabaseOrReply } from './access';

const SAME_OBJECT = 'ERR source and destination objects are the same';

/** Carries a moved value's LRU/LFU metadata over to its new place (Redis moves the object itself). */
function carryAccessMeta(from: Database, fromKey: string, to: Database, toKey: string): void {
  const meta = from.table.getMeta(fromKey);
  if (meta !== undefined) to.table.setMeta(toKey, meta);
}

/**
 * Moves the value of `key` in `from` to `toKey` in `to`, replacing any value there, with its TTL
 * and metadata; the source key is deleted.
 */
function relocate(from: Database, key: string, to: Database, toKey: string): void {
  const value = from.peek(key)!;
  const expire = from.getExpire(key);
  // Redis deletes a replaced target and adds the key anew: a "new" keyspace event either way.
  to.delete(toKey);
  to.set(toKey, value);
  if (expire !== undefined) to.setExpire(toKey, expire);
  carryAccessMeta(from, key, to, toKey);
  from.delete(key);
}

function renameGeneric(c: Client, argv: string[], nx: boolean): void {
  const [, source, target] = argv;
  const db = c.db;
  if (db.lookupRead(source) === undefined) return c.reply.error(Errors.noSuchKey);
  if (source === target) {
    if (nx) c.reply.integer(0);
    else c.reply.ok();
    return;
  }
  // Looked up even without NX, so that an expired target leaves as an expiry first.
  const targetExists = liveValue(db, target) !== undefined;
  if (nx && targetExists) return c.reply.integer(0);
  relocate(db, source, db, target);
  c.server.notify('g', 'rename_from', source, db.id);
  c.server.notify('g', 'rename_to', target, db.id);
  if (nx) c.reply.integer(1);
  else c.reply.ok();
}

function rename(c: Client, argv: string[]): void {
  renameGeneric(c, argv, false);
}

function renamenx(c: Client, argv: string[]): void {
  renameGeneric(c, argv, true);
}

function copy(c: Client, argv: string[]): void {
  const [, source, target] = argv;
  let targetDb = c.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    if (isOption(argv[i], 'REPLACE')) {
      replace = true;
    } else if (isOption(argv[i], 'DB') && i + 1 < argv.length) {
      const db = parseDatabaseOrReply(c, argv[++i]);
      if (db === null) return;
      targetDb = db;
    } else {
      return c.reply.error(Errors.syntax);
    }
  }
  if (targetDb === c.db && source === target) return c.reply.error(SAME_OBJECT);
  const value = lookupForRead(c, source);
  if (value === undefined) return c.reply.integer(0);
  const expire = c.db.getExpire(source);
  if (liveValue(targetDb, target) !== undefined) {
    if (!replace) return c.reply.integer(0);
    // Deleted and added anew, as in Redis (a "new" keyspace event).
    targetDb.delete(target);
  }
  targetDb.set(target, cloneValue(value));
  if (expire !== undefined) targetDb.setExpire(target, expire);
  c.server.notify('g', 'copy_to', target, targetDb.id);
  c.reply.integer(1);
}

function move(c: Client, argv: string[]): void {
  const key = argv[1];
  const source = c.db;
  const target = parseDatabaseOrReply(c, argv[2]);
  if (target === null) return;
  if (target === source) return c.reply.error(SAME_OBJECT);
  if (source.lookupRead(key) === undefined) return c.reply.integer(0);
  if (liveValue(target, key) !== undefined) return c.reply.integer(0);
  relocate(source, key, target, key);
  c.server.notify('g', 'move_from', key, source.id);
  c.server.notify('g', 'move_to', key, target.id);
  c.reply.integer(1);
}

export const relocateHandlers = { rename, renamenx, copy, move };
