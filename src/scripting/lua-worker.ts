/**
 * A Lua state on a worker thread, driven synchronously from the main thread.
 *
 * evalWithArgs() has the signature of lua-redis-wasm's engine and returns only once the script is
 * done, so a script is still one synchronous step for the command that runs it (EVAL inside
 * MULTI/EXEC works as before). Meanwhile the main thread waits on the channel (Atomics.wait, no
 * postMessage: a round trip costs a few microseconds instead of ~200), serving the script's host
 * callbacks (redis.call runs the command on the main thread, where the keyspace is) and, between
 * waits, asking the run's WaitPolicy whether to go on: that is where busy scripts serve other
 * clients and where a killed script is abandoned.
 *
 * Killing terminates the thread (nothing else stops a Lua loop) and starts a fresh one at once;
 * the next run waits for it to be ready. The state has nothing to restore: EVAL compiles its
 * script at every run and a function runs its library's code at every call (functions-lua.ts).
 */
import { Worker } from 'node:worker_threads';
import { decodeReplyBuffer, encodeReply, type LoadOptions, type ReplyValue } from 'lua-redis-wasm';
import {
  CONTROL,
  CONTROL_WORDS,
  DATA_INITIAL_BYTES,
  DATA_MAX_BYTES,
  KIND,
  TURN,
  decodeFrames,
  encodeFrames,
  growableBuffer,
  putMessage,
  spinWhile,
  takeMessage,
  workerSource,
} from './lua-worker-body';

/** The host functions a script reaches (what lua-redis-wasm's module.create takes). */
export interface LuaHost {
  redisCall(args: Buffer[]): ReplyValue;
  redisPcall(args: Buffer[]): ReplyValue;
  log(level: number, message: Buffer): void;
  onSetResp(version: number): void;
}

/**
 * Asked before each wait while a script runs: how many milliseconds to wait for the worker before
 * asking again (Infinity: until it answers), or a negative number to abandon the run.
 */
export type WaitPolicy = () => number;

/** Thrown by evalWithArgs when its WaitPolicy abandoned the run. */
export class ScriptAbandoned extends Error {
  constructor() {
    super('script abandoned');
  }
}

/** How long a run waits for a (re)started worker to load the engine before failing. */
const READY_TIMEOUT_MS = 30_000;

const EMPTY = Buffer.alloc(0);

/** One worker thread and its channel. */
class Thread {
  readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  readonly data = growableBuffer(DATA_INITIAL_BYTES, DATA_MAX_BYTES);
  readonly worker: Worker;

  constructor(packagePath: string, loadOptions: LoadOptions) {
    this.worker = new Worker(workerSource(), {
      eval: true,
      workerData: { control: this.control.buffer, data: this.data, packagePath, loadOptions, CONTROL, TURN, KIND },
    });
    // The thread never keeps the process alive, and its failures show as a failed run.
    this.worker.unref();
    this.worker.on('error', () => undefined);
  }

  /** Resolves once the engine is loaded (or failed to load). */
  async whenReady(): Promise<void> {
    // Atomics.waitAsync is ES2024: Node 20 has it, the project's TypeScript lib does not.
    const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: unknown } }).waitAsync;
    // A pending waitAsync does not keep the process alive: the thread does until it is ready.
    this.worker.ref();
    try {
      const waited = waitAsync(this.control, CONTROL.ready, 0);
      if (waited.async) await waited.value;
    } finally {
      this.worker.unref();
    }
  }

  /** Blocks until the engine is loaded; throws when it failed or took too long. */
  awaitReady(): void {
    if (Atomics.load(this.control, CONTROL.ready) === 0) Atomics.wait(this.control, CONTROL.ready, 0, READY_TIMEOUT_MS);
    const ready = Atomics.load(this.control, CONTROL.ready);
    if (ready !== 1) throw new Error(ready === 0 ? 'the Lua worker did not start' : 'the Lua worker failed to load the engine');
  }

  terminate(): void {
    this.worker.terminate().catch(() => undefined);
  }
}

export class LuaWorker {
  private thread: Thread;

  private constructor(
    private readonly packagePath: string,
    private readonly loadOptions: LoadOptions,
    private readonly host: LuaHost,
  ) {
    this.thread = new Thread(packagePath, loadOptions);
  }

  /** Starts the worker and resolves once its engine is loaded. */
  static async start(loadOptions: LoadOptions, host: LuaHost): Promise<LuaWorker> {
    const worker = new LuaWorker(require.resolve('lua-redis-wasm'), loadOptions, host);
    await worker.thread.whenReady();
    worker.thread.awaitReady();
    return worker;
  }

  /** Runs a chunk to its end (or until `policy` abandons it: ScriptAbandoned). */
  evalWithArgs(script: Buffer, keys: Buffer[], args: Buffer[], policy: WaitPolicy | null = null): ReplyValue {
    const thread = this.thread;
    thread.awaitReady();
    const { control, data } = thread;
    putMessage(control, data, encodeFrames([script, ...keys, ...args]));
    control[CONTROL.kind] = KIND.run;
    control[CONTROL.aux] = keys.length;
    Atomics.store(control, CONTROL.turn, TURN.worker);
    Atomics.notify(control, CONTROL.turn);
    for (;;) {
      const turn = spinWhile(control, TURN.worker);
      if (turn === TURN.host) {
        this.answerCallback(thread);
        continue;
      }
      if (turn === TURN.done) break;
      const waitMs = policy === null ? Infinity : policy();
      if (waitMs < 0) {
        this.restart();
        throw new ScriptAbandoned();
      }
      Atomics.wait(control, CONTROL.turn, TURN.worker, waitMs);
    }
    const kind = control[CONTROL.kind];
    const message = takeMessage(control, data);
    Atomics.store(control, CONTROL.turn, TURN.idle);
    if (kind === KIND.failure) throw new Error(message.toString());
    return decodeReplyBuffer(message);
  }

  /** Ends the thread (whatever it runs) and starts a fresh one. */
  restart(): void {
    this.thread.terminate();
    this.thread = new Thread(this.packagePath, this.loadOptions);
  }

  /** Ends the thread for good (server close). */
  close(): void {
    this.thread.terminate();
  }

  private answerCallback(thread: Thread): void {
    const { control, data } = thread;
    const kind = control[CONTROL.kind];
    const aux = control[CONTROL.aux];
    const message = takeMessage(control, data);
    let answer: Uint8Array = EMPTY;
    try {
      if (kind === KIND.call || kind === KIND.pcall) {
        const args = decodeFrames(message);
        answer = encodeReply(kind === KIND.call ? this.host.redisCall(args) : this.host.redisPcall(args));
      } else if (kind === KIND.log) {
        this.host.log(aux, message);
      } else if (kind === KIND.setresp) {
        this.host.onSetResp(aux);
      }
    } catch (e) {
      answer = encodeReply({ err: Buffer.from((e as Error)?.message ?? String(e)) });
    }
    putMessage(control, data, answer);
    Atomics.store(control, CONTROL.turn, TURN.worker);
    Atomics.notify(control, CONTROL.turn);
  }
}
