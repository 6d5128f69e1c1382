/**
 * Incremental parser for client requests: RESP multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and
 * inline commands (`GET k\r\n`, telnet style). Arguments come out as latin1 strings: one byte per
 * char, so they are binary safe, usable as Map keys, and do not pin the socket's chunk in memory.
 *
 * A partial frame is never re-parsed from the start: the arguments already read are kept, and a
 * large bulk that spans many reads is copied once into a buffer of its final size.
 */
import { splitInlineArgs } from './inline-args';

/** Above this size a bulk that is not complete gets its own buffer (as Redis's PROTO_MBULK_BIG_ARG). */
const BIG_BULK = 32 * 1024;
/** Longest inline request, or count line, Redis accepts (PROTO_INLINE_MAX_SIZE). */
export const INLINE_MAX = 64 * 1024;
const INT_MAX = 2147483647;
const CR = 13;
const LF = 10;

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** Whether the client still has to authenticate: then only small requests are accepted. */
  unauthenticated: boolean;
}

/** Parses a decimal integer the way Redis's string2ll does: no sign '+', no spaces, no overflow. */
export function parseStrictInt(buf: Buffer, start: number, end: number): number | null {
  let i = start;
  let negative = false;
  if (i >= end) return null;
  if (buf[i] === 45 /* - */) {
    negative = true;
    i++;
    if (i >= end) return null;
  }
  if (end - i > 1 && buf[i] === 48 /* 0 */) return null;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  if (n > Number.MAX_SAFE_INTEGER) return null;
  return negative ? -n : n;
}

export class RequestParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Arguments still to read for the multibulk request in progress (0: none in progress). */
  private pendingArgs = 0;
  /** Length of the bulk whose header was read and whose data has not (-1: none). */
  private bulkLen = -1;
  private argv: string[] = [];
  private bigBulk: Buffer | null = null;
  private bigFilled = 0;
  /** Set when a request is malformed; the connection must answer it and close. */
  error: string | null = null;

  constructor(private readonly limits: ParserLimits) {}

  /** Bytes received and not yet consumed (the query buffer). */
  get bufferedBytes(): number {
    return this.buf.length - this.pos + this.bigFilled;
  }

  /** Bytes the parser holds, including consumed space not yet released (qbuf + qbuf-free). */
  get capacity(): number {
    return this.buf.length + (this.bigBulk ? this.bigBulk.length : 0);
  }

  feed(chunk: Buffer): void {
    if (this.bigBulk) {
      const need = this.bigBulk.length - this.bigFilled;
      const take = Math.min(need, chunk.length);
      chunk.copy(this.bigBulk, this.bigFilled, 0, take);
      this.bigFilled += take;
      chunk = chunk.subarray(take);
      if (chunk.length === 0) return;
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    }
    this.pos = 0;
  }

  /** Returns the next complete request, or null when more bytes are needed or on error. */
  next(): string[] | null {
    if (this.error) return null;
    if (this.bigBulk) {
      if (this.bigFilled < this.bigBulk.length) return null;
      this.finishBigBulk();
      if (this.pendingArgs === 0) return this.takeArgv();
    }
    for (;;) {
      if (this.pendingArgs === 0) {
        if (this.pos >= this.buf.length) return null;
        if (this.buf[this.pos] !== 42 /* * */) return this.parseInline();
        const count = this.parseCountLine();
        if (count === null) return null;
        if (count <= 0) continue; // "*0" or "*-1": an empty request, skipped
        this.pendingArgs = count;
        this.argv = [];
      }
      while (this.pendingArgs > 0) {
        if (this.bulkLen < 0 && !this.parseBulkHeader()) return null;
        if (!this.parseBulkData()) return null;
      }
      return this.takeArgv();
    }
  }

  private takeArgv(): string[] {
    const argv = this.argv;
    this.argv = [];
    if (this.pos >= this.buf.length) {
      this.buf = Buffer.alloc(0);
      this.pos = 0;
    }
    return argv;
  }

  private fail(message: string): null {
    this.error = `Protocol error: ${message}`;
    return null;
  }

  /** Index of the '\r' ending the line that starts at pos, or -1. */
  private findCR(): number {
    return this.buf.indexOf(CR, this.pos);
  }

  private parseCountLine(): number | null {
    const cr = this.findCR();
    if (cr < 0 || cr + 1 >= this.buf.length) {
      if (this.buf.length - this.pos > INLINE_MAX) return this.fail('too big mbulk count string');
      return null;
    }
    if (cr - this.pos > INLINE_MAX) return this.fail('too big mbulk count string');
    const count = parseStrictInt(this.buf, this.pos + 1, cr);
    if (count === null || count > INT_MAX) return this.fail('invalid multibulk length');
    if (count > 10 && this.limits.unauthenticated) return this.fail('unauthenticated multibulk length');
    if (count > 1024 * 1024 && this.limits.unauthenticated) return this.fail('invalid multibulk length');
    this.pos = cr + 2;
    return count;
  }

  private parseBulkHeader(): boolean {
    if (this.pos >= this.buf.length) return false;
    const cr = this.findCR();
    if (cr < 0 || cr + 1 >= this.buf.length) {
      if (this.buf.length - this.pos > INLINE_MAX) this.fail('too big bulk count string');
      return false;
    }
    if (cr - this.pos > INLINE_MAX) {
      this.fail('too big bulk count string');
      return false;
    }
    const first = this.buf[this.pos];
    if (first !== 36 /* $ */) {
      this.fail(`expected '$', got '${String.fromCharCode(first)}'`);
      return false;
    }
    const len = parseStrictInt(this.buf, this.pos + 1, cr);
    if (len === null || len < 0 || len > this.limits.maxBulkLen) {
      this.fail('invalid bulk length');
      return false;
    }
    if (len > 16384 && this.limits.unauthenticated) {
      this.fail('unauthenticated bulk length');
      return false;
    }
    this.pos = cr + 2;
    this.bulkLen = len;
    return true;
  }

  private parseBulkData(): boolean {
    const len = this.bulkLen;
    const available = this.buf.length - this.pos;
    if (available < len + 2) {
      if (len >= BIG_BULK) {
        // Copy what we have into a buffer of the final size; feed() fills the rest.
        this.bigBulk = Buffer.allocUnsafe(len + 2);
        this.buf.copy(this.bigBulk, 0, this.pos);
        this.bigFilled = available;
        this.buf = Buffer.alloc(0);
        this.pos = 0;
      }
      return false;
    }
    this.argv.push((this.buf as Latin1Buffer).latin1Slice(this.pos, this.pos + len));
    this.pos += len + 2;
    this.bulkLen = -1;
    this.pendingArgs--;
    return true;
  }

  private finishBigBulk(): void {
    const big = this.bigBulk as Latin1Buffer;
    this.argv.push(big.latin1Slice(0, big.length - 2));
    this.bigBulk = null;
    this.bigFilled = 0;
    this.bulkLen = -1;
    this.pendingArgs--;
    // Whatever arguments remain are parsed by next()'s loop from this.buf.
  }

  private parseInline(): string[] | null {
    const lf = this.buf.indexOf(LF, this.pos);
    if (lf < 0) {
      if (this.buf.length - this.pos > INLINE_MAX) return this.fail('too big inline request');
      return null;
    }
    if (lf - this.pos > INLINE_MAX) return this.fail('too big inline request');
    let end = lf;
    if (end > this.pos && this.buf[end - 1] === CR) end--;
    const line = (this.buf as Latin1Buffer).latin1Slice(this.pos, end);
    this.pos = lf + 1;
    const args = splitInlineArgs(line);
    if (args === null) return this.fail('unbalanced quotes in request');
    if (args.length === 0) return this.next(); // an empty line is skipped
    return args;
  }
}
