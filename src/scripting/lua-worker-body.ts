/**
 * The code that runs inside a Lua worker thread, and the framing both sides of the channel share.
 *
 * A worker cannot import the project's modules (tests run the TypeScript sources, which a worker
 * cannot load), so everything here is self-contained: the worker is started from the source text
 * of these functions (see workerSource()), and the constants arrive in workerData.
 *
 * The channel is two SharedArrayBuffers: `control` (Int32 words, CONTROL below) and `data`, a
 * growable buffer holding the one message in flight. The two threads take turns (TURN): the main
 * thread hands the worker a run (WORKER), the worker hands back a host callback (HOST: redis.call,
 * redis.pcall, redis.log, redis.setresp) and waits for the answer, or the result (DONE).
 */

/** Indices of the control words. */
export const CONTROL = { turn: 0, length: 1, kind: 2, aux: 3, ready: 4 } as const;
export const CONTROL_WORDS = 8;

/** Whose move it is. */
export const TURN = { idle: 0, worker: 1, host: 2, done: 3 } as const;

/** What the message in `data` is. */
export const KIND = { run: 0, call: 1, pcall: 2, log: 3, setresp: 4, result: 5, failure: 6 } as const;

/** The data buffer's first and largest sizes (it grows to fit a message). */
export const DATA_INITIAL_BYTES = 64 * 1024;
export const DATA_MAX_BYTES = 1024 * 1024 * 1024;

/** A growable SharedArrayBuffer (ES2024; Node 20 has it, the project's TypeScript lib does not). */
export interface GrowableBuffer extends SharedArrayBuffer {
  readonly maxByteLength: number;
  grow(byteLength: number): void;
}

export function growableBuffer(byteLength: number, maxByteLength: number): GrowableBuffer {
  const Growable = SharedArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => GrowableBuffer;
  return new Growable(byteLength, { maxByteLength });
}

/** Buffers as one message: a count, then each buffer's length and bytes (32-bit little endian). */
export function encodeFrames(items: Uint8Array[]): Buffer {
  let size = 4;
  for (const item of items) size += 4 + item.length;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32LE(items.length, 0);
  let at = 4;
  for (const item of items) {
    out.writeUInt32LE(item.length, at);
    out.set(item, at + 4);
    at += 4 + item.length;
  }
  return out;
}

export function decodeFrames(message: Buffer): Buffer[] {
  const count = message.readUInt32LE(0);
  const items = new Array<Buffer>(count);
  let at = 4;
  for (let i = 0; i < count; i++) {
    const length = message.readUInt32LE(at);
    items[i] = message.subarray(at + 4, at + 4 + length);
    at += 4 + length;
  }
  return items;
}

/**
 * Spins a while before sleeping: most answers (a redis.call, a short script) come back within
 * tens of microseconds, sooner than a futex wake-up is delivered on a loaded machine. 40,000
 * loads (some tens of µs) measured best: EVALSHA 2,167 req/s with 4,000, 3,975 with 40,000
 * (`npm run bench -- --tests evalsha`, pipeline 1, 2-core VM). Returns the turn word's value.
 */
export function spinWhile(control: Int32Array, turn: number): number {
  let value = Atomics.load(control, 0);
  for (let i = 0; value === turn && i < 40000; i++) value = Atomics.load(control, 0);
  return value;
}

/** Copies `message` into the data buffer (growing it if needed) and records its length. */
export function putMessage(control: Int32Array, data: GrowableBuffer, message: Uint8Array): void {
  if (message.length > data.byteLength) {
    // Grow by doubling, so that a series of larger messages does not grow it every time.
    data.grow(Math.min(data.maxByteLength, Math.max(message.length, data.byteLength * 2)));
  }
  new Uint8Array(data, 0, message.length).set(message);
  control[1] = message.length;
}

/** A copy of the message in the data buffer. */
export function takeMessage(control: Int32Array, data: GrowableBuffer): Buffer {
  return Buffer.from(new Uint8Array(data, 0, control[1]));
}

interface WorkerData {
  control: SharedArrayBuffer;
  data: GrowableBuffer;
  packagePath: string;
  loadOptions: unknown;
  CONTROL: typeof CONTROL;
  TURN: typeof TURN;
  KIND: typeof KIND;
}

/** The worker thread: loads the engine, flags itself ready, then serves runs until terminated. */
export function luaWorkerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { workerData } = require('node:worker_threads') as { workerData: WorkerData };
  const lua = require(workerData.packagePath) as typeof import('lua-redis-wasm');
  const { CONTROL, TURN, KIND } = workerData;
  const control = new Int32Array(workerData.control);
  const data = workerData.data;
  const empty = Buffer.alloc(0);

  /** Hands a callback to the main thread and waits for its answer. */
  function ask(kind: number, aux: number, message: Uint8Array): Buffer {
    putMessage(control, data, message);
    control[CONTROL.kind] = kind;
    control[CONTROL.aux] = aux;
    Atomics.store(control, CONTROL.turn, TURN.host);
    Atomics.notify(control, CONTROL.turn);
    while (spinWhile(control, TURN.host) === TURN.host) Atomics.wait(control, CONTROL.turn, TURN.host);
    return takeMessage(control, data);
  }

  const host = {
    redisCall: (args: Buffer[]) => lua.decodeReplyBuffer(ask(KIND.call, 0, encodeFrames(args))),
    redisPcall: (args: Buffer[]) => lua.decodeReplyBuffer(ask(KIND.pcall, 0, encodeFrames(args))),
    log: (level: number, message: Buffer) => void ask(KIND.log, level, message),
    onSetResp: (version: 2 | 3) => void ask(KIND.setresp, version, empty),
  };

  function serve(engine: import('lua-redis-wasm').LuaEngine): void {
    for (;;) {
      let turn: number;
      while ((turn = spinWhile(control, TURN.idle)) !== TURN.worker) Atomics.wait(control, CONTROL.turn, turn);
      const frames = decodeFrames(takeMessage(control, data));
      const keyCount = control[CONTROL.aux];
      let kind: number = KIND.result;
      let message: Buffer;
      try {
        const keys = frames.slice(1, 1 + keyCount);
        const args = frames.slice(1 + keyCount);
        message = lua.encodeReply(engine.evalWithArgs(frames[0], keys, args));
      } catch (e) {
        kind = KIND.failure;
        message = Buffer.from(String((e as Error)?.message ?? e));
      }
      putMessage(control, data, message);
      control[CONTROL.kind] = kind;
      Atomics.store(control, CONTROL.turn, TURN.done);
      Atomics.notify(control, CONTROL.turn);
    }
  }

  lua.load(workerData.loadOptions as Parameters<typeof lua.load>[0]).then(
    (module) => {
      const engine = module.create(host);
      Atomics.store(control, CONTROL.ready, 1);
      Atomics.notify(control, CONTROL.ready);
      serve(engine);
    },
    () => {
      Atomics.store(control, CONTROL.ready, -1);
      Atomics.notify(control, CONTROL.ready);
    },
  );
}

/** The worker's source: the shared helpers, then the main function called. */
export function workerSource(): string {
  const helpers = [encodeFrames, decodeFrames, spinWhile, putMessage, takeMessage].map((fn) => fn.toString()).join('\n');
  return `${helpers}\n(${luaWorkerMain.toString()})();\n`;
}
