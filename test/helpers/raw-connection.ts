/**
 * A plain TCP connection that sends requests and returns each reply's exact bytes, for tests that
 * check the wire format (and compare Nodis with redis-server byte for byte).
 */
import * as net from 'node:net';
import { replyLength } from './resp-reader';

export function encodeCommand(argv: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const arg of argv) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'latin1') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export class RawConnection {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private waitForData(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Bytes received and not read yet. */
  get unreadBytes(): number {
    return this.buffer.length;
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  send(argv: (string | Buffer)[]): void {
    this.write(encodeCommand(argv));
  }

  /** The next whole reply's bytes; rejects after timeoutMs or when the connection closes first. */
  async readReply(timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const len = this.buffer.length ? replyLength(this.buffer) : -1;
      if (len >= 0) {
        const reply = this.buffer.subarray(0, len);
        this.buffer = this.buffer.subarray(len);
        return Buffer.from(reply);
      }
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.buffer.toString('latin1'))}`);
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.waitForData(left))) {
        throw new Error(`no reply within ${timeoutMs} ms; unread: ${JSON.stringify(this.buffer.toString('latin1'))}`);
      }
    }
  }

  /** Sends a command and returns its reply as latin1 text. */
  async call(...argv: (string | Buffer)[]): Promise<string> {
    this.send(argv);
    return (await this.readReply()).toString('latin1');
  }

  /** Everything received until the server closes the connection (or timeoutMs). */
  async readUntilClose(timeoutMs = 2000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await this.waitForData(deadline - Date.now());
    const out = this.buffer.toString('latin1');
    this.buffer = Buffer.alloc(0);
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}
