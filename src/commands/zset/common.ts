/**
 * What the sorted set commands share: the encoding limits from the configuration, the score and
 * lexicographic range arguments with Redis's errors, the member/score replies in RESP2 and RESP3,
 * and storing a result in a destination key (the *STORE commands).
 */
import type { Client } from '../../server/client';
import type { Server } from '../../server/server';
import { strtod } from '../../types/strtod';
import type { LexBound, LexRange, ScoreRange } from '../../types/zset-range';
import { SortedSet, type ListpackLimits, type ZsetEntries } from '../../types/zset';

const limitsByServer = new WeakMap<Server, ListpackLimits>();

/** Keeps each server's zset-max-listpack-* values at hand (read on every write). */
export function trackListpackLimits(server: Server): void {
  const config = server.config;
  const limits: ListpackLimits = {
    maxEntries: config.getNumber('zset-max-listpack-entries'),
    maxValue: config.getNumber('zset-max-listpack-value'),
  };
  limitsByServer.set(server, limits);
  config.onChange((name) => {
    if (name === 'zset-max-listpack-entries') limits.maxEntries = config.getNumber(name);
    else if (name === 'zset-max-listpack-value') limits.maxValue = config.getNumber(name);
  });
}

export function limitsOf(c: Client): ListpackLimits {
  return limitsByServer.get(c.server)!;
}

export const Messages = {
  notFloatRange: 'ERR min or max is not a float',
  notLexRange: 'ERR min or max not valid string range item',
} as const;

/**
 * One end of a score range as zslParseRange reads it: "(" makes it exclusive, the rest goes to
 * strtod, which may stop at a NUL byte (the argument is a C string there) but nowhere else.
 */
function parseScoreBound(arg: string): { value: number; exclusive: boolean } | null {
  const exclusive = arg.charCodeAt(0) === 40;
  const text = exclusive ? arg.slice(1) : arg;
  const r = strtod(text);
  if ((r.end < text.length && text.charCodeAt(r.end) !== 0) || Number.isNaN(r.value)) return null;
  return { value: r.value, exclusive };
}

export function parseScoreRangeOrReply(c: Client, minArg: string, maxArg: string): ScoreRange | null {
  const min = parseScoreBound(minArg);
  const max = min === null ? null : parseScoreBound(maxArg);
  if (min === null || max === null) {
    c.reply.error(Messages.notFloatRange);
    return null;
  }
  return { min: min.value, max: max.value, minExclusive: min.exclusive, maxExclusive: max.exclusive };
}

/** One end of a lexicographic range: "-", "+", "(member" or "[member" (zslParseLexRangeItem). */
function parseLexBound(arg: string): LexBound | null {
  const first = arg.charCodeAt(0);
  // "+" and "-" must stand alone, as C strings: a NUL right after them also ends them.
  const alone = arg.length === 1 || arg.charCodeAt(1) === 0;
  if (first === 43 && alone) return { infinity: 1, value: '', exclusive: true };
  if (first === 45 && alone) return { infinity: -1, value: '', exclusive: true };
  if (first === 40) return { infinity: 0, value: arg.slice(1), exclusive: true };
  if (first === 91) return { infinity: 0, value: arg.slice(1), exclusive: false };
  return null;
}

export function parseLexRangeOrReply(c: Client, minArg: string, maxArg: string): LexRange | null {
  const min = parseLexBound(minArg);
  const max = min === null ? null : parseLexBound(maxArg);
  if (min === null || max === null) {
    c.reply.error(Messages.notLexRange);
    return null;
  }
  return { min, max };
}

/**
 * Members with their scores: [member, score] pairs when `nested`, else one flat array
 * (scores are doubles in RESP3, bulk strings in RESP2).
 */
export function replyScoredEntries(c: Client, entries: ZsetEntries, nested: boolean): void {
  const { members, scores } = entries;
  const n = members.length;
  const reply = c.reply;
  reply.array(nested ? n : n * 2);
  for (let i = 0; i < n; i++) {
    if (nested) reply.array(2);
    reply.bulk(members[i]);
    reply.double(scores[i]);
  }
}

/**
 * A range reply: members, with their scores when asked as a flat array in RESP2 and as
 * [member, score] pairs in RESP3 (Redis keeps the order, so no map).
 */
export function replyEntries(c: Client, entries: ZsetEntries, withScores: boolean): void {
  if (withScores) return replyScoredEntries(c, entries, c.reply.resp > 2);
  const members = entries.members;
  c.reply.array(members.length);
  for (let i = 0; i < members.length; i++) c.reply.bulk(members[i]);
}

/**
 * Stores sorted entries as the new value of `destination` (its TTL goes) and replies their
 * number; an empty result deletes the destination instead. `event` is the keyspace event.
 */
export function storeEntries(c: Client, destination: string, entries: ZsetEntries, event: string): void {
  const db = c.db;
  if (entries.length === 0) {
    c.reply.integer(0);
    if (db.delete(destination)) c.server.notify('g', 'del', destination, db.id);
    return;
  }
  db.set(destination, SortedSet.fromSorted(entries.members, entries.scores, limitsOf(c)), false);
  c.reply.integer(entries.length);
  c.server.notify('z', event, destination, db.id);
}

/** Deletes a sorted set emptied by a command (with the "del" event) or marks it modified. */
export function afterRemoval(c: Client, key: string, zset: SortedSet, event: string): void {
  const db = c.db;
  c.server.notify('z', event, key, db.id);
  if (zset.size === 0) {
    db.delete(key);
    c.server.notify('g', 'del', key, db.id);
  } else {
    db.modified(key);
  }
}
