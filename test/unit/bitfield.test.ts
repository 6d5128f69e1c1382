import { describe, expect, test } from 'vitest';
import {
  checkSignedOverflow,
  checkUnsignedOverflow,
  getSigned,
  getUnsigned,
  parseBitfieldType,
  setBits,
} from '../../src/types/bitfield';

/** Bit by bit, as Redis's getUnsignedBitfield. */
function naiveGet(buf: Uint8Array, offset: number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    const byte = pos >> 3;
    const bit = byte < buf.length ? (buf[byte] >> (7 - (pos & 7))) & 1 : 0;
    v = (v << 1n) | BigInt(bit);
  }
  return v;
}

describe('bitfield integers', () => {
  test('get and set agree with a bit-by-bit reading at every width and alignment', () => {
    const buf = new Uint8Array(12);
    let seed = 1;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let round = 0; round < 2000; round++) {
      const bits = 1 + (next() % 64);
      const offset = next() % (96 - bits);
      const value = (BigInt(next()) << 33n) ^ BigInt(next());
      const before = Uint8Array.from(buf);
      setBits(buf, offset, bits, value);
      expect(getUnsigned(buf, offset, bits)).toBe(BigInt.asUintN(bits, value));
      expect(naiveGet(buf, offset, bits)).toBe(BigInt.asUintN(bits, value));
      expect(getSigned(buf, offset, bits)).toBe(BigInt.asIntN(bits, value));
      // Bits outside the field are untouched.
      for (let bit = 0; bit < 96; bit++) {
        if (bit >= offset && bit < offset + bits) continue;
        expect(naiveGet(buf, bit, 1)).toBe(naiveGet(before, bit, 1));
      }
    }
  });

  test('reads past the end are zero padded', () => {
    expect(getUnsigned(Uint8Array.of(0xff), 4, 8)).toBe(0xf0n);
    expect(getSigned(Uint8Array.of(), 0, 64)).toBe(0n);
  });

  test('types', () => {
    expect(parseBitfieldType('i64')).toEqual({ signed: true, bits: 64 });
    expect(parseBitfieldType('u63')).toEqual({ signed: false, bits: 63 });
    expect(parseBitfieldType('u8\x00junk')).toEqual({ signed: false, bits: 8 });
    for (const bad of ['u64', 'i65', 'i0', 'U8', 'u', 'u08', 'u-1', 'u+1', 'x8', '']) expect(parseBitfieldType(bad), bad).toBeNull();
  });

  test('unsigned overflow: wrap, saturate, and SET of a negative value', () => {
    expect(checkUnsignedOverflow(250n, 10n, 8, 'wrap')).toEqual({ overflow: 1, limit: 4n });
    expect(checkUnsignedOverflow(250n, 10n, 8, 'sat')).toEqual({ overflow: 1, limit: 255n });
    expect(checkUnsignedOverflow(5n, -10n, 8, 'sat')).toEqual({ overflow: -1, limit: 0n });
    expect(checkUnsignedOverflow(5n, -10n, 8, 'wrap')).toEqual({ overflow: -1, limit: 251n });
    // SET u8 -5: the value is read as a uint64, too big, so SAT clamps it to the maximum.
    expect(checkUnsignedOverflow(BigInt.asUintN(64, -5n), 0n, 8, 'sat')).toEqual({ overflow: 1, limit: 255n });
    expect(checkUnsignedOverflow(3n, 4n, 8, 'fail').overflow).toBe(0);
  });

  test('signed overflow, including the 64-bit wrap-arounds of the checks', () => {
    expect(checkSignedOverflow(120n, 10n, 8, 'wrap')).toEqual({ overflow: 1, limit: -126n });
    expect(checkSignedOverflow(-120n, -10n, 8, 'sat')).toEqual({ overflow: -1, limit: -128n });
    const min = -(2n ** 63n);
    const max = 2n ** 63n - 1n;
    expect(checkSignedOverflow(max, 1n, 64, 'wrap')).toEqual({ overflow: 1, limit: min });
    expect(checkSignedOverflow(min, -1n, 64, 'sat')).toEqual({ overflow: -1, limit: min });
    // SET i8 LLONG_MIN: max - value wraps negative in 64 bits, so Redis calls it an overflow.
    expect(checkSignedOverflow(min, 0n, 8, 'sat')).toEqual({ overflow: 1, limit: 127n });
  });
});
