/**
 * The "hashtable" encoding of sets and hashes: an index from member to slot (a SplitMap), with
 * the members (and the values, for hashes) in dense arrays (ChunkedArrays). Neither ever copies
 * or rehashes all of a large collection at once (see split-map.ts and chunked-array.ts).
 * Deleting moves the last slot into the hole, so the arrays stay dense: a random slot is a
 * uniformly random member (SRANDMEMBER, SPOP and HRANDFIELD in O(1), where a plain Map would need
 * a walk).
 *
 * SCAN walks the slots from the top down. A delete only ever moves the top entry into a lower
 * hole, so an entry present for the whole scan is never missed (it may come twice, which SCAN
 * allows); entries added during the scan land above the cursor and may be missed, also allowed.
 *
 * Memory: the index and the arrays are priced from the size (memory/sizes); only the strings'
 * bytes are counted as they come and go.
 */
import { objectBytes, stringBytes } from '../memory/sizes';
import { ChunkedArray } from './chunked-array';
import { SplitMap } from './split-map';

/**
 * One SCAN step over `size` dense slots: visits about `count` slots, from the top down, and
 * returns the next cursor (0 when done). A cursor is the next slot to visit plus one; 0 starts
 * at the top.
 */
export function scanSlots(size: number, cursor: number, count: number, visit: (slot: number) => void): number {
  let next = cursor === 0 || cursor > size ? size - 1 : cursor - 1;
  for (let visited = 0; next >= 0 && visited < count; visited++, next--) visit(next);
  return next >= 0 ? next + 1 : 0;
}

/** Members of a hashtable-encoded set. */
export class DenseSet {
  private readonly slots = new SplitMap<number>();
  private readonly members = new ChunkedArray<string>();
  /** Heap bytes of the member strings. */
  private textBytes = 0;

  get size(): number {
    return this.members.length;
  }

  /** Estimated heap bytes: this object (3 fields), the index, the array and the strings. */
  memoryUsage(): number {
    return objectBytes(3) + this.slots.bytes() + this.members.bytes() + this.textBytes;
  }

  has(member: string): boolean {
    return this.slots.has(member);
  }

  /** Adds a member; false when it was already there. */
  add(member: string): boolean {
    const slots = this.slots;
    if (slots.has(member)) return false;
    slots.set(member, this.members.length);
    this.members.push(member);
    this.textBytes += stringBytes(member.length);
    return true;
  }

  /** Removes a member; false when it was not there. */
  delete(member: string): boolean {
    const slot = this.slots.get(member);
    if (slot === undefined) return false;
    const members = this.members;
    const moved = members.pop();
    if (slot !== members.length) {
      members.set(slot, moved);
      this.slots.set(moved, slot);
    }
    this.slots.delete(member);
    this.textBytes -= stringBytes(member.length);
    return true;
  }

  /** The member in slot i (0 <= i < size). */
  at(i: number): string {
    return this.members.at(i);
  }

  /** Every member, in slot order (a copy). */
  toArray(): string[] {
    return this.members.toArray();
  }

  clone(): DenseSet {
    const copy = new DenseSet();
    for (let i = 0; i < this.members.length; i++) copy.add(this.members.at(i));
    return copy;
  }
}

/** Fields and values of a hashtable-encoded hash. */
export class DenseMap {
  private readonly slots = new SplitMap<number>();
  private readonly fields = new ChunkedArray<string>();
  private readonly vals = new ChunkedArray<string>();
  /** Heap bytes of the field and value strings. */
  private textBytes = 0;

  get size(): number {
    return this.fields.length;
  }

  /** Estimated heap bytes: this object (4 fields), the index, the two arrays and the strings. */
  memoryUsage(): number {
    return objectBytes(4) + this.slots.bytes() + this.fields.bytes() + this.vals.bytes() + this.textBytes;
  }

  has(field: string): boolean {
    return this.slots.has(field);
  }

  get(field: string): string | undefined {
    const slot = this.slots.get(field);
    return slot === undefined ? undefined : this.vals.at(slot);
  }

  /** Sets a field's value; true when the field is new. */
  set(field: string, value: string): boolean {
    const slot = this.slots.get(field);
    if (slot !== undefined) {
      this.textBytes += stringBytes(value.length) - stringBytes(this.vals.at(slot).length);
      this.vals.set(slot, value);
      return false;
    }
    this.slots.set(field, this.fields.length);
    this.fields.push(field);
    this.vals.push(value);
    this.textBytes += stringBytes(field.length) + stringBytes(value.length);
    return true;
  }

  /** Removes a field; false when it was not there. */
  delete(field: string): boolean {
    const slot = this.slots.get(field);
    if (slot === undefined) return false;
    this.textBytes -= stringBytes(field.length) + stringBytes(this.vals.at(slot).length);
    const movedField = this.fields.pop();
    const movedValue = this.vals.pop();
    if (slot !== this.fields.length) {
      this.fields.set(slot, movedField);
      this.vals.set(slot, movedValue);
      this.slots.set(movedField, slot);
    }
    this.slots.delete(field);
    return true;
  }

  fieldAt(i: number): string {
    return this.fields.at(i);
  }

  valueAt(i: number): string {
    return this.vals.at(i);
  }

  clone(): DenseMap {
    const copy = new DenseMap();
    for (let i = 0; i < this.fields.length; i++) copy.set(this.fields.at(i), this.vals.at(i));
    return copy;
  }
}
