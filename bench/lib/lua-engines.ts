/**
 * The three Lua engines bench/lua-engines.ts compares, behind one small interface: run a script
 * with ARGV and get its first return value as Redis would reply it, with `redis.call` wired to a
 * JavaScript host function. Arguments and string replies are latin1 strings (one char per byte),
 * as Nodis holds them, so the binary-safety probes see what a host would see.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LuaWasmEngine } from 'lua-redis-wasm';
import { LuaFactory } from 'wasmoon';

/** A script's reply, reduced to what a RESP2 reply can carry for a scalar. */
export type ScriptReply =
  | { type: 'integer'; value: bigint }
  | { type: 'bulk'; value: string }
  | { type: 'nil' }
  | { type: 'status'; value: string }
  | { type: 'error'; value: string }
  | { type: 'other'; value: string };

/** What `redis.call(...)` reaches in the host: latin1 arguments, an integer or a latin1 string back. */
export type HostCall = (args: string[]) => number | string;

export interface LuaEngineUnderTest {
  /** Package name and version, e.g. "wasmoon 1.16.0". */
  label: string;
  /** The engine's own _VERSION. */
  luaVersion: string;
  /** Runs `script` with ARGV = argv (latin1) and KEYS empty. */
  run(script: string, argv?: string[]): ScriptReply;
}

/** The installed version of a package (found from its entry point: not every package exports package.json). */
export function packageVersion(name: string): string {
  for (let dir = path.dirname(require.resolve(name)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (!fs.existsSync(manifest)) continue;
    const parsed = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string; version: string };
    if (parsed.name === name) return parsed.version;
  }
  return '?';
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

/** Redis's conversion of a Lua number to an integer reply: (long long)n, i.e. truncation. */
function integerOf(n: number): bigint {
  if (Number.isNaN(n) || !Number.isFinite(n) || Math.abs(n) >= 2 ** 63) return -(2n ** 63n); // what x86 gives for out-of-range casts
  return BigInt(Math.trunc(n));
}

/** A JavaScript value an engine handed back, read with Redis's Lua-to-RESP rules. */
function replyOfJs(value: unknown): ScriptReply {
  if (value === null || value === undefined || value === false) return { type: 'nil' };
  if (value === true) return { type: 'integer', value: 1n };
  if (typeof value === 'number') return { type: 'integer', value: integerOf(value) };
  if (typeof value === 'bigint') return { type: 'integer', value };
  // wasmoon decodes Lua strings as UTF-8; re-encode to see the bytes the host would hold.
  if (typeof value === 'string') return { type: 'bulk', value: Buffer.from(value, 'utf8').toString('latin1') };
  return { type: 'other', value: Array.isArray(value) ? 'array' : typeof value };
}

// ---------------------------------------------------------------- lua-redis-wasm (Redis's Lua 5.1)

type WasmReply = ReturnType<LuaWasmEngine['eval']>;

function replyOfLuaRedisWasm(value: WasmReply): ScriptReply {
  if (Buffer.isBuffer(value)) return { type: 'bulk', value: value.toString('latin1') };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    if ('err' in value) return { type: 'error', value: value.err.toString('latin1') };
    if ('ok' in value) return { type: 'status', value: value.ok.toString('latin1') };
  }
  return replyOfJs(value);
}

export async function createLuaRedisWasm(host: HostCall): Promise<LuaEngineUnderTest> {
  const call = (args: Buffer[]): number | Buffer => {
    const result = host(args.map((a) => a.toString('latin1')));
    return typeof result === 'string' ? Buffer.from(result, 'latin1') : result;
  };
  const engine = await LuaWasmEngine.create({ host: { redisCall: call, redisPcall: call, log: () => undefined }, profile: 'redis-7.0' });
  const run = (script: string, argv: string[] = []): ScriptReply =>
    replyOfLuaRedisWasm(engine.evalWithArgs(script, [], argv.map((a) => Buffer.from(a, 'latin1'))));
  const version = run('return _VERSION');
  return { label: `lua-redis-wasm ${packageVersion('lua-redis-wasm')}`, luaVersion: version.type === 'bulk' ? version.value : '?', run };
}

// ---------------------------------------------------------------- wasmoon (Lua 5.4 in WebAssembly)

export async function createWasmoon(host: HostCall): Promise<LuaEngineUnderTest> {
  const lua = await new LuaFactory().createEngine();
  // A plain global function is wasmoon's cheapest way in; `redis` is then a Lua table around it.
  lua.global.set('__host_call', (...args: string[]) => host(args));
  lua.doStringSync('redis = { call = __host_call, pcall = __host_call }');
  const run = (script: string, argv: string[] = []): ScriptReply => {
    lua.global.set('KEYS', []);
    lua.global.set('ARGV', argv);
    try {
      return replyOfJs(lua.doStringSync(script));
    } catch (e) {
      return { type: 'error', value: (e as Error).message };
    }
  };
  return { label: `wasmoon ${packageVersion('wasmoon')}`, luaVersion: String(lua.doStringSync('return _VERSION')), run };
}

// ---------------------------------------------------------------- fengari (Lua 5.3 in JavaScript)

/** The part of fengari's C-like API used here (the package ships no types). */
interface Fengari {
  to_luastring(s: string): Uint8Array;
  lua: {
    LUA_OK: number;
    LUA_TNIL: number;
    LUA_TBOOLEAN: number;
    LUA_TNUMBER: number;
    LUA_TSTRING: number;
    LUA_TTABLE: number;
    lua_gettop(L: unknown): number;
    lua_settop(L: unknown, index: number): void;
    lua_type(L: unknown, index: number): number;
    lua_isinteger(L: unknown, index: number): boolean;
    lua_tointeger(L: unknown, index: number): number;
    lua_tonumber(L: unknown, index: number): number;
    lua_toboolean(L: unknown, index: number): boolean;
    lua_tolstring(L: unknown, index: number): Uint8Array;
    lua_pushstring(L: unknown, s: Uint8Array): void;
    lua_pushinteger(L: unknown, n: number): void;
    lua_pushjsfunction(L: unknown, fn: (L: unknown) => number): void;
    lua_createtable(L: unknown, narr: number, nrec: number): void;
    lua_rawseti(L: unknown, index: number, n: number): void;
    lua_setfield(L: unknown, index: number, name: Uint8Array): void;
    lua_getfield(L: unknown, index: number, name: Uint8Array): number;
    lua_setglobal(L: unknown, name: Uint8Array): void;
    lua_pcall(L: unknown, nargs: number, nresults: number, msgh: number): number;
  };
  lauxlib: {
    luaL_newstate(): unknown;
    luaL_loadbuffer(L: unknown, buffer: Uint8Array, size: number | null, name: Uint8Array): number;
  };
  lualib: { luaL_openlibs(L: unknown): void };
}

export async function createFengari(host: HostCall): Promise<LuaEngineUnderTest> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { lua, lauxlib, lualib, to_luastring } = require('fengari') as Fengari;
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const hostCall = (state: unknown): number => {
    const args: string[] = [];
    for (let i = 1, n = lua.lua_gettop(state); i <= n; i++) args.push(latin1(lua.lua_tolstring(state, i)));
    const result = host(args);
    if (typeof result === 'string') lua.lua_pushstring(state, Buffer.from(result, 'latin1'));
    else lua.lua_pushinteger(state, result);
    return 1;
  };
  lua.lua_createtable(L, 0, 2);
  for (const name of ['call', 'pcall']) {
    lua.lua_pushjsfunction(L, hostCall);
    lua.lua_setfield(L, -2, to_luastring(name));
  }
  lua.lua_setglobal(L, to_luastring('redis'));
  const setArray = (name: string, values: string[]): void => {
    lua.lua_createtable(L, values.length, 0);
    values.forEach((v, i) => {
      lua.lua_pushstring(L, Buffer.from(v, 'latin1'));
      lua.lua_rawseti(L, -2, i + 1);
    });
    lua.lua_setglobal(L, to_luastring(name));
  };
  const topReply = (): ScriptReply => {
    const type = lua.lua_type(L, -1);
    if (type === lua.LUA_TNUMBER) {
      return { type: 'integer', value: lua.lua_isinteger(L, -1) ? BigInt(lua.lua_tointeger(L, -1)) : integerOf(lua.lua_tonumber(L, -1)) };
    }
    if (type === lua.LUA_TSTRING) return { type: 'bulk', value: latin1(lua.lua_tolstring(L, -1)) };
    if (type === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, -1) ? { type: 'integer', value: 1n } : { type: 'nil' };
    if (type === lua.LUA_TNIL) return { type: 'nil' };
    return { type: 'other', value: type === lua.LUA_TTABLE ? 'table' : `type ${type}` };
  };
  const run = (script: string, argv: string[] = []): ScriptReply => {
    setArray('KEYS', []);
    setArray('ARGV', argv);
    const source = Buffer.from(script, 'latin1');
    let status = lauxlib.luaL_loadbuffer(L, source, source.length, to_luastring('=user_script'));
    if (status === lua.LUA_OK) status = lua.lua_pcall(L, 0, 1, 0);
    const reply = status === lua.LUA_OK ? topReply() : { type: 'error' as const, value: latin1(lua.lua_tolstring(L, -1)) };
    lua.lua_settop(L, 0);
    return reply;
  };
  const version = run('return _VERSION');
  return { label: `fengari ${packageVersion('fengari')}`, luaVersion: version.type === 'bulk' ? version.value : '?', run };
}

// ---------------------------------------------------------------- redis-server itself

/** Reads a RESP2 reply to EVAL (a scalar: the probes return no tables). */
export function replyOfResp(text: string): ScriptReply {
  const line = text.slice(1, text.indexOf('\r\n'));
  switch (text[0]) {
    case ':':
      return { type: 'integer', value: BigInt(line) };
    case '+':
      return { type: 'status', value: line };
    case '-':
      return { type: 'error', value: line };
    case '$': {
      const length = Number(line);
      if (length < 0) return { type: 'nil' };
      const start = text.indexOf('\r\n') + 2;
      return { type: 'bulk', value: text.slice(start, start + length) };
    }
    default:
      return { type: 'other', value: text.slice(0, 20) };
  }
}

/** Equal as a client would see them; error texts differ in decoration, so any error equals any error. */
export function sameReply(a: ScriptReply, b: ScriptReply): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'nil' || a.type === 'error') return true;
  return (a as { value: unknown }).value === (b as { value: unknown }).value;
}

/** A short printable form: :3, "text" (bytes outside printable ASCII as \xHH), (nil), (error). */
export function showReply(reply: ScriptReply): string {
  switch (reply.type) {
    case 'integer':
      return `:${reply.value}`;
    case 'bulk': {
      const escaped = reply.value.replace(/[^\x20-\x7e]|[|\\"]/g, (ch) =>
        ch === '|' ? '\\|' : ch === '\\' || ch === '"' ? `\\${ch}` : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
      );
      return `"${escaped}"`;
    }
    case 'nil':
      return '(nil)';
    case 'status':
      return `+${reply.value}`;
    case 'error':
      return '(error)';
    default:
      return `(${reply.value})`;
  }
}
