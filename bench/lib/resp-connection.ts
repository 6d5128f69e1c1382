/**
 * A bare RESP2 connection for loading data fast: requests are written as raw RESP text in
 * pipelined batches, with at most `window` requests awaiting their reply, and replies are only
 * counted. It expects one-line replies (+OK, :n) to what it pipelines and fails on an error reply.
 * `call` sends one command and returns its whole reply (bulk strings included), for INFO and DBSIZE.
 */
import * as net from 'node:net';

/** One request as RESP text (arguments are latin1: one char per byte). */
export function encodeCommand(argv: readonly string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const arg of argv) out += `$${arg.length}\r\n${arg}\r\n`;
  return out;
}

export class RespConnection {
  private pending = 0;
  private lineStart = true;
  private failure: Error | null = null;
  private line = '';
  /** Called whenever replies arrive, by whoever waits for the count to drop. */
  private wake: () => void = () => undefined;
  /** A reply being read by call(), or null while pipelining. */
  private single: { text: string; resolve: (reply: string) => void } | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  static connect(port: number): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new RespConnection(socket)));
      socket.once('error', reject);
    });
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }

  /**
   * Sends `count` requests made by `encode(i)` (RESP text), `batch` per write, keeping at most
   * `window` without a reply, and resolves once every reply has arrived. Replies are counted by
   * lines: `linesPerReply` 2 for bulk replies that hold no line break (XADD's IDs).
   */
  async pipeline(count: number, encode: (i: number) => string, batch = 1000, window = 20000, linesPerReply = 1): Promise<void> {
    for (let i = 0; i < count; ) {
      const end = Math.min(count, i + batch);
      let text = '';
      this.pending += (end - i) * linesPerReply;
      for (; i < end; i++) text += encode(i);
      this.socket.write(Buffer.from(text, 'latin1'));
      await this.waitUntil(window);
    }
    await this.waitUntil(0);
  }

  /** Sends one command and returns its reply as RESP text. */
  call(argv: readonly string[]): Promise<string> {
    if (this.pending > 0 || this.single) throw new Error('call() while replies are pending');
    return new Promise((resolve) => {
      this.single = { text: '', resolve };
      this.socket.write(Buffer.from(encodeCommand(argv), 'latin1'));
    });
  }

  private waitUntil(limit: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.failure) reject(this.failure);
        else if (this.pending <= limit) resolve();
        else this.wake = check;
      };
      check();
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }

  private onData(chunk: Buffer): void {
    if (this.single) return this.onSingleReply(chunk);
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (this.lineStart && byte === 45 /* '-' */) this.line = '-';
      else if (this.line !== '' && byte !== 13 && byte !== 10) this.line += String.fromCharCode(byte);
      if (byte === 10) {
        if (this.line !== '') this.fail(new Error(`error reply: ${this.line}`));
        this.pending--;
        this.lineStart = true;
      } else {
        this.lineStart = false;
      }
    }
    this.wake();
  }

  /** Accumulates one reply: a line, or a bulk string "$n\r\n<n bytes>\r\n". */
  private onSingleReply(chunk: Buffer): void {
    const single = this.single!;
    single.text += chunk.toString('latin1');
    const lineEnd = single.text.indexOf('\r\n');
    if (lineEnd < 0) return;
    let complete = true;
    if (single.text[0] === '$') {
      const length = Number(single.text.slice(1, lineEnd));
      complete = length < 0 || single.text.length >= lineEnd + 2 + length + 2;
    }
    if (complete) {
      this.single = null;
      single.resolve(single.text);
    }
  }
}
