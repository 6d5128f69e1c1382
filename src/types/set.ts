/**
 * The set type, with Redis 7.0's two encodings: "intset" (a sorted array of 64-bit integers)
 * while every member is the canonical text of an integer and there are at most
 * set-max-intset-entries of them, then "hashtable" (DenseSet) for good.
 *
 * Members are latin1 strings (one char per byte). Iteration follows the encoding: ascending
 * for an intset, as Redis replies; slot order for a hashtable (Redis's dict order cannot be
 * reproduced, and clients must not rely on it).
 */
import type { CollectionValue } from '../keyspace/value';
import { objectBytes } from '../memory/sizes';
import { DenseSet, scanSlots } from './dense-table';
import { IntSet, parseCanonicalInt64 } from './intset';

/** Redis caps set-max-intset-entries at 2^30 because of intset internals. */
const INTSET_HARD_LIMIT = 1 << 30;

export class SetValue implements CollectionValue {
  get type(): 'set' {
    return 'set';
  }
  /** The intset encoding, or null once converted. */
  private ints: IntSet | null = new IntSet();
  /** The hashtable encoding, or null while the set is an intset. */
  private table: DenseSet | null = null;

  encoding(): string {
    return this.ints !== null ? 'intset' : 'hashtable';
  }

  /** Estimated heap bytes: this object (2 fields) and the encoding's structure. */
  memoryUsage(): number {
    return objectBytes(2) + (this.ints !== null ? this.ints.memoryUsage() : this.table!.memoryUsage());
  }

  get isIntset(): boolean {
    return this.ints !== null;
  }

  get size(): number {
    return this.ints !== null ? this.ints.size : this.table!.size;
  }

  has(member: string): boolean {
    if (this.ints === null) return this.table!.has(member);
    const n = parseCanonicalInt64(member);
    return n !== null && this.ints.has(n);
  }

  /**
   * Adds a member; false when it was already there. An intset becomes a hashtable when the
   * member is not an integer or the set grows past maxIntsetEntries (set-max-intset-entries).
   */
  add(member: string, maxIntsetEntries: number): boolean {
    const ints = this.ints;
    if (ints !== null) {
      const n = parseCanonicalInt64(member);
      if (n !== null) {
        if (!ints.add(n)) return false;
        if (ints.size > Math.min(maxIntsetEntries, INTSET_HARD_LIMIT)) this.convertToTable();
        return true;
      }
      this.convertToTable();
    }
    return this.table!.add(member);
  }

  /** Removes a member; false when it was not there. Never changes the encoding. */
  remove(member: string): boolean {
    if (this.ints === null) return this.table!.delete(member);
    const n = parseCanonicalInt64(member);
    return n !== null && this.ints.remove(n);
  }

  /** The i-th member in iteration order (0 <= i < size). */
  at(i: number): string {
    return this.ints !== null ? String(this.ints.at(i)) : this.table!.at(i);
  }

  /** A uniformly random member; the set must not be empty. */
  random(random: () => number = Math.random): string {
    return this.at(Math.floor(random() * this.size));
  }

  /** Every member, in iteration order. */
  members(): string[] {
    if (this.ints === null) return this.table!.toArray();
    const values = this.ints.values();
    const out = new Array<string>(values.length);
    for (let i = 0; i < values.length; i++) out[i] = String(values[i]);
    return out;
  }

  /**
   * One SSCAN step: an intset is returned whole with cursor 0 (as Redis does for its compact
   * encodings, ignoring COUNT); a hashtable visits about `count` members.
   */
  scan(cursor: number, count: number, visit: (member: string) => void): number {
    if (this.ints !== null) {
      for (const n of this.ints.values()) visit(String(n));
      return 0;
    }
    const table = this.table!;
    return scanSlots(table.size, cursor, count, (slot) => visit(table.at(slot)));
  }

  clone(): SetValue {
    const copy = new SetValue();
    copy.ints = this.ints === null ? null : this.ints.clone();
    copy.table = this.table === null ? null : this.table.clone();
    return copy;
  }

  private convertToTable(): void {
    const table = new DenseSet();
    for (const n of this.ints!.values()) table.add(String(n));
    this.table = table;
    this.ints = null;
  }
}
