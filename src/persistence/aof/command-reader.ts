/**
 * Reads an AOF's commands from a file in chunks, the way loadSingleAppendOnlyFile reads them:
 * "*<argc>" lines, "$<len>" lines, <len> bytes and a CRLF per argument, "#" annotation lines
 * skipped. It tells a clean end of file from a file that ends in the middle of a command (the
 * crash case aof-load-truncated is for) and from bytes that are not an AOF at all.
 */
import * as fs from 'node:fs';
import { latin1Slice } from '../rdb/latin1';

const CHUNK = 1 << 20;
const LF = 10;

export type ReadOutcome =
  | { kind: 'command'; argv: string[] }
  /** Clean end of file: nothing after the last complete command. */
  | { kind: 'end' }
  /** The file ends inside a command. */
  | { kind: 'truncated' }
  /** Not the AOF format. */
  | { kind: 'format' };

export class CommandReader {
  private buf = Buffer.alloc(0);
  private pos = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private eof = false;
  private readonly size: number;

  constructor(
    private readonly fd: number,
    start = 0,
  ) {
    this.base = start;
    this.size = fs.fstatSync(fd).size;
  }

  /** Offset in the file of the next unread byte (after the last command read). */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Makes at least n unread bytes available if the file has them; false at end of file. */
  private fill(n: number): boolean {
    while (this.buf.length - this.pos < n && !this.eof) {
      const keep = this.buf.subarray(this.pos);
      const chunk = Buffer.allocUnsafe(Math.max(CHUNK, n - keep.length));
      const read = fs.readSync(this.fd, chunk, 0, chunk.length, this.base + this.buf.length);
      if (read === 0) this.eof = true;
      this.base += this.pos;
      this.buf = keep.length === 0 ? chunk.subarray(0, read) : Buffer.concat([keep, chunk.subarray(0, read)]);
      this.pos = 0;
    }
    return this.buf.length - this.pos >= n;
  }

  /** The next line with its "\n" (or up to the end of file), as fgets gives it; null at the end. */
  private line(): string | null {
    for (;;) {
      const at = this.buf.indexOf(LF, this.pos);
      if (at >= 0) {
        const s = latin1Slice(this.buf, this.pos, at + 1);
        this.pos = at + 1;
        return s;
      }
      if (this.eof) {
        if (this.pos === this.buf.length) return null;
        const s = latin1Slice(this.buf, this.pos, this.buf.length);
        this.pos = this.buf.length;
        return s;
      }
      this.fill(this.buf.length - this.pos + 1);
    }
  }

  next(): ReadOutcome {
    let header: string | null;
    for (;;) {
      header = this.line();
      if (header === null) return { kind: 'end' };
      if (header.charCodeAt(0) !== 35) break; // '#': an annotation
    }
    if (header[0] !== '*') return { kind: 'format' };
    if (header.length === 1) return { kind: 'truncated' };
    const argc = atoi(header.slice(1));
    if (argc < 1) return { kind: 'format' };
    const argv: string[] = [];
    for (let j = 0; j < argc; j++) {
      const lengthLine = this.line();
      if (lengthLine === null) return { kind: 'truncated' };
      if (lengthLine[0] !== '$') return { kind: 'format' };
      const len = atoi(lengthLine.slice(1));
      if (len < 0) return { kind: 'format' };
      // As Redis, a bulk is its bytes followed by two bytes taken as the CRLF.
      if (this.offset + len + 2 > this.size || !this.fill(len + 2)) return { kind: 'truncated' };
      argv.push(latin1Slice(this.buf, this.pos, this.pos + len));
      this.pos += len + 2;
    }
    return { kind: 'command', argv };
  }
}

/** C's atoi/strtol on a line: optional blanks and sign, then digits (0 when there are none). */
function atoi(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}
