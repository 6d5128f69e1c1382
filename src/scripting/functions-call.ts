/**
 * Running a function for FCALL / FCALL_RO (scriptPrepareForRun + luaEngineCall): the checks the
 * function's flags call for, then its library run again with the callback called (see
 * functions-lua.ts), its writes propagated as the commands it ran.
 */
import type { Client } from '../server/client';
import { ScriptFlag, refuseToRun, scriptFlagsOf } from './script-cache';
import { runScriptAsCommand } from './engine';
import { functionsOf } from './functions';
import { parseLibraryMetadata, type FunctionInfo } from './functions-library';
import { FUNCTION_CHUNK, wrapLibrary } from './functions-lua';

/** The script that calls `fn`, kept per function (a library's code never changes once loaded). */
const scripts = new WeakMap<FunctionInfo, string>();

function scriptOf(fn: FunctionInfo): string {
  let script = scripts.get(fn);
  if (script === undefined) {
    script = wrapLibrary(parseLibraryMetadata(fn.library.code).body, fn.name);
    scripts.set(fn, script);
  }
  return script;
}

/** Runs `fn` with `keys` and `args` for FCALL (`argv` is the whole command, for MONITOR). */
export function callFunction(c: Client, fn: FunctionInfo, argv: string[], keys: string[], args: string[], readOnly: boolean): void {
  const server = c.server;
  const engine = functionsOf(server).engine;
  if (engine === null) return c.reply.error('ERR Function not found');
  // Functions reach MONITOR before the commands they run.
  if (server.monitors.size > 0) server.feedMonitors(c, c.db.id, argv, Date.now());
  const scriptFlags = scriptFlagsOf(fn.flags);
  const refused = refuseToRun(server, scriptFlags, readOnly);
  if (refused !== null) return c.reply.error(refused);
  runScriptAsCommand(engine, c, scriptOf(fn), keys, args, {
    name: fn.name,
    chunkName: FUNCTION_CHUNK,
    readOnly: readOnly || (scriptFlags & ScriptFlag.NoWrites) !== 0,
    allowOom: (scriptFlags & ScriptFlag.AllowOom) !== 0,
    compileErrorPrefix: 'ERR Error compiling function: ',
    command: argv,
  });
}
