/**
 * FUNCTION DUMP / RESTORE payloads (functions.c): each library as an RDB_OPCODE_FUNCTION2 record
 * (the opcode and the library code as an RDB string, LZF-compressed when rdbcompression is on),
 * then the RDB version (2 bytes, little endian) and the CRC-64 of everything before it, as a key's
 * DUMP payload ends. The records are the ones an RDB file holds before its databases.
 */
import { RdbWriter } from '../persistence/rdb/writer';
import { RdbInput } from '../persistence/rdb/rdb-input';
import { RDB_VERSION, RdbOpcode } from '../persistence/rdb/rdb-constants';
import { Crc64 } from '../persistence/rdb/crc64';
import { FunctionError } from './functions-library';

/** The payload of FUNCTION DUMP for libraries with these codes. */
export function dumpFunctions(codes: readonly string[], compression: boolean): Buffer {
  const chunks: Buffer[] = [];
  const writer = new RdbWriter((chunk) => chunks.push(chunk), { compression, checksum: false });
  codes.forEach((code, i) => writer.functionLibrary(code, i === codes.length - 1));
  const body = Buffer.concat([...chunks, Buffer.from([RDB_VERSION & 0xff, RDB_VERSION >> 8])]);
  return Buffer.concat([body, new Crc64().update(body).toBuffer()]);
}

/** verifyDumpPayload: the 10-byte footer, a version Nodis reads, a matching CRC. */
export function functionPayloadValid(payload: Buffer): boolean {
  if (payload.length < 10) return false;
  const footer = payload.length - 10;
  const version = payload[footer] | (payload[footer + 1] << 8);
  if (version > RDB_VERSION) return false;
  return new Crc64().update(payload, 0, payload.length - 8).matches(payload, payload.length - 8);
}

/**
 * The code of a library record of the given opcode, the opcode already read (rdbFunctionLoad).
 * Redis 7.0 release candidates wrote RDB_OPCODE_FUNCTION: the library name, engine and an
 * optional description before a code without metadata line; 7.0 reads it and puts the
 * `#!<engine> name=<name>` line in front (the description is dropped). A part that cannot be
 * read throws FunctionError with Redis's text, or the input's own error without `explainErrors`.
 */
export function readLibraryRecord(input: RdbInput, type: number, explainErrors = true): string {
  const part = <T>(read: () => T, what: string): T => {
    if (!explainErrors) return read();
    try {
      return read();
    } catch {
      throw new FunctionError(`Failed loading ${what}`);
    }
  };
  let metadataLine = '';
  if (type === RdbOpcode.Function) {
    const name = part(() => input.string(), 'library name');
    const engine = part(() => input.string(), 'engine name');
    const hasDescription = part(() => input.length(), 'library description indicator');
    if (hasDescription) part(() => input.string(), 'library description');
    metadataLine = `#!${engine} name=${name}\n`;
  }
  return metadataLine + part(() => input.string(), 'library payload');
}

/**
 * The library codes a valid payload holds. Throws FunctionError with Redis's text for a record
 * that is not a function ("given type is not a function") or that cannot be read.
 */
export function readFunctionPayload(payload: Buffer): string[] {
  // As Redis reads the payload, a record may run into the 10-byte footer; reading stops once
  // no more than the footer is left.
  const input = new RdbInput(payload, 0);
  const codes: string[] = [];
  while (payload.length - input.pos > 10) {
    const type = input.byte();
    if (type !== RdbOpcode.Function && type !== RdbOpcode.Function2) throw new FunctionError('given type is not a function');
    codes.push(readLibraryRecord(input, type));
  }
  return codes;
}
