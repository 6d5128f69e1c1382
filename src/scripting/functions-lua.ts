/**
 * The Lua side of functions (Redis 7.0's function_lua.c) on lua-redis-wasm.
 *
 * Redis keeps each library's callbacks in its Lua state between calls. lua-redis-wasm runs each
 * script with read-only globals and no setfenv, so nothing a script creates survives it. A
 * library is therefore run again for every call: the library's code is embedded as the body of
 * a function, in a wrapper where `redis` is a local proxy. While the library's top level runs,
 * the proxy is the load-time API Redis gives libraries (register_function, log, the LOG_*
 * levels and REDIS_VERSION*; anything else is a "nonexistent global variable"); once it has run,
 * the proxy forwards to the real `redis` table, so callbacks see the full API. For a call, the
 * wrapper then calls the callback asked for with its keys and args tables.
 *
 * Where an error is raised in the wrapper's own Lua code (KEYS or ARGV read by a function), the
 * " on @user_function:<line>" part of the error names the wrapper's line 1 instead of the
 * reader's line (the message's own position is right).
 *
 * The wrapper's prelude sits on the library's first line (the `#!lua` line, which the body
 * starts after), so error positions keep the library's line numbers; the engine compiles the
 * wrapper as chunk "user_function", as Redis names library code.
 *
 * At load time Redis gives the library's top level no other global than `redis`: when loading,
 * the other globals are shadowed by locals that fail when indexed or called (only reading such
 * a global without indexing or calling it goes unnoticed). A call runs the top level again
 * without them (it used none when it loaded), so callbacks see the real globals.
 */
import type { Client } from '../server/client';
import { FUNCTION_FLAGS, FunctionError, NAME_RULES, type FunctionFlag } from './functions-library';
import type { LuaScriptEngine, ScriptRunOptions } from './engine';
import { parseReply } from './lua-values';

export interface RegisteredFunction {
  name: string;
  description: string | null;
  flags: FunctionFlag[];
}

/** The globals of the Lua sandbox that library code cannot see while it loads (Redis gives it only `redis`). */
const HIDDEN_AT_LOAD = [
  '_G', 'bit', 'cjson', 'cmsgpack', 'coroutine', 'math', 'string', 'struct', 'table',
  'assert', 'collectgarbage', 'error', 'gcinfo', 'getmetatable', 'ipairs', 'load', 'loadstring', 'next', 'pairs',
  'pcall', 'rawequal', 'rawget', 'rawset', 'select', 'setmetatable', 'tonumber', 'tostring', 'type', 'unpack', 'xpcall',
];

/** Lua string literal of ASCII text without quotes or backslashes (names, fixed messages). */
function quoted(text: string): string {
  return `'${text}'`;
}

/** Writes go to the real (read-only) table, so the VM raises the error in the writer's frame. */
const READ_ONLY = "local function __readonly() error('Attempt to modify a readonly table', 2) end";

/**
 * `redis` as the library sees it: `__proxy.__index` serves the load-time API until the top level
 * has run, then the epilogue points it at the real table. KEYS and ARGV do not exist for
 * functions (they get keys and args as parameters).
 */
const REDIS_AND_ABSENT_GLOBALS = [
  'local __proxy = {__newindex = __real}',
  'local redis = setmetatable({}, __proxy)',
  'local function __absent(name) return setmetatable({}, {__newindex = __readonly, __index = function()',
  " error(\"Script attempted to access nonexistent global variable '\" .. name .. \"'\", 2) end}) end",
  "local KEYS, ARGV = __absent('KEYS'), __absent('ARGV')",
];

/**
 * The prelude of a load (FUNCTION LOAD, RESTORE, RDB): register_function checks its arguments as
 * Redis does and records each function in __registered. A register_function error is raised as
 * the __marker table (so a library's own pcall can catch it, as in Redis) with its text in
 * __failure. Everything is on one line (the library's metadata line).
 */
function loadPrelude(): string {
  const flagNames = FUNCTION_FLAGS.map(quoted).join(',');
  const lines = [
    'local __real = redis',
    'local __registered, __failure, __marker = {}, nil, {}',
    'local function __fail(msg) __failure = msg error(__marker) end',
    "local function __isstr(v) local t = type(v) return t == 'string' or t == 'number' end",
    `local __flagnames = {${flagNames}}`,
    // luaRegisterFunctionReadFlags: 1, 2, ... up to the first nil; any unknown flag fails.
    'local function __flags(t) local seen, j = {}, 1 while true do local v = t[j] if v == nil then break end',
    ' if not __isstr(v) then return nil end local lv, found = string.lower(tostring(v)), false',
    ' for i, n in ipairs(__flagnames) do if lv == n then seen[i] = true found = true end end',
    ' if not found then return nil end j = j + 1 end',
    ' local bits = 0 for i = #__flagnames, 1, -1 do bits = bits * 2 + (seen[i] and 1 or 0) end return bits end',
    // luaRegisterFunctionReadNamedArgs.
    'local function __named(t)',
    " if type(t) ~= 'table' then __fail('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).') end",
    ' local name, desc, cb, flags = nil, nil, nil, 0',
    ' for k, v in pairs(t) do',
    "  if not __isstr(k) then __fail('named argument key given to redis.register_function is not a string') end",
    '  local key = string.lower(tostring(k))',
    "  if key == 'function_name' then if not __isstr(v) then __fail('function_name argument given to redis.register_function must be a string') end name = tostring(v)",
    "  elseif key == 'description' then if not __isstr(v) then __fail('description argument given to redis.register_function must be a string') end desc = tostring(v)",
    "  elseif key == 'callback' then if type(v) ~= 'function' then __fail('callback argument given to redis.register_function must be a function') end cb = v",
    "  elseif key == 'flags' then if type(v) ~= 'table' then __fail('flags argument to redis.register_function must be a table representing function flags') end",
    "   flags = __flags(v) if flags == nil then __fail('unknown flag given') end",
    "  else __fail('unknown argument given to redis.register_function') end",
    ' end',
    " if name == nil then __fail('redis.register_function must get a function name argument') end",
    " if cb == nil then __fail('redis.register_function must get a callback argument') end",
    ' return name, desc, cb, flags',
    'end',
    // luaRegisterFunction + functionLibCreateFunction.
    'local function __register(...)',
    " local n = select('#', ...) if n < 1 or n > 2 then __fail('wrong number of arguments to redis.register_function') end",
    ' local name, desc, cb, flags',
    ' if n == 1 then name, desc, cb, flags = __named(...)',
    " else local a, b = ... if not __isstr(a) then __fail('first argument to redis.register_function must be a string') end",
    "  if type(b) ~= 'function' then __fail('second argument to redis.register_function must be a function') end",
    '  name, cb, flags = tostring(a), b, 0 end',
    ` if not string.find(name, '^[%w_]+$') then __fail(${quoted(NAME_RULES)}) end`,
    " for _, f in ipairs(__registered) do if f.name == name then __fail('Function already exists in the library') end end",
    ' __registered[#__registered + 1] = {name = name, desc = desc, cb = cb, flags = flags}',
    'end',
    // The load-time API: anything else is a nonexistent global.
    'local __load_api = {register_function = __register, log = __real.log, LOG_DEBUG = __real.LOG_DEBUG, LOG_VERBOSE = __real.LOG_VERBOSE,',
    ' LOG_NOTICE = __real.LOG_NOTICE, LOG_WARNING = __real.LOG_WARNING, REDIS_VERSION = __real.REDIS_VERSION,',
    ' REDIS_VERSION_NUM = __real.REDIS_VERSION_NUM}',
    READ_ONLY,
    ...REDIS_AND_ABSENT_GLOBALS,
    '__proxy.__index = function(_, k) local v = __load_api[k]',
    " if v == nil then error(\"Script attempted to access nonexistent global variable '\" .. tostring(k) .. \"'\", 2) end return v end",
    // While the top level runs, the other globals are hidden as Redis hides them from libraries.
    'local __pcall, __type, __rawget, __tostring, __ipairs, __concat = pcall, type, rawget, tostring, ipairs, table.concat',
    'local function __hidden(name) local function deny() error("Script attempted to access nonexistent global variable \'" .. name .. "\'", 2) end',
    ' return setmetatable({}, {__index = deny, __call = deny, __newindex = __readonly}) end',
    `local ${HIDDEN_AT_LOAD.join(', ')} = ${HIDDEN_AT_LOAD.map((name) => `__hidden('${name}')`).join(', ')}`,
    'local __library = function(...) ',
  ];
  return lines.join(' ');
}

/**
 * The epilogue of a load, returning one string: '1' then per function its name, whether it has
 * a description, the description and the flags bits, each as <length>:<bytes>; or the error:
 * 'F' and a register_function error, 'T' and the err field of a table raised, 'S' and a string
 * raised. (Returning errors as values keeps them out of the error statistics.)
 */
const LOAD_EPILOGUE = [
  '',
  'end',
  // The standard globals are hidden here too: the epilogue uses the copies taken before.
  'local __ok, __err = __pcall(__library)',
  "if not __ok then if __err == __marker then return 'F' .. __failure end",
  " if __type(__err) == 'table' then return 'T' .. __tostring(__rawget(__err, 'err')) end return 'S' .. __tostring(__err) end",
  "local out = {'1'} local function field(v) v = __tostring(v) out[#out + 1] = #v .. ':' .. v end",
  "for _, f in __ipairs(__registered) do field(f.name) field(f.desc and 1 or 0) field(f.desc or '') field(f.flags) end",
  'return __concat(out)',
].join('\n');

/**
 * The prelude of a call: the library has loaded before, so register_function only keeps the
 * callback of the function asked for, and the top level sees the real globals (it did not use
 * any when it loaded). redis.log is quiet while the top level runs again.
 */
function callPrelude(target: string): string {
  const lines = [
    `local __real, __keys, __args, __target, __callback = redis, KEYS, ARGV, ${quoted(target)}, nil`,
    'local function __register(a, b) local name, cb = a, b',
    " if type(a) == 'table' then for k, v in pairs(a) do local key = string.lower(tostring(k))",
    "  if key == 'function_name' then name = v elseif key == 'callback' then cb = v end end end",
    ' if tostring(name) == __target then __callback = cb end end',
    'local __replay_api = {register_function = __register, log = function() end}',
    READ_ONLY,
    ...REDIS_AND_ABSENT_GLOBALS,
    '__proxy.__index = function(_, k) local v = __replay_api[k] if v == nil then return __real[k] end return v end',
    'local __library = function(...) ',
  ];
  return lines.join(' ');
}

const CALL_EPILOGUE = ['', 'end', '__library()', '__proxy.__index = __real', 'return __callback(__keys, __args)'].join('\n');

/** The chunk name Redis gives library code. */
export const FUNCTION_CHUNK = 'user_function';

/**
 * The whole script that runs `body` (a library's code after its metadata line, latin1): loading
 * it when `target` is null, else calling function `target` of it with KEYS and ARGV.
 */
export function wrapLibrary(body: string, target: string | null): string {
  return target === null ? loadPrelude() + body + LOAD_EPILOGUE : callPrelude(target) + body + CALL_EPILOGUE;
}

/** Run options for a library's load-time run (its errors come back as values). */
const LOAD_OPTIONS: ScriptRunOptions = { name: '', chunkName: FUNCTION_CHUNK, readOnly: true, allowOom: true, compileErrorPrefix: '' };

/** How lua-redis-wasm reports a read of a global that does not exist, inside the error text. */
const GLOBAL_READ_MARKER = '__RLUA_E__:global-read:';

/** A string error raised by library code, as Redis words it (luaExtractErrorInformation). */
function stringErrorText(raised: string): string {
  const marker = raised.indexOf(GLOBAL_READ_MARKER);
  if (marker < 0) return `ERR ${raised}`;
  const name = raised.slice(marker + GLOBAL_READ_MARKER.length);
  return `ERR ${raised.slice(0, marker)}Script attempted to access nonexistent global variable '${name}'`;
}

/**
 * Runs a library's top level as FUNCTION LOAD does: returns the functions it registered, or
 * throws a FunctionError ("Error compiling function: ...", "Error registering functions: ...").
 * `scratch` is a client without socket that receives the run's reply.
 */
export function registerLibrary(engine: LuaScriptEngine, scratch: Client, body: string): RegisteredFunction[] {
  const compileError = engine.compileError(body, FUNCTION_CHUNK);
  if (compileError !== null) throw new FunctionError(`Error compiling function: ${compileError}`);
  engine.run(scratch, wrapLibrary(body, null), [], [], LOAD_OPTIONS);
  const out = scratch.reply.out.take();
  const bytes = out === null ? Buffer.alloc(0) : Buffer.isBuffer(out) ? out : Buffer.concat(out);
  const result = bytes.length > 0 ? parseReply(bytes, 2) : null;
  const text = Buffer.isBuffer(result) ? result.toString('latin1') : 'Sunexpected reply from the library';
  const rest = text.slice(1);
  switch (text[0]) {
    case '1':
      return parseRegistrations(text);
    case 'F':
      throw new FunctionError(`Error registering functions: ERR ${rest}`);
    case 'T':
      throw new FunctionError(`Error registering functions: ${rest}`);
    default:
      throw new FunctionError(`Error registering functions: ${stringErrorText(rest)}`);
  }
}

/** The functions the load-time run reported (see the wrapper's epilogue). */
function parseRegistrations(text: string): RegisteredFunction[] {
  let pos = 1;
  const field = (): string => {
    const colon = text.indexOf(':', pos);
    const length = Number(text.slice(pos, colon));
    pos = colon + 1 + length;
    return text.slice(colon + 1, pos);
  };
  const registered: RegisteredFunction[] = [];
  while (pos < text.length) {
    const name = field();
    const hasDescription = field() === '1';
    const description = field();
    const bits = Number(field());
    registered.push({
      name,
      description: hasDescription ? description : null,
      flags: FUNCTION_FLAGS.filter((_, i) => (bits >> i) & 1),
    });
  }
  return registered;
}
