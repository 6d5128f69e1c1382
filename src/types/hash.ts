/**
 * The hash type, with Redis 7.0's two encodings: "listpack" while there are at most
 * hash-max-listpack-entries fields and every field and value is at most hash-max-listpack-value
 * bytes long, then "hashtable" (DenseMap) for good.
 *
 * The listpack is one flat array [f1, v1, f2, v2, ...] in Redis's listpack order: a new field is
 * appended, and setting an existing field keeps its place, so HGETALL on a small hash answers in
 * the same order as Redis. Lookups scan it linearly, as Redis does.
 *
 * Memory: the listpack array is priced from its length, its strings counted as they come and go;
 * the hashtable keeps its own count.
 */
import type { CollectionValue } from '../keyspace/value';
import { arrayBytes, exactArrayBytes, objectBytes, stringBytes } from '../memory/sizes';
import { DenseMap, scanSlots } from './dense-table';

/** Heap bytes of a HashValue object (5 fields). */
const HASH_BYTES = objectBytes(5);

export class HashValue implements CollectionValue {
  readonly type = 'hash' as const;
  /** The listpack encoding, or null once converted. */
  private pairs: string[] | null = [];
  /** The hashtable encoding, or null while the hash is a listpack. */
  private table: DenseMap | null = null;
  /** Heap bytes of the listpack's strings (0 once converted). */
  private textBytes = 0;
  /** Whether the listpack array has had no room to spare since it was copied (no field added since). */
  private exact = false;

  encoding(): string {
    return this.pairs !== null ? 'listpack' : 'hashtable';
  }

  memoryUsage(): number {
    const pairs = this.pairs;
    if (pairs === null) return HASH_BYTES + this.table!.memoryUsage();
    return HASH_BYTES + (this.exact ? exactArrayBytes(pairs.length) : arrayBytes(pairs.length)) + this.textBytes;
  }

  get size(): number {
    return this.pairs !== null ? this.pairs.length >>> 1 : this.table!.size;
  }

  /** Index of the field in the listpack array, or -1. */
  private indexOf(field: string): number {
    const pairs = this.pairs!;
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === field) return i;
    return -1;
  }

  get(field: string): string | undefined {
    if (this.pairs === null) return this.table!.get(field);
    const i = this.indexOf(field);
    return i < 0 ? undefined : this.pairs[i + 1];
  }

  has(field: string): boolean {
    return this.pairs === null ? this.table!.has(field) : this.indexOf(field) >= 0;
  }

  /**
   * Sets a field; true when the field is new. A listpack becomes a hashtable when the field or
   * the value is longer than maxValue bytes (checked first, as Redis does before inserting),
   * or when it grows past maxEntries fields.
   */
  set(field: string, value: string, maxEntries: number, maxValue: number): boolean {
    const pairs = this.pairs;
    if (pairs === null) return this.table!.set(field, value);
    if (field.length > maxValue || value.length > maxValue) {
      this.convertToTable();
      return this.table!.set(field, value);
    }
    const i = this.indexOf(field);
    if (i >= 0) {
      this.textBytes += stringBytes(value.length) - stringBytes(pairs[i + 1].length);
      pairs[i + 1] = value;
      return false;
    }
    pairs.push(field, value);
    this.exact = false;
    this.textBytes += stringBytes(field.length) + stringBytes(value.length);
    if (pairs.length >>> 1 > maxEntries) this.convertToTable();
    return true;
  }

  /** Removes a field; false when it was not there. Never changes the encoding. */
  delete(field: string): boolean {
    if (this.pairs === null) return this.table!.delete(field);
    const i = this.indexOf(field);
    if (i < 0) return false;
    this.textBytes -= stringBytes(field.length) + stringBytes(this.pairs[i + 1].length);
    this.pairs.splice(i, 2);
    return true;
  }

  /** The field of the i-th entry in iteration order (0 <= i < size). */
  fieldAt(i: number): string {
    return this.pairs !== null ? this.pairs[2 * i] : this.table!.fieldAt(i);
  }

  /** The value of the i-th entry in iteration order. */
  valueAt(i: number): string {
    return this.pairs !== null ? this.pairs[2 * i + 1] : this.table!.valueAt(i);
  }

  /**
   * One HSCAN step: a listpack is returned whole with cursor 0 (as Redis does, ignoring COUNT);
   * a hashtable visits about `count` fields.
   */
  scan(cursor: number, count: number, visit: (field: string, value: string) => void): number {
    const pairs = this.pairs;
    if (pairs !== null) {
      for (let i = 0; i < pairs.length; i += 2) visit(pairs[i], pairs[i + 1]);
      return 0;
    }
    const table = this.table!;
    return scanSlots(table.size, cursor, count, (slot) => visit(table.fieldAt(slot), table.valueAt(slot)));
  }

  clone(): HashValue {
    const copy = new HashValue();
    copy.pairs = this.pairs === null ? null : this.pairs.slice();
    copy.table = this.table === null ? null : this.table.clone();
    copy.textBytes = this.textBytes;
    copy.exact = true;
    return copy;
  }

  private convertToTable(): void {
    const pairs = this.pairs!;
    const table = new DenseMap();
    for (let i = 0; i < pairs.length; i += 2) table.set(pairs[i], pairs[i + 1]);
    this.table = table;
    this.pairs = null;
    this.textBytes = 0;
  }
}
