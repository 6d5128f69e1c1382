/**
 * Redis's intset blob (intset.c), as RDB_TYPE_SET_INTSET stores it:
 *   <encoding: u32 LE, 2/4/8 bytes per member> <length: u32 LE> <members, ascending, LE>
 */
import type { Int64 } from '../../types/intset';

/** Why an intset blob is invalid (the RDB reader adds the file offset). */
export class IntsetError extends Error {}

function widthOf(v: Int64): number {
  if (typeof v === 'bigint') return 8;
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -2147483648 && v <= 2147483647) return 4;
  return 8;
}

/** The blob of ascending members, in the narrowest encoding that holds them all. */
export function encodeIntset(members: readonly Int64[]): Buffer {
  let width = 2;
  for (const v of members) {
    const w = widthOf(v);
    if (w > width) width = w;
  }
  const out = Buffer.allocUnsafe(8 + width * members.length);
  out.writeUInt32LE(width, 0);
  out.writeUInt32LE(members.length, 4);
  let p = 8;
  for (const v of members) {
    if (width === 2) out.writeInt16LE(v as number, p);
    else if (width === 4) out.writeInt32LE(v as number, p);
    else out.writeBigInt64LE(BigInt(v), p);
    p += width;
  }
  return out;
}

/** The members of the intset in b[start, end): numbers, or BigInts beyond 2^53. */
export function decodeIntset(b: Buffer, start: number, end: number): Int64[] {
  if (end - start < 8) throw new IntsetError('intset too short');
  const width = b.readUInt32LE(start);
  if (width !== 2 && width !== 4 && width !== 8) throw new IntsetError(`intset with an invalid encoding (${width})`);
  const count = b.readUInt32LE(start + 4);
  if (8 + count * width !== end - start) throw new IntsetError('intset size does not match its length');
  const out: Int64[] = new Array(count);
  let p = start + 8;
  for (let i = 0; i < count; i++, p += width) {
    let v: Int64;
    if (width === 2) v = b.readInt16LE(p);
    else if (width === 4) v = b.readInt32LE(p);
    else {
      const big = b.readBigInt64LE(p);
      const n = Number(big);
      v = Number.isSafeInteger(n) ? n : big;
    }
    if (i > 0 && !(out[i - 1] < v)) throw new IntsetError('intset members out of order or duplicated');
    out[i] = v;
  }
  return out;
}
