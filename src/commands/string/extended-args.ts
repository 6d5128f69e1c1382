/**
 * The options SET and GETEX share (Redis's parseExtendedStringArgumentsOrReply): NX, XX, GET,
 * KEEPTTL only for SET, PERSIST only for GETEX, and EX/PX/EXAT/PXAT for both, with Redis's rules
 * on which may be combined. Also the conversion of an expire argument to an absolute time.
 */
import type { Client } from '../../server/client';
import { Errors } from '../../protocol/errors';
import { parseInt64, parseLong } from '../arguments';
import { optionName } from './string-values';

export const enum StringOption {
  NX = 1 << 0,
  XX = 1 << 1,
  EX = 1 << 2,
  PX = 1 << 3,
  KeepTtl = 1 << 4,
  Get = 1 << 5,
  EXAT = 1 << 6,
  PXAT = 1 << 7,
  Persist = 1 << 8,
}

const ANY_EXPIRE = StringOption.EX | StringOption.PX | StringOption.EXAT | StringOption.PXAT;

export interface ExtendedArgs {
  flags: number;
  /** The EX/PX/EXAT/PXAT argument, or null. */
  expire: string | null;
}

function is2(arg: string, a: number, b: number): boolean {
  return arg.length === 2 && (arg.charCodeAt(0) | 32) === a && (arg.charCodeAt(1) | 32) === b;
}

/**
 * Parses options from argv[start] on. `forSet` selects SET's options (NX XX GET KEEPTTL) or
 * GETEX's (PERSIST). Replies "syntax error" and returns null on anything Redis refuses.
 */
export function parseExtendedArgsOrReply(c: Client, argv: string[], start: number, forSet: boolean): ExtendedArgs | null {
  let flags = 0;
  let expire: string | null = null;
  for (let j = start; j < argv.length; j++) {
    const opt = optionName(argv[j]);
    const hasNext = j < argv.length - 1;
    let flag = 0;
    let conflicts = 0;
    let takesValue = false;
    const lower = opt.length <= 7 ? opt.toLowerCase() : '';
    if (forSet && is2(opt, 110, 120) /* nx */) {
      flag = StringOption.NX;
      conflicts = StringOption.XX;
    } else if (forSet && is2(opt, 120, 120) /* xx */) {
      flag = StringOption.XX;
      conflicts = StringOption.NX;
    } else if (forSet && lower === 'get') {
      flag = StringOption.Get;
    } else if (forSet && lower === 'keepttl') {
      flag = StringOption.KeepTtl;
      conflicts = StringOption.Persist | ANY_EXPIRE;
    } else if (!forSet && lower === 'persist') {
      flag = StringOption.Persist;
      conflicts = StringOption.KeepTtl | ANY_EXPIRE;
    } else if (lower === 'ex' || lower === 'px' || lower === 'exat' || lower === 'pxat') {
      flag =
        lower === 'ex' ? StringOption.EX : lower === 'px' ? StringOption.PX : lower === 'exat' ? StringOption.EXAT : StringOption.PXAT;
      conflicts = (StringOption.KeepTtl | StringOption.Persist | ANY_EXPIRE) & ~flag;
      takesValue = true;
    }
    if (flag === 0 || (flags & conflicts) !== 0 || (takesValue && !hasNext)) {
      c.reply.error(Errors.syntax);
      return null;
    }
    flags |= flag;
    if (takesValue) expire = argv[++j];
  }
  return { flags, expire };
}

/** An absolute expire time: the number for the keyspace, the exact text for propagation. */
export interface ExpireAt {
  ms: number;
  text: string;
}

const LLONG_MAX = 2n ** 63n - 1n;

/**
 * Converts an EX/PX/EXAT/PXAT argument to an absolute time in ms, with Redis's errors: not an
 * integer, or "invalid expire time" for values <= 0 and for results that overflow 64 bits.
 */
export function expireAtOrReply(c: Client, arg: string, flags: number, command: string): ExpireAt | null {
  const seconds = (flags & (StringOption.EX | StringOption.EXAT)) !== 0;
  const relative = (flags & (StringOption.EX | StringOption.PX)) !== 0;
  const now = relative ? c.server.keyspace.now() : 0;
  if (arg.length < 16) {
    const n = parseLong(arg);
    if (n === null) {
      c.reply.error(Errors.notInteger);
      return null;
    }
    const ms = (seconds ? n * 1000 : n) + now;
    if (n > 0 && Number.isSafeInteger(ms)) return { ms, text: String(ms) };
    if (n <= 0) {
      c.reply.error(Errors.invalidExpire(command));
      return null;
    }
  }
  // Beyond 2^53: exact 64-bit arithmetic, as Redis's long long.
  let big = parseInt64(arg);
  if (big === null) {
    c.reply.error(Errors.notInteger);
    return null;
  }
  if (big <= 0n || (seconds && big > LLONG_MAX / 1000n)) {
    c.reply.error(Errors.invalidExpire(command));
    return null;
  }
  if (seconds) big *= 1000n;
  big += BigInt(now);
  if (big > LLONG_MAX) {
    c.reply.error(Errors.invalidExpire(command));
    return null;
  }
  return { ms: Number(big), text: big.toString() };
}
