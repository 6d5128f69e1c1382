/**
 * What SCAN, HSCAN, SSCAN and ZSCAN share (Redis's scanGenericCommand): the cursor argument, the
 * MATCH / COUNT / TYPE options with their errors, pattern filtering, and the two-element reply
 * [next cursor, elements].
 */
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { isOption, parseLong } from './arguments';
import { globMatch } from '../keyspace/glob';

const ULONG_MAX = 2n ** 64n - 1n;

export interface ScanOptions {
  /** About how many elements to look at in one call (COUNT, default 10). */
  count: number;
  /** MATCH pattern, or null when absent or a lone `*` (which matches everything). */
  pattern: string | null;
  /** TYPE filter (SCAN only), or null. */
  type: string | null;
}

/**
 * Parses a cursor as Redis does with strtoul: decimal digits with an optional sign (a negative
 * value wraps around 2^64), nothing else; an empty string is cursor 0. Replies "ERR invalid
 * cursor" and returns null otherwise. Cursors past 2^53 lose their low bits, which only matters
 * for cursors Nodis never hands out.
 */
export function parseScanCursorOrReply(c: Client, arg: string): number | null {
  const m = /^([+-]?)([0-9]*)$/.exec(arg);
  // strtoul needs at least one digit after a sign; "" alone parses as 0 with nothing left over.
  if (m === null || (m[1] !== '' && m[2] === '')) {
    c.reply.error('ERR invalid cursor');
    return null;
  }
  let value = m[2] === '' ? 0n : BigInt(m[2]);
  if (value > ULONG_MAX) {
    c.reply.error('ERR invalid cursor');
    return null;
  }
  if (m[1] === '-' && value !== 0n) value = ULONG_MAX + 1n - value;
  return Number(value);
}

/**
 * Parses the options from argv[start] on. `allowType` is true for SCAN (the TYPE option filters
 * the keyspace only). Replies the error and returns null on a bad option.
 */
export function parseScanOptionsOrReply(
  c: Client,
  argv: string[],
  start: number,
  allowType: boolean,
): ScanOptions | null {
  const options: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = start; i < argv.length; i += 2) {
    const hasValue = i + 1 < argv.length;
    const arg = argv[i];
    if (hasValue && isOption(arg, 'COUNT')) {
      const count = parseLong(argv[i + 1]);
      if (count === null) {
        c.reply.error(Errors.notInteger);
        return null;
      }
      if (count < 1) {
        c.reply.error(Errors.syntax);
        return null;
      }
      options.count = count;
    } else if (hasValue && isOption(arg, 'MATCH')) {
      const pattern = argv[i + 1];
      options.pattern = pattern === '*' ? null : pattern;
    } else if (hasValue && allowType && isOption(arg, 'TYPE')) {
      options.type = argv[i + 1];
    } else {
      c.reply.error(Errors.syntax);
      return null;
    }
  }
  return options;
}

/** True when an element passes the MATCH filter. */
export function scanMatches(options: ScanOptions, element: string): boolean {
  return options.pattern === null || globMatch(options.pattern, element);
}

/** Writes the SCAN reply: the next cursor as a bulk string, then the elements. */
export function replyScan(c: Client, cursor: number, elements: readonly string[]): void {
  c.reply.array(2);
  c.reply.bulk(String(cursor));
  c.reply.bulkArray(elements);
}
