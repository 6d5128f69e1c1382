/**
 * A string value that is edited in place (APPEND, SETRANGE, SETBIT, BITFIELD): bytes in a buffer
 * with spare capacity, like Redis's sds, so repeated appends and bit writes are O(1) amortized.
 * Redis reports these as encoding "raw".
 */
export class MutableString {
  buf: Buffer;
  length: number;

  constructor(initial: string | Buffer, extraCapacity = 0) {
    const bytes = typeof initial === 'string' ? Buffer.from(initial, 'latin1') : initial;
    this.buf = Buffer.alloc(bytes.length + extraCapacity);
    bytes.copy(this.buf);
    this.length = bytes.length;
  }

  /** Makes room for `size` bytes, zero-filling new space; grows geometrically. */
  ensureLength(size: number): void {
    if (size > this.buf.length) {
      const grown = Buffer.alloc(Math.max(size, Math.min(this.buf.length * 2, size + 1024 * 1024)));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    if (size > this.length) {
      this.buf.fill(0, this.length, size);
      this.length = size;
    }
  }

  append(s: string): void {
    const start = this.length;
    this.ensureLength(start + s.length);
    this.buf.write(s, start, 'latin1');
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  toString(): string {
    return this.buf.toString('latin1', 0, this.length);
  }
}
