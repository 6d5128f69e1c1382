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
    this.offset += chunk.latin1Write(s, this.offset, s.length);
  }

  /** Appends `<prefix><n>\r\n`, e.g. `$5\r\n` or `:42\r\n`. */
  writeLengthLine(prefix: number, n: number): void {
    const chunk = this.ensure(24);
    let o = this.offset;
    chunk[o++] = prefix;
    if (n >= 0 && n < 10) {
      chunk[o++] = 48 + n;
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
    const chunk = this.ensure(len + 24);
    this.writeLengthLine(36, len);
    this.offset += chunk.latin1Write(s, this.offset, len);
    chunk[this.offset++] = 13;
    chunk[this.offset++] = 10;
  }

  /** Appends pre-encoded bytes. */
  writeRaw(bytes: Buffer): void {
    if (bytes.length > LARGE_BULK) {
      this.flushChunkToPieces();
      this.pushPiece(bytes);
      return;
    }
    const chunk = this.ensure(bytes.length);
    bytes.copy(chunk, this.offset);
    this.offset += bytes.length;
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
