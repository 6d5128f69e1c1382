/**
 * The two conversions between Redis replies and Lua values (Redis's script_lua.c):
 *
 * - RESP -> Lua: a command run by redis.call() replies into the script client's buffer; those bytes
 *   are read back into the engine's ReplyValue shapes (RESP2 null -> false, RESP3 null -> nil,
 *   status -> {ok=}, error -> {err=}, RESP3 map/set/double/boolean/big number as such).
 * - Lua -> RESP: the script's return value is walked in Lua by the wrapper (see lua-wrapper.ts) and
 *   serialized into a compact tagged format, which writeLuaResult() replays onto the caller's reply
 *   writer as Redis's luaReplyToRedisReply does. Doing the walk in Lua keeps Redis's exact rules
 *   (rawget, table stops at the first nil, numbers cast to long long, functions -> null) whatever
 *   the engine's own converter does.
 */
import type { ReplyValue } from 'lua-redis-wasm';
import type { ReplyWriter } from '../protocol/reply-writer';

const INT64_MIN = -(2n ** 63n);
const TWO_63 = 2 ** 63;

/** A Lua number as C's (long long) cast gives it: truncated, INT64_MIN when out of range or NaN. */
export function luaNumberToInteger(d: number): number | bigint {
  if (Number.isNaN(d) || d >= TWO_63 || d < -TWO_63) return INT64_MIN;
  const t = Math.trunc(d);
  return Number.isSafeInteger(t) ? t : BigInt(t);
}

/** A number as Lua's %.17g prints it ("inf", "-nan" included) back to a double. */
function parseLuaNumber(text: string): number {
  const d = Number(text);
  if (!Number.isNaN(d)) return d;
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return NaN;
}

/** Redis maps CR and LF to spaces in status, error and big number replies built from Lua. */
function oneLine(s: string): string {
  return s.indexOf('\r') < 0 && s.indexOf('\n') < 0 ? s : s.replace(/[\r\n]/g, ' ');
}

/**
 * Replays a serialized Lua result onto `out`. `luaResp` is the protocol the script selected with
 * redis.setresp(): it decides what Lua booleans become (RESP2: true -> 1, false -> null).
 */
export function writeLuaResult(
  out: ReplyWriter,
  data: string,
  luaResp: number,
  commandErrors: ReadonlySet<string> = NO_ERRORS,
): void {
  const reader = { data, pos: 0, commandErrors };
  writeValue(out, reader, luaResp);
}

const NO_ERRORS: ReadonlySet<string> = new Set();

interface Reader {
  data: string;
  pos: number;
  /** Errors commands replied during the run: relayed, they are not counted again. */
  commandErrors: ReadonlySet<string>;
}

function readLine(r: Reader): string {
  const end = r.data.indexOf('\n', r.pos);
  const line = r.data.slice(r.pos, end);
  r.pos = end + 1;
  return line;
}

function readBytes(r: Reader): string {
  const len = Number(readLine(r));
  const s = r.data.slice(r.pos, r.pos + len);
  r.pos += len;
  return s;
}

function writeValue(out: ReplyWriter, r: Reader, luaResp: number): void {
  const tag = r.data.charCodeAt(r.pos++);
  switch (tag) {
    case 36: // $ string
      return out.bulk(readBytes(r));
    case 58: // : number
      return out.integer(luaNumberToInteger(parseLuaNumber(readLine(r))));
    case 116: // t
    case 102: // f
      if (luaResp === 3) return out.bool(tag === 116);
      return tag === 116 ? out.integer(1) : out.nullBulk();
    case 43: // + status
      return out.status(oneLine(readBytes(r)));
    case 45: {
      // - error
      const message = readBytes(r);
      return out.error(oneLine(message), !r.commandErrors.has(message));
    }
    case 44: // , double
      return writeDouble(out, readLine(r));
    case 40: // ( big number
      return out.bigNumber(oneLine(readBytes(r)));
    case 42: // * array
    case 37: // % map
    case 126: {
      // ~ set
      const n = Number(readLine(r));
      if (tag === 42) out.array(n);
      else if (tag === 37) out.map(n);
      else out.set(n);
      const items = tag === 37 ? n * 2 : n;
      for (let i = 0; i < items; i++) writeValue(out, r, luaResp);
      return;
    }
    default: // _ nil, and anything Lua cannot return (functions, userdata)
      return out.nullBulk();
  }
}

/** A double reply; a NaN keeps the sign Lua printed ("-nan" for 0/0, as Redis prints it). */
function writeDouble(out: ReplyWriter, text: string): void {
  const d = parseLuaNumber(text);
  if (!Number.isNaN(d) || out.muted) return out.double(d);
  if (out.resp === 2) out.bulk(text);
  else out.raw(Buffer.from(`,${text}\r\n`, 'latin1'));
}

/**
 * Reads one reply written by a command into the ReplyValue the engine pushes to Lua. `bytes` holds
 * exactly one complete reply, written in `resp` (2 or 3).
 */
export function parseReply(bytes: Buffer, resp: number): ReplyValue {
  const cursor = { pos: 0 };
  return parseValue(bytes, cursor, resp);
}

function lineEnd(b: Buffer, from: number): number {
  return b.indexOf(13, from);
}

function parseValue(b: Buffer, cur: { pos: number }, resp: number): ReplyValue {
  const tag = b[cur.pos];
  const end = lineEnd(b, cur.pos);
  const line = b.toString('latin1', cur.pos + 1, end);
  cur.pos = end + 2;
  switch (tag) {
    case 43: // +
      return { ok: Buffer.from(line, 'latin1') };
    case 45: // -
      return { err: Buffer.from(line, 'latin1') };
    case 58: {
      // :
      const n = Number(line);
      return Number.isSafeInteger(n) ? n : BigInt(line);
    }
    case 36: {
      // $
      const len = Number(line);
      if (len < 0) return resp === 2 ? false : null;
      const value = b.subarray(cur.pos, cur.pos + len);
      cur.pos += len + 2;
      return value;
    }
    case 42: // *
    case 126: {
      // ~
      const n = Number(line);
      if (n < 0) return resp === 2 ? false : null;
      const items: ReplyValue[] = new Array(n);
      for (let i = 0; i < n; i++) items[i] = parseValue(b, cur, resp);
      return tag === 42 ? items : { set: items };
    }
    case 37: {
      // %
      const n = Number(line);
      const pairs: [ReplyValue, ReplyValue][] = new Array(n);
      for (let i = 0; i < n; i++) pairs[i] = [parseValue(b, cur, resp), parseValue(b, cur, resp)];
      return { map: pairs };
    }
    case 95: // _
      return null;
    case 35: // #
      return line === 't';
    case 44: // ,
      return { double: parseLuaNumber(line) };
    case 40: // (
      return { big_number: Buffer.from(line, 'latin1') };
    case 61: {
      // = verbatim: "fmt:text"
      const len = Number(line);
      const value = b.subarray(cur.pos, cur.pos + len);
      cur.pos += len + 2;
      return { verbatim_string: { format: value.subarray(0, 3), string: value.subarray(4) } };
    }
    default:
      return null;
  }
}
