/**
 * The "hashtable" encoding of sets and hashes: a Map from member to slot, with the members (and
 * the values, for hashes) in dense arrays. Deleting moves the last slot into the hole, so the
 * arrays stay dense: a random slot is a uniformly random member (SRANDMEMBER, SPOP and HRANDFIELD
 * in O(1), where a plain Map would need a walk).
 *
 * SCAN walks the slots from the top down. A delete only ever moves the top entry into a lower
 * hole, so an entry present for the whole scan is never missed (it may come twice, which SCAN
 * allows); entries added during the scan land above the cursor and may be missed, also allowed.
 *
 * Memory: the Map and the arrays are priced from the size (memory/sizes); only the strings'
 * bytes are counted as they come and go.
 */
import { arrayBytes, mapBytes, objectBytes, stringBytes } from '../memory/sizes';

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
  private readonly slots = new Map<string, number>();
  private readonly members: string[] = [];
  /** Heap bytes of the member strings. */
  private textBytes = 0;

  get size(): number {
    return this.members.length;
  }

  /** Estimated heap bytes: this object (3 fields), the Map, the array and the strings. */
  memoryUsage(): number {
    const size = this.members.length;
    return objectBytes(3) + mapBytes(size) + arrayBytes(size) + this.textBytes;
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
    const last = members.length - 1;
    if (slot !== last) {
      const moved = members[last];
      members[slot] = moved;
      this.slots.set(moved, slot);
    }
    members.pop();
    this.slots.delete(member);
    this.textBytes -= stringBytes(member.length);
    return true;
  }

  /** The member in slot i (0 <= i < size). */
  at(i: number): string {
    return this.members[i];
  }

  /** Every member, in slot order (a live view: do not change it). */
  values(): readonly string[] {
    return this.members;
  }

  clone(): DenseSet {
    const copy = new DenseSet();
    for (const member of this.members) copy.add(member);
    return copy;
  }
}

/** Fields and values of a hashtable-encoded hash. */
export class DenseMap {
  private readonly slots = new Map<string, number>();
  private readonly fields: string[] = [];
  private readonly vals: string[] = [];
  /** Heap bytes of the field and value strings. */
  private textBytes = 0;

  get size(): number {
    return this.fields.length;
  }

  /** Estimated heap bytes: this object (4 fields), the Map, the two arrays and the strings. */
  memoryUsage(): number {
    const size = this.fields.length;
    return objectBytes(4) + mapBytes(size) + 2 * arrayBytes(size) + this.textBytes;
  }

  has(field: string): boolean {
    return this.slots.has(field);
  }

  get(field: string): string | undefined {
    const slot = this.slots.get(field);
    return slot === undefined ? undefined : this.vals[slot];
  }

  /** Sets a field's value; true when the field is new. */
  set(field: string, value: string): boolean {
    const slot = this.slots.get(field);
    if (slot !== undefined) {
      this.textBytes += stringBytes(value.length) - stringBytes(this.vals[slot].length);
      this.vals[slot] = value;
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
    const last = this.fields.length - 1;
    this.textBytes -= stringBytes(field.length) + stringBytes(this.vals[slot].length);
    if (slot !== last) {
      const moved = this.fields[last];
      this.fields[slot] = moved;
      this.vals[slot] = this.vals[last];
      this.slots.set(moved, slot);
    }
    this.fields.pop();
    this.vals.pop();
    this.slots.delete(field);
    return true;
  }

  fieldAt(i: number): string {
    return this.fields[i];
  }

  valueAt(i: number): string {
    return this.vals[i];
  }

  clone(): DenseMap {
    const copy = new DenseMap();
    for (let i = 0; i < this.fields.length; i++) copy.set(this.fields[i], this.vals[i]);
    return copy;
  }
}
