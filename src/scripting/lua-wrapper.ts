/**
 * The Lua chunk the engine runs for every script. The engine's globals are read-only, so nothing
 * can be installed once: each run compiles this small wrapper, which
 *
 * 1. compiles the user's code with loadstring under Redis's chunk name ("@user_script"), so compile
 *    errors and line numbers read as in Redis;
 * 2. runs it under xpcall with a handler that, like Redis's __redis__err__handler, records where
 *    the error was raised (the "user_script:<line>: " position of the frame that raised it) and
 *    whether it was a table ({err=...}: redis.call errors, error_reply) or a string;
 * 3. walks the returned value with Redis's luaReplyToRedisReply rules (rawget of err, ok, double,
 *    big_number, map, set, else an array up to the first nil) into a tagged string decoded by
 *    lua-values.ts writeLuaResult().
 *
 * What the wrapper returns is described at wrapForRun().
 */

/** How deep a returned table may nest before Redis's "reached lua stack limit". */
const MAX_NESTING = 1000;

/** Redis's error handler: where the error was raised, and whether it was a table or a string. */
const HANDLER =
  `local tp, rg, ts = type, rawget, tostring ` +
  `local function handler(e) ` +
  // Level 3 from inside pcall(error) is the frame that raised; a C frame (error, redis.call) has
  // no position, so then the Lua frame that called it.
  `local _, w = pcall(error, '', 3) if w == '' then _, w = pcall(error, '', 4) end ` +
  `if tp(e) == 'table' then local m = rg(e, 'err') return {'T', w, tp(m) == 'string' and m or ts(m)} end ` +
  `return {'S', w, ts(e)} end `;

/**
 * A chunk returning the serializer of luaReplyToRedisReply's walk. Compiling it costs several
 * times a small script, so it is compiled only for values the engine's own conversion gets wrong
 * (tables, numbers past 2^53, NaN). Its text reaches the wrapper as an extra last ARGV element
 * (cheaper than a string literal to lex), which the wrapper removes before the script runs.
 */
export const SERIALIZER =
  `local tp, rg, sf, nx, tc = type, rawget, string.format, next, table.concat ` +
  `local o, n, depth = {}, 0, 0 ` +
  `local function put(s) n = n + 1 o[n] = s end ` +
  `local ser ` +
  `local function many(tag, t, keysOnly) local at = n + 1 put('') local count = 0 ` +
  `for k, v in nx, t do count = count + 1 ser(k) if not keysOnly then ser(v) end end o[at] = tag .. count .. '\\n' end ` +
  `local function tbl(v) ` +
  `local x = rg(v, 'err') if tp(x) == 'string' then put('-' .. #x .. '\\n') put(x) return end ` +
  `x = rg(v, 'ok') if tp(x) == 'string' then put('+' .. #x .. '\\n') put(x) return end ` +
  `x = rg(v, 'double') if tp(x) == 'number' then put(',' .. sf('%.17g', x) .. '\\n') return end ` +
  `x = rg(v, 'big_number') if tp(x) == 'string' then put('(' .. #x .. '\\n') put(x) return end ` +
  `x = rg(v, 'map') if tp(x) == 'table' then many('%', x, false) return end ` +
  `x = rg(v, 'set') if tp(x) == 'table' then many('~', x, true) return end ` +
  `local at = n + 1 put('') local i = 1 ` +
  `while true do x = rg(v, i) if x == nil then break end ser(x) i = i + 1 end o[at] = '*' .. (i - 1) .. '\\n' end ` +
  `ser = function(v) local t = tp(v) ` +
  `if t == 'string' then put('$' .. #v .. '\\n') put(v) ` +
  `elseif t == 'number' then put(':' .. sf('%.17g', v) .. '\\n') ` +
  `elseif t == 'boolean' then put(v and 't' or 'f') ` +
  `elseif t == 'table' then depth = depth + 1 ` +
  `if depth > ${MAX_NESTING} then put('-27\\nERR reached lua stack limit') else tbl(v) end depth = depth - 1 ` +
  `else put('_') end end ` +
  `return function(v) ser(v) return tc(o) end`;

/**
 * The chunk that runs a script compiled as `chunkName` ("user_script", "user_function"). The
 * script's source and the serializer arrive as the last two ARGV elements (source, then
 * serializer), which the wrapper removes before the script runs: the wrapper itself is the same
 * text for every script, and the source is lexed once, by loadstring, not also as a literal.
 * It returns {'V', value} for a value the engine converts right (strings, nil, booleans, integers
 * within 2^53), "R<serialized>" for any other, "C<error>" or "E<S|T><position>\0<message>".
 */
export function wrapForRun(chunkName: string): Buffer {
  let chunk = runWrappers.get(chunkName);
  if (chunk === undefined) {
    chunk = Buffer.from(
      HANDLER +
        `local serializer = ARGV[#ARGV] ARGV[#ARGV] = nil local source = ARGV[#ARGV] ARGV[#ARGV] = nil ` +
        `local f, e = loadstring(source, '@${chunkName}') if not f then return 'C' .. e end ` +
        `local ok, r = xpcall(f, handler) ` +
        `if not ok then if tp(r) == 'table' then return 'E' .. r[1] .. r[2] .. '\\0' .. r[3] end return 'ES\\0' .. ts(r) end ` +
        `local t = tp(r) ` +
        `if t == 'string' or t == 'nil' or t == 'boolean' or (t == 'number' and r > -9007199254740992 and r < 9007199254740992) then return {'V', r} end ` +
        `return 'R' .. loadstring(serializer)()(r)`,
      'latin1',
    );
    runWrappers.set(chunkName, chunk);
  }
  return chunk;
}

const runWrappers = new Map<string, Buffer>();

/**
 * The chunk that only compiles the source passed as ARGV[1] as `chunkName`: returns "R" or
 * "C<compile error>" (SCRIPT LOAD).
 */
export function wrapForCompile(chunkName: string): Buffer {
  return Buffer.from(`local f, e = loadstring(ARGV[1], '@${chunkName}') if not f then return 'C' .. e end return 'R'`, 'latin1');
}
