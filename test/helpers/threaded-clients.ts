/**
 * Raw RESP clients driven from a worker thread, for tests where the in-process server blocks the
 * test's own thread (a busy script keeps the main thread until it ends or is killed): the clients
 * keep sending and reading meanwhile. Every recorded reply is its exact bytes (latin1).
 */
import { Worker } from 'node:worker_threads';

export type ClientStep =
  /** Sends a command without waiting for its reply (read it later with `reply`). */
  | { client: string; send: string[] }
  /** Sends a command and records its reply. */
  | { client: string; call: string[] }
  /** Records the next reply of a command sent earlier. */
  | { client: string; reply: true }
  /** Records "<closed>" once the server has closed the connection. */
  | { client: string; closed: true }
  | { sleep: number };

/** How long a step waits for a reply before recording "<timeout>". */
const STEP_TIMEOUT_MS = 10_000;

function clientThread(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const net = require('node:net');
  const { workerData, parentPort } = require('node:worker_threads');
  const { port, names, steps, timeoutMs } = workerData;

  // End of the complete reply starting at `at`, or -1 when more bytes are needed.
  function replyEnd(text: string, at: number): number {
    const eol = text.indexOf('\r\n', at);
    if (eol < 0) return -1;
    const type = text[at];
    const head = text.slice(at + 1, eol);
    if (type === '$' || type === '=' || type === '!') {
      const length = Number(head);
      if (length < 0) return eol + 2;
      return text.length >= eol + 2 + length + 2 ? eol + 2 + length + 2 : -1;
    }
    if (type === '*' || type === '~' || type === '>' || type === '%' || type === '|') {
      let count = Number(head);
      if (count < 0) return eol + 2;
      if (type === '%' || type === '|') count *= 2;
      let end = eol + 2;
      for (let i = 0; i < count; i++) {
        end = replyEnd(text, end);
        if (end < 0) return -1;
      }
      return end;
    }
    return eol + 2;
  }

  function encode(argv: string[]): Buffer {
    let out = `*${argv.length}\r\n`;
    for (const arg of argv) out += `$${Buffer.byteLength(arg, 'latin1')}\r\n${arg}\r\n`;
    return Buffer.from(out, 'latin1');
  }

  interface Conn {
    socket: import('node:net').Socket;
    pending: string;
    closed: boolean;
    wake: (() => void) | null;
  }

  function connect(): Promise<Conn> {
    return new Promise((resolve) => {
      const conn: Conn = { socket: net.connect(port, '127.0.0.1'), pending: '', closed: false, wake: null };
      const poke = () => {
        const wake = conn.wake;
        conn.wake = null;
        if (wake) wake();
      };
      conn.socket.on('data', (chunk: Buffer) => {
        conn.pending += chunk.toString('latin1');
        poke();
      });
      conn.socket.on('close', () => {
        conn.closed = true;
        poke();
      });
      conn.socket.on('error', () => undefined);
      conn.socket.on('connect', () => resolve(conn));
    });
  }

  async function waitFor(conn: Conn, ready: () => boolean): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) return false;
      await new Promise<void>((resolve) => {
        conn.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return true;
  }

  async function nextReply(conn: Conn): Promise<string> {
    let end = -1;
    const ok = await waitFor(conn, () => (end = replyEnd(conn.pending, 0)) >= 0 || conn.closed);
    if (!ok) return '<timeout>';
    if (end < 0) return '<closed>';
    const reply = conn.pending.slice(0, end);
    conn.pending = conn.pending.slice(end);
    return reply;
  }

  (async () => {
    const conns: Record<string, Conn> = {};
    for (const name of names) conns[name] = await connect();
    // Each connection has been accepted once it answered.
    for (const name of names) {
      conns[name].socket.write(encode(['PING']));
      await nextReply(conns[name]);
    }
    const results: string[] = [];
    for (const step of steps) {
      if ('sleep' in step) {
        await new Promise((resolve) => setTimeout(resolve, step.sleep));
        continue;
      }
      const conn = conns[step.client];
      if ('send' in step) conn.socket.write(encode(step.send));
      else if ('call' in step) {
        conn.socket.write(encode(step.call));
        results.push(await nextReply(conn));
      } else if ('reply' in step) results.push(await nextReply(conn));
      else if ('closed' in step) results.push((await waitFor(conn, () => conn.closed)) ? '<closed>' : '<timeout>');
    }
    for (const name of names) conns[name].socket.destroy();
    parentPort.postMessage(results);
  })().catch((e) => parentPort.postMessage([`<error ${e?.message ?? e}>`]));
}

/** Runs `steps` with one connection per name in `clients`; resolves with the recorded replies. */
export function runClientsInThread(port: number, clients: string[], steps: ClientStep[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(`(${clientThread.toString()})()`, {
      eval: true,
      workerData: { port, names: clients, steps, timeoutMs: STEP_TIMEOUT_MS },
    });
    worker.once('message', (results: string[]) => {
      resolve(results);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
