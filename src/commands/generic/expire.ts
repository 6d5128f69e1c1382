/**
 * TTL commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX / XX / GT / LT), TTL, PTTL,
 * EXPIRETIME, PEXPIRETIME, PERSIST. Expire times are absolute Unix times in milliseconds; a time
 * already past deletes the key. Replicas and the AOF receive PEXPIREAT with the absolute time, or
 * DEL when the key was deleted, so replaying them does not depend on when they are replayed.
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isOption, parseInt64 } from '../arguments';
import { lookupNoTouch } from './access';

const LLONG_MAX = 2n ** 63n - 1n;
const LLONG_MIN = -(2n ** 63n);

interface ExpireConditions {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
}

/** Parses NX / XX / GT / LT from argv[3] on; replies the error and returns null if invalid. */
function parseConditionsOrReply(c: Client, argv: string[]): ExpireConditions | null {
  const cond: ExpireConditions = { nx: false, xx: false, gt: false, lt: false };
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i];
    if (isOption(opt, 'NX')) cond.nx = true;
    else if (isOption(opt, 'XX')) cond.xx = true;
    else if (isOption(opt, 'GT')) cond.gt = true;
    else if (isOption(opt, 'LT')) cond.lt = true;
    else {
      c.reply.error(`ERR Unsupported option ${opt}`);
      return null;
    }
  }
  if (cond.nx && (cond.xx || cond.gt || cond.lt)) {
    c.reply.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return null;
  }
  if (cond.gt && cond.lt) {
    c.reply.error('ERR GT and LT options at the same time are not compatible');
    return null;
  }
  return cond;
}

/** Whether the conditions allow replacing `current` (undefined: no TTL, i.e. infinite) by `when`. */
function conditionsAllow(cond: ExpireConditions, current: number | undefined, when: number): boolean {
  if (cond.nx && current !== undefined) return false;
  if (cond.xx && current === undefined) return false;
  if (cond.gt && (current === undefined || when <= current)) return false;
  if (cond.lt && current !== undefined && when >= current) return false;
  return true;
}

/**
 * The four EXPIRE commands (`name` for the error text). `relative`: the time counts from now;
 * `seconds`: it is in seconds. Checks run in Redis's order: options, the number, overflow (in
 * 64-bit arithmetic, as Redis), then the key.
 */
function expireGeneric(c: Client, argv: string[], name: string, relative: boolean, seconds: boolean): void {
  const key = argv[1];
  const cond = parseConditionsOrReply(c, argv);
  if (cond === null) return;
  let when = parseInt64(argv[2]);
  if (when === null) return c.reply.error(Errors.notInteger);
  const base = relative ? BigInt(c.server.keyspace.now()) : 0n;
  if (seconds) {
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) return c.reply.error(Errors.invalidExpire(name));
    when *= 1000n;
  }
  if (when > LLONG_MAX - base) return c.reply.error(Errors.invalidExpire(name));
  when += base;

  const db = c.db;
  if (db.lookupRead(key) === undefined) return c.reply.integer(0);
  const whenMs = Number(when);
  if (!conditionsAllow(cond, db.getExpire(key), whenMs)) return c.reply.integer(0);

  if (whenMs <= c.server.keyspace.now() && !c.server.keyspace.loading) {
    db.delete(key);
    c.server.dispatcher.alsoPropagate([c.server.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]);
    c.server.notify('g', 'del', key, db.id);
    return c.reply.integer(1);
  }
  db.setExpire(key, whenMs);
  if (relative || seconds) c.server.dispatcher.alsoPropagate(['PEXPIREAT', key, when.toString(), ...argv.slice(3)]);
  c.server.notify('g', 'expire', key, db.id);
  c.reply.integer(1);
}

function expire(c: Client, argv: string[]): void {
  expireGeneric(c, argv, 'expire', true, true);
}

function pexpire(c: Client, argv: string[]): void {
  expireGeneric(c, argv, 'pexpire', true, false);
}

function expireat(c: Client, argv: string[]): void {
  expireGeneric(c, argv, 'expireat', false, true);
}

function pexpireat(c: Client, argv: string[]): void {
  expireGeneric(c, argv, 'pexpireat', false, false);
}

/**
 * TTL and friends: -2 for a missing key, -1 for a key without TTL, else the time left
 * (`absolute`: the expire time itself), never negative, rounded to the nearest second unless `ms`.
 */
function ttlGeneric(c: Client, key: string, ms: boolean, absolute: boolean): void {
  if (lookupNoTouch(c, key) === undefined) return c.reply.integer(-2);
  const expireAt = c.db.getExpire(key);
  if (expireAt === undefined) return c.reply.integer(-1);
  const left = Math.max(0, absolute ? expireAt : expireAt - c.server.keyspace.now());
  replyInt64(c, ms ? left : Math.floor((left + 500) / 1000));
}

/**
 * Replies a time as a 64-bit integer. Expire times past 2^53 ms (a few hundred thousand years)
 * are kept as the nearest double, so the largest, LLONG_MAX, reads back as 2^63: clamp it.
 */
function replyInt64(c: Client, n: number): void {
  if (Number.isSafeInteger(n)) return c.reply.integer(n);
  const big = BigInt(n);
  c.reply.integer(big > LLONG_MAX ? LLONG_MAX : big);
}

function ttl(c: Client, argv: string[]): void {
  ttlGeneric(c, argv[1], false, false);
}

function pttl(c: Client, argv: string[]): void {
  ttlGeneric(c, argv[1], true, false);
}

function expiretime(c: Client, argv: string[]): void {
  ttlGeneric(c, argv[1], false, true);
}

function pexpiretime(c: Client, argv: string[]): void {
  ttlGeneric(c, argv[1], true, true);
}

function persist(c: Client, argv: string[]): void {
  const key = argv[1];
  if (c.db.lookupRead(key) === undefined || !c.db.removeExpire(key)) return c.reply.integer(0);
  c.server.notify('g', 'persist', key, c.db.id);
  c.reply.integer(1);
}

export const expireHandlers = { expire, pexpire, expireat, pexpireat, ttl, pttl, expiretime, pexpiretime, persist };
