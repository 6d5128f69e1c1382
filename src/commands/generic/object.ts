/**
 * OBJECT ENCODING / FREQ / IDLETIME / REFCOUNT / HELP: a look at how a value is stored. Looking
 * does not count as an access (Redis's LOOKUP_NOTOUCH), so OBJECT IDLETIME reads what the other
 * commands left.
 */
import type { Client } from '../../server/client';
import type { Server } from '../../server/server';
import { encodingOf, isCanonicalInt64, isStringValue, type RedisValue } from '../../keyspace/value';
import { lfuDecayedCounter, lruIdleMs } from '../../keyspace/access-clock';
import { lookupNoTouch } from './access';

/** Redis's OBJ_SHARED_REFCOUNT: the refcount of the shared integer objects 0..9999. */
const SHARED_REFCOUNT = 2147483647;
const SHARED_INTEGERS = 10000;

const NOT_LFU =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const IS_LFU =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

/** Writes a HELP reply as Redis's addReplyHelp: a header, the lines, and the HELP entry. */
export function replyHelp(c: Client, command: string, lines: readonly string[]): void {
  c.reply.array(lines.length + 3);
  c.reply.status(`${command.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) c.reply.status(line);
  c.reply.status('HELP');
  c.reply.status('    Prints this help.');
}

/** The key's value for OBJECT, or a null reply when it does not exist. */
function objectLookupOrReply(c: Client, key: string): RedisValue | undefined {
  const value = lookupNoTouch(c, key, false);
  if (value === undefined) c.reply.nullBulk();
  return value;
}

/**
 * Redis shares one object for each integer 0..9999 (so OBJECT REFCOUNT shows OBJ_SHARED_REFCOUNT),
 * unless an LRU or LFU maxmemory policy needs per-key access data.
 */
function isSharedInteger(server: Server, value: RedisValue): boolean {
  if (typeof value === 'string') {
    if (value.length > 4 || !isCanonicalInt64(value)) return false;
  } else if (typeof value !== 'number') {
    return false;
  }
  const n = Number(value);
  if (n < 0 || n >= SHARED_INTEGERS) return false;
  const policy = server.config.get('maxmemory-policy');
  return server.config.getNumber('maxmemory') === 0 || !(policy.includes('lru') || policy.includes('lfu'));
}

function encoding(c: Client, argv: string[]): void {
  const value = objectLookupOrReply(c, argv[2]);
  if (value !== undefined) c.reply.bulk(encodingOf(value));
}

function refcount(c: Client, argv: string[]): void {
  const value = objectLookupOrReply(c, argv[2]);
  if (value === undefined) return;
  c.reply.integer(isStringValue(value) && isSharedInteger(c.server, value) ? SHARED_REFCOUNT : 1);
}

function idletime(c: Client, argv: string[]): void {
  const key = argv[2];
  if (objectLookupOrReply(c, key) === undefined) return;
  const keyspace = c.server.keyspace;
  if (keyspace.lfuMode) return c.reply.error(IS_LFU);
  const meta = c.db.table.getMeta(key) ?? 0;
  c.reply.integer(Math.floor(lruIdleMs(meta, keyspace.now()) / 1000));
}

function freq(c: Client, argv: string[]): void {
  const key = argv[2];
  if (objectLookupOrReply(c, key) === undefined) return;
  const keyspace = c.server.keyspace;
  if (!keyspace.lfuMode) return c.reply.error(NOT_LFU);
  const meta = c.db.table.getMeta(key) ?? 0;
  c.reply.integer(lfuDecayedCounter(meta, keyspace.now(), keyspace.lfu));
}

function help(c: Client, argv: string[]): void {
  replyHelp(c, argv[0], OBJECT_HELP);
}

export const objectHandlers = {
  'object|encoding': encoding,
  'object|refcount': refcount,
  'object|idletime': idletime,
  'object|freq': freq,
  'object|help': help,
};
