/**
 * Set commands: SADD, SREM, SMOVE, SISMEMBER, SMISMEMBER, SCARD and SSCAN here; SPOP and
 * SRANDMEMBER in set/random.ts; SMEMBERS and the set algebra (SINTER, SUNION, SDIFF and their
 * STORE forms, SINTERCARD) in set/algebra.ts. Replies, errors, keyspace events and propagation
 * follow Redis 7.0's t_set.c; the structure is in src/types/set.ts.
 */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { readOfType, writeOfType } from './lookup';
import { parseScanCursorOrReply, parseScanOptionsOrReply, replyScan, scanMatches } from './scan';
import { typeOf } from '../keyspace/value';
import { SetValue } from '../types/set';
import { registerValueDigester, xorDigest } from './server/digest';
import { algebraHandlers, maxIntsetEntries } from './set/algebra';
import { randomHandlers } from './set/random';

function sadd(c: Client, argv: string[]): void {
  const key = argv[1];
  const existing = writeOfType<SetValue>(c, key, 'set');
  if (existing === null) return;
  const set = existing ?? new SetValue();
  const maxIntset = maxIntsetEntries(c);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i], maxIntset)) added++;
  if (existing === undefined) c.db.set(key, set);
  else if (added > 0) c.db.modified(key);
  if (added > 0) c.server.notify('s', 'sadd', key, c.db.id);
  c.reply.integer(added);
}

function srem(c: Client, argv: string[]): void {
  const key = argv[1];
  const set = writeOfType<SetValue>(c, key, 'set');
  if (set === null) return;
  if (set === undefined) return c.reply.integer(0);
  let removed = 0;
  let keyRemoved = false;
  for (let i = 2; i < argv.length; i++) {
    if (!set.remove(argv[i])) continue;
    removed++;
    if (set.size === 0) {
      c.db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (removed > 0) {
    if (!keyRemoved) c.db.modified(key);
    c.server.notify('s', 'srem', key, c.db.id);
    if (keyRemoved) c.server.notify('g', 'del', key, c.db.id);
  }
  c.reply.integer(removed);
}

/**
 * SMOVE source destination member. A missing source answers 0 before any type check; then
 * both keys must hold sets.
 */
function smove(c: Client, argv: string[]): void {
  const [, sourceKey, destinationKey, member] = argv;
  const db = c.db;
  const source = db.lookupWrite(sourceKey);
  const destination = db.lookupWrite(destinationKey);
  if (source === undefined) return c.reply.integer(0);
  if (typeOf(source) !== 'set' || (destination !== undefined && typeOf(destination) !== 'set')) {
    return c.reply.error(Errors.wrongType);
  }
  const sourceSet = source as SetValue;
  if (source === destination) return c.reply.integer(sourceSet.has(member) ? 1 : 0);
  if (!sourceSet.remove(member)) return c.reply.integer(0);
  c.server.notify('s', 'srem', sourceKey, db.id);
  if (sourceSet.size === 0) {
    db.delete(sourceKey);
    c.server.notify('g', 'del', sourceKey, db.id);
  } else {
    db.modified(sourceKey);
  }
  const destinationSet = (destination as SetValue | undefined) ?? new SetValue();
  if (destinationSet.add(member, maxIntsetEntries(c))) {
    if (destination === undefined) db.set(destinationKey, destinationSet);
    else db.modified(destinationKey);
    c.server.notify('s', 'sadd', destinationKey, db.id);
  }
  c.reply.integer(1);
}

function sismember(c: Client, argv: string[]): void {
  const set = readOfType<SetValue>(c, argv[1], 'set');
  if (set !== null) c.reply.integer(set?.has(argv[2]) ? 1 : 0);
}

/** SMISMEMBER: a missing key is an empty set (a zero per member). */
function smismember(c: Client, argv: string[]): void {
  const set = readOfType<SetValue>(c, argv[1], 'set');
  if (set === null) return;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.integer(set?.has(argv[i]) ? 1 : 0);
}

function scard(c: Client, argv: string[]): void {
  const set = readOfType<SetValue>(c, argv[1], 'set');
  if (set !== null) c.reply.integer(set?.size ?? 0);
}

/** SSCAN key cursor [MATCH pattern] [COUNT count] */
function sscan(c: Client, argv: string[]): void {
  const cursor = parseScanCursorOrReply(c, argv[2]);
  if (cursor === null) return;
  const set = readOfType<SetValue>(c, argv[1], 'set');
  if (set === null) return;
  if (set === undefined) return replyScan(c, 0, []);
  const options = parseScanOptionsOrReply(c, argv, 3, false);
  if (options === null) return;
  const found: string[] = [];
  const next = set.scan(cursor, options.count, (member) => {
    if (scanMatches(options, member)) found.push(member);
  });
  replyScan(c, next, found);
}

/** DEBUG DIGEST: the members' digests xored together, so the order does not matter (debug.c). */
function digestSet(digest: Buffer, value: unknown): void {
  const set = value as SetValue;
  for (let i = 0; i < set.size; i++) xorDigest(digest, set.at(i));
}

export const setCommands: CommandGroup = {
  group: 'set',
  handlers: {
    sadd,
    srem,
    smove,
    sismember,
    smismember,
    scard,
    sscan,
    ...randomHandlers,
    ...algebraHandlers,
  },
  install: () => registerValueDigester('set', digestSet),
};
