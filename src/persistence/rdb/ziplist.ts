/**
 * Redis's ziplist (ziplist.c), read only: the compact encoding of RDB version 9 and older files
 * (lists, hashes, sorted sets, quicklist nodes before listpacks replaced it in Redis 7.0).
 *
 *   <zlbytes: u32 LE> <zltail: u32 LE> <zllen: u16 LE> <entry>... <0xFF>
 *   entry = <prevlen: 1 byte, or 0xFE + u32 LE> <encoding> <data>
 *   encoding: 00pppppp (6-bit string length), 01pppppp qqqqqqqq (14-bit, big endian),
 *   0x80 + u32 BE (32-bit length), 0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24,
 *   0xFE int8, 0xF1..0xFD the immediate values 0..12 (all integers little endian).
 */

import { latin1Slice } from './latin1';

const HEADER_SIZE = 10;
const END = 0xff;

/** Why a ziplist is invalid (the RDB reader adds the file offset). */
export class ZiplistError extends Error {}

/** The entries of the ziplist in b[start, end) as latin1 strings, appended to `out`. */
export function decodeZiplist(b: Buffer, start: number, end: number, out: string[] = []): string[] {
  if (end - start < HEADER_SIZE + 1) throw new ZiplistError('ziplist too short');
  if (b.readUInt32LE(start) !== end - start) throw new ZiplistError('ziplist size does not match its header');
  const declared = b.readUInt16LE(start + 8);
  const last = end - 1;
  if (b[last] !== END) throw new ZiplistError('ziplist without its end marker');
  let p = start + HEADER_SIZE;
  let count = 0;
  let prevSize = 0;
  while (p < last) {
    const entryStart = p;
    // prevlen: the size of the previous entry.
    let prevlen: number;
    if (b[p] < 0xfe) {
      prevlen = b[p++];
    } else {
      if (p + 5 > last) throw new ZiplistError('ziplist entry out of range');
      prevlen = b.readUInt32LE(p + 1);
      p += 5;
    }
    if (prevlen !== prevSize) throw new ZiplistError('ziplist entry with a bad previous length');
    if (p >= last) throw new ZiplistError('ziplist entry out of range');
    const enc = b[p];
    const kind = enc >>> 6;
    let value: string;
    if (kind < 3) {
      let length: number;
      if (kind === 0) {
        length = enc & 0x3f;
        p += 1;
      } else if (kind === 1) {
        if (p + 2 > last) throw new ZiplistError('ziplist entry out of range');
        length = ((enc & 0x3f) << 8) | b[p + 1];
        p += 2;
      } else {
        if (enc !== 0x80 || p + 5 > last) throw new ZiplistError('ziplist entry with a bad encoding');
        length = b.readUInt32BE(p + 1);
        p += 5;
      }
      if (p + length > last) throw new ZiplistError('ziplist entry out of range');
      value = latin1Slice(b, p, p + length);
      p += length;
    } else {
      let size: number;
      switch (enc) {
        case 0xc0:
          size = 2;
          break;
        case 0xd0:
          size = 4;
          break;
        case 0xe0:
          size = 8;
          break;
        case 0xf0:
          size = 3;
          break;
        case 0xfe:
          size = 1;
          break;
        default:
          if (enc < 0xf1 || enc > 0xfd) throw new ZiplistError('ziplist entry with a bad encoding');
          size = 0;
      }
      if (p + 1 + size > last) throw new ZiplistError('ziplist entry out of range');
      const d = p + 1;
      if (size === 0) value = String((enc & 0x0f) - 1);
      else if (size === 1) value = String(b.readInt8(d));
      else if (size === 2) value = String(b.readInt16LE(d));
      else if (size === 3) value = String(b.readIntLE(d, 3));
      else if (size === 4) value = String(b.readInt32LE(d));
      else value = b.readBigInt64LE(d).toString();
      p = d + size;
    }
    out.push(value);
    prevSize = p - entryStart;
    count++;
  }
  // zllen saturates at 65535 (UINT16_MAX means "count them").
  if (declared !== 0xffff && declared !== count) throw new ZiplistError('ziplist element count does not match its header');
  return out;
}
