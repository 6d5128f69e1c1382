/**
 * The bridge between Nodis and Redis's Lua 5.1 (the lua-redis-wasm package): one LuaScriptEngine is
 * one Lua state with its own script client, as Redis has one for EVAL and one for functions.
 *
 * API (stable; FUNCTION/FCALL build on it):
 *
 *   const engine = await LuaScriptEngine.create(server);     // async: loads the WebAssembly module.
 *       Create engines at install time and push the promise to server.startupTasks, which listen()
 *       awaits; everything after creation is synchronous. Each engine is a separate Lua state.
 *
 *   engine.run(caller, source, keys, args, options): void
 *       Compiles `source` (latin1 string, one char per byte) as chunk "@<options.chunkName>", runs it
 *       with the global KEYS and ARGV tables (latin1 strings -> binary-safe Lua strings), and writes
 *       the reply to caller.reply: the returned value converted as Redis's luaReplyToRedisReply does
 *       for the caller's protocol, or the error. Errors read as Redis's:
 *         - compile error: `${options.compileErrorPrefix}${luaMessage}`
 *           (EVAL: "ERR Error compiling script (new function): user_script:1: ...");
 *         - runtime error: "<message> script: <options.name>, on @<chunkName>:<line>." where message
 *           is "ERR <lua error>" for string errors and the error as is for {err=...} tables and
 *           redis.call failures (EVAL: name = sha, chunkName "user_script"; functions: the function
 *           name and "user_function").
 *       The code sees redis.call/pcall (run through the dispatcher with Redis's scriptCall checks),
 *       redis.log (to the server log), redis.setresp, and the redis.* constants of Redis 7.0.15.
 *
 *   engine.compileError(source, chunkName): string | null   the Lua compile error, null if it compiles.
 *
 * How redis.call reaches the dispatcher: the command runs on the engine's script client (a Client
 * without socket, so blocking commands answer at once) in the script's current database (the
 * caller's at the start of each run; SELECT inside changes only the script's), through
 * dispatcher.call(), so statistics, keyspace events, WATCH invalidation and MONITOR ("lua") behave
 * as for any command. Its reply bytes are read back into Lua values (lua-values.ts).
 *
 * Propagation: run() does not propagate by itself. The calling command wraps the run in
 * dispatcher.beginUnit()/endUnit() (the script's writes leave as the commands it ran, in MULTI/EXEC
 * when more than one) and calls dispatcher.preventPropagation() so the command itself (EVAL, FCALL)
 * never propagates; runScriptAsCommand() does all of that.
 */
import type { ReplyValue } from 'lua-redis-wasm';
import { CommandFlag, type CommandSpec } from '../commands/registry';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { OOM_ERROR, overMaxmemory } from '../memory/install';
import { parseReply, writeLuaResult } from './lua-values';
import { SERIALIZER, wrapForCompile, wrapForRun } from './lua-wrapper';
import { LuaWorker, ScriptAbandoned, type WaitPolicy } from './lua-worker';
import { trackScript, type RunningScript } from './busy';

export interface ScriptRunOptions {
  /** Named in runtime error texts: the SHA1 for EVAL, the function name for FCALL. */
  name: string;
  /** Lua chunk name: "user_script" (EVAL) or "user_function" (functions). */
  chunkName: string;
  /** Refuse write commands (EVAL_RO, FCALL_RO, the no-writes flag). */
  readOnly: boolean;
  /** Let denyoom commands run over maxmemory (the allow-oom flag). */
  allowOom: boolean;
  /** Put before a compile error's Lua message. */
  compileErrorPrefix: string;
  /**
   * The command running the script (EVAL, FCALL): it is then the server's running script, which
   * can get busy (other clients get BUSY), be killed and show in FUNCTION STATS.
   */
  command?: string[];
}

/** What redis.call needs to know about the script running now. */
interface RunContext {
  options: ScriptRunOptions;
  /** Protocol the script reads replies in (redis.setresp). */
  luaResp: number;
  /** Whether memory was over maxmemory when the script started (computed at the first need). */
  oom: boolean | null;
  /** The last error redis.call raised into Lua, to tell it from a string the script raised. */
  raisedCallError: string | null;
  /**
   * Errors commands replied during the run (counted in the error statistics then): relaying one
   * as the script's reply does not count it again, as in Redis.
   */
  commandErrors: Set<string>;
  /** The client the script runs for. */
  caller: Client;
  /** The server's running script record, when the run is a command's. */
  tracked: RunningScript | null;
}

/** Redis 7.0.15's redis.* constants and the helpers that are constant outside a debugger. */
const REDIS_PROPS = {
  REDIS_VERSION: { value: '7.0.15' },
  REDIS_VERSION_NUM: { value: 0x07000f },
  REPL_NONE: { value: 0 },
  REPL_AOF: { value: 1 },
  REPL_SLAVE: { value: 2 },
  REPL_REPLICA: { value: 2 },
  REPL_ALL: { value: 3 },
  replicate_commands: { returns: true },
  set_repl: { returns: null },
  breakpoint: { returns: false },
  debug: { returns: null },
  acl_check_cmd: { returns: true },
} as const;

/** Lua's heap in bytes, as an integer (a number result is truncated on the way out). */
const HEAP_COUNT_CHUNK = Buffer.from("return collectgarbage('count') * 1024", 'latin1');

/** The engine's largest instruction budget per run (an unsigned 32-bit count). */
const MAX_FUEL = 0xffffffff;

/** Passed to every run after the script's arguments (see wrapForRun). */
const SERIALIZER_BYTES = Buffer.from(SERIALIZER, 'latin1');

/** The chunk name of EVAL scripts (functions run as "user_function"). */
const EVAL_CHUNK = 'user_script';

const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;

const GLOBAL_READ_MARKER = '__RLUA_E__:global-read:';
const ARG_TYPE_MARKER = '__RLUA_E__:command-arg-type';

export class LuaScriptEngine {
  private current: RunContext | null = null;

  private constructor(
    private readonly server: Server,
    private readonly lua: LuaWorker,
    /** Runs the commands a script calls. */
    readonly scriptClient: Client,
  ) {}

  static async create(server: Server): Promise<LuaScriptEngine> {
    // No reply or argument limits: Redis has none (proto-max-bulk-len bounds arguments before they
    // get here). The instruction budget is the largest the engine takes (0 would mean its small
    // default, which stops BullMQ's scripts): a script that never ends is stopped after about a
    // minute instead of freezing the server for good (Redis keeps it running and answers BUSY).
    const scriptClient = server.addClient(null);
    scriptClient.authenticated = true;
    let engine: LuaScriptEngine | null = null;
    // The Lua state lives on a worker thread (lua-worker.ts) so that a long script can be
    // watched, interrupted and killed from here.
    const lua = await LuaWorker.start(
      { profile: 'redis-7.0', redisProps: REDIS_PROPS, limits: { maxFuel: MAX_FUEL, maxReplyBytes: 0, maxArgBytes: 0 } },
      {
        redisCall: (args) => engine!.call(args, true),
        redisPcall: (args) => engine!.call(args, false),
        log: (level, message) => engine!.log(level, message),
        onSetResp: (version) => engine!.setResp(version),
      },
    );
    server.closeHooks.push(() => lua.close());
    engine = new LuaScriptEngine(server, lua, scriptClient);
    return engine;
  }

  /**
   * Bytes the Lua state's heap holds, as Lua counts them (collectgarbage('count')): what Redis
   * reports as used_memory_vm_eval / used_memory_vm_functions (lua_gc LUA_GCCOUNT).
   */
  heapBytes(): number {
    const result = this.lua.evalWithArgs(HEAP_COUNT_CHUNK, [], []);
    return typeof result === 'number' ? result : 0;
  }

  /** The Lua compile error of `source`, or null when it compiles. */
  compileError(source: string, chunkName: string): string | null {
    const result = this.lua.evalWithArgs(wrapForCompile(chunkName), [], [Buffer.from(source, 'latin1')]);
    const text = Buffer.isBuffer(result) ? result.toString('latin1') : 'Cunexpected engine reply';
    return text[0] === 'C' ? text.slice(1) : null;
  }

  run(caller: Client, source: string, keys: string[], args: string[], options: ScriptRunOptions): void {
    const tracked: RunningScript | null = options.command
      ? {
          caller,
          command: options.command,
          name: options.name,
          isEval: options.chunkName === EVAL_CHUNK,
          startedAt: Date.now(),
          timedOut: false,
          wroteDirty: false,
          killed: false,
        }
      : null;
    const context: RunContext = { options, luaResp: 2, oom: null, raisedCallError: null, commandErrors: new Set(), caller, tracked };
    const scriptClient = this.scriptClient;
    scriptClient.db = caller.db;
    scriptClient.reply.resp = 2;
    this.current = context;
    let result: ReplyValue;
    try {
      const argv = toBuffers(args);
      argv.push(Buffer.from(source, 'latin1'), SERIALIZER_BYTES);
      const evaluate = (policy: WaitPolicy | null) =>
        this.lua.evalWithArgs(wrapForRun(options.chunkName), toBuffers(keys), argv, policy);
      result = tracked ? trackScript(this.server, tracked, evaluate) : evaluate(null);
    } catch (e) {
      if (e instanceof ScriptAbandoned) {
        if (tracked?.killed) this.server.log.warning('Lua script killed by user with SCRIPT KILL.');
        // Where the script was is lost with its thread: Redis names the line it was on.
        caller.reply.error(`ERR Script killed by user with SCRIPT KILL... script: ${options.name}, on @${options.chunkName}:1.`);
        return;
      }
      this.server.log.warning(`Lua engine failure: ${(e as Error).message}`);
      result = null;
    } finally {
      this.current = null;
    }
    if (Array.isArray(result)) {
      writeScalarResult(caller, result.length > 1 ? result[1] : null);
      return;
    }
    if (!Buffer.isBuffer(result)) {
      caller.reply.error('ERR Error running script: the Lua engine failed');
      return;
    }
    const text = result.toString('latin1');
    const kind = text[0];
    if (kind === 'R') {
      writeLuaResult(caller.reply, text.slice(1), context.luaResp, context.commandErrors);
    } else if (kind === 'C') {
      caller.reply.error(options.compileErrorPrefix + text.slice(1));
    } else {
      // A command's error raised on (redis.call, or error() of a pcall result) was counted already.
      const raw = text.slice(text.indexOf('\0', 2) + 1);
      caller.reply.error(renderRuntimeError(text, context), !context.commandErrors.has(raw));
    }
  }

  /** redis.call (raise = true) and redis.pcall: Redis's scriptCall checks, then the command. */
  private call(args: Buffer[], raise: boolean): ReplyValue {
    const context = this.current;
    if (context === null) return errorValue('ERR redis.call is only available while a script runs');
    const argv = args.map((a) => a.toString('latin1'));
    const checked = this.check(context, argv);
    let reply: ReplyValue;
    if (typeof checked === 'string') {
      reply = errorValue(checked);
    } else {
      // A write, done or not, makes the script unkillable (Redis's SCRIPT_WRITE_DIRTY).
      if (context.tracked && checked.flags & CommandFlag.Write) context.tracked.wroteDirty = true;
      this.server.dispatcher.call(this.scriptClient, checked, argv);
      reply = this.takeReply(context);
      if (reply !== null && typeof reply === 'object' && 'err' in reply) {
        context.commandErrors.add(reply.err.toString('latin1'));
        // Redis counts the script's command as failed when an error was counted while it ran.
        context.caller.commandFailed = true;
      }
    }
    if (raise && reply !== null && typeof reply === 'object' && 'err' in reply) {
      context.raisedCallError = reply.err.toString('latin1');
    }
    return reply;
  }

  /** The command to run, or the error Redis's scriptCall gives instead. */
  private check(context: RunContext, argv: string[]): CommandSpec | string {
    if (argv.length === 0) return 'ERR Please specify at least one argument for this redis lib call';
    const spec = this.server.commands.lookupArgv(argv);
    // A container command with an unknown subcommand is unknown; alone, it lacks arguments.
    if (spec === undefined || (spec.handler === null && argv.length > 1)) return 'ERR Unknown Redis command called from script';
    const arity = spec.arity;
    if (spec.handler === null || (arity > 0 && argv.length !== arity) || argv.length < -arity) {
      return 'ERR Wrong number of args calling Redis command from script';
    }
    if (spec.flags & CommandFlag.NoScript) return 'ERR This Redis command is not allowed from script';
    if (spec.flags & CommandFlag.Write && context.options.readOnly) {
      return 'ERR Write commands are not allowed from read-only scripts.';
    }
    if (spec.flags & CommandFlag.DenyOom && !context.options.allowOom && this.overMaxmemory(context)) {
      return OOM_ERROR;
    }
    return spec;
  }

  /** Redis's pre_command_oom_state, taken once per script at the first command that needs it. */
  private overMaxmemory(context: RunContext): boolean {
    if (context.oom === null) {
      context.oom = overMaxmemory(this.server);
    }
    return context.oom;
  }

  /** The reply the command just wrote on the script client, as a Lua value. */
  private takeReply(context: RunContext): ReplyValue {
    const out = this.scriptClient.reply.out.take();
    if (out === null) return null;
    const bytes = Buffer.isBuffer(out) ? out : Buffer.concat(out);
    return parseReply(bytes, context.luaResp);
  }

  private log(level: number, message: Buffer): void {
    const name = LOG_LEVELS[level];
    if (name !== undefined) this.server.log[name](message.toString('latin1'));
  }

  private setResp(version: number): void {
    if (this.current === null) return;
    this.current.luaResp = version;
    this.scriptClient.reply.resp = version;
  }
}

/**
 * The final error text of a failed run, from the wrapper's "E<S|T><position>\0<message>": string
 * errors get "ERR " in front (Redis's error handler), tables and redis.call failures stay as they
 * are, and the position becomes " script: <name>, on @<chunk>:<line>.".
 */
function renderRuntimeError(text: string, context: RunContext): string {
  const isTable = text[1] === 'T';
  const nul = text.indexOf('\0', 2);
  const position = text.slice(2, nul);
  let message = text.slice(nul + 1);
  if (message === ARG_TYPE_MARKER) {
    message = 'ERR Lua redis lib command arguments must be strings or integers';
  } else if (!isTable && message === context.raisedCallError) {
    // A redis.call failure: Redis raises it as a table, so no "ERR " is added.
  } else if (!isTable) {
    const marker = message.indexOf(GLOBAL_READ_MARKER);
    if (marker >= 0) {
      const name = message.slice(marker + GLOBAL_READ_MARKER.length);
      message = `${message.slice(0, marker)}Script attempted to access nonexistent global variable '${name}'`;
    }
    message = 'ERR ' + message;
  }
  const match = /^(.*):(\d+): $/.exec(position);
  if (match === null) return message;
  const { name, chunkName } = context.options;
  return `${message} script: ${name}, on @${chunkName}:${match[2]}.`;
}

/**
 * A value the engine converted itself (the wrapper's {'V', value}): a string, nil, an integer, or
 * a boolean (true -> 1, false -> nil under RESP2 Lua; kept as booleans after redis.setresp(3)).
 */
function writeScalarResult(caller: Client, value: ReplyValue): void {
  if (value === null) caller.reply.nullBulk();
  else if (Buffer.isBuffer(value)) caller.reply.bulkBuffer(value);
  else if (typeof value === 'number' || typeof value === 'bigint') caller.reply.integer(value);
  else if (typeof value === 'boolean') caller.reply.bool(value);
  else caller.reply.error('ERR Error running script: unexpected value from the Lua engine');
}

function errorValue(message: string): ReplyValue {
  return { err: Buffer.from(message, 'latin1') };
}

function toBuffers(items: string[]): Buffer[] {
  const out = new Array<Buffer>(items.length);
  for (let i = 0; i < items.length; i++) out[i] = Buffer.from(items[i], 'latin1');
  return out;
}

/**
 * Runs a script as the body of a command (EVAL, FCALL): its writes propagate as one unit of the
 * commands it ran, and the command itself never propagates.
 */
export function runScriptAsCommand(
  engine: LuaScriptEngine,
  caller: Client,
  source: string,
  keys: string[],
  args: string[],
  options: ScriptRunOptions,
): void {
  const dispatcher = caller.server.dispatcher;
  dispatcher.beginUnit();
  try {
    engine.run(caller, source, keys, args, options);
  } finally {
    dispatcher.endUnit();
    dispatcher.preventPropagation();
  }
}
