/**
 * A RESP2 client for one command at a time that reads whole replies, arrays included (SCAN's
 * cursor and keys, CONFIG GET): enough for the benchmarks' control commands. Strings are latin1
 * (one char per byte); an error reply resolves to an Error rather than rejecting, so callers can
 * show it.
 */
import * as net from 'node:net';
import { encodeCommand } from './resp-connection';

export type Reply = string | number | null | Error | Reply[];

/** Not enough bytes yet for a whole reply. */
const INCOMPLETE = Symbol('incomplete');

export class RespClient {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (reply: Reply) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.deliver();
    });
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  static connect(port: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new RespClient(socket)));
      socket.once('error', reject);
    });
  }

  call(...argv: string[]): Promise<Reply> {
    if (this.waiting) throw new Error('one command at a time');
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(Buffer.from(encodeCommand(argv), 'latin1'));
    });
  }

  /** call() for a reply that must be a string (status or bulk). */
  async text(...argv: string[]): Promise<string> {
    const reply = await this.call(...argv);
    if (typeof reply !== 'string') throw new Error(`${argv[0]}: unexpected reply ${String(reply)}`);
    return reply;
  }

  /** call() for a reply that must be an integer. */
  async integer(...argv: string[]): Promise<number> {
    const reply = await this.call(...argv);
    if (typeof reply !== 'number') throw new Error(`${argv[0]}: unexpected reply ${String(reply)}`);
    return reply;
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(e);
  }

  private deliver(): void {
    if (!this.waiting) return;
    const parsed = parseReply(this.buffer, 0);
    if (parsed === INCOMPLETE) return;
    this.buffer = this.buffer.subarray(parsed.end);
    const waiting = this.waiting;
    this.waiting = null;
    waiting.resolve(parsed.reply);
  }
}

function parseReply(buffer: Buffer, start: number): { reply: Reply; end: number } | typeof INCOMPLETE {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd < 0) return INCOMPLETE;
  const line = buffer.toString('latin1', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (buffer[start]) {
    case 0x2b /* + */:
      return { reply: line, end: next };
    case 0x2d /* - */:
      return { reply: new Error(line), end: next };
    case 0x3a /* : */:
      return { reply: Number(line), end: next };
    case 0x24 /* $ */: {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (buffer.length < next + length + 2) return INCOMPLETE;
      return { reply: buffer.toString('latin1', next, next + length), end: next + length + 2 };
    }
    case 0x2a /* * */: {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, at);
        if (item === INCOMPLETE) return INCOMPLETE;
        items.push(item.reply);
        at = item.end;
      }
      return { reply: items, end: at };
    }
    default:
      throw new Error(`unexpected reply byte ${buffer[start]}`);
  }
}

/** One field of an INFO reply, as a number (NaN when absent). */
export function infoNumber(info: string, field: string): number {
  const match = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return match ? Number(match[1].trim()) : NaN;
}

/** One field of an INFO reply, as text ('' when absent). */
export function infoText(info: string, field: string): string {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1].trim() ?? '';
}
