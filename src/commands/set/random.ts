/**
 * SPOP and SRANDMEMBER, as Redis 7.0's t_set.c: the same cases by count, the same reply shapes
 * (SPOP with a count replies a set, SRANDMEMBER with a count an array), and SPOP's
 * deterministic propagation: one SREM per popped member, or a DEL when the whole set goes.
 */
import type { Client } from '../../server/client';
import type { CommandHandler } from '../registry';
import { Errors } from '../../protocol/errors';
import { parseInt64 } from '../arguments';
import { readOfType, writeOfType } from '../lookup';
import { checkRepeatCountOrReply, parseRandomCountOrReply, pickDistinct } from '../random-pick';
import { SetValue } from '../../types/set';
import { maxIntsetEntries, replySetMembers, unionOf } from './algebra';

/**
 * When the members left after SPOP are fewer than count / SPOP_MOVE_STRATEGY_MUL, Redis builds
 * a new set from the survivors instead of removing the popped members one by one.
 */
const SPOP_MOVE_STRATEGY_MUL = 5;

/** Replies one popped member and records it for replication as SREM key member. */
function replyPopped(c: Client, key: string, member: string): void {
  c.reply.bulk(member);
  c.server.dispatcher.alsoPropagate(['SREM', key, member]);
}

function spopWithCount(c: Client, argv: string[]): void {
  const key = argv[1];
  const parsed = parseInt64(argv[2]);
  if (parsed === null || parsed < 0n) return c.reply.error('ERR value is out of range, must be positive');
  const set = writeOfType<SetValue>(c, key, 'set');
  if (set === null) return;
  if (set === undefined || parsed === 0n) return c.reply.set(0);
  const count = Number(parsed);
  const size = set.size;
  const db = c.db;
  c.server.notify('s', 'spop', key, db.id);
  if (count >= size) {
    // The whole set, replied as SUNION of it would be, then deleted (propagated as DEL).
    replySetMembers(c, unionOf([set], maxIntsetEntries(c)));
    db.delete(key);
    c.server.notify('g', 'del', key, db.id);
    c.server.dispatcher.alsoPropagate(['DEL', key]);
    return;
  }
  c.reply.set(count);
  const remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) {
      const member = set.random();
      set.remove(member);
      replyPopped(c, key, member);
    }
    db.modified(key);
    return;
  }
  // Most of the set goes: move the survivors to a new set (which gets the encoding Redis
  // would give it), and pop everything left in the old one, in its iteration order.
  const survivors = new SetValue();
  const maxIntset = maxIntsetEntries(c);
  for (let i = 0; i < remaining; i++) {
    const member = set.random();
    survivors.add(member, maxIntset);
    set.remove(member);
  }
  for (const member of set.members()) replyPopped(c, key, member);
  db.set(key, survivors, true);
}

function spop(c: Client, argv: string[]): void {
  if (argv.length === 3) return spopWithCount(c, argv);
  if (argv.length > 3) return c.reply.error(Errors.syntax);
  const key = argv[1];
  const set = writeOfType<SetValue>(c, key, 'set');
  if (set === null) return;
  if (set === undefined) return c.reply.nullBulk();
  const db = c.db;
  const member = set.random();
  set.remove(member);
  c.server.notify('s', 'spop', key, db.id);
  c.server.dispatcher.alsoPropagate(['SREM', key, member]);
  c.reply.bulk(member);
  if (set.size === 0) {
    db.delete(key);
    c.server.notify('g', 'del', key, db.id);
  } else {
    db.modified(key);
  }
}

function srandmemberWithCount(c: Client, argv: string[]): void {
  const count = parseRandomCountOrReply(c, argv[2]);
  if (count === null) return;
  const set = readOfType<SetValue>(c, argv[1], 'set');
  if (set === null) return;
  if (set === undefined || count === 0) return c.reply.array(0);
  const size = set.size;
  if (count < 0 || count === 1) {
    // Repeats allowed: each pick on its own.
    const wanted = count < 0 ? -count : 1;
    if (!checkRepeatCountOrReply(c, wanted)) return;
    c.reply.array(wanted);
    for (let i = 0; i < wanted; i++) c.reply.bulk(set.random());
    return;
  }
  if (count >= size) {
    c.reply.array(size);
    for (let i = 0; i < size; i++) c.reply.bulk(set.at(i));
    return;
  }
  c.reply.array(count);
  for (const i of pickDistinct(size, count)) c.reply.bulk(set.at(i));
}

function srandmember(c: Client, argv: string[]): void {
  if (argv.length === 3) return srandmemberWithCount(c, argv);
  if (argv.length > 3) return c.reply.error(Errors.syntax);
  const set = readOfType<SetValue>(c, argv[1], 'set');
  if (set === null) return;
  if (set === undefined) c.reply.nullBulk();
  else c.reply.bulk(set.random());
}

export const randomHandlers: Record<string, CommandHandler> = { spop, srandmember };
