/**
 * Set operations over sorted sets (and plain sets, whose members count with score 1): ZUNION,
 * ZINTER, ZDIFF, their STORE forms, and ZINTERCARD, as Redis 7.0's
 * zunionInterDiffGenericCommand: WEIGHTS, AGGREGATE SUM|MIN|MAX, WITHSCORES, LIMIT.
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isCOption, parseDouble, parseLong } from '../arguments';
import { readAny } from '../lookup';
import type { RedisValue } from '../../keyspace/value';
import { SetValue } from '../../types/set';
import { SortedSet, ZsetEntries } from '../../types/zset';
import { replyEntries, storeEntries } from './common';

const enum SetOp {
  Union,
  Inter,
  Diff,
}

const enum Aggregate {
  Sum,
  Min,
  Max,
}

/** One input: a sorted set, a set (every member scores 1), or nothing (a missing key). */
class Source {
  weight = 1;

  constructor(readonly value: SortedSet | SetValue | null) {}

  get size(): number {
    return this.value === null ? 0 : this.value.size;
  }

  /** Member i in the input's own order (0 <= i < size). */
  memberAt(i: number): string {
    return this.value instanceof SortedSet ? this.value.memberAt(i) : this.value!.at(i);
  }

  scoreAt(i: number): number {
    return this.value instanceof SortedSet ? this.value.scoreAt(i) : 1;
  }

  /** The member's score, or undefined when the input does not hold it. */
  find(member: string): number | undefined {
    if (this.value instanceof SortedSet) return this.value.score(member);
    return this.value !== null && this.value.has(member) ? 1 : undefined;
  }
}

/** Redis's zunionInterAggregate: SUM turns inf + -inf (NaN) into 0. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === Aggregate.Sum) {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  if (how === Aggregate.Min) return value < target ? value : target;
  return value > target ? value : target;
}

/** A weighted score, where 0 * inf (NaN) counts as 0. */
function weighted(weight: number, score: number): number {
  const product = weight * score;
  return Number.isNaN(product) ? 0 : product;
}

/** Sorts members with their scores by (score, member) into entries. */
function sortedEntries(members: string[], scores: number[]): ZsetEntries {
  const order = new Array<number>(members.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => {
    if (scores[a] !== scores[b]) return scores[a] < scores[b] ? -1 : 1;
    return members[a] < members[b] ? -1 : members[a] > members[b] ? 1 : 0;
  });
  const out = new ZsetEntries();
  for (const i of order) out.push(members[i], scores[i]);
  return out;
}

function union(sources: Source[], how: Aggregate): ZsetEntries {
  const accumulator = new Map<string, number>();
  for (const source of sources) {
    for (let i = 0; i < source.size; i++) {
      const member = source.memberAt(i);
      const score = weighted(source.weight, source.scoreAt(i));
      const previous = accumulator.get(member);
      accumulator.set(member, previous === undefined ? score : aggregate(previous, score, how));
    }
  }
  return sortedEntries([...accumulator.keys()], [...accumulator.values()]);
}

/**
 * Members of the smallest input found in every other one. With `limit` >= 0 only counts, and
 * stops once `limit` (if non-zero) members were found (ZINTERCARD).
 */
function intersect(sources: Source[], how: Aggregate, members: string[], scores: number[], limit: number): number {
  const [smallest, ...others] = sources;
  let found = 0;
  for (let i = 0; i < smallest.size; i++) {
    const member = smallest.memberAt(i);
    const own = smallest.scoreAt(i);
    let score = weighted(smallest.weight, own);
    let inAll = true;
    for (const other of others) {
      const value = other.value === smallest.value ? own : other.find(member);
      if (value === undefined) {
        inAll = false;
        break;
      }
      score = aggregate(score, weighted(other.weight, value), how);
    }
    if (!inAll) continue;
    found++;
    if (limit >= 0) {
      if (limit > 0 && found >= limit) break;
      continue;
    }
    members.push(member);
    scores.push(score);
  }
  return found;
}

function heldByAny(sources: Source[], member: string): boolean {
  for (const source of sources) if (source.find(member) !== undefined) return true;
  return false;
}

/** Members of the first input that no other input holds, with their scores there. */
function difference(sources: Source[]): ZsetEntries {
  const [first, ...others] = sources;
  const members: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < first.size; i++) {
    const member = first.memberAt(i);
    if (!heldByAny(others, member)) {
      members.push(member);
      scores.push(first.scoreAt(i));
    }
  }
  return sortedEntries(members, scores);
}

/**
 * ZUNION, ZINTER, ZDIFF, their STORE forms (destination in argv[1]) and ZINTERCARD. `name` is
 * the command's name in the "at least 1 input key" error.
 */
function setOperation(c: Client, argv: string[], name: string, op: SetOp, store: boolean, cardinalityOnly: boolean): void {
  const numkeysIndex = store ? 2 : 1;
  const numkeys = parseLong(argv[numkeysIndex]);
  if (numkeys === null) return c.reply.error(Errors.notInteger);
  if (numkeys < 1) return c.reply.error(`ERR at least 1 input key is needed for '${name}' command`);
  if (numkeys > argv.length - numkeysIndex - 1) return c.reply.error(Errors.syntax);

  const sources: Source[] = [];
  let j = numkeysIndex + 1;
  for (; j <= numkeysIndex + numkeys; j++) {
    const value: RedisValue | undefined = readAny(c, argv[j]);
    if (value !== undefined && !(value instanceof SortedSet) && !(value instanceof SetValue)) {
      return c.reply.error(Errors.wrongType);
    }
    sources.push(new Source(value ?? null));
  }

  let how = Aggregate.Sum;
  let withScores = false;
  let limit = 0;
  const weightsAllowed = op !== SetOp.Diff && !cardinalityOnly;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const arg = argv[j];
    if (weightsAllowed && remaining >= numkeys + 1 && isCOption(arg, 'WEIGHTS')) {
      j++;
      for (const source of sources) {
        const weight = parseDouble(argv[j++]);
        if (weight === null) return c.reply.error('ERR weight value is not a float');
        source.weight = weight;
      }
    } else if (weightsAllowed && remaining >= 2 && isCOption(arg, 'AGGREGATE')) {
      const kind = argv[j + 1];
      if (isCOption(kind, 'SUM')) how = Aggregate.Sum;
      else if (isCOption(kind, 'MIN')) how = Aggregate.Min;
      else if (isCOption(kind, 'MAX')) how = Aggregate.Max;
      else return c.reply.error(Errors.syntax);
      j += 2;
    } else if (!store && !cardinalityOnly && isCOption(arg, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && isCOption(arg, 'LIMIT')) {
      const parsed = parseLong(argv[j + 1]);
      if (parsed === null || parsed < 0) return c.reply.error("ERR LIMIT can't be negative");
      limit = parsed;
      j += 2;
    } else {
      return c.reply.error(Errors.syntax);
    }
  }

  // Smallest inputs first, as Redis (its qsort keeps equal sizes in order here).
  if (op !== SetOp.Diff) sources.sort((a, b) => a.size - b.size);
  let result: ZsetEntries;
  if (op === SetOp.Inter) {
    const members: string[] = [];
    const scores: number[] = [];
    if (cardinalityOnly) return c.reply.integer(intersect(sources, how, members, scores, limit));
    intersect(sources, how, members, scores, -1);
    result = sortedEntries(members, scores);
  } else if (op === SetOp.Union) {
    result = union(sources, how);
  } else {
    result = difference(sources);
  }
  if (store) storeEntries(c, argv[1], result, name);
  else replyEntries(c, result, withScores);
}

export const setOperationHandlers = {
  zunion: (c: Client, argv: string[]) => setOperation(c, argv, 'zunion', SetOp.Union, false, false),
  zinter: (c: Client, argv: string[]) => setOperation(c, argv, 'zinter', SetOp.Inter, false, false),
  zdiff: (c: Client, argv: string[]) => setOperation(c, argv, 'zdiff', SetOp.Diff, false, false),
  zunionstore: (c: Client, argv: string[]) => setOperation(c, argv, 'zunionstore', SetOp.Union, true, false),
  zinterstore: (c: Client, argv: string[]) => setOperation(c, argv, 'zinterstore', SetOp.Inter, true, false),
  zdiffstore: (c: Client, argv: string[]) => setOperation(c, argv, 'zdiffstore', SetOp.Diff, true, false),
  zintercard: (c: Client, argv: string[]) => setOperation(c, argv, 'zintercard', SetOp.Inter, false, true),
};
