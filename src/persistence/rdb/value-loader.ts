/**
 * Builds Nodis values from the RDB objects of versions 1 to 10 (rdbLoadObject), in the encoding
 * Redis 7.0 gives them on load:
 * - strings: integers become int-encoded (tryObjectEncoding);
 * - lists: always a quicklist; quicklist files keep their node boundaries, older plain and
 *   ziplist lists are pushed element by element;
 * - sets: an intset while members are integers and there are at most set-max-intset-entries;
 * - hashes: plain pairs become a listpack when within hash-max-listpack-entries/-value; a listpack
 *   or ziplist stays one unless it has too many entries (7.0 does not check lengths there);
 *   zipmaps convert on either limit;
 * - sorted sets: plain pairs become a listpack within zset-max-listpack-entries/-value; a listpack
 *   or ziplist stays one unless it has too many entries.
 * - streams: nodes as the file has them (stream-loader.ts).
 * Empty collections load as null: Redis skips such keys with a warning (empty streams stay).
 */
import type { Config } from '../../config/config';
import { toStoredString, type RedisValue } from '../../keyspace/value';
import { Quicklist } from '../../types/quicklist';
import { SetValue } from '../../types/set';
import { HashValue } from '../../types/hash';
import { SortedSet } from '../../types/zset';
import { strtod } from '../../types/strtod';
import { RdbInput, type Blob } from './rdb-input';
import { QUICKLIST_NODE_CONTAINER_PACKED, QUICKLIST_NODE_CONTAINER_PLAIN, RdbType } from './rdb-constants';
import { decodeListpack } from './listpack';
import { decodeZiplist } from './ziplist';
import { decodeIntset } from './intset';
import { decodeZipmap } from './zipmap';
import { latin1Slice } from './latin1';
import { readStream } from './stream-loader';

/** The encoding thresholds in effect while loading. */
export interface LoadLimits {
  listFill: number;
  hashMaxEntries: number;
  hashMaxValue: number;
  setMaxIntsetEntries: number;
  zsetMaxEntries: number;
  zsetMaxValue: number;
}

export function loadLimitsFrom(config: Config): LoadLimits {
  return {
    listFill: config.getNumber('list-max-listpack-size'),
    hashMaxEntries: config.getNumber('hash-max-listpack-entries'),
    hashMaxValue: config.getNumber('hash-max-listpack-value'),
    setMaxIntsetEntries: config.getNumber('set-max-intset-entries'),
    zsetMaxEntries: config.getNumber('zset-max-listpack-entries'),
    zsetMaxValue: config.getNumber('zset-max-listpack-value'),
  };
}

/** True for the type bytes Redis 7.0 knows (rdbIsObjectType). */
export function isObjectType(type: number): boolean {
  return (type >= 0 && type <= 7) || (type >= 9 && type <= 19);
}

/**
 * Decodes a blob (listpack, ziplist, intset, zipmap) read at the current position; a decoding
 * failure is reported as `what` failing its integrity check at the blob's offset.
 */
function decodeBlob<T>(input: RdbInput, what: string, decode: (blob: Blob) => T): T {
  const at = input.pos;
  const blob = input.stringBlob();
  try {
    return decode(blob);
  } catch (e) {
    throw input.corrupt(`${what} integrity check failed: ${(e as Error).message}`, at);
  }
}

const listpackOf = (blob: Blob): string[] => decodeListpack(blob.buf, blob.start, blob.end);
const ziplistOf = (blob: Blob): string[] => decodeZiplist(blob.buf, blob.start, blob.end);

/** Reads the value of an object of the given type; null when the collection is empty. */
export function readObject(input: RdbInput, type: number, limits: LoadLimits): RedisValue | null {
  const at = input.pos;
  switch (type) {
    case RdbType.String: {
      const value = input.stringOrInteger();
      return typeof value === 'number' ? value : toStoredString(value);
    }
    case RdbType.List:
      return plainList(input, limits);
    case RdbType.ListZiplist: {
      const values = decodeBlob(input, 'Ziplist', ziplistOf);
      return values.length === 0 ? null : Quicklist.from(values, limits.listFill);
    }
    case RdbType.ListQuicklist:
    case RdbType.ListQuicklist2:
      return quicklist(input, type, limits);
    case RdbType.Set:
      return plainSet(input, limits);
    case RdbType.SetIntset:
      return intsetSet(input, limits);
    case RdbType.Hash:
      return plainHash(input, limits);
    case RdbType.HashZipmap:
      return pairsHash(decodeBlob(input, 'Zipmap', (b) => decodeZipmap(b.buf, b.start, b.end)), limits, true, input, at);
    case RdbType.HashZiplist:
      return pairsHash(decodeBlob(input, 'Hash ziplist', ziplistOf), limits, false, input, at);
    case RdbType.HashListpack:
      return pairsHash(decodeBlob(input, 'Hash listpack', listpackOf), limits, false, input, at);
    case RdbType.Zset:
    case RdbType.Zset2:
      return plainZset(input, type === RdbType.Zset2, limits);
    case RdbType.ZsetZiplist:
      return pairsZset(decodeBlob(input, 'Zset ziplist', ziplistOf), limits, input, at);
    case RdbType.ZsetListpack:
      return pairsZset(decodeBlob(input, 'Zset listpack', listpackOf), limits, input, at);
    case RdbType.StreamListpacks:
    case RdbType.StreamListpacks2:
      return readStream(input, type);
    case RdbType.ModulePreGa:
    case RdbType.Module2:
      throw input.corrupt('module types are not supported', at);
    default:
      throw input.corrupt(`Unknown RDB encoding type ${type}`, at);
  }
}

/** RDB_TYPE_LIST: a length and the elements. */
function plainList(input: RdbInput, limits: LoadLimits): Quicklist | null {
  const n = input.count();
  if (n === 0) return null;
  const list = new Quicklist(limits.listFill);
  for (let i = 0; i < n; i++) list.pushTail(input.string());
  return list;
}

/** RDB_TYPE_LIST_QUICKLIST (ziplist nodes) and _2 (container + listpack or plain node). */
function quicklist(input: RdbInput, type: number, limits: LoadLimits): Quicklist | null {
  const nodeCount = input.count();
  const nodes: string[][] = [];
  for (let i = 0; i < nodeCount; i++) {
    let container = QUICKLIST_NODE_CONTAINER_PACKED;
    if (type === RdbType.ListQuicklist2) {
      const at = input.pos;
      container = input.length();
      if (container !== QUICKLIST_NODE_CONTAINER_PACKED && container !== QUICKLIST_NODE_CONTAINER_PLAIN) {
        throw input.corrupt('Quicklist integrity check failed.', at);
      }
    }
    const at = input.pos;
    let values: string[];
    if (container === QUICKLIST_NODE_CONTAINER_PLAIN) {
      const blob = input.stringBlob();
      if (blob.end === blob.start) throw input.corrupt('Quicklist integrity check failed: empty plain node', at);
      values = [latin1Slice(blob.buf, blob.start, blob.end)];
    } else {
      values = decodeBlob(input, type === RdbType.ListQuicklist2 ? 'Listpack' : 'Ziplist', (blob) => {
        if (blob.end === blob.start) throw new Error('empty node');
        return type === RdbType.ListQuicklist2 ? listpackOf(blob) : ziplistOf(blob);
      });
    }
    // Empty nodes are skipped silently, as Redis does.
    if (values.length > 0) nodes.push(values);
  }
  return nodes.length === 0 ? null : Quicklist.fromNodes(nodes, limits.listFill);
}

/** RDB_TYPE_SET: members one by one; an intset while they are integers and few enough. */
function plainSet(input: RdbInput, limits: LoadLimits): SetValue | null {
  const n = input.count();
  if (n === 0) return null;
  const set = new SetValue();
  for (let i = 0; i < n; i++) {
    const at = input.pos;
    if (!set.add(input.string(), limits.setMaxIntsetEntries)) throw input.corrupt('Duplicate set members detected', at);
  }
  return set;
}

function intsetSet(input: RdbInput, limits: LoadLimits): SetValue | null {
  const members = decodeBlob(input, 'Intset', (b) => decodeIntset(b.buf, b.start, b.end));
  if (members.length === 0) return null;
  const set = new SetValue();
  for (const m of members) set.add(String(m), limits.setMaxIntsetEntries);
  return set;
}

/** RDB_TYPE_HASH: a listpack while within both hash-max-listpack limits. */
function plainHash(input: RdbInput, limits: LoadLimits): HashValue | null {
  const n = input.count(2);
  if (n === 0) return null;
  const hash = new HashValue();
  for (let i = 0; i < n; i++) {
    const at = input.pos;
    const field = input.string();
    const value = input.string();
    if (!hash.set(field, value, limits.hashMaxEntries, limits.hashMaxValue)) {
      throw input.corrupt('Duplicate hash fields detected', at);
    }
  }
  return hash;
}

/**
 * A hash from flat field/value pairs of a zipmap, ziplist or listpack. Only a zipmap converts
 * for long fields or values (checkLengths); the others only for too many entries.
 */
function pairsHash(pairs: string[], limits: LoadLimits, checkLengths: boolean, input: RdbInput, at: number): HashValue | null {
  if (pairs.length % 2 !== 0) throw input.corrupt('Hash integrity check failed: odd number of elements', at);
  if (pairs.length === 0) return null;
  const hash = new HashValue();
  const maxValue = checkLengths ? limits.hashMaxValue : Infinity;
  for (let i = 0; i < pairs.length; i += 2) {
    if (!hash.set(pairs[i], pairs[i + 1], limits.hashMaxEntries, maxValue)) {
      throw input.corrupt('Hash integrity check failed: duplicate fields', at);
    }
  }
  return hash;
}

/** RDB_TYPE_ZSET (text scores) and RDB_TYPE_ZSET_2 (binary scores), in any order. */
function plainZset(input: RdbInput, binaryScores: boolean, limits: LoadLimits): SortedSet | null {
  const n = input.count(2);
  if (n === 0) return null;
  const members: string[] = new Array(n);
  const scores: number[] = new Array(n);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const at = input.pos;
    const member = input.string();
    const score = binaryScores ? input.binaryDouble() : input.textDouble();
    if (Number.isNaN(score)) throw input.corrupt('Zset with NAN score detected', at);
    if (seen.has(member)) throw input.corrupt('Duplicate zset fields detected', at);
    seen.add(member);
    members[i] = member;
    scores[i] = score;
  }
  return sortedZset(members, scores, limits, limits.zsetMaxValue);
}

/** A sorted set from flat member/score pairs of a ziplist or listpack. */
function pairsZset(pairs: string[], limits: LoadLimits, input: RdbInput, at: number): SortedSet | null {
  if (pairs.length % 2 !== 0) throw input.corrupt('Zset integrity check failed: odd number of elements', at);
  const n = pairs.length / 2;
  if (n === 0) return null;
  const members: string[] = new Array(n);
  const scores: number[] = new Array(n);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const member = pairs[2 * i];
    const score = strtod(pairs[2 * i + 1]).value;
    if (Number.isNaN(score)) throw input.corrupt('Zset integrity check failed: NaN score', at);
    if (seen.has(member)) throw input.corrupt('Zset integrity check failed: duplicate members', at);
    seen.add(member);
    members[i] = member;
    scores[i] = score;
  }
  return sortedZset(members, scores, limits, Infinity);
}

function before(members: string[], scores: number[], a: number, b: number): boolean {
  return scores[a] < scores[b] || (scores[a] === scores[b] && members[a] < members[b]);
}

/**
 * Orders entries by (score, member) and builds the sorted set: a listpack when within the entry
 * limit and `maxValue`, else a skiplist. Entries already ascending (listpacks) or descending
 * (Redis writes skiplists from the top) skip the sort.
 */
function sortedZset(members: string[], scores: number[], limits: LoadLimits, maxValue: number): SortedSet {
  const n = members.length;
  let ascending = true;
  let descending = true;
  for (let i = 1; i < n && (ascending || descending); i++) {
    if (!before(members, scores, i - 1, i)) ascending = false;
    if (!before(members, scores, i, i - 1)) descending = false;
  }
  if (!ascending) {
    if (descending) {
      members.reverse();
      scores.reverse();
    } else {
      const order = Array.from({ length: n }, (_, i) => i);
      order.sort((a, b) => (before(members, scores, a, b) ? -1 : before(members, scores, b, a) ? 1 : 0));
      const m = order.map((i) => members[i]);
      const s = order.map((i) => scores[i]);
      members = m;
      scores = s;
    }
  }
  return SortedSet.fromSorted(members, scores, { maxEntries: limits.zsetMaxEntries, maxValue });
}
