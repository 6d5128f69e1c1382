/**
 * Encodes replies for one client in RESP2 or RESP3. Handlers speak in RESP3 terms (map, set,
 * double, null, push) and the writer downgrades for RESP2 clients the way Redis does: a map
 * becomes a flat array, a set an array, a double a bulk string, a boolean an integer.
 */
import { ReplyBuffer } from './reply-buffer';
import { formatDouble } from './format-double';
import type { RespNode } from './resp-node';

const enc = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Pre-encoded replies shared by every client. */
export const shared = {
  ok: enc('+OK\r\n'),
  pong: enc('+PONG\r\n'),
  queued: enc('+QUEUED\r\n'),
  zero: enc(':0\r\n'),
  one: enc(':1\r\n'),
  emptyArray: enc('*0\r\n'),
  nullBulk2: enc('$-1\r\n'),
  nullArray2: enc('*-1\r\n'),
  null3: enc('_\r\n'),
  emptyBulk: enc('$0\r\n\r\n'),
};

/**
 * An error message as Redis's addReplyErrorFormat puts it on one line: line-end chars at both
 * ends trimmed, each one inside replaced by a space.
 */
export function errorLine(message: string): string {
  if (message.indexOf('\r') < 0 && message.indexOf('\n') < 0) return message;
  return message.replace(/^[\r\n]+|[\r\n]+$/g, '').replace(/[\r\n]/g, ' ');
}

export class ReplyWriter {
  readonly out = new ReplyBuffer();
  /** 2 or 3, set by HELLO. */
  resp = 2;
  /** When set, replies are dropped (CLIENT REPLY OFF/SKIP). */
  muted = false;

  constructor(private readonly onError: (message: string) => void) {}

  raw(bytes: Buffer): void {
    if (!this.muted) this.out.writeRaw(bytes);
  }

  ok(): void {
    this.raw(shared.ok);
  }

  status(s: string): void {
    if (this.muted) return;
    this.out.writeAscii('+' + s + '\r\n');
  }

  /**
   * An error reply; `message` starts with its code, e.g. "ERR syntax error" or "WRONGTYPE ...".
   * `counted` false leaves it out of the error statistics (a script relaying a command's error,
   * already counted when the command replied it: Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE).
   */
  error(message: string, counted = true): void {
    if (counted) this.onError(message);
    if (this.muted) return;
    this.out.writeAscii('-' + errorLine(message) + '\r\n');
  }

  integer(n: number | bigint): void {
    if (this.muted) return;
    if (n === 0) this.out.writeRaw(shared.zero);
    else if (n === 1) this.out.writeRaw(shared.one);
    else if (typeof n === 'number' && Number.isSafeInteger(n)) this.out.writeLengthLine(58, n);
    else this.out.writeAscii(':' + n + '\r\n');
  }

  bulk(s: string): void {
    if (!this.muted) this.out.writeBulk(s);
  }

  /** A bulk string of s[start, end). */
  bulkSpan(s: string, start: number, end: number): void {
    if (!this.muted) this.out.writeBulkSpan(s, start, end);
  }

  /** A bulk string from bytes; they are copied, so the caller may change `b` afterwards. */
  bulkBuffer(b: Buffer): void {
    if (!this.muted) this.out.writeBulkBytes(b);
  }

  /** A null where a bulk string was expected ($-1 in RESP2). */
  nullBulk(): void {
    this.raw(this.resp === 2 ? shared.nullBulk2 : shared.null3);
  }

  /** A null where an array was expected (*-1 in RESP2). */
  nullArray(): void {
    this.raw(this.resp === 2 ? shared.nullArray2 : shared.null3);
  }

  array(length: number): void {
    if (!this.muted) this.out.writeLengthLine(42, length);
  }

  /** A map of `pairs` key/value pairs (a flat array of 2*pairs in RESP2). */
  map(pairs: number): void {
    if (this.muted) return;
    if (this.resp === 2) this.out.writeLengthLine(42, pairs * 2);
    else this.out.writeLengthLine(37, pairs);
  }

  set(length: number): void {
    if (!this.muted) this.out.writeLengthLine(this.resp === 2 ? 42 : 126, length);
  }

  /** Out-of-band data (pub/sub messages, invalidations): `>` in RESP3, an array in RESP2. */
  push(length: number): void {
    this.out.writeLengthLine(this.resp === 2 ? 42 : 62, length);
  }

  double(d: number): void {
    if (this.muted) return;
    if (this.resp === 2) this.out.writeBulk(formatDouble(d));
    else this.out.writeAscii(',' + formatDouble(d) + '\r\n');
  }

  bool(b: boolean): void {
    if (this.muted) return;
    if (this.resp === 2) this.out.writeRaw(b ? shared.one : shared.zero);
    else this.out.writeAscii(b ? '#t\r\n' : '#f\r\n');
  }

  /** Text meant for humans (INFO, CLIENT LIST): `=` verbatim string in RESP3, bulk in RESP2. */
  verbatim(text: string, format = 'txt'): void {
    if (this.muted) return;
    if (this.resp === 2) {
      this.out.writeBulk(text);
    } else {
      this.out.writeLengthLine(61, text.length + 4);
      this.out.writeAscii(format + ':');
      this.out.writeAscii(text);
      this.out.writeAscii('\r\n');
    }
  }

  bigNumber(text: string): void {
    if (this.muted) return;
    if (this.resp === 2) this.out.writeBulk(text);
    else this.out.writeAscii('(' + text + '\r\n');
  }

  /** Writes a reply kept as data (see RespNode). */
  node(n: RespNode): void {
    if (n === null) this.nullBulk();
    else if (typeof n === 'string') this.bulk(n);
    else if (typeof n === 'number') this.integer(n);
    else if (Array.isArray(n)) {
      this.array(n.length);
      for (const item of n) this.node(item);
    } else if ('status' in n) this.status(n.status);
    else if ('error' in n) this.error(n.error);
    else if ('set' in n) {
      this.set(n.set.length);
      for (const item of n.set) this.node(item);
    } else if ('map' in n) {
      this.map(n.map.length);
      for (const [k, v] of n.map) {
        this.node(k);
        this.node(v);
      }
    } else this.double(n.double);
  }

  /** Writes a list of strings as an array of bulk strings. */
  bulkArray(items: readonly string[]): void {
    if (!this.muted) this.out.writeBulkArray(items);
  }
}
