/**
 * Helpers the string and bitmap commands share: reading a string value's bytes, and editing a
 * value in place as a MutableString (Redis's dbUnshareStringValue: the edited value becomes
 * "raw" and keeps its TTL).
 */
import type { Client } from '../../server/client';
import { MutableString } from '../../types/mutable-string';
import { stringOf, type StringValue } from '../../keyspace/value';

export const STRING_TOO_LONG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';

/**
 * An option name as Redis compares it: as a C string, so a NUL byte ends it ("nx\0junk" is NX).
 */
export function optionName(arg: string): string {
  const nul = arg.indexOf('\0');
  return nul === -1 ? arg : arg.slice(0, nul);
}

/** Replies the proto-max-bulk-len error when a string would grow past it (Redis's checkStringLength). */
export function checkStringLengthOrReply(c: Client, size: number): boolean {
  if (size > c.server.limits.maxBulkLen) {
    c.reply.error(STRING_TOO_LONG);
    return false;
  }
  return true;
}

const EMPTY = Buffer.alloc(0);

/** The bytes of a string value for reading (a view for raw values: do not keep it). */
export function bytesOf(v: StringValue | undefined): Buffer {
  if (v === undefined) return EMPTY;
  if (v instanceof MutableString) return v.bytes();
  return Buffer.from(typeof v === 'number' ? String(v) : v, 'latin1');
}

/** The value as a MutableString to edit: the stored one itself, or a new copy of a plain value. */
export function toMutable(current: StringValue | undefined): MutableString {
  if (current instanceof MutableString) return current;
  return new MutableString(current === undefined ? '' : stringOf(current));
}

/**
 * Records an edit made on toMutable's result: an in-place change of the stored raw value, or
 * the new raw value stored over the old one (keeping its TTL). The key must have been looked
 * up with lookupWrite/writeOfType.
 */
export function storeEdited(c: Client, key: string, current: StringValue | undefined, edited: MutableString): void {
  if (edited === current) c.db.modified(key);
  else c.db.set(key, edited, true);
}

/** Writes latin1 bytes at `offset`, growing (zero padded) as needed. */
export function writeAt(target: MutableString, offset: number, bytes: string): void {
  target.ensureLength(offset + bytes.length);
  target.buf.write(bytes, offset, 'latin1');
}
