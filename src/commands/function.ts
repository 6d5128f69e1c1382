/**
 * FUNCTION LOAD / LIST / DELETE / FLUSH / DUMP / RESTORE / STATS / KILL / HELP, and FCALL /
 * FCALL_RO (Redis 7.0's functions.c). The libraries live in scripting/functions.ts; running a
 * function is scripting/functions-call.ts.
 *
 * LOAD, DELETE, FLUSH and RESTORE change the dataset as far as persistence is concerned: each
 * counts as one change (server.dirty++) and propagates as it was sent.
 */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { isCOption, isOption, parseInt64 } from './arguments';
import { replyHelp } from './generic/object';
import { globMatch } from '../keyspace/glob';
import { latin1Slice } from '../persistence/rdb/latin1';
import { functionsOf } from '../scripting/functions';
import { FUNCTION_FLAGS, FunctionError, type FunctionLibrary } from '../scripting/functions-library';
import { dumpFunctions, functionPayloadValid, readFunctionPayload } from '../scripting/functions-payload';
import { callFunction } from '../scripting/functions-call';
import { installFunctions } from '../scripting/functions-info';
import { busyError, installBusyGuard, killScript, runningScript } from '../scripting/busy';
import { commandFlagsForScript, scriptFlagsOf } from '../scripting/script-cache';

const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];

/** An argument as C's strcasecmp and "%s" read it: up to its first NUL byte. */
function cString(arg: string): string {
  const nul = arg.indexOf('\0');
  return nul < 0 ? arg : arg.slice(0, nul);
}

function subcommandSyntaxError(c: Client, argv: string[]): void {
  c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${cString(argv[1]).slice(0, 128)}'. Try FUNCTION HELP.`);
}

/** Counts a change for persistence (server.dirty++), so the command propagates. */
function changed(server: Server): void {
  server.keyspace.dirty++;
}

function functionLoad(c: Client, argv: string[]): void {
  let replace = false;
  let at = 2;
  while (at < argv.length - 1) {
    const option = argv[at++];
    if (isCOption(option, 'REPLACE')) {
      replace = true;
      continue;
    }
    return c.reply.error(`ERR Unknown option given: ${cString(option)}`);
  }
  if (at >= argv.length) return c.reply.error('ERR Function code is missing');
  let name: string;
  try {
    name = functionsOf(c.server).createLibrary(argv[at], replace);
  } catch (e) {
    return replyFunctionError(c, e);
  }
  changed(c.server);
  c.reply.bulk(name);
}

function replyFunctionError(c: Client, e: unknown): void {
  if (!(e instanceof FunctionError)) throw e;
  c.reply.error(`ERR ${e.message}`);
}

function replyLibrary(c: Client, library: FunctionLibrary, withCode: boolean): void {
  const reply = c.reply;
  reply.map(withCode ? 4 : 3);
  reply.bulk('library_name');
  reply.bulk(library.name);
  reply.bulk('engine');
  reply.bulk(library.engine);
  reply.bulk('functions');
  reply.array(library.functions.size);
  for (const fn of library.functions.values()) {
    reply.map(3);
    reply.bulk('name');
    reply.bulk(fn.name);
    reply.bulk('description');
    if (fn.description === null) reply.nullBulk();
    else reply.bulk(fn.description);
    reply.bulk('flags');
    const flags = FUNCTION_FLAGS.filter((flag) => fn.flags.has(flag));
    reply.set(flags.length);
    for (const flag of flags) reply.status(flag);
  }
  if (withCode) {
    reply.bulk('library_code');
    reply.bulk(library.code);
  }
}

/** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] */
function functionList(c: Client, argv: string[]): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const arg = cString(argv[i]);
    if (!withCode && isOption(arg, 'WITHCODE')) {
      withCode = true;
      continue;
    }
    if (pattern === null && isOption(arg, 'LIBRARYNAME')) {
      if (i >= argv.length - 1) return c.reply.error('ERR library name argument was not given');
      pattern = argv[++i];
      continue;
    }
    return c.reply.error(`ERR Unknown argument ${arg}`);
  }
  const libraries = [...functionsOf(c.server).registry.libraries.values()].filter(
    // Redis matches library names without regard to case here.
    (library) => pattern === null || globMatch(pattern, library.name, true),
  );
  c.reply.array(libraries.length);
  for (const library of libraries) replyLibrary(c, library, withCode);
}

function functionDelete(c: Client, argv: string[]): void {
  if (!functionsOf(c.server).deleteLibrary(argv[2])) return c.reply.error('ERR Library not found');
  changed(c.server);
  c.reply.ok();
}

/** FUNCTION FLUSH [ASYNC|SYNC]: both free at once here (nothing is worth a background free). */
function functionFlush(c: Client, argv: string[]): void {
  if (argv.length > 3) return subcommandSyntaxError(c, argv);
  if (argv.length === 3 && !isCOption(argv[2], 'SYNC') && !isCOption(argv[2], 'ASYNC')) {
    return c.reply.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  }
  functionsOf(c.server).flush();
  changed(c.server);
  c.reply.ok();
}

function functionDump(c: Client): void {
  const payload = dumpFunctions(functionsOf(c.server).registry.codes(), c.server.config.getBool('rdbcompression'));
  c.reply.bulk(latin1Slice(payload, 0, payload.length));
}

const RESTORE_POLICIES = ['FLUSH', 'APPEND', 'REPLACE'] as const;

/** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] */
function functionRestore(c: Client, argv: string[]): void {
  if (argv.length > 4) return subcommandSyntaxError(c, argv);
  let policy: (typeof RESTORE_POLICIES)[number] = 'APPEND';
  if (argv.length === 4) {
    const given = RESTORE_POLICIES.find((name) => isCOption(argv[3], name));
    if (!given) return c.reply.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
    policy = given;
  }
  const payload = Buffer.from(argv[2], 'latin1');
  if (!functionPayloadValid(payload)) return c.reply.error('ERR DUMP payload version or checksum are wrong');
  const functions = functionsOf(c.server);
  try {
    const loaded = functions.compileAll(readFunctionPayload(payload));
    functions.install(loaded, policy === 'FLUSH' ? 'flush' : policy === 'REPLACE' ? 'replace' : 'append');
  } catch (e) {
    return replyFunctionError(c, e);
  }
  changed(c.server);
  c.reply.ok();
}

/** FUNCTION STATS: the function running (while busy), and the engine's counts. */
function functionStats(c: Client): void {
  const script = runningScript(c.server);
  // While an EVAL script is busy, Redis refuses (it only reports functions).
  if (script !== null && script.timedOut && script.isEval) return c.reply.error(busyError(script));
  const registry = functionsOf(c.server).registry;
  const reply = c.reply;
  reply.map(2);
  reply.bulk('running_script');
  if (script === null || !script.timedOut) {
    reply.nullBulk();
  } else {
    reply.map(3);
    reply.bulk('name');
    reply.bulk(script.name);
    reply.bulk('command');
    reply.array(script.command.length);
    for (const arg of script.command) reply.bulk(arg);
    reply.bulk('duration_ms');
    reply.integer(Date.now() - script.startedAt);
  }
  reply.bulk('engines');
  reply.map(1);
  reply.bulk('LUA');
  reply.map(2);
  reply.bulk('libraries_count');
  reply.integer(registry.libraries.size);
  reply.bulk('functions_count');
  reply.integer(registry.functionCount);
}

function functionKill(c: Client): void {
  killScript(c, false);
}

/** FCALL / FCALL_RO function numkeys key... arg... */
function fcallGeneric(c: Client, argv: string[], readOnly: boolean): void {
  const fn = functionsOf(c.server).registry.findFunction(argv[1]);
  if (!fn) return c.reply.error('ERR Function not found');
  const numkeys = parseInt64(argv[2]);
  if (numkeys === null) return c.reply.error('ERR Bad number of keys provided');
  if (numkeys > argv.length - 3) return c.reply.error("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) return c.reply.error("ERR Number of keys can't be negative");
  const keyCount = Number(numkeys);
  callFunction(c, fn, argv, argv.slice(3, 3 + keyCount), argv.slice(3 + keyCount), readOnly);
}

export const functionCommands: CommandGroup = {
  group: 'scripting',
  handlers: {
    'function|load': functionLoad,
    'function|list': functionList,
    'function|delete': functionDelete,
    'function|flush': functionFlush,
    'function|dump': functionDump,
    'function|restore': functionRestore,
    'function|stats': functionStats,
    'function|kill': functionKill,
    'function|help': (c, argv) => replyHelp(c, argv[0], FUNCTION_HELP),
    fcall: (c, argv) => fcallGeneric(c, argv, false),
    fcall_ro: (c, argv) => fcallGeneric(c, argv, true),
  },
  install(server) {
    installFunctions(server);
    installBusyGuard(server);
    // FCALL's flags for the checks before it runs are those its function declares (a function
    // always declares them: no flags means it may write).
    const fcallFlags = (_c: Client, argv: string[], flags: number): number => {
      const fn = functionsOf(server).registry.findFunction(argv[1] ?? '');
      return fn === undefined ? flags : commandFlagsForScript(flags, scriptFlagsOf(fn.flags));
    };
    for (const name of ['fcall', 'fcall_ro']) server.dispatcher.flagProviders.set(name, fcallFlags);
  },
};
