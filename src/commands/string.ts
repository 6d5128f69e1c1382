/**
 * String commands: SET and its variants, GET and its variants, MGET/MSET, APPEND, STRLEN,
 * GETRANGE/SETRANGE. Counters (INCR...) are in string/counters.ts and LCS in string/lcs.ts.
 * Replies, errors, keyspace events and propagation follow Redis 7.0's t_string.c.
 */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { parseLong } from './arguments';
import { readAny, readString, writeOfType } from './lookup';
import { isStringValue, stringLength, stringOf, toStoredString, type StringValue } from '../keyspace/value';
import { MutableString } from '../types/mutable-string';
import { StringOption, expireAtOrReply, parseExtendedArgsOrReply, type ExpireAt } from './string/extended-args';
import { checkStringLengthOrReply, optionName, storeEdited, toMutable, writeAt } from './string/string-values';
import { counterHandlers } from './string/counters';
import { lcs } from './string/lcs';

function replyString(c: Client, v: StringValue): void {
  // A raw value's bytes are copied once: the reply must not see later in-place edits.
  if (v instanceof MutableString && v.length > 4096) c.reply.bulkBuffer(Buffer.from(v.bytes()));
  else c.reply.bulk(stringOf(v));
}

/** GET's core: replies the value or null; false after a WRONGTYPE error. */
function getGeneric(c: Client, key: string): boolean {
  const v = readString(c, key);
  if (v === null) return false;
  if (v === undefined) c.reply.nullBulk();
  else replyString(c, v);
  return true;
}

/** How setGeneric answers: +OK / null (SET, SETEX) or :1 / :0 (SETNX). */
const enum SetReply {
  Ok,
  Integer,
}

/** SET, SETNX, SETEX and PSETEX (Redis's setGenericCommand). */
function setGeneric(
  c: Client,
  argv: string[],
  command: string,
  flags: number,
  key: string,
  value: string,
  expireArg: string | null,
  replyKind: SetReply,
): void {
  let expireAt: ExpireAt | null = null;
  if (expireArg !== null) {
    expireAt = expireAtOrReply(c, expireArg, flags, command);
    if (expireAt === null) return;
  }
  const withGet = (flags & StringOption.Get) !== 0;
  if (withGet && !getGeneric(c, key)) return;
  const found = c.db.exists(key);
  if (((flags & StringOption.NX) !== 0 && found) || ((flags & StringOption.XX) !== 0 && !found)) {
    if (!withGet) {
      if (replyKind === SetReply.Integer) c.reply.integer(0);
      else c.reply.nullBulk();
    }
    return;
  }
  const db = c.db;
  db.set(key, toStoredString(value), (flags & StringOption.KeepTtl) !== 0);
  c.server.notify('$', 'set', key, db.id);
  if (expireAt !== null) {
    db.setExpire(key, expireAt.ms);
    // Relative and absolute expires alike replicate as an absolute PXAT.
    c.server.dispatcher.alsoPropagate(['SET', key, value, 'PXAT', expireAt.text]);
    c.server.notify('g', 'expire', key, db.id);
  } else if (withGet) {
    c.server.dispatcher.alsoPropagate(argv.filter((arg, j) => j < 3 || optionName(arg).toLowerCase() !== 'get'));
  }
  if (!withGet) {
    if (replyKind === SetReply.Integer) c.reply.integer(1);
    else c.reply.ok();
  }
}

function set(c: Client, argv: string[]): void {
  if (argv.length === 3) {
    // The common case, without option parsing.
    c.db.set(argv[1], toStoredString(argv[2]));
    c.server.notify('$', 'set', argv[1], c.db.id);
    c.reply.ok();
    return;
  }
  const args = parseExtendedArgsOrReply(c, argv, 3, true);
  if (args === null) return;
  setGeneric(c, argv, 'set', args.flags, argv[1], argv[2], args.expire, SetReply.Ok);
}

function setnx(c: Client, argv: string[]): void {
  setGeneric(c, argv, 'setnx', StringOption.NX, argv[1], argv[2], null, SetReply.Integer);
}

function setex(c: Client, argv: string[]): void {
  setGeneric(c, argv, 'setex', StringOption.EX, argv[1], argv[3], argv[2], SetReply.Ok);
}

function psetex(c: Client, argv: string[]): void {
  setGeneric(c, argv, 'psetex', StringOption.PX, argv[1], argv[3], argv[2], SetReply.Ok);
}

function get(c: Client, argv: string[]): void {
  getGeneric(c, argv[1]);
}

/** GETEX: GET that may also set or remove the TTL. Never propagated as is. */
function getex(c: Client, argv: string[]): void {
  const args = parseExtendedArgsOrReply(c, argv, 2, false);
  if (args === null) return;
  const key = argv[1];
  const v = readString(c, key);
  if (v === null) return;
  if (v === undefined) return c.reply.nullBulk();
  let expireAt: ExpireAt | null = null;
  if (args.expire !== null) {
    expireAt = expireAtOrReply(c, args.expire, args.flags, 'getex');
    if (expireAt === null) return;
  }
  replyString(c, v);
  const db = c.db;
  const server = c.server;
  const absolute = (args.flags & (StringOption.EXAT | StringOption.PXAT)) !== 0;
  if (expireAt !== null && absolute && expireAt.ms <= server.keyspace.now()) {
    db.delete(key);
    server.dispatcher.alsoPropagate([server.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]);
    server.notify('g', 'del', key, db.id);
  } else if (expireAt !== null) {
    db.setExpire(key, expireAt.ms);
    server.dispatcher.alsoPropagate(['PEXPIREAT', key, expireAt.text]);
    server.notify('g', 'expire', key, db.id);
  } else if ((args.flags & StringOption.Persist) !== 0 && db.removeExpire(key)) {
    server.dispatcher.alsoPropagate(['PERSIST', key]);
    server.notify('g', 'persist', key, db.id);
  }
}

function getdel(c: Client, argv: string[]): void {
  const key = argv[1];
  if (!getGeneric(c, key)) return;
  if (c.db.delete(key)) {
    c.server.dispatcher.alsoPropagate([c.server.config.getBool('lazyfree-lazy-user-del') ? 'UNLINK' : 'DEL', key]);
    c.server.notify('g', 'del', key, c.db.id);
  }
}

function getset(c: Client, argv: string[]): void {
  const key = argv[1];
  if (!getGeneric(c, key)) return;
  c.db.set(key, toStoredString(argv[2]));
  c.server.notify('$', 'set', key, c.db.id);
  c.server.dispatcher.alsoPropagate(['SET', key, argv[2]]);
}

function mget(c: Client, argv: string[]): void {
  c.db.table.prefetch(argv, 1, 1);
  c.reply.array(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const v = readAny(c, argv[j]);
    // Keys of another type read as null, without an error.
    if (v === undefined || !isStringValue(v)) {
      c.reply.nullBulk();
    } else {
      replyString(c, v);
    }
  }
}

function msetGeneric(c: Client, argv: string[], onlyIfNoneExists: boolean): void {
  if (argv.length % 2 === 0) return c.reply.error(Errors.wrongArgs(argv[0].toLowerCase()));
  const db = c.db;
  db.table.prefetch(argv, 1, 2);
  if (onlyIfNoneExists) {
    for (let j = 1; j < argv.length; j += 2) {
      if (db.exists(argv[j])) return c.reply.integer(0);
    }
  }
  for (let j = 1; j < argv.length; j += 2) {
    db.set(argv[j], toStoredString(argv[j + 1]));
    c.server.notify('$', 'set', argv[j], db.id);
  }
  if (onlyIfNoneExists) c.reply.integer(1);
  else c.reply.ok();
}

function append(c: Client, argv: string[]): void {
  const key = argv[1];
  const tail = argv[2];
  const current = writeOfType<StringValue>(c, key, 'string');
  if (current === null) return;
  let total: number;
  if (current === undefined) {
    c.db.set(key, toStoredString(tail));
    total = tail.length;
  } else {
    total = stringLength(current) + tail.length;
    if (!checkStringLengthOrReply(c, total)) return;
    const edited = toMutable(current);
    edited.append(tail);
    storeEdited(c, key, current, edited);
  }
  c.server.notify('$', 'append', key, c.db.id);
  c.reply.integer(total);
}

function strlen(c: Client, argv: string[]): void {
  const v = readString(c, argv[1]);
  if (v === null) return;
  c.reply.integer(v === undefined ? 0 : stringLength(v));
}

/** GETRANGE and SUBSTR: bytes start..end inclusive, negative indexes from the end. */
function getrange(c: Client, argv: string[]): void {
  let start = parseLong(argv[2]);
  let end = parseLong(argv[3]);
  if (start === null || end === null) return c.reply.error(Errors.notInteger);
  const v = readString(c, argv[1]);
  if (v === null) return;
  if (v === undefined) return c.reply.bulk('');
  const length = stringLength(v);
  if (start < 0 && end < 0 && start > end) return c.reply.bulk('');
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return c.reply.bulk('');
  if (v instanceof MutableString) c.reply.bulk(v.buf.toString('latin1', start, end + 1));
  else c.reply.bulk(stringOf(v).slice(start, end + 1));
}

function setrange(c: Client, argv: string[]): void {
  const key = argv[1];
  const value = argv[3];
  const offset = parseLong(argv[2]);
  if (offset === null) return c.reply.error(Errors.notInteger);
  if (offset < 0) return c.reply.error('ERR offset is out of range');
  const current = writeOfType<StringValue>(c, key, 'string');
  if (current === null) return;
  if (value.length === 0) {
    // Nothing to write: the length of what is there (0 for a missing key, which stays missing).
    return c.reply.integer(current === undefined ? 0 : stringLength(current));
  }
  if (!checkStringLengthOrReply(c, offset + value.length)) return;
  const edited = toMutable(current);
  writeAt(edited, offset, value);
  storeEdited(c, key, current, edited);
  c.server.notify('$', 'setrange', key, c.db.id);
  c.reply.integer(edited.length);
}

export const stringCommands: CommandGroup = {
  group: 'string',
  handlers: {
    set,
    setnx,
    setex,
    psetex,
    get,
    getex,
    getdel,
    getset,
    mget,
    mset: (c, argv) => msetGeneric(c, argv, false),
    msetnx: (c, argv) => msetGeneric(c, argv, true),
    append,
    strlen,
    getrange,
    substr: getrange,
    setrange,
    lcs,
    ...counterHandlers,
  },
};
