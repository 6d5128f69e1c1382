/**
 * The hash type, with Redis 7.0's two encodings: "listpack" while there are at most
 * hash-max-listpack-entries fields and every field and value is at most hash-max-listpack-value
 * bytes long, then "hashtable" (DenseMap) for good.
 *
 * The listpack is one packed string of entries [f1, v1, f2, v2, ...] (packed-entries.ts) in
 * Redis's listpack order: a new field is appended, and setting an existing field keeps its place,
 * so HGETALL on a small hash answers in the same order as Redis. Lookups scan it linearly, as
 * Redis does, comparing in place.
 *
 * Memory: the listpack is its one string; the hashtable keeps its own count.
 */
import type { CollectionValue } from '../keyspace/value';
import { objectBytes } from '../memory/sizes';
import { DenseMap, scanSlots } from './dense-table';
import {
  EntryCursor,
  entryAt,
  findEntry,
  insertEntries,
  packedBytes,
  readEntry,
  removeEntries,
  replaceEntry,
  skipEntry,
} from './packed-entries';

/** Heap bytes of a HashValue object (3 fields; `type` lives on the prototype). */
const HASH_BYTES = objectBytes(3);

export class HashValue implements CollectionValue {
  get type(): 'hash' {
    return 'hash';
  }
  /** The listpack encoding: fields and values packed in one string, or null once converted. */
  private packed: string | null = '';
  /** The hashtable encoding, or null while the hash is a listpack. */
  private table: DenseMap | null = null;
  /** Fields in the listpack (0 once converted). */
  private fields = 0;

  encoding(): string {
    return this.packed !== null ? 'listpack' : 'hashtable';
  }

  memoryUsage(): number {
    const packed = this.packed;
    return HASH_BYTES + (packed !== null ? packedBytes(packed.length) : this.table!.memoryUsage());
  }

  get size(): number {
    return this.packed !== null ? this.fields : this.table!.size;
  }

  get(field: string): string | undefined {
    const packed = this.packed;
    if (packed === null) return this.table!.get(field);
    const at = findEntry(packed, field, 2);
    return at < 0 ? undefined : readEntry(packed, skipEntry(packed, at));
  }

  has(field: string): boolean {
    return this.packed === null ? this.table!.has(field) : findEntry(this.packed, field, 2) >= 0;
  }

  /**
   * Sets a field; true when the field is new. A listpack becomes a hashtable when the field or
   * the value is longer than maxValue bytes (checked first, as Redis does before inserting),
   * or when it grows past maxEntries fields.
   */
  set(field: string, value: string, maxEntries: number, maxValue: number): boolean {
    const packed = this.packed;
    if (packed === null) return this.table!.set(field, value);
    if (field.length > maxValue || value.length > maxValue) {
      this.convertToTable();
      return this.table!.set(field, value);
    }
    const at = findEntry(packed, field, 2);
    if (at >= 0) {
      this.packed = replaceEntry(packed, skipEntry(packed, at), value);
      return false;
    }
    if (this.fields + 1 > maxEntries) {
      // Redis appends, then converts: the new field goes last in the table either way.
      this.convertToTable();
      return this.table!.set(field, value);
    }
    this.packed = insertEntries(packed, packed.length, field, value);
    this.fields++;
    return true;
  }

  /** Removes a field; false when it was not there. Never changes the encoding. */
  delete(field: string): boolean {
    const packed = this.packed;
    if (packed === null) return this.table!.delete(field);
    const at = findEntry(packed, field, 2);
    if (at < 0) return false;
    this.packed = removeEntries(packed, at, 2);
    this.fields--;
    return true;
  }

  /** The field of the i-th entry in iteration order (0 <= i < size); O(1) when read in order. */
  fieldAt(i: number): string {
    return this.packed !== null ? entryAt(this.packed, 2 * i) : this.table!.fieldAt(i);
  }

  /** The value of the i-th entry in iteration order. */
  valueAt(i: number): string {
    return this.packed !== null ? entryAt(this.packed, 2 * i + 1) : this.table!.valueAt(i);
  }

  /** Every field and value in iteration order. */
  forEach(visit: (field: string, value: string) => void): void {
    const packed = this.packed;
    if (packed === null) {
      const table = this.table!;
      for (let i = 0; i < table.size; i++) visit(table.fieldAt(i), table.valueAt(i));
      return;
    }
    const cursor = new EntryCursor(packed);
    while (cursor.next()) {
      const field = cursor.value();
      cursor.next();
      visit(field, cursor.value());
    }
  }

  /**
   * One HSCAN step: a listpack is returned whole with cursor 0 (as Redis does, ignoring COUNT);
   * a hashtable visits about `count` fields.
   */
  scan(cursor: number, count: number, visit: (field: string, value: string) => void): number {
    if (this.packed !== null) {
      this.forEach(visit);
      return 0;
    }
    const table = this.table!;
    return scanSlots(table.size, cursor, count, (slot) => visit(table.fieldAt(slot), table.valueAt(slot)));
  }

  /** A copy; a listpack shares its string, which is never changed in place. */
  clone(): HashValue {
    const copy = new HashValue();
    copy.packed = this.packed;
    copy.table = this.table === null ? null : this.table.clone();
    copy.fields = this.fields;
    return copy;
  }

  private convertToTable(): void {
    const table = new DenseMap();
    this.forEach((field, value) => table.set(field, value));
    this.table = table;
    this.packed = null;
    this.fields = 0;
  }
}
