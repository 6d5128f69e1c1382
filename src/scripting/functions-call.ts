/**
 * Running a function for FCALL / FCALL_RO (scriptPrepareForRun + luaEngineCall): the checks the
 * function's flags call for, then its library run again with the callback called (see
 * functions-lua.ts), its writes propagated as the commands it ran.
 */
import type { Client } from '../server/client';
import { OOM_ERROR } from '../memory/install';
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
  const noWrites = fn.flags.has('no-writes');
  const allowOom = fn.flags.has('allow-oom');
  if (!noWrites && readOnly) return c.reply.error('ERR Can not execute a script with write flag using *_ro command.');
  // no-writes implies allow-oom.
  if (!allowOom && !noWrites && server.config.getNumber('maxmemory') > 0 && server.evictor.performEvictions() === 'fail') {
    return c.reply.error(OOM_ERROR);
  }
  runScriptAsCommand(engine, c, scriptOf(fn), keys, args, {
    name: fn.name,
    chunkName: FUNCTION_CHUNK,
    readOnly: readOnly || noWrites,
    allowOom,
    compileErrorPrefix: 'ERR Error compiling function: ',
    command: argv,
  });
}
