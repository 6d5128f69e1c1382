/**
 * Incremental parser for client requests: RESP multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and
 * inline commands (`GET k\r\n`, telnet style). Arguments come out as latin1 strings: one byte per
 * char, so they are binary safe, usable as Map keys, and do not pin the socket's chunk in memory.
 *
 * It follows Redis 7.0's processMultibulkBuffer/processInlineBuffer to the byte, quirks included:
 * lines are searched with C's strchr, so a NUL byte before the line end hides it; a bulk's
 * trailing two bytes are skipped without being checked; counts parse like string2ll.
 *
 * A partial frame is never re-parsed from the start: the arguments already read are kept, and a
 * large bulk that spans many reads is collected chunk by chunk and joined once.
 */
import { constants as bufferConstants } from 'node:buffer';
import { splitInlineArgs } from './inline-args';

/** From this size a bulk that is not complete is collected apart (Redis's PROTO_MBULK_BIG_ARG). */
const BIG_BULK = 32 * 1024;
/** Longest inline request, or count line, Redis accepts without its line end (PROTO_INLINE_MAX_SIZE). */
export const INLINE_MAX = 64 * 1024;
/** Limits before authentication, against unauthenticated memory abuse. */
const UNAUTHENTICATED_MAX_ARGS = 10;
const UNAUTHENTICATED_MAX_BULK = 16384;
const INT_MAX = 2147483647;
/** Arguments are JS strings, which cannot be longer than this. */
const MAX_ARGUMENT_LENGTH = bufferConstants.MAX_STRING_LENGTH;
const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;
const EMPTY = Buffer.alloc(0);
/**
 * Decoders of short arguments, one per length: `String.fromCharCode(b[s], b[s + 1], ...)` with
 * the bytes as separate arguments. For the short keys and values most requests carry this is
 * about twice as fast as Buffer#latin1Slice, a call into C++ each time (bench/README.md,
 * "Where the time went"). Generated once, so each length has a call with a fixed argument count.
 */
const SHORT_ARGUMENT = 32;
const shortDecoders: ((b: Buffer, s: number) => string)[] = [() => ''];
for (let n = 1; n <= SHORT_ARGUMENT; n++) {
  const bytes = Array.from({ length: n }, (_, i) => `b[s + ${i}]`).join(', ');
  shortDecoders.push(new Function('b', 's', `return String.fromCharCode(${bytes});`) as (b: Buffer, s: number) => string);
}

/** The bytes buf[start, end) as a latin1 string (one char per byte). */
export function latin1(buf: Buffer, start: number, end: number): string {
  const n = end - start;
  return n <= SHORT_ARGUMENT ? shortDecoders[n](buf, start) : (buf as Latin1Buffer).latin1Slice(start, end);
}

/** Requests with up to this many arguments get their argv allocated at its final size. */
const PRESIZED_ARGV_MAX = 1024;
/** Placeholder between requests (never handed out: each multibulk request gets its own array). */
const NO_ARGS: string[] = [];

/** Longest command name remembered for reuse (see RequestParser.lastName). */
const NAME_CACHE_MAX = 24;

/** Header parsing outcomes other than a number. */
const NEED_MORE = -Infinity;
const INVALID = Infinity;

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** Whether the client still has to authenticate: then only small requests are accepted. */
  unauthenticated: boolean;
}

const LLONG_MIN = -(2n ** 63n);
const LLONG_MAX = 2n ** 63n - 1n;

/**
 * Parses a decimal integer the way Redis's string2ll does: an optional '-', no '+', no spaces,
 * no leading zeros ("0" only alone, "-0" refused), within the signed 64-bit range. Values past
 * 2^53 come back rounded to the nearest double, which is enough to compare them with limits.
 */
export function parseStrictInt(buf: Buffer, start: number, end: number): number | null {
  if (end <= start) return null;
  if (end - start === 1 && buf[start] === 48 /* 0 */) return 0;
  let i = start;
  const negative = buf[i] === 45; /* - */
  if (negative && ++i === end) return null;
  const first = buf[i];
  if (first < 49 || first > 57) return null;
  if (end - i > 15) return parseLongLong(buf, start, end);
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

/** The slow path of parseStrictInt for more than 15 digits: exact range check with BigInt. */
function parseLongLong(buf: Buffer, start: number, end: number): number | null {
  const text = buf.toString('latin1', start, end);
  if (!/^-?[1-9][0-9]*$/.test(text) || text.length > 20) return null;
  const value = BigInt(text);
  return value < LLONG_MIN || value > LLONG_MAX ? null : Number(value);
}

/** True when buf[start, end) holds a NUL byte. */
function hasNul(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 0) return true;
  return false;
}

/** Where the line peekNumberLine() read ends (after its CRLF). */
let peekedLineEnd = 0;

/**
 * The number of up to 9 digits at buf[at] followed by CRLF, or -1 (no digits, more digits, or the
 * line not complete); sets peekedLineEnd. For RequestParser.peekSecondArgs, which reads ahead
 * without the parser's state.
 */
function peekNumberLine(buf: Buffer, at: number): number {
  const end = buf.length;
  let q = at;
  let n = 0;
  while (q < end && buf[q] >= 48 && buf[q] <= 57 && q - at < 9) n = n * 10 + buf[q++] - 48;
  if (q === at || q + 1 >= end || buf[q] !== CR) return -1;
  peekedLineEnd = q + 2;
  return n;
}

export class RequestParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Arguments still to read for the multibulk request in progress (0: none in progress). */
  private pendingArgs = 0;
  /** Length of the bulk whose header was read and whose data has not (-1: none). */
  private bulkLen = -1;
  private argv: string[] = NO_ARGS;
  /** Arguments of the request in progress read so far. */
  private argc = 0;
  /** The pieces of a big bulk being collected (bulk data plus its two trailing bytes). */
  private bigParts: Buffer[] | null = null;
  private bigFilled = 0;
  private bigNeeded = 0;
  /** `buf` is a chunk its owner will reuse (see feed). */
  private borrowed = false;
  /** Where the header line just parsed ends (index after its two line-end bytes). */
  private headerEnd = 0;
  /** Set when a request is malformed; the connection must answer it and close. */
  error: string | null = null;
  /**
   * The last command name read (argv[0]) and its bytes. Clients mostly repeat the same few
   * commands, so a name equal to the last one is reused instead of sliced again: no native call,
   * no new string, and the command table's Map finds it by its already computed hash.
   */
  private lastName = '';
  private readonly lastNameBytes = Buffer.alloc(NAME_CACHE_MAX);

  constructor(private readonly limits: ParserLimits) {}

  /**
   * Bytes received and not yet consumed (the query buffer). While a big bulk is collected this is
   * that bulk alone, as in Redis, which reads a big argument into a buffer of its own.
   */
  get bufferedBytes(): number {
    return this.bigParts !== null ? this.bigFilled : this.buf.length - this.pos;
  }

  /** Bytes the parser holds, including consumed space not yet released (qbuf + qbuf-free). */
  get capacity(): number {
    return this.buf.length + (this.bigParts !== null ? this.bigNeeded : 0);
  }

  /**
   * Adds received bytes. A `borrowed` chunk is one the caller reuses once the requests in it are
   * run (a shared read buffer): the parser reads it in place, and keepUnreadInput() copies what
   * is left of it before it is overwritten.
   */
  feed(chunk: Buffer, borrowed = false): void {
    if (this.bigParts !== null && this.bigFilled < this.bigNeeded) {
      const take = Math.min(this.bigNeeded - this.bigFilled, chunk.length);
      const part = take === chunk.length ? chunk : chunk.subarray(0, take);
      this.bigParts.push(borrowed ? Buffer.from(part) : part);
      this.bigFilled += take;
      if (take === chunk.length) return;
      chunk = chunk.subarray(take);
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
      this.borrowed = borrowed;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.borrowed = false;
    }
    this.pos = 0;
  }

  /** Copies the unread part of a borrowed chunk, which its owner is about to reuse. */
  keepUnreadInput(): void {
    if (!this.borrowed) return;
    this.borrowed = false;
    if (this.pos < this.buf.length) this.buf = Buffer.from(this.buf.subarray(this.pos));
    else this.buf = EMPTY;
    this.pos = 0;
  }

  /**
   * Where the second argument (argv[1], the key of most commands) of each complete request in
   * the buffer lies, without consuming or decoding anything: (start, end) pairs into `spans`,
   * offsets in `buffered`. Returns how many it found, at most `max`; it stops at the first
   * request that is incomplete or not a plain multibulk. A hint for prefetching keys only.
   */
  peekSecondArgs(spans: Int32Array, max: number): number {
    if (this.pendingArgs !== 0 || this.bigParts !== null || this.error !== null) return 0;
    const buf = this.buf;
    const end = buf.length;
    let p = this.pos;
    let found = 0;
    for (let scanned = 0; found < max && scanned < 2 * max && p < end && buf[p] === STAR; scanned++) {
      const count = peekNumberLine(buf, p + 1);
      if (count < 0 || count > PRESIZED_ARGV_MAX) return found;
      let q = peekedLineEnd;
      let keyStart = -1;
      let keyEnd = -1;
      for (let arg = 0; arg < count; arg++) {
        if (q >= end || buf[q] !== DOLLAR) return found;
        const len = peekNumberLine(buf, q + 1);
        if (len < 0) return found;
        q = peekedLineEnd;
        if (q + len + 2 > end) return found;
        if (arg === 1) {
          keyStart = q;
          keyEnd = q + len;
        }
        q += len + 2;
      }
      // Reported only once the whole request is here.
      if (keyStart >= 0) {
        spans[2 * found] = keyStart;
        spans[2 * found + 1] = keyEnd;
        found++;
      }
      p = q;
    }
    return found;
  }

  /** The bytes peekSecondArgs() offsets point into (valid until the next feed or next()). */
  get buffered(): Buffer {
    return this.buf;
  }

  /** Returns the next complete request, or null when more bytes are needed or on error. */
  next(): string[] | null {
    if (this.error !== null) return null;
    if (this.bigParts !== null) {
      if (this.bigFilled < this.bigNeeded) return null;
      this.finishBigBulk();
      if (this.pendingArgs === 0) return this.takeArgv();
    }
    for (;;) {
      if (this.pendingArgs === 0) {
        if (this.pos >= this.buf.length) {
          this.release();
          return null;
        }
        if (this.buf[this.pos] !== STAR) {
          const args = this.parseInline();
          if (args === null) return null;
          if (args.length === 0) continue; // an empty line is skipped
          this.release();
          return args;
        }
        const count = this.parseCount();
        if (count === NEED_MORE) return null;
        if (count <= 0) continue; // "*0" or "*-1": an empty request, skipped
        this.pendingArgs = count;
        // Sized once when the count is sane (as Redis caps its first argv allocation), instead of
        // growing by push, whose first step allocates room for 17.
        this.argv = count <= PRESIZED_ARGV_MAX ? new Array<string>(count) : [];
        this.argc = 0;
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
    this.argv = NO_ARGS;
    this.release();
    return argv;
  }

  /** Drops the input buffer once everything in it is consumed, so the chunk can be collected. */
  private release(): void {
    if (this.pos >= this.buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
    }
  }

  private fail(message: string): number {
    this.error = `Protocol error: ${message}`;
    return NEED_MORE;
  }

  /** No line end yet: wait for more bytes, unless the line is already longer than Redis allows. */
  private waitForLineEnd(tooBig: string): number {
    return this.buf.length - this.pos > INLINE_MAX ? this.fail(tooBig) : NEED_MORE;
  }

  /**
   * Reads the number on the header line at pos (after its type byte, which the caller checked).
   * Returns the number (headerEnd set), NEED_MORE (error set if the line is too long), or INVALID.
   */
  private parseHeaderNumber(tooBig: string): number {
    const buf = this.buf;
    const length = buf.length;
    // Fast path: up to 15 digits without a leading zero, then the line end.
    let i = this.pos + 1;
    let c = buf[i];
    if (c >= 49 && c <= 57) {
      let n = c - 48;
      const stop = Math.min(length, i + 15);
      for (i++; i < stop; i++) {
        c = buf[i];
        if (c < 48 || c > 57) break;
        n = n * 10 + (c - 48);
      }
      if (i < length && buf[i] === CR) {
        if (i + 1 >= length) return NEED_MORE;
        this.headerEnd = i + 2;
        return n;
      }
    }
    return this.parseHeaderNumberSlowly(tooBig);
  }

  /** Every other header line, as Redis reads it: strchr for '\r', then string2ll. */
  private parseHeaderNumberSlowly(tooBig: string): number {
    const buf = this.buf;
    const cr = buf.indexOf(CR, this.pos);
    if (cr < 0 || hasNul(buf, this.pos, cr)) return this.waitForLineEnd(tooBig);
    if (cr + 1 >= buf.length) return NEED_MORE; // the byte after '\r' is not here yet
    this.headerEnd = cr + 2;
    return parseStrictInt(buf, this.pos + 1, cr) ?? INVALID;
  }

  /** The `*<count>` line: returns the count, or NEED_MORE (with error set if malformed). */
  private parseCount(): number {
    const count = this.parseHeaderNumber('too big mbulk count string');
    if (count === NEED_MORE) return NEED_MORE;
    if (count > INT_MAX) return this.fail('invalid multibulk length');
    if (count > UNAUTHENTICATED_MAX_ARGS && this.limits.unauthenticated) {
      return this.fail('unauthenticated multibulk length');
    }
    this.pos = this.headerEnd;
    return count;
  }

  private parseBulkHeader(): boolean {
    const buf = this.buf;
    if (this.pos >= buf.length) return false;
    if (buf[this.pos] !== DOLLAR) return this.unexpectedHeader();
    const len = this.parseHeaderNumber('too big bulk count string');
    if (len === NEED_MORE) return false;
    if (len < 0 || len > this.limits.maxBulkLen || len > MAX_ARGUMENT_LENGTH) {
      this.fail('invalid bulk length');
      return false;
    }
    if (len > UNAUTHENTICATED_MAX_BULK && this.limits.unauthenticated) {
      this.fail('unauthenticated bulk length');
      return false;
    }
    this.pos = this.headerEnd;
    this.bulkLen = len;
    return true;
  }

  /** A bulk header line that does not start with '$' (only once the whole line is here, as Redis). */
  private unexpectedHeader(): boolean {
    const buf = this.buf;
    const cr = buf.indexOf(CR, this.pos);
    if (cr < 0 || hasNul(buf, this.pos, cr)) {
      this.waitForLineEnd('too big bulk count string');
    } else if (cr + 1 < buf.length) {
      this.fail(`expected '$', got '${String.fromCharCode(buf[this.pos])}'`);
    }
    return false;
  }

  private parseBulkData(): boolean {
    const len = this.bulkLen;
    const available = this.buf.length - this.pos;
    if (available < len + 2) {
      if (len >= BIG_BULK) this.startBigBulk(len, available);
      return false;
    }
    const at = this.argc++;
    this.argv[at] = at === 0 && len <= NAME_CACHE_MAX ? this.commandName(len) : latin1(this.buf, this.pos, this.pos + len);
    this.pos += len + 2;
    this.bulkLen = -1;
    this.pendingArgs--;
    return true;
  }

  /** argv[0], `len` bytes at pos: the last name again when the bytes are the same. */
  private commandName(len: number): string {
    const buf = this.buf;
    const pos = this.pos;
    const last = this.lastNameBytes;
    if (len === this.lastName.length) {
      let i = 0;
      while (i < len && buf[pos + i] === last[i]) i++;
      if (i === len) return this.lastName;
    }
    const name = latin1(buf, pos, pos + len);
    buf.copy(last, 0, pos, pos + len);
    this.lastName = name;
    return name;
  }

  /** Moves the start of a big bulk aside; feed() adds the rest of it, chunk by chunk. */
  private startBigBulk(len: number, available: number): void {
    const start = this.buf.subarray(this.pos);
    this.bigParts = available > 0 ? [this.borrowed ? Buffer.from(start) : start] : [];
    this.borrowed = false;
    this.bigFilled = available;
    this.bigNeeded = len + 2;
    this.buf = EMPTY;
    this.pos = 0;
  }

  private finishBigBulk(): void {
    const parts = this.bigParts!;
    const whole = (parts.length === 1 ? parts[0] : Buffer.concat(parts, this.bigNeeded)) as Latin1Buffer;
    this.argv[this.argc++] = whole.latin1Slice(0, this.bigNeeded - 2);
    this.bigParts = null;
    this.bigFilled = 0;
    this.bigNeeded = 0;
    this.bulkLen = -1;
    this.pendingArgs--;
    // Whatever arguments remain are parsed by next()'s loop from this.buf.
  }

  /** An inline request: returns its arguments (possibly none), or null (error set if malformed). */
  private parseInline(): string[] | null {
    const buf = this.buf;
    const start = this.pos;
    const lf = buf.indexOf(LF, start);
    if (lf < 0) {
      this.waitForLineEnd('too big inline request');
      return null;
    }
    const end = lf > start && buf[lf - 1] === CR ? lf - 1 : lf;
    const line = (buf as Latin1Buffer).latin1Slice(start, end);
    if (line.indexOf('\0') >= 0) {
      // strchr stops at the NUL: Redis never sees this line end.
      this.waitForLineEnd('too big inline request');
      return null;
    }
    this.pos = lf + 1;
    const args = splitInlineArgs(line);
    if (args === null) this.fail('unbalanced quotes in request');
    return args;
  }
}
