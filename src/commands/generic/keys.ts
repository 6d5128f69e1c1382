/**
 * Commands on keys by name: DEL, UNLINK, EXISTS, TYPE, TOUCH, KEYS, SCAN, RANDOMKEY.
 */
import type { Client } from '../../server/client';
import { typeOf } from '../../keyspace/value';
import { globMatch } from '../../keyspace/glob';
import { parseScanCursorOrReply, parseScanOptionsOrReply, replyScan, scanMatches } from '../scan';
import { lookupForRead, lookupNoTouch } from './access';

/** DEL and UNLINK (freeing is never blocking here, so both delete at once). */
function del(c: Client, argv: string[]): void {
  const db = c.db;
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i];
    // An expired key goes as an expiry (its own DEL and "expired" event), not as this command's.
    db.expireIfNeeded(key);
    if (db.delete(key)) {
      c.server.notify('g', 'del', key, db.id);
      deleted++;
    }
  }
  c.reply.integer(deleted);
}

/** EXISTS counts a key once per time it is named. */
function exists(c: Client, argv: string[]): void {
  let count = 0;
  for (let i = 1; i < argv.length; i++) if (lookupNoTouch(c, argv[i]) !== undefined) count++;
  c.reply.integer(count);
}

function type(c: Client, argv: string[]): void {
  const value = lookupNoTouch(c, argv[1]);
  c.reply.status(value === undefined ? 'none' : typeOf(value));
}

function touch(c: Client, argv: string[]): void {
  let touched = 0;
  for (let i = 1; i < argv.length; i++) if (lookupForRead(c, argv[i]) !== undefined) touched++;
  c.reply.integer(touched);
}

/** KEYS leaves logically expired keys out of the reply but does not delete them. */
function keys(c: Client, argv: string[]): void {
  const pattern = argv[1];
  const all = pattern === '*';
  const db = c.db;
  const now = c.server.keyspace.now();
  const checkExpiry = db.expires.size > 0;
  const found: string[] = [];
  db.table.forEach((key) => {
    if (!all && !globMatch(pattern, key)) return;
    if (checkExpiry) {
      const when = db.getExpire(key);
      if (when !== undefined && when < now) return;
    }
    found.push(key);
  });
  c.reply.bulkArray(found);
}

/**
 * SCAN: one step of the KeyTable cursor, then the filters in Redis's order: MATCH, TYPE, and
 * expiry (which deletes the expired keys it meets, as Redis does).
 */
function scan(c: Client, argv: string[]): void {
  const cursor = parseScanCursorOrReply(c, argv[1]);
  if (cursor === null) return;
  const options = parseScanOptionsOrReply(c, argv, 2, true);
  if (options === null) return;
  const db = c.db;
  const visited: string[] = [];
  const next = db.table.scan(cursor, options.count, (key) => visited.push(key));
  const wantedType = options.type?.toLowerCase() ?? null;
  const result: string[] = [];
  // Filtering runs after the table step: deleting expired keys inside it would move slots mid-walk.
  for (const key of visited) {
    if (!scanMatches(options, key)) continue;
    if (wantedType !== null) {
      const value = lookupNoTouch(c, key);
      if ((value === undefined ? 'none' : typeOf(value)) !== wantedType) continue;
    }
    if (db.expireIfNeeded(key)) continue;
    result.push(key);
  }
  replyScan(c, next, result);
}

function randomkey(c: Client): void {
  const key = c.db.randomKey();
  if (key === undefined) c.reply.nullBulk();
  else c.reply.bulk(key);
}

export const keyHandlers = { del, unlink: del, exists, type, touch, keys, scan, randomkey };
