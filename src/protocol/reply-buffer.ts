/**
 * Collects one client's encoded replies between two socket writes. Replies are encoded straight into
 * a chunk; flushing hands the socket a view of the bytes written since the last flush and goes on
 * writing after them, so a chunk serves many reads and a read costs one socket write.
 */
const CHUNK_SIZE = 16 * 1024;
/** A bulk longer than this is handed to the socket as its own buffer instead of being copied. */
const LARGE_BULK = 4 * 1024;

type Latin1Buffer = Buffer & { latin1Write(s: string, offset: number, length: number): number };

export class ReplyBuffer {
  private chunk: Latin1Buffer | null = null;
  /** Start of the bytes not yet handed to the socket. */
  private start = 0;
  private offset = 0;
  /** Finished pieces, in order, before the chunk's [start, offset). */
  private pieces: Buffer[] = [];
  private piecesBytes = 0;

  get pendingBytes(): number {
    return this.piecesBytes + this.offset - this.start;
  }

  private ensure(bytes: number): Latin1Buffer {
    let chunk = this.chunk;
    if (chunk === null || this.offset + bytes > chunk.length) {
      if (chunk !== null && this.offset > this.start) {
        this.pushPiece(chunk.subarray(this.start, this.offset));
      }
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_SIZE, bytes)) as Latin1Buffer;
      this.chunk = chunk;
      this.start = 0;
      this.offset = 0;
    }
    return chunk;
  }

  private pushPiece(piece: Buffer): void {
    this.pieces.push(piece);
    this.piecesBytes += piece.length;
  }

  /** Appends ASCII/latin1 text (each char one byte). */
  writeAscii(s: string): void {
    const chunk = this.ensure(s.length);
    this.offset = copyLatin1(chunk, s, this.offset);
  }

  /** Appends `<prefix><n>\r\n` for an integer n, e.g. `$5\r\n`, `*-1\r\n` or `:42\r\n`. */
  writeLengthLine(prefix: number, n: number): void {
    const chunk = this.ensure(24);
    let o = this.offset;
    chunk[o++] = prefix;
    if (n >= 0 && n < 10) {
      chunk[o++] = 48 + n;
    } else if (n > 0 && n <= 0x7fffffff) {
      // Digits written backwards from the end of the number, no string built.
      let end = o + 1;
      for (let rest = n; rest >= 10; rest = (rest / 10) | 0) end++;
      o = end;
      for (let rest = n; end > this.offset + 1; rest = (rest / 10) | 0) chunk[--end] = 48 + (rest % 10);
    } else {
      const digits = String(n);
      o += chunk.latin1Write(digits, o, digits.length);
    }
    chunk[o++] = 13;
    chunk[o++] = 10;
    this.offset = o;
  }

  /** Appends a bulk string `$<len>\r\n<bytes>\r\n` for a latin1 string. */
  writeBulk(s: string): void {
    const len = s.length;
    if (len > LARGE_BULK) {
      this.writeLengthLine(36, len);
      this.flushChunkToPieces();
      this.pushPiece(Buffer.from(s, 'latin1'));
      this.writeRaw(CRLF);
      return;
    }
    const chunk = this.ensure(len + BULK_FRAMING_MAX);
    this.offset = writeShortBulk(chunk, this.offset, s);
  }

  /**
   * Appends `*<n>\r\n` and a bulk string per item. Runs of items up to a chunk's worth are
   * written after one room check, with their length lines and bytes in one loop: LRANGE and
   * SMEMBERS replies of hundreds of short strings spend most of their time here.
   */
  writeBulkArray(items: readonly string[]): void {
    this.writeLengthLine(42, items.length);
    const count = items.length;
    let i = 0;
    while (i < count) {
      let bytes = 0;
      let runEnd = i;
      while (runEnd < count && bytes < CHUNK_SIZE) {
        const len = items[runEnd].length;
        if (len > LARGE_BULK) break;
        bytes += len + BULK_FRAMING_MAX;
        runEnd++;
      }
      if (runEnd === i) {
        this.writeBulk(items[i++]);
        continue;
      }
      const chunk = this.ensure(bytes);
      let o = this.offset;
      for (; i < runEnd; i++) o = writeShortBulk(chunk, o, items[i]);
      this.offset = o;
    }
  }

  /** Appends a bulk string of the latin1 text s[start, end) (no substring made for short ones). */
  writeBulkSpan(s: string, start: number, end: number): void {
    const len = end - start;
    if (len >= SHORT_STRING) return this.writeBulk(s.substring(start, end));
    const chunk = this.ensure(len + BULK_FRAMING_MAX);
    let o = writeBulkLengthLine(chunk, this.offset, len);
    for (let i = start; i < end; i++) chunk[o++] = s.charCodeAt(i);
    chunk[o++] = 13;
    chunk[o++] = 10;
    this.offset = o;
  }

  /** Appends a bulk string `$<len>\r\n<bytes>\r\n`, copying the bytes. */
  writeBulkBytes(bytes: Buffer): void {
    const len = bytes.length;
    if (len > LARGE_BULK) {
      this.writeLengthLine(36, len);
      this.flushChunkToPieces();
      this.pushPiece(Buffer.from(bytes));
      this.writeRaw(CRLF);
      return;
    }
    const chunk = this.ensure(len + 24);
    this.writeLengthLine(36, len);
    let o = copyBytes(chunk, bytes, this.offset);
    chunk[o++] = 13;
    chunk[o++] = 10;
    this.offset = o;
  }

  /** Appends pre-encoded bytes (kept by reference when large: they must not change afterwards). */
  writeRaw(bytes: Buffer): void {
    if (bytes.length > LARGE_BULK) {
      this.flushChunkToPieces();
      this.pushPiece(bytes);
      return;
    }
    const chunk = this.ensure(bytes.length);
    this.offset = copyBytes(chunk, bytes, this.offset);
  }

  private flushChunkToPieces(): void {
    if (this.chunk !== null && this.offset > this.start) {
      this.pushPiece(this.chunk.subarray(this.start, this.offset));
      this.start = this.offset;
    }
  }

  /** Takes everything written since the last take, as one buffer or a list (null if nothing). */
  take(): Buffer | Buffer[] | null {
    if (this.pieces.length === 0) {
      if (this.offset === this.start) return null;
      const out = this.chunk!.subarray(this.start, this.offset);
      this.start = this.offset;
      return out;
    }
    this.flushChunkToPieces();
    const out = this.pieces;
    this.pieces = [];
    this.piecesBytes = 0;
    return out;
  }
}

const CRLF = Buffer.from('\r\n');

/** Most bytes around a bulk of at most LARGE_BULK bytes: `$4096\r\n` and `\r\n`. */
const BULK_FRAMING_MAX = 9;

/** Writes `$<len>\r\n` for 0 <= len <= 9999 at `o`; returns the offset after it. */
function writeBulkLengthLine(chunk: Buffer, o: number, len: number): number {
  chunk[o++] = 36;
  if (len >= 10) {
    if (len >= 100) {
      if (len >= 1000) chunk[o++] = 48 + ((len / 1000) | 0);
      chunk[o++] = 48 + (((len / 100) | 0) % 10);
    }
    chunk[o++] = 48 + (((len / 10) | 0) % 10);
  }
  chunk[o++] = 48 + (len % 10);
  chunk[o++] = 13;
  chunk[o++] = 10;
  return o;
}

/** Writes the bulk string of `s` (at most LARGE_BULK bytes, room ensured) at `o`; returns the offset after it. */
function writeShortBulk(chunk: Latin1Buffer, o: number, s: string): number {
  o = copyLatin1(chunk, s, writeBulkLengthLine(chunk, o, s.length));
  chunk[o++] = 13;
  chunk[o++] = 10;
  return o;
}

/** Below this length a JS loop copies a string faster than a call into native code. */
const SHORT_STRING = 48;

/**
 * Copies `bytes` to `chunk` at `offset` (room already ensured); returns the offset after them.
 * Short ones (shared replies such as +OK and :1) by a JS loop: Buffer#copy validates its
 * arguments and calls into C++, which costs more than the copy.
 */
function copyBytes(chunk: Buffer, bytes: Buffer, offset: number): number {
  const n = bytes.length;
  if (n >= SHORT_STRING) return offset + bytes.copy(chunk, offset);
  for (let i = 0; i < n; i++) chunk[offset + i] = bytes[i];
  return offset + n;
}

/** Writes latin1 text at `offset` (room already ensured); returns the offset after it. */
function copyLatin1(chunk: Latin1Buffer, s: string, offset: number): number {
  const n = s.length;
  if (n >= SHORT_STRING) return offset + chunk.latin1Write(s, offset, n);
  for (let i = 0; i < n; i++) chunk[offset + i] = s.charCodeAt(i);
  return offset + n;
}
