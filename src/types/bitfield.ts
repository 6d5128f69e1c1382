/**
 * Integer fields of 1 to 64 bits at any bit offset of a byte string (BITFIELD), with Redis's
 * overflow rules: WRAP (two's complement wrap-around), SAT (clamp to the type's limits) and
 * FAIL (refuse the write). The overflow checks reproduce bitops.c's 64-bit arithmetic exactly,
 * wrap-arounds included, with BigInt.
 */

export type OverflowMode = 'wrap' | 'sat' | 'fail';

export interface BitfieldType {
  signed: boolean;
  bits: number;
}

const INTEGER_TEXT = /^(0|[1-9][0-9]*)/;

/**
 * Parses "i<bits>" (1..64) or "u<bits>" (1..63; u64 cannot be replied as a signed integer).
 * Like Redis, the digits end at the first NUL byte.
 */
export function parseBitfieldType(arg: string): BitfieldType | null {
  const sign = arg[0];
  if (sign !== 'i' && sign !== 'u') return null;
  const nul = arg.indexOf('\0');
  const digits = arg.slice(1, nul === -1 ? arg.length : nul);
  const match = INTEGER_TEXT.exec(digits);
  if (!match || match[0].length !== digits.length || digits.length > 2) return null;
  const bits = Number(digits);
  const signed = sign === 'i';
  if (bits < 1 || bits > (signed ? 64 : 63)) return null;
  return { signed, bits };
}

/** Reads the bits [offset, offset+bits) as an unsigned integer; bytes past the end read as 0. */
export function getUnsigned(buf: Uint8Array, offset: number, bits: number): bigint {
  const firstByte = Math.floor(offset / 8);
  const lastBit = offset + bits - 1;
  const lastByte = Math.floor(lastBit / 8);
  let acc = 0n;
  for (let i = firstByte; i <= lastByte; i++) acc = (acc << 8n) | BigInt(i < buf.length ? buf[i] : 0);
  return BigInt.asUintN(bits, acc >> BigInt(7 - (lastBit % 8)));
}

export function getSigned(buf: Uint8Array, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsigned(buf, offset, bits));
}

/** Writes the low `bits` bits of value (two's complement) at offset; buf must be long enough. */
export function setBits(buf: Uint8Array, offset: number, bits: number, value: bigint): void {
  const firstByte = Math.floor(offset / 8);
  const lastBit = offset + bits - 1;
  const lastByte = Math.floor(lastBit / 8);
  const shift = BigInt(7 - (lastBit % 8));
  const spanBits = BigInt((lastByte - firstByte + 1) * 8);
  let acc = 0n;
  for (let i = firstByte; i <= lastByte; i++) acc = (acc << 8n) | BigInt(buf[i]);
  const mask = ((1n << BigInt(bits)) - 1n) << shift;
  acc = (acc & ~mask & ((1n << spanBits) - 1n)) | ((BigInt.asUintN(bits, value) << shift) & mask);
  for (let i = lastByte; i >= firstByte; i--) {
    buf[i] = Number(acc & 0xffn);
    acc >>= 8n;
  }
}

/** Result of an overflow check: 0 fits, 1 overflow, -1 underflow; `limit` the value to store. */
export interface OverflowCheck {
  overflow: -1 | 0 | 1;
  limit: bigint;
}

const i64 = (n: bigint): bigint => BigInt.asIntN(64, n);

/** Redis's checkUnsignedBitfieldOverflow: value is a uint64, incr an int64. */
export function checkUnsignedOverflow(value: bigint, incr: bigint, bits: number, mode: OverflowMode): OverflowCheck {
  const max = (1n << BigInt(bits)) - 1n;
  const maxIncr = i64(max - value);
  const minIncr = i64(-value);
  let overflow: -1 | 0 | 1 = 0;
  if (value > max || (incr > 0n && incr > maxIncr)) overflow = 1;
  else if (incr < 0n && incr < minIncr) overflow = -1;
  if (overflow === 0) return { overflow, limit: 0n };
  if (mode === 'sat') return { overflow, limit: overflow === 1 ? max : 0n };
  return { overflow, limit: BigInt.asUintN(bits, value + incr) };
}

/** Redis's checkSignedBitfieldOverflow: value and incr are int64. */
export function checkSignedOverflow(value: bigint, incr: bigint, bits: number, mode: OverflowMode): OverflowCheck {
  const max = (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxIncr = i64(max - value);
  const minIncr = i64(min - value);
  const narrow = bits !== 64;
  let overflow: -1 | 0 | 1 = 0;
  if (value > max || (narrow && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr)) overflow = 1;
  else if (value < min || (narrow && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr)) overflow = -1;
  if (overflow === 0) return { overflow, limit: 0n };
  if (mode === 'sat') return { overflow, limit: overflow === 1 ? max : min };
  return { overflow, limit: BigInt.asIntN(bits, value + incr) };
}

export type BitfieldOpcode = 'get' | 'set' | 'incrby';

export interface BitfieldOp {
  opcode: BitfieldOpcode;
  type: BitfieldType;
  offset: number;
  /** SET's value or INCRBY's increment (int64). */
  value: bigint;
  overflow: OverflowMode;
}

/** What a SET or INCRBY does: the reply (null when FAIL refused it) and whether it wrote. */
export interface BitfieldWrite {
  reply: bigint | null;
  oldValue: bigint;
  newValue: bigint;
}

/** Computes a SET or INCRBY on the current bits, without writing them. */
export function planWrite(buf: Uint8Array, op: BitfieldOp): BitfieldWrite {
  const { bits, signed } = op.type;
  const incrby = op.opcode === 'incrby';
  if (signed) {
    const oldValue = getSigned(buf, op.offset, bits);
    const check = incrby
      ? checkSignedOverflow(oldValue, op.value, bits, op.overflow)
      : checkSignedOverflow(op.value, 0n, bits, op.overflow);
    const newValue = check.overflow !== 0 ? check.limit : incrby ? oldValue + op.value : op.value;
    if (check.overflow !== 0 && op.overflow === 'fail') return { reply: null, oldValue, newValue: oldValue };
    return { reply: incrby ? newValue : oldValue, oldValue, newValue };
  }
  const oldValue = getUnsigned(buf, op.offset, bits);
  const target = incrby ? oldValue : BigInt.asUintN(64, op.value);
  const check = checkUnsignedOverflow(target, incrby ? op.value : 0n, bits, op.overflow);
  const newValue = check.overflow !== 0 ? check.limit : incrby ? BigInt.asUintN(64, oldValue + op.value) : target;
  if (check.overflow !== 0 && op.overflow === 'fail') return { reply: null, oldValue, newValue: oldValue };
  return { reply: incrby ? newValue : oldValue, oldValue, newValue };
}
