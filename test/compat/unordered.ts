/**
 * Comparing replies whose order is unspecified (members of hashtable-encoded sets and hashes:
 * Redis's dict order cannot be reproduced). Replies are parsed, then arrays, sets and maps are
 * sorted, so the same members in another order compare equal and anything else does not.
 */
import { expect } from 'vitest';
import type { CompatPair } from './harness';
import { onBoth } from './on-both';
import { callParsed, type RespValue } from '../helpers/resp-value';
import type { RawConnection } from '../helpers/raw-connection';

const byJson = (a: RespValue, b: RespValue): number => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * A reply with its element order removed. `pairs`: the array holds field/value pairs (HGETALL
 * or HRANDFIELD WITHVALUES), flat in RESP2 or nested in RESP3: sorted by pair, each pair kept
 * together.
 */
export function normalize(value: RespValue, pairs = false): RespValue {
  if (Array.isArray(value)) {
    if (!pairs) return value.map((v) => normalize(v)).sort(byJson);
    // RESP3 already nests each pair; RESP2 flattens them.
    if (value.every(Array.isArray)) return value.slice().sort(byJson);
    const grouped: RespValue[] = [];
    for (let i = 0; i < value.length; i += 2) grouped.push([value[i], value[i + 1]]);
    return grouped.sort(byJson);
  }
  if (value !== null && typeof value === 'object') {
    if ('set' in value) return { set: value.set.map((v) => normalize(v)).sort(byJson) };
    if ('map' in value) {
      const entries = value.map.map(([k, v]) => [normalize(k), normalize(v)] as RespValue);
      return { map: entries.sort(byJson) as [RespValue, RespValue][] };
    }
  }
  return value;
}

/** A step of an unordered comparison: the command, and whether its reply is a flat pair list. */
export type UnorderedStep = string[] | { argv: string[]; pairs: true };

/**
 * Runs `setup` on both servers (replies compared exactly), then each check, comparing the
 * normalized replies.
 */
export async function expectSameUnordered(
  pair: CompatPair,
  setup: string[][],
  checks: UnorderedStep[],
  resp: 2 | 3 = 2,
): Promise<void> {
  await pair.expectSame(setup, { resp });
  const [redis, nodis] = await onBoth(pair, async (conn) => {
    if (resp === 3) await callParsed(conn, 'HELLO', '3');
    const replies: RespValue[] = [];
    for (const step of checks) {
      const argv = Array.isArray(step) ? step : step.argv;
      replies.push(normalize(await callParsed(conn, ...argv), !Array.isArray(step)));
    }
    return replies;
  });
  expect(nodis).toEqual(redis);
}

/**
 * Every element a full *SCAN iteration returns (each field/value pair as one entry for HSCAN),
 * deduplicated and sorted, with the number of calls it took.
 */
export async function fullScan(
  conn: RawConnection,
  command: string,
  key: string,
  options: string[] = [],
  pairs = false,
): Promise<{ elements: string[]; calls: number }> {
  const seen = new Set<string>();
  let cursor = '0';
  let calls = 0;
  do {
    const reply = (await callParsed(conn, command, key, cursor, ...options)) as [string, string[]];
    calls++;
    cursor = reply[0];
    const items = reply[1];
    for (let i = 0; i < items.length; i += pairs ? 2 : 1) {
      seen.add(pairs ? JSON.stringify([items[i], items[i + 1]]) : items[i]);
    }
    if (calls > 100000) throw new Error('scan does not end');
  } while (cursor !== '0');
  return { elements: [...seen].sort(), calls };
}
