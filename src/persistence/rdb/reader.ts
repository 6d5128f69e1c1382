/**
 * Parses an RDB file of version 1 to 10 (rdbLoadRio): the "REDISnnnn" magic, then opcodes and
 * key-value pairs up to EOF, then (version 5 and up) the CRC-64 of everything before it.
 *
 * The reader only decodes; what happens with each database, key and AUX field is up to the
 * RdbVisitor (rdb-file.ts loads into a server's keyspace). Errors are RdbFormatErrors with the
 * offset where the file went wrong.
 */
import { RdbInput, RdbFormatError, type RdbByteSource } from './rdb-input';
import { RDB_VERSION, RdbOpcode } from './rdb-constants';
import { isObjectType, readObject, type LoadLimits } from './value-loader';
import type { RedisValue } from '../../keyspace/value';
import { readLibraryRecord } from '../../scripting/functions-payload';

export { RdbFormatError } from './rdb-input';

/** Thrown by a visitor that refuses what it was given; reported at the offset of that item. */
export class RdbRejected extends Error {}

/** A visitor's RdbRejected as an RdbFormatError at `at`; other errors as they are. */
function rejectedAt(e: unknown, at: number): unknown {
  return e instanceof RdbRejected ? new RdbFormatError(e.message, at) : e;
}

/** Receives what the file holds, in file order. */
export interface RdbVisitor {
  aux?(name: string, value: string): void;
  /** SELECTDB. */
  selectDb(dbId: number): void;
  /** RESIZEDB: how many keys (and keys with a TTL) follow for the current database. */
  resizeDb?(keyCount: number, expiresCount: number): void;
  /**
   * One key. `expireAtMs` is undefined without a TTL; lruIdleSeconds / lfuFreq are -1 when the
   * file has none. `value` is null for an empty collection (Redis skips such keys).
   */
  entry(key: string, value: RedisValue | null, expireAtMs: number | undefined, lruIdleSeconds: number, lfuFreq: number): void;
  /** A FUNCTION2 opcode: a library's code. Without this, a file with functions is refused. */
  functionLibrary?(code: string): void;
}

export interface RdbReadOptions {
  limits: LoadLimits;
  /** Verify the CRC-64 at the end (rdbchecksum); a zero CRC means "saved without one". */
  verifyChecksum: boolean;
}

export interface RdbReadResult {
  version: number;
  /** Offset just past the file (past the checksum): where an AOF tail starts after a preamble. */
  end: number;
  /** False when the file carried a zero checksum (saved with rdbchecksum no) or none (< v5). */
  checksumVerified: boolean;
}

/** Reads the RDB data that starts at `start` in `data`, handing its contents to `visitor`. */
export function readRdb(data: Buffer, visitor: RdbVisitor, options: RdbReadOptions, start = 0): RdbReadResult {
  return readRdbInput(new RdbInput(data, start), visitor, options);
}

/**
 * Reads the RDB data of a file of `size` bytes through `source`, from offset `start`, holding
 * only a window of it in memory (`windowBytes`, grown when one item is larger).
 */
export function readRdbSource(
  source: RdbByteSource,
  size: number,
  visitor: RdbVisitor,
  options: RdbReadOptions,
  start = 0,
  windowBytes?: number,
): RdbReadResult {
  return readRdbInput(RdbInput.fromSource(source, size, start, windowBytes), visitor, options);
}

function readRdbInput(input: RdbInput, visitor: RdbVisitor, options: RdbReadOptions): RdbReadResult {
  const start = input.pos;
  if (options.verifyChecksum) input.startCrc();
  input.need(9);
  if (input.text(5) !== 'REDIS') {
    throw new RdbFormatError('Wrong signature trying to load DB from file', start);
  }
  const versionText = input.text(4);
  const version = /^[0-9]{4}$/.test(versionText) ? Number(versionText) : NaN;
  if (!(version >= 1 && version <= RDB_VERSION)) {
    throw new RdbFormatError(`Can't handle RDB format version ${versionText}`, start + 5);
  }

  let expireAtMs: number | undefined;
  let lruIdle = -1;
  let lfuFreq = -1;
  for (;;) {
    const at = input.pos;
    const type = input.byte();
    switch (type) {
      case RdbOpcode.ExpireTime:
        expireAtMs = input.int32() * 1000;
        continue;
      case RdbOpcode.ExpireTimeMs:
        expireAtMs = input.int64();
        continue;
      case RdbOpcode.Freq:
        lfuFreq = input.byte();
        continue;
      case RdbOpcode.Idle:
        lruIdle = input.length();
        continue;
      case RdbOpcode.SelectDb: {
        const dbId = input.length();
        try {
          visitor.selectDb(dbId);
        } catch (e) {
          throw rejectedAt(e, at);
        }
        continue;
      }
      case RdbOpcode.ResizeDb: {
        const keys = input.length();
        const expires = input.length();
        visitor.resizeDb?.(keys, expires);
        continue;
      }
      case RdbOpcode.Aux: {
        const name = input.string();
        const value = input.string();
        visitor.aux?.(name, value);
        continue;
      }
      case RdbOpcode.ModuleAux:
        throw input.corrupt('The RDB file contains module data, which Nodis cannot load', at);
      case RdbOpcode.Function:
      case RdbOpcode.Function2: {
        // RDB_OPCODE_FUNCTION (7.0 release candidates) is read as Redis 7.0 reads it.
        const code = readLibraryRecord(input, type, false);
        if (!visitor.functionLibrary) throw input.corrupt('The RDB file contains functions, which Nodis cannot load yet', at);
        try {
          visitor.functionLibrary(code);
        } catch (e) {
          throw rejectedAt(e, at);
        }
        continue;
      }
      case RdbOpcode.Eof:
        break;
      default:
        if (!isObjectType(type)) throw input.corrupt(`Unknown RDB encoding type ${type}`, at);
        const key = input.string();
        const value = readObject(input, type, options.limits);
        try {
          visitor.entry(key, value, expireAtMs, lruIdle, lfuFreq);
        } catch (e) {
          throw rejectedAt(e, at);
        }
        expireAtMs = undefined;
        lruIdle = -1;
        lfuFreq = -1;
        continue;
    }
    break;
  }

  let checksumVerified = false;
  if (version >= 5) {
    const at = input.pos;
    const crc = options.verifyChecksum ? input.crcUpTo(at) : null;
    const stored = input.uint64LE();
    if (crc !== null && stored !== 0n) {
      if (!input.crcMatchesAt(crc, at)) {
        throw new RdbFormatError(
          `Wrong RDB checksum expected: (${crc.value().toString(16)}) got: (${stored.toString(16)})`,
          at,
        );
      }
      checksumVerified = true;
    }
  }
  return { version, end: input.pos, checksumVerified };
}
