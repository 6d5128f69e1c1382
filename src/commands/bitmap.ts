/**
 * Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO. Bitmaps are
 * string values; writes edit them in place as raw MutableStrings. The order of argument checks
 * and lookups, replies and errors follow Redis 7.0's bitops.c.
 */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { isOption, parseInt64, parseLong } from './arguments';
import { readString, writeOfType } from './lookup';
import { stringLength, type StringValue } from '../keyspace/value';
import { parseBitfieldType, planWrite, getSigned, getUnsigned, setBits, type BitfieldOp, type OverflowMode } from '../types/bitfield';
import { MutableString } from '../types/mutable-string';
import { bitAt, bitop as computeBitop, countBits, findBit, type BitOp } from '../types/bitmap';
import { bytesOf, optionName, storeEdited, toMutable } from './string/string-values';

const BIT_OFFSET_ERROR = 'ERR bit offset is not an integer or out of range';

/**
 * Parses a bit offset (Redis's getBitOffsetFromArgument): non-negative and addressing a byte
 * below proto-max-bulk-len. With `fieldBits` > 0 (BITFIELD), "#n" means n * fieldBits.
 */
export function bitOffsetOrReply(c: Client, arg: string, fieldBits = 0): number | null {
  const hash = fieldBits > 0 && arg.charCodeAt(0) === 35; /* # */
  const text = hash ? arg.slice(1) : arg;
  let offset = parseLong(text);
  if (offset !== null && hash) {
    offset *= fieldBits;
    // Redis multiplies in 64 bits: recompute exactly (wrapping) when a double cannot.
    if (!Number.isSafeInteger(offset)) offset = Number(BigInt.asIntN(64, parseInt64(text)! * BigInt(fieldBits)));
  }
  if (offset === null || offset < 0 || Math.floor(offset / 8) >= c.server.limits.maxBulkLen) {
    c.reply.error(BIT_OFFSET_ERROR);
    return null;
  }
  return offset;
}

function setbit(c: Client, argv: string[]): void {
  const key = argv[1];
  const offset = bitOffsetOrReply(c, argv[2]);
  if (offset === null) return;
  const on = parseLong(argv[3]);
  if (on === null || (on !== 0 && on !== 1)) return c.reply.error('ERR bit is not an integer or out of range');
  const current = writeOfType<StringValue>(c, key, 'string');
  if (current === null) return;
  const byte = Math.floor(offset / 8);
  const grows = current === undefined || byte >= stringLength(current);
  const old = current === undefined ? 0 : bitOfValue(current, offset);
  // Like Redis 7.0.15, a SETBIT that changes nothing is not a write (no event, not propagated).
  if (grows || old !== on) {
    const edited = toMutable(current);
    edited.ensureLength(byte + 1);
    const mask = 1 << (7 - (offset % 8));
    edited.buf[byte] = on ? edited.buf[byte] | mask : edited.buf[byte] & ~mask;
    storeEdited(c, key, current, edited);
    c.server.notify('$', 'setbit', key, c.db.id);
  }
  c.reply.integer(old);
}

/** The bit at `offset` of a string value (0 past its end), without copying it. */
function bitOfValue(v: StringValue, offset: number): 0 | 1 {
  if (v instanceof MutableString) return bitAt(v.bytes(), offset);
  const text = typeof v === 'number' ? String(v) : v;
  const byte = Math.floor(offset / 8);
  return byte < text.length ? (((text.charCodeAt(byte) >> (7 - (offset % 8))) & 1) as 0 | 1) : 0;
}

function getbit(c: Client, argv: string[]): void {
  const offset = bitOffsetOrReply(c, argv[2]);
  if (offset === null) return;
  const v = readString(c, argv[1]);
  if (v === null) return;
  c.reply.integer(v === undefined ? 0 : bitOfValue(v, offset));
}

/** A start/end range in bytes or bits, resolved against a length as Redis does it. */
function resolveRange(start: number, end: number, total: number): [number, number] {
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  return [start, end];
}

/** Parses an optional BYTE|BIT argument; undefined means BYTE. Null after a syntax error. */
function unitIsBitOrReply(c: Client, arg: string | undefined): boolean | null {
  if (arg === undefined || isOption(optionName(arg), 'BYTE')) return false;
  if (isOption(optionName(arg), 'BIT')) return true;
  c.reply.error(Errors.syntax);
  return null;
}

function bitcount(c: Client, argv: string[]): void {
  // Redis 7.0 looks the key up before validating the range arguments.
  const v = readString(c, argv[1]);
  if (v === null) return;
  if (v === undefined) return c.reply.integer(0);
  const bytes = bytesOf(v);
  if (argv.length === 2) return c.reply.integer(bytes.length === 0 ? 0 : countBits(bytes, 0, bytes.length * 8 - 1));
  if (argv.length === 3 || argv.length > 5) return c.reply.error(Errors.syntax);
  const start = parseLong(argv[2]);
  const end = parseLong(argv[3]);
  if (start === null || end === null) return c.reply.error(Errors.notInteger);
  if (start < 0 && end < 0 && start > end) return c.reply.integer(0);
  const isBit = unitIsBitOrReply(c, argv[4]);
  if (isBit === null) return;
  const [first, last] = resolveRange(start, end, isBit ? bytes.length * 8 : bytes.length);
  if (first > last) return c.reply.integer(0);
  c.reply.integer(isBit ? countBits(bytes, first, last) : countBits(bytes, first * 8, last * 8 + 7));
}

function bitpos(c: Client, argv: string[]): void {
  const bit = parseLong(argv[2]);
  if (bit === null) return c.reply.error(Errors.notInteger);
  if (bit !== 0 && bit !== 1) return c.reply.error('ERR The bit argument must be 1 or 0.');
  const v = readString(c, argv[1]);
  if (v === null) return;
  // A missing key is an infinite run of zeros.
  if (v === undefined) return c.reply.integer(bit === 1 ? -1 : 0);
  if (argv.length > 6) return c.reply.error(Errors.syntax);
  const bytes = bytesOf(v);
  let start = 0;
  let end = bytes.length - 1;
  let isBit: boolean | null = false;
  const endGiven = argv.length >= 5;
  if (argv.length >= 4) {
    const s = parseLong(argv[3]);
    if (s === null) return c.reply.error(Errors.notInteger);
    isBit = unitIsBitOrReply(c, argv[5]);
    if (isBit === null) return;
    let e = isBit ? bytes.length * 8 - 1 : bytes.length - 1;
    if (endGiven) {
      const parsed = parseLong(argv[4]);
      if (parsed === null) return c.reply.error(Errors.notInteger);
      e = parsed;
    }
    [start, end] = resolveRange(s, e, isBit ? bytes.length * 8 : bytes.length);
  }
  if (start > end) return c.reply.integer(-1);
  const firstBit = isBit ? start : start * 8;
  const lastBit = isBit ? end : end * 8 + 7;
  const pos = findBit(bytes, bit, firstBit, lastBit);
  if (pos !== -1 || bit === 1 || endGiven) return c.reply.integer(pos);
  // Looking for a clear bit without an explicit end: the string is taken as zero padded.
  c.reply.integer(lastBit + 1);
}

const BITOPS = new Map<string, BitOp>([['and', 'and'], ['or', 'or'], ['xor', 'xor'], ['not', 'not']]);

function bitop(c: Client, argv: string[]): void {
  const name = optionName(argv[1]);
  const op = name.length <= 3 ? BITOPS.get(name.toLowerCase()) : undefined;
  if (op === undefined) return c.reply.error(Errors.syntax);
  if (op === 'not' && argv.length !== 4) return c.reply.error('ERR BITOP NOT must be called with a single source key.');
  const target = argv[2];
  const sources: Uint8Array[] = [];
  for (let j = 3; j < argv.length; j++) {
    const v = readString(c, argv[j]);
    if (v === null) return;
    sources.push(bytesOf(v));
  }
  const result = computeBitop(op, sources);
  const db = c.db;
  if (result.length > 0) {
    db.set(target, new MutableString(result));
    c.server.notify('$', 'set', target, db.id);
  } else if (db.delete(target)) {
    c.server.notify('g', 'del', target, db.id);
  }
  c.reply.integer(result.length);
}

const OVERFLOW_MODES = new Map<string, OverflowMode>([['wrap', 'wrap'], ['sat', 'sat'], ['fail', 'fail']]);

/** Parses BITFIELD's subcommands; null after replying an error. */
function parseBitfieldOpsOrReply(c: Client, argv: string[]): BitfieldOp[] | null {
  const ops: BitfieldOp[] = [];
  let overflow: OverflowMode = 'wrap';
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const name = optionName(argv[j]);
    let opcode: BitfieldOp['opcode'];
    if (isOption(name, 'GET') && remaining >= 2) opcode = 'get';
    else if (isOption(name, 'SET') && remaining >= 3) opcode = 'set';
    else if (isOption(name, 'INCRBY') && remaining >= 3) opcode = 'incrby';
    else if (isOption(name, 'OVERFLOW') && remaining >= 1) {
      const modeName = optionName(argv[++j]);
      const mode = modeName.length <= 4 ? OVERFLOW_MODES.get(modeName.toLowerCase()) : undefined;
      if (mode === undefined) {
        c.reply.error('ERR Invalid OVERFLOW type specified');
        return null;
      }
      overflow = mode;
      continue;
    } else {
      c.reply.error(Errors.syntax);
      return null;
    }
    const type = parseBitfieldType(argv[j + 1]);
    if (type === null) {
      c.reply.error('ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.');
      return null;
    }
    const offset = bitOffsetOrReply(c, argv[j + 2], type.bits);
    if (offset === null) return null;
    let value = 0n;
    if (opcode !== 'get') {
      const parsed = parseInt64(argv[j + 3]);
      if (parsed === null) {
        c.reply.error(Errors.notInteger);
        return null;
      }
      value = parsed;
    }
    ops.push({ opcode, type, offset, value, overflow });
    j += opcode === 'get' ? 2 : 3;
  }
  return ops;
}

/**
 * Runs the operations on the bytes and replies their results; returns how many writes changed
 * something (every successful write counts when the string grew, as in Redis).
 */
function runBitfieldOps(c: Client, bytes: Buffer, ops: BitfieldOp[], grew: boolean): number {
  let changes = 0;
  c.reply.array(ops.length);
  for (const op of ops) {
    const { signed, bits } = op.type;
    if (op.opcode === 'get') {
      c.reply.integer(signed ? getSigned(bytes, op.offset, bits) : getUnsigned(bytes, op.offset, bits));
      continue;
    }
    const write = planWrite(bytes, op);
    if (write.reply === null) {
      c.reply.nullBulk();
      continue;
    }
    c.reply.integer(write.reply);
    setBits(bytes, op.offset, bits, write.newValue);
    if (grew || write.oldValue !== write.newValue) changes++;
  }
  return changes;
}

function bitfieldGeneric(c: Client, argv: string[], readOnlyCommand: boolean): void {
  const key = argv[1];
  const ops = parseBitfieldOpsOrReply(c, argv);
  if (ops === null) return;
  let highestBit = -1;
  for (const op of ops) if (op.opcode !== 'get') highestBit = Math.max(highestBit, op.offset + op.type.bits - 1);
  if (highestBit < 0) {
    const current = readString(c, key);
    if (current !== null) runBitfieldOps(c, bytesOf(current), ops, false);
    return;
  }
  if (readOnlyCommand) return c.reply.error('ERR BITFIELD_RO only supports the GET subcommand');
  const current = writeOfType<StringValue>(c, key, 'string');
  if (current === null) return;
  // Like Redis, make room for the farthest bit written before running the operations.
  const needed = Math.floor(highestBit / 8) + 1;
  const grew = current === undefined || stringLength(current) < needed;
  const target = toMutable(current);
  target.ensureLength(needed);
  const changes = runBitfieldOps(c, target.bytes(), ops, grew);
  if (changes > 0) {
    storeEdited(c, key, current, target);
    c.server.notify('$', 'setbit', key, c.db.id);
  } else if (grew && target !== current) {
    // Redis keeps the padded string even when every write failed (it is just not a change).
    storeEdited(c, key, current, target);
  }
}

export const bitmapCommands: CommandGroup = {
  group: 'bitmap',
  handlers: {
    setbit,
    getbit,
    bitcount,
    bitpos,
    bitop,
    bitfield: (c, argv) => bitfieldGeneric(c, argv, false),
    bitfield_ro: (c, argv) => bitfieldGeneric(c, argv, true),
  },
};
