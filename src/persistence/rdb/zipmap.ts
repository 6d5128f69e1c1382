/**
 * Redis's zipmap (zipmap.c), read only: how Redis 2.4 and older stored small hashes
 * (RDB_TYPE_HASH_ZIPMAP).
 *
 *   <zmlen: 1 byte, 254+ means "count them"> (<len>field<len><free>value<free bytes>)... <0xFF>
 *   len: 1 byte when < 254, else 0xFE + u32 (little endian, as written on x86).
 */

import { latin1Slice } from './latin1';

const BIGLEN = 254;
const END = 0xff;

/** Why a zipmap is invalid (the RDB reader adds the file offset). */
export class ZipmapError extends Error {}

/** The field/value pairs of the zipmap in b[start, end), flat, appended to `out`. */
export function decodeZipmap(b: Buffer, start: number, end: number, out: string[] = []): string[] {
  if (end - start < 2) throw new ZipmapError('zipmap too short');
  if (b[end - 1] !== END) throw new ZipmapError('zipmap without its end marker');
  let p = start + 1;
  const last = end - 1;
  const readLength = (): number => {
    if (p >= last) throw new ZipmapError('zipmap entry out of range');
    const first = b[p];
    if (first < BIGLEN) {
      p += 1;
      return first;
    }
    if (first !== BIGLEN || p + 5 > last) throw new ZipmapError('zipmap entry with a bad length');
    const length = b.readUInt32LE(p + 1);
    p += 5;
    return length;
  };
  let pairs = 0;
  while (p < last) {
    const fieldLength = readLength();
    if (p + fieldLength > last) throw new ZipmapError('zipmap entry out of range');
    out.push(latin1Slice(b, p, p + fieldLength));
    p += fieldLength;
    const valueLength = readLength();
    if (p >= last) throw new ZipmapError('zipmap entry out of range');
    const free = b[p++];
    if (p + valueLength + free > last) throw new ZipmapError('zipmap entry out of range');
    out.push(latin1Slice(b, p, p + valueLength));
    p += valueLength + free;
    pairs++;
  }
  if (pairs === 0) throw new ZipmapError('empty zipmap');
  const declared = b[start];
  if (declared < BIGLEN && declared !== pairs) throw new ZipmapError('zipmap pair count does not match its header');
  return out;
}
