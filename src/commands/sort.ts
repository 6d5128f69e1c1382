/**
 * SORT and SORT_RO on lists, sets and sorted sets, as Redis 7.0's sort.c: BY patterns (with
 * hash fields "key_*->field", or no '*' at all to skip sorting), GET patterns ("#" for the
 * element itself), LIMIT, ASC/DESC, ALPHA and STORE (a list).
 *
 * Comparisons as Redis makes them: numeric sorting breaks ties by comparing the elements' bytes;
 * ALPHA compares bytes too (strcoll in the C locale), as C strings (up to a NUL) unless STORE
 * is given. The sort is stable, as glibc's qsort is for Redis's vectors.
 */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { isOption, parseLong } from './arguments';
import { readAny } from './lookup';
import { optionName } from './string/string-values';
import { isStringValue, stringOf, typeOf, type RedisValue } from '../keyspace/value';
import { strtod } from '../types/strtod';
import { Quicklist } from '../types/quicklist';
import { ZsetEntries, type SortedSet } from '../types/zset';
import type { SetValue } from '../types/set';
import type { HashValue } from '../types/hash';

const PLAIN_INTEGER = /^-?[0-9]+$/;

/** Smallest normal double: glibc's strtod reports ERANGE below it (and for overflow). */
const DBL_MIN = 2.2250738585072014e-308;

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  by: string | null;
  /** BY given without a '*': keep the collection's own order. */
  dontSort: boolean;
  gets: string[];
  store: string | null;
}

/** The text of an argument as C sees it: up to the first NUL. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** Parses SORT's options from argv[2] on; replies the error and returns null on a bad one. */
function parseOptionsOrReply(c: Client, argv: string[], readonly: boolean): SortOptions | null {
  const options: SortOptions = {
    desc: false,
    alpha: false,
    limitStart: 0,
    limitCount: -1,
    by: null,
    dontSort: false,
    gets: [],
    store: null,
  };
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const name = optionName(argv[j]);
    if (isOption(name, 'ASC')) {
      options.desc = false;
    } else if (isOption(name, 'DESC')) {
      options.desc = true;
    } else if (isOption(name, 'ALPHA')) {
      options.alpha = true;
    } else if (isOption(name, 'LIMIT') && left >= 2) {
      const start = parseLong(argv[j + 1]);
      const count = start === null ? null : parseLong(argv[j + 2]);
      if (start === null || count === null) {
        c.reply.error(Errors.notInteger);
        return null;
      }
      options.limitStart = start;
      options.limitCount = count;
      j += 2;
    } else if (!readonly && isOption(name, 'STORE') && left >= 1) {
      options.store = argv[++j];
    } else if (isOption(name, 'BY') && left >= 1) {
      options.by = argv[++j];
      options.dontSort = !cString(options.by).includes('*');
    } else if (isOption(name, 'GET') && left >= 1) {
      options.gets.push(argv[++j]);
    } else {
      c.reply.error(Errors.syntax);
      return null;
    }
  }
  return options;
}

/**
 * Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced
 * by the element to name a string key, or with "->field" after the '*' a hash field. The
 * pattern is searched as a C string (up to a NUL), but its full length makes the key name.
 */
function lookupByPattern(c: Client, pattern: string, element: string): string | null {
  if (pattern.charCodeAt(0) === 35 && (pattern.length === 1 || pattern.charCodeAt(1) === 0)) return element;
  const cLength = cString(pattern).length;
  const star = pattern.indexOf('*');
  if (star < 0 || star >= cLength) return null;
  const arrow = pattern.indexOf('->', star + 1);
  const field = arrow >= 0 && arrow + 2 < cLength ? pattern.slice(arrow + 2) : null;
  const keyEnd = field === null ? pattern.length : arrow;
  const value = readAny(c, pattern.slice(0, star) + element + pattern.slice(star + 1, keyEnd));
  if (value === undefined) return null;
  if (field !== null) return typeOf(value) === 'hash' ? ((value as HashValue).get(field) ?? null) : null;
  return isStringValue(value) ? stringOf(value) : null;
}

/** A number to sort by as Redis reads it with strtod; null when it can't be one. */
function sortScore(text: string): number | null {
  if (text.length > 0 && text.length < 16 && PLAIN_INTEGER.test(text)) return Number(text);
  // The text is a C string to strtod: it must be read whole, up to a NUL if any.
  const { value, end, outOfRange } = strtod(text);
  if (end < text.length && text.charCodeAt(end) !== 0) return null;
  if (outOfRange || Number.isNaN(value) || (value !== 0 && Math.abs(value) < DBL_MIN)) return null;
  return value;
}

/** Byte order of two latin1 strings (memcmp, then length). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The number of elements of a list, set or sorted set (0 for a missing key). */
function sizeOf(value: RedisValue | undefined): number {
  if (value === undefined) return 0;
  const type = typeOf(value);
  if (type === 'list') return (value as Quicklist).length;
  return type === 'set' ? (value as SetValue).size : (value as SortedSet).size;
}

/**
 * The elements to sort, in the collection's order. A list or sorted set kept in its own order
 * loads only the LIMIT range (in DESC order if asked), and `range` is moved to match.
 */
function loadElements(value: RedisValue | undefined, options: SortOptions, range: { start: number; end: number }): string[] {
  if (value === undefined) return [];
  const { start, end } = range;
  const type = typeOf(value);
  if (type === 'set') return (value as SetValue).members();
  const length = sizeOf(value);
  if (!options.dontSort) {
    if (type === 'list') return (value as Quicklist).toArray();
    return (value as SortedSet).entries().members;
  }
  range.start = 0;
  range.end = end - start;
  if (end < start) return [];
  if (type === 'list') {
    const list = value as Quicklist;
    if (!options.desc) return list.range(start, end);
    return list.range(length - 1 - end, length - 1 - start).reverse();
  }
  const out = new ZsetEntries();
  (value as SortedSet).rangeByRank(start, end, options.desc, out);
  return out.members;
}

/** LIMIT start/count turned into the inclusive range of output positions, as Redis clamps it. */
function limitRange(options: SortOptions, size: number): { start: number; end: number } {
  let start = options.limitStart < 0 ? 0 : options.limitStart;
  let end = options.limitCount < 0 ? size - 1 : start + options.limitCount - 1;
  if (start >= size) {
    start = size - 1;
    end = size - 2;
  }
  if (end >= size) end = size - 1;
  return { start, end };
}

/** The three comparisons of Redis's sortCompare, before DESC flips them. */
function compareNumeric(scores: Float64Array, elements: string[], a: number, b: number): number {
  const x = scores[a];
  const y = scores[b];
  // Equal scores fall back to the elements' bytes, so the result is deterministic.
  return x > y ? 1 : x < y ? -1 : compareBytes(elements[a], elements[b]);
}

function compareByValues(values: (string | null)[], a: number, b: number): number {
  const x = values[a];
  const y = values[b];
  // A missing BY value sorts first.
  if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
  return compareBytes(x, y);
}

/**
 * Sorts the elements in place by their BY values (or themselves); false when a value to sort
 * numerically is not a number (Redis still sorts, then answers the error).
 */
function sortElements(c: Client, elements: string[], options: SortOptions): boolean {
  const { alpha, by, store } = options;
  const sign = options.desc ? -1 : 1;
  const order = new Uint32Array(elements.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  let allNumbers = true;
  if (!alpha) {
    const scores = new Float64Array(elements.length);
    for (let i = 0; i < elements.length; i++) {
      const byValue = by === null ? elements[i] : lookupByPattern(c, by, elements[i]);
      const score = byValue === null ? 0 : sortScore(byValue);
      if (score === null) allNumbers = false;
      else scores[i] = score;
    }
    order.sort((a, b) => sign * compareNumeric(scores, elements, a, b));
  } else if (by !== null) {
    // Without STORE Redis compares with strcoll, which reads C strings: up to a NUL.
    const values = elements.map((element) => {
      const byValue = lookupByPattern(c, by, element);
      return byValue === null || store !== null ? byValue : cString(byValue);
    });
    order.sort((a, b) => sign * compareByValues(values, a, b));
  } else {
    const values = store === null ? elements.map(cString) : elements;
    order.sort((a, b) => sign * compareBytes(values[a], values[b]));
  }
  const sorted = elements.slice();
  for (let i = 0; i < order.length; i++) elements[i] = sorted[order[i]];
  return allNumbers;
}

/** Replies, or stores as a list, elements[start..end] or their GET values. */
function outputSorted(c: Client, elements: string[], start: number, end: number, options: SortOptions): void {
  const { gets, store } = options;
  const outputLength = end < start ? 0 : (gets.length || 1) * (end - start + 1);
  if (store === null) {
    c.reply.array(outputLength);
    for (let j = start; j <= end; j++) {
      if (gets.length === 0) c.reply.bulk(elements[j]);
      for (const pattern of gets) {
        const found = lookupByPattern(c, pattern, elements[j]);
        if (found === null) c.reply.nullBulk();
        else c.reply.bulk(found);
      }
    }
    return;
  }
  const stored: string[] = [];
  for (let j = start; j <= end; j++) {
    if (gets.length === 0) stored.push(elements[j]);
    // A missing GET value is stored as an empty string.
    for (const pattern of gets) stored.push(lookupByPattern(c, pattern, elements[j]) ?? '');
  }
  const db = c.db;
  if (outputLength > 0) {
    db.set(store, Quicklist.from(stored, c.server.config.getNumber('list-max-listpack-size')));
    c.server.notify('l', 'sortstore', store, db.id);
  } else if (db.delete(store)) {
    c.server.notify('g', 'del', store, db.id);
  }
  c.reply.integer(outputLength);
}

function sortGeneric(c: Client, argv: string[], readonly: boolean): void {
  const options = parseOptionsOrReply(c, argv, readonly);
  if (options === null) return;
  const value = readAny(c, argv[1]);
  const type = value === undefined ? null : typeOf(value);
  if (type !== null && type !== 'set' && type !== 'list' && type !== 'zset') return c.reply.error(Errors.wrongType);
  // Redis converts the sorted set it sorts to the skiplist encoding (contents unchanged).
  if (type === 'zset') (value as SortedSet).ensureSkiplist();
  // An unsorted set would come out in an order replicas may not share: sort it when storing.
  if (options.dontSort && type === 'set' && options.store !== null) {
    options.dontSort = false;
    options.alpha = true;
    options.by = null;
  }
  const range = limitRange(options, sizeOf(value));
  const elements = loadElements(value, options, range);
  if (!options.dontSort && !sortElements(c, elements, options)) {
    return c.reply.error("ERR One or more scores can't be converted into double");
  }
  outputSorted(c, elements, range.start, range.end, options);
}

export const sortCommands: CommandGroup = {
  group: 'generic',
  handlers: {
    sort: (c, argv) => sortGeneric(c, argv, false),
    sort_ro: (c, argv) => sortGeneric(c, argv, true),
  },
};
