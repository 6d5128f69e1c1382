/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { isOption, parseLong } from '../arguments';
import { isStringValue } from '../../keyspace/value';
import { readAny } from '../lookup';
import { computeLcs, lcsTableBytes, type LcsResult } from '../../types/lcs';
import { bytesOf, optionName } from './string-values';

function replyRanges(c: Client, result: LcsResult, withMatchLen: boolean): void {
  c.reply.map(2);
  c.reply.bulk('matches');
  c.reply.array(result.ranges.length);
  for (const r of result.ranges) {
    c.reply.array(withMatchLen ? 3 : 2);
    c.reply.array(2);
    c.reply.integer(r.aStart);
    c.reply.integer(r.aEnd);
    c.reply.array(2);
    c.reply.integer(r.bStart);
    c.reply.integer(r.bEnd);
    if (withMatchLen) c.reply.integer(r.length);
  }
  c.reply.bulk('len');
  c.reply.integer(result.length);
}

export function lcs(c: Client, argv: string[]): void {
  const a = readAny(c, argv[1]);
  const b = readAny(c, argv[2]);
  if ((a !== undefined && !isStringValue(a)) || (b !== undefined && !isStringValue(b))) {
    return c.reply.error('ERR The specified keys must contain string values');
  }
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = optionName(argv[j]);
    if (isOption(opt, 'IDX')) getIdx = true;
    else if (isOption(opt, 'LEN')) getLen = true;
    else if (isOption(opt, 'WITHMATCHLEN')) withMatchLen = true;
    else if (isOption(opt, 'MINMATCHLEN') && j < argv.length - 1) {
      const n = parseLong(argv[++j]);
      if (n === null) return c.reply.error(Errors.notInteger);
      minMatchLen = Math.max(0, n);
    } else {
      return c.reply.error(Errors.syntax);
    }
  }
  if (getLen && getIdx) return c.reply.error('ERR If you want both the length and indexes, please just use IDX.');
  const aBytes = bytesOf(a);
  const bBytes = bytesOf(b);
  if (lcsTableBytes(aBytes.length, bBytes.length) > c.server.limits.maxBulkLen) {
    return c.reply.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  }
  let result: LcsResult;
  try {
    result = computeLcs(aBytes, bBytes, { text: getIdx || !getLen, ranges: getIdx, minMatchLen });
  } catch {
    return c.reply.error('ERR Insufficient memory, failed allocating transient memory for LCS');
  }
  if (getIdx) replyRanges(c, result, withMatchLen);
  else if (getLen) c.reply.integer(result.length);
  else c.reply.bulk(result.text!);
}
