/**
 * Bit operations on byte strings, with Redis's bit order: bit 0 is the most significant bit of
 * the first byte. Used by BITCOUNT, BITPOS, BITOP, GETBIT and SETBIT.
 */

const BITS_IN_BYTE = new Uint8Array(256);
for (let i = 1; i < 256; i++) BITS_IN_BYTE[i] = (i & 1) + BITS_IN_BYTE[i >> 1];

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Number of set bits in bytes [start, end). */
export function popcount(buf: Uint8Array, start = 0, end = buf.length): number {
  let count = 0;
  let i = start;
  // Whole 32-bit words where the buffer is aligned for a Uint32Array view.
  const alignedStart = (buf.byteOffset + i) % 4 === 0 ? i : i + (4 - ((buf.byteOffset + i) % 4));
  if (end - alignedStart >= 64) {
    for (; i < alignedStart; i++) count += BITS_IN_BYTE[buf[i]];
    const words = (end - i) >>> 2;
    const view = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
    for (let w = 0; w < words; w++) count += popcount32(view[w]);
    i += words * 4;
  }
  for (; i < end; i++) count += BITS_IN_BYTE[buf[i]];
  return count;
}

/** Number of set bits from bit `startBit` to bit `endBit` inclusive (both within the buffer). */
export function countBits(buf: Uint8Array, startBit: number, endBit: number): number {
  const firstByte = Math.floor(startBit / 8);
  const lastByte = Math.floor(endBit / 8);
  let count = popcount(buf, firstByte, lastByte + 1);
  // Take back the bits of the edge bytes that are outside the range.
  const leading = startBit % 8;
  if (leading > 0) count -= BITS_IN_BYTE[buf[firstByte] & (0xff << (8 - leading)) & 0xff];
  const trailing = 7 - (endBit % 8);
  if (trailing > 0) count -= BITS_IN_BYTE[buf[lastByte] & ((1 << trailing) - 1)];
  return count;
}

/** Position of the first bit equal to `bit` from `startBit` to `endBit` inclusive, or -1. */
export function findBit(buf: Uint8Array, bit: 0 | 1, startBit: number, endBit: number): number {
  const skip = bit === 1 ? 0 : 0xff;
  let pos = startBit;
  while (pos <= endBit) {
    const byte = Math.floor(pos / 8);
    const offset = pos % 8;
    if (offset === 0 && pos + 7 <= endBit && buf[byte] === skip) {
      pos += 8; // a whole byte without the bit looked for
      continue;
    }
    if (((buf[byte] >> (7 - offset)) & 1) === bit) return pos;
    pos++;
  }
  return -1;
}

export type BitOp = 'and' | 'or' | 'xor' | 'not';

/** BITOP: the result is as long as the longest source; shorter ones read as zero padded. */
export function bitop(op: BitOp, sources: Uint8Array[]): Buffer {
  let maxLength = 0;
  for (const s of sources) if (s.length > maxLength) maxLength = s.length;
  const out = Buffer.alloc(maxLength);
  const first = sources[0];
  if (op === 'not') {
    for (let i = 0; i < maxLength; i++) out[i] = ~(i < first.length ? first[i] : 0);
    return out;
  }
  out.set(first);
  for (let k = 1; k < sources.length; k++) {
    const src = sources[k];
    const n = src.length;
    if (op === 'and') {
      for (let i = 0; i < n; i++) out[i] &= src[i];
      out.fill(0, n);
    } else if (op === 'or') {
      for (let i = 0; i < n; i++) out[i] |= src[i];
    } else {
      for (let i = 0; i < n; i++) out[i] ^= src[i];
    }
  }
  return out;
}

/** The bit at `offset` of a string value's bytes (0 past the end). */
export function bitAt(buf: Uint8Array, offset: number): 0 | 1 {
  const byte = Math.floor(offset / 8);
  if (byte >= buf.length) return 0;
  return ((buf[byte] >> (7 - (offset % 8))) & 1) as 0 | 1;
}
