/**
 * Set algebra: SINTER (and SMEMBERS, which Redis 7.0 serves with SINTER's code), SINTERCARD,
 * SINTERSTORE, SUNION, SUNIONSTORE, SDIFF and SDIFFSTORE, as Redis 7.0's sinterGenericCommand
 * and sunionDiffGenericCommand.
 *
 * Results are built as a real SetValue, starting as an intset and converting as members are
 * added (and, for SDIFF's second algorithm, removed), exactly as Redis builds its temporary set:
 * so a stored result gets Redis's encoding, and an all-integer result is replied in ascending
 * order as Redis does.
 */
import type { Client } from '../../server/client';
import type { CommandHandler } from '../registry';
import { Errors } from '../../protocol/errors';
import { isOption, parseInt64 } from '../arguments';
import { readOfType } from '../lookup';
import { optionName } from '../string/string-values';
import { SetValue } from '../../types/set';

export function maxIntsetEntries(c: Client): number {
  return c.server.config.getNumber('set-max-intset-entries');
}

/** Replies a set's members as a RESP3 set (an array in RESP2). */
export function replySetMembers(c: Client, set: SetValue | undefined): void {
  const size = set?.size ?? 0;
  c.reply.set(size);
  for (let i = 0; i < size; i++) c.reply.bulk(set!.at(i));
}

/**
 * The sets at `keys`, read in order (missing keys are undefined); null after a WRONGTYPE reply,
 * which any key of the wrong type gets, even after a missing one.
 */
function readSets(c: Client, keys: readonly string[]): (SetValue | undefined)[] | null {
  const sets: (SetValue | undefined)[] = [];
  for (const key of keys) {
    const set = readOfType<SetValue>(c, key, 'set');
    if (set === null) return null;
    sets.push(set);
  }
  return sets;
}

/**
 * Stores a *STORE result: a non-empty result replaces the destination (whatever its type, and
 * dropping its TTL); an empty one deletes it. Replies the result's size.
 */
function storeResult(c: Client, destination: string, result: SetValue, event: string): void {
  const db = c.db;
  if (result.size > 0) {
    db.set(destination, result);
    c.reply.integer(result.size);
    c.server.notify('s', event, destination, db.id);
    return;
  }
  c.reply.integer(0);
  if (db.delete(destination)) c.server.notify('g', 'del', destination, db.id);
}

const enum InterMode {
  Members,
  Store,
  Cardinality,
}

/** The members of the intersection, or its size up to `limit` (0: no limit) for SINTERCARD. */
function sinterGeneric(
  c: Client,
  keys: readonly string[],
  mode: InterMode,
  destination: string | null,
  limit: number,
): void {
  const found = readSets(c, keys);
  if (found === null) return;
  if (found.includes(undefined)) {
    // An intersection with an empty set is empty.
    if (mode === InterMode.Store) storeResult(c, destination!, new SetValue(), 'sinterstore');
    else if (mode === InterMode.Cardinality) c.reply.integer(0);
    else c.reply.set(0);
    return;
  }
  // Smallest first (a stable sort, as glibc's qsort is for this size): fewer lookups.
  const sets = (found as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const smallest = sets[0];
  const result = mode === InterMode.Store ? new SetValue() : null;
  const maxIntset = maxIntsetEntries(c);
  const members: string[] = [];
  let cardinality = 0;
  for (let i = 0; i < smallest.size; i++) {
    const member = smallest.at(i);
    let inAll = true;
    for (let j = 1; j < sets.length && inAll; j++) {
      if (sets[j] !== smallest && !sets[j].has(member)) inAll = false;
    }
    if (!inAll) continue;
    if (mode === InterMode.Cardinality) {
      cardinality++;
      if (limit > 0 && cardinality >= limit) break;
    } else if (result !== null) {
      result.add(member, maxIntset);
    } else {
      members.push(member);
    }
  }
  if (mode === InterMode.Cardinality) return c.reply.integer(cardinality);
  if (result !== null) return storeResult(c, destination!, result, 'sinterstore');
  c.reply.set(members.length);
  for (const member of members) c.reply.bulk(member);
}

/** The union of `sets` (missing ones count as empty) as Redis builds it: one add at a time. */
export function unionOf(sets: readonly (SetValue | undefined)[], maxIntset: number): SetValue {
  const result = new SetValue();
  for (const set of sets) {
    if (set === undefined) continue;
    for (let i = 0; i < set.size; i++) result.add(set.at(i), maxIntset);
  }
  return result;
}

/**
 * The first set minus the others, with the algorithm Redis would pick: the two build the
 * temporary set differently, which shows in the encoding of a stored result.
 */
function differenceOf(sets: readonly (SetValue | undefined)[], maxIntset: number): SetValue {
  const result = new SetValue();
  const first = sets[0];
  if (first === undefined || sets.indexOf(first, 1) > 0) return result;
  let algorithmOneWork = 0;
  let algorithmTwoWork = 0;
  for (const set of sets) {
    if (set === undefined) continue;
    algorithmOneWork += first.size;
    algorithmTwoWork += set.size;
  }
  // Algorithm 1 has better constant times: Redis gives it an advantage.
  if (Math.floor(algorithmOneWork / 2) <= algorithmTwoWork) {
    // Algorithm 1: each member of the first set that no other set has.
    for (let i = 0; i < first.size; i++) {
      const member = first.at(i);
      if (!sets.some((set, j) => j > 0 && set !== undefined && set.has(member))) result.add(member, maxIntset);
    }
    return result;
  }
  // Algorithm 2: all of the first set, then remove every member of the others.
  for (let j = 0; j < sets.length && (j === 0 || result.size > 0); j++) {
    const set = sets[j];
    if (set === undefined) continue;
    for (let i = 0; i < set.size; i++) {
      if (j === 0) result.add(set.at(i), maxIntset);
      else result.remove(set.at(i));
    }
  }
  return result;
}

/** SUNION, SDIFF and their STORE forms. */
function sunionDiffGeneric(c: Client, keys: readonly string[], destination: string | null, union: boolean): void {
  const sets = readSets(c, keys);
  if (sets === null) return;
  const maxIntset = maxIntsetEntries(c);
  const result = union ? unionOf(sets, maxIntset) : differenceOf(sets, maxIntset);
  if (destination === null) replySetMembers(c, result);
  else storeResult(c, destination, result, union ? 'sunionstore' : 'sdiffstore');
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
function sintercard(c: Client, argv: string[]): void {
  const numkeys = parseInt64(argv[1]);
  if (numkeys === null || numkeys < 1n) return c.reply.error('ERR numkeys should be greater than 0');
  if (numkeys > BigInt(argv.length - 2)) return c.reply.error("ERR Number of keys can't be greater than number of args");
  const keysEnd = 2 + Number(numkeys);
  let limit = 0;
  for (let j = keysEnd; j < argv.length; j++) {
    if (isOption(optionName(argv[j]), 'LIMIT') && j + 1 < argv.length) {
      const value = parseInt64(argv[++j]);
      if (value === null || value < 0n) return c.reply.error("ERR LIMIT can't be negative");
      limit = Number(value);
    } else {
      return c.reply.error(Errors.syntax);
    }
  }
  sinterGeneric(c, argv.slice(2, keysEnd), InterMode.Cardinality, null, limit);
}

export const algebraHandlers: Record<string, CommandHandler> = {
  smembers: (c, argv) => sinterGeneric(c, argv.slice(1), InterMode.Members, null, 0),
  sinter: (c, argv) => sinterGeneric(c, argv.slice(1), InterMode.Members, null, 0),
  sinterstore: (c, argv) => sinterGeneric(c, argv.slice(2), InterMode.Store, argv[1], 0),
  sintercard,
  sunion: (c, argv) => sunionDiffGeneric(c, argv.slice(1), null, true),
  sunionstore: (c, argv) => sunionDiffGeneric(c, argv.slice(2), argv[1], true),
  sdiff: (c, argv) => sunionDiffGeneric(c, argv.slice(1), null, false),
  sdiffstore: (c, argv) => sunionDiffGeneric(c, argv.slice(2), argv[1], false),
};
