/**
 * Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/KILL/HELP, on
 * Redis's Lua 5.1 (src/scripting/engine.ts).
 *
 * A script runs on a worker thread while the command waits for it; past busy-reply-threshold the
 * server serves other clients meanwhile (BUSY replies, SCRIPT KILL: src/scripting/busy.ts).
 */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { parseLongOrReply } from './arguments';
import { replyHelp } from './generic/object';
import { isOption } from './arguments';
import { LuaScriptEngine, runScriptAsCommand, type ScriptRunOptions } from '../scripting/engine';
import { installBusyGuard, killScript } from '../scripting/busy';
import { ScriptCache, ScriptFlag, commandFlagsForScript, parseShebang, refuseToRun, sha1Hex, type CachedScript } from '../scripting/script-cache';

/** The EVAL side of scripting for one server: its Lua state and script cache. */
export interface EvalScripting {
  engine: LuaScriptEngine | null;
  cache: ScriptCache;
}

const perServer = new WeakMap<Server, EvalScripting>();

/** The EVAL scripting state of a server (INFO reads the cache size from it). */
export function evalScripting(server: Server): EvalScripting {
  let state = perServer.get(server);
  if (state === undefined) {
    state = { engine: null, cache: new ScriptCache() };
    perServer.set(server, state);
  }
  return state;
}

const COMPILE_ERROR_PREFIX = 'ERR Error compiling script (new function): ';

/** The engine, or null after replying that it is not ready (only before the server listens). */
function engineOrReply(c: Client): LuaScriptEngine | null {
  const engine = evalScripting(c.server).engine;
  if (engine === null) c.reply.error('ERR Lua engine is not ready');
  return engine;
}

/**
 * Redis's luaCreateFunction: the cached script for `text`, compiled and cached on first use, or
 * null after replying the shebang or compile error.
 */
function scriptForTextOrReply(c: Client, engine: LuaScriptEngine, text: string): CachedScript | null {
  const cache = evalScripting(c.server).cache;
  const sha = sha1Hex(text);
  const cached = cache.get(sha);
  if (cached !== undefined) return cached;
  const shebang = parseShebang(text);
  if (typeof shebang === 'string') {
    c.reply.error(shebang);
    return null;
  }
  // The shebang line is blanked rather than cut, so that line numbers stay those of the text.
  const body = shebang.length > 0 ? text.slice(shebang.length) : text;
  const compileError = engine.compileError(body, 'user_script');
  if (compileError !== null) {
    c.reply.error(COMPILE_ERROR_PREFIX + compileError);
    return null;
  }
  const script: CachedScript = { sha, text, body, flags: shebang.flags };
  cache.add(script);
  return script;
}

function evalGeneric(c: Client, argv: string[], bySha: boolean, readOnly: boolean): void {
  // EVAL skips the dispatcher's MONITOR feed (skip_monitor): Redis shows it before what it runs.
  if (c.server.monitors.size > 0) c.server.feedMonitors(c, c.db.id, argv, Date.now());
  const numkeys = parseLongOrReply(c, argv[2]);
  if (numkeys === null) return;
  if (numkeys > argv.length - 3) return c.reply.error("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) return c.reply.error("ERR Number of keys can't be negative");
  const engine = engineOrReply(c);
  if (engine === null) return;
  let script: CachedScript | null | undefined;
  if (bySha) {
    script = evalScripting(c.server).cache.get(argv[1]);
    if (script === undefined) return c.reply.error('NOSCRIPT No matching script. Please use EVAL.');
  } else {
    script = scriptForTextOrReply(c, engine, argv[1]);
    if (script === null) return;
  }
  const refused = refuseToRun(c.server, script.flags, readOnly);
  if (refused !== null) return c.reply.error(refused);
  const options: ScriptRunOptions = {
    name: script.sha,
    chunkName: 'user_script',
    readOnly: readOnly || (script.flags & ScriptFlag.NoWrites) !== 0,
    allowOom: (script.flags & ScriptFlag.AllowOom) !== 0,
    compileErrorPrefix: COMPILE_ERROR_PREFIX,
    command: argv,
  };
  const keys = argv.slice(3, 3 + numkeys);
  const args = argv.slice(3 + numkeys);
  runScriptAsCommand(engine, c, script.body, keys, args, options);
}

function scriptLoad(c: Client, argv: string[]): void {
  const engine = engineOrReply(c);
  if (engine === null) return;
  const script = scriptForTextOrReply(c, engine, argv[2]);
  if (script !== null) c.reply.bulk(script.sha);
}

function scriptExists(c: Client, argv: string[]): void {
  const cache = evalScripting(c.server).cache;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.integer(cache.get(argv[i]) !== undefined ? 1 : 0);
}

function scriptFlush(c: Client, argv: string[]): void {
  if (argv.length > 3 || (argv.length === 3 && !isOption(argv[2], 'SYNC') && !isOption(argv[2], 'ASYNC'))) {
    return c.reply.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
  }
  evalScripting(c.server).cache.flush();
  c.reply.ok();
}

function scriptKill(c: Client): void {
  killScript(c, true);
}

const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

export const scriptingCommands: CommandGroup = {
  group: 'scripting',
  handlers: {
    eval: (c, argv) => evalGeneric(c, argv, false, false),
    evalsha: (c, argv) => evalGeneric(c, argv, true, false),
    eval_ro: (c, argv) => evalGeneric(c, argv, false, true),
    evalsha_ro: (c, argv) => evalGeneric(c, argv, true, true),
    'script|load': scriptLoad,
    'script|exists': scriptExists,
    'script|flush': scriptFlush,
    'script|kill': scriptKill,
    'script|help': (c) => replyHelp(c, 'script', SCRIPT_HELP),
  },
  install(server) {
    const state = evalScripting(server);
    installBusyGuard(server);
    // EVAL's flags for the checks before it runs are those its script declares.
    const evalFlags = (_c: Client, argv: string[], flags: number): number => {
      const shebang = parseShebang(argv[1] ?? '');
      return typeof shebang === 'string' ? flags : commandFlagsForScript(flags, shebang.flags);
    };
    const evalshaFlags = (_c: Client, argv: string[], flags: number): number => {
      const script = state.cache.get((argv[1] ?? '').toLowerCase());
      return script === undefined ? flags : commandFlagsForScript(flags, script.flags);
    };
    for (const name of ['eval', 'eval_ro']) server.dispatcher.flagProviders.set(name, evalFlags);
    for (const name of ['evalsha', 'evalsha_ro']) server.dispatcher.flagProviders.set(name, evalshaFlags);
    server.startupTasks.push(
      LuaScriptEngine.create(server).then((engine) => {
        state.engine = engine;
      }),
    );
  },
};
