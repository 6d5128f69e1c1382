/**
 * One node of a stream: up to stream-node-max-entries entries packed into one latin1 string,
 * as Redis packs them into one listpack behind a rax key.
 *
 * The node's master ID is its first entry's ID, and its master fields are that entry's field
 * names. Every entry is stored as:
 *
 *   flags (1 byte) | ms delta (varint) | seq delta (varint) | [field count (varint)] | items
 *
 * where the deltas are the entry's ms and seq minus the master's (wrapping modulo 2^64, as
 * Redis's int64 deltas), items are length-prefixed strings (see packed-entries.ts), and an
 * entry whose fields equal the master fields (flag SAMEFIELDS) stores only its values and no
 * count. Deleted entries stay in place with the DELETED flag, as in Redis, until the whole node
 * goes.
 */
import { encodeHeader, lengthAt, startAt } from './packed-entries';
import { flatten } from './quicklist-entries';
import { addU64, idFromHalves, idHalf, idPart, subHalves, type StreamId, type U64 } from './stream-id';
import { LISTPACK_EMPTY_BYTES, lpIntSize, lpStringSize, lpU64Size } from './stream-listpack-size';

/** An appended node's rope is flattened into one string after this many appends. */
const FLATTEN_EVERY = 32;

export const FLAG_DELETED = 1;
export const FLAG_SAMEFIELDS = 2;

/** Reused by append for the deltas it encodes at once (no object per entry). */
const scratchDelta: U64 = { hi: 0, lo: 0 };

/** The varint of a u64 (7 bits a byte, low first, high bit on all but the last). */
function varint(value: U64): string {
  let lo = value.lo;
  // One char: V8 returns its shared single-character strings, no allocation.
  if (value.hi === 0 && lo < 0x80) return String.fromCharCode(lo);
  let hi = value.hi;
  let out = '';
  while (hi !== 0 || lo >= 0x80) {
    out += String.fromCharCode((lo & 0x7f) | 0x80);
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi = hi >>> 7;
  }
  return out + String.fromCharCode(lo);
}

/** A decoded entry header: where it is, its ID and flags, where its items start. */
export interface EntryHeader {
  offset: number;
  id: StreamId;
  flags: number;
  /** Number of fields; the items are fields and values, or values only with SAMEFIELDS. */
  fieldCount: number;
  itemsOffset: number;
  /** Offset of the next entry. */
  next: number;
}

export class StreamNode {
  /** Packed entries. */
  data = '';
  /** Live and deleted entries. */
  live = 0;
  deleted = 0;
  /** ID of the last entry (deleted or not). */
  lastId: StreamId;
  /** The size Redis's listpack for this node would have. */
  lpBytes: number;
  /** Appends since `data` was last flattened (see append). */
  private appendsSinceFlat = 0;
  private readonly masterMs: U64;
  private readonly masterSeq: U64;

  constructor(
    readonly masterId: StreamId,
    readonly fields: string[],
  ) {
    this.lastId = masterId;
    this.masterMs = idPart(masterId, 0);
    this.masterSeq = idPart(masterId, 1);
    let bytes = LISTPACK_EMPTY_BYTES + lpIntSize(0) + lpIntSize(0) + lpIntSize(fields.length) + lpIntSize(0);
    for (const field of fields) bytes += lpStringSize(field);
    this.lpBytes = bytes;
  }

  get total(): number {
    return this.live + this.deleted;
  }

  /** Whether the fields of argv[from..] (field, value pairs) are the master fields. */
  private sameFields(argv: string[], from: number): boolean {
    const fields = this.fields;
    if ((argv.length - from) / 2 !== fields.length) return false;
    for (let i = 0; i < fields.length; i++) if (argv[from + 2 * i] !== fields[i]) return false;
    return true;
  }

  /** Appends an entry whose ID is above every ID in the node; fields and values are argv[from..]. */
  append(id: StreamId, argv: string[], from: number): void {
    const same = this.sameFields(argv, from);
    const fieldCount = (argv.length - from) / 2;
    // flags, ms delta, seq delta and lp-count, as Redis lays the entry out.
    let lpCount = 3 + fieldCount;
    const msDelta = subHalves(idHalf(id, 0), idHalf(id, 1), this.masterMs, scratchDelta);
    let entry = String.fromCharCode(same ? FLAG_SAMEFIELDS : 0) + varint(msDelta);
    let lpBytes = lpIntSize(0) + lpU64Size(msDelta);
    const seqDelta = subHalves(idHalf(id, 2), idHalf(id, 3), this.masterSeq, scratchDelta);
    entry += varint(seqDelta);
    lpBytes += lpU64Size(seqDelta);
    if (!same) {
      // The field count's varint: encodeHeader writes the same 7-bit groups, low first.
      entry += encodeHeader(fieldCount);
      lpBytes += lpIntSize(fieldCount);
      lpCount += fieldCount + 1;
    }
    // Concatenation makes a rope (no copy of the node); flattening it every FLATTEN_EVERY
    // appends copies the node once per that many entries instead of once per entry, which keeps
    // XADD's garbage (and the RSS it leaves behind) low. Reading a char flattens it as well.
    let data = this.data + entry;
    for (let i = from; i < argv.length; i += 2) {
      if (!same) {
        data = data + encodeHeader(argv[i].length) + argv[i];
        lpBytes += lpStringSize(argv[i]);
      }
      data = data + encodeHeader(argv[i + 1].length) + argv[i + 1];
      lpBytes += lpStringSize(argv[i + 1]);
    }
    lpBytes += lpIntSize(lpCount);
    lpBytes += lpIntSize(this.live + 1) - lpIntSize(this.live);
    if (++this.appendsSinceFlat >= FLATTEN_EVERY) {
      flatten(data);
      this.appendsSinceFlat = 0;
    }
    this.data = data;
    this.live++;
    this.lastId = id;
    this.lpBytes += lpBytes;
  }

  /** Flattens what appends left as a rope: a node no longer appended to keeps one flat string. */
  seal(): void {
    if (this.appendsSinceFlat === 0) return;
    flatten(this.data);
    this.appendsSinceFlat = 0;
  }

  /** Reads the entry header at `offset`. */
  headerAt(offset: number): EntryHeader {
    const data = this.data;
    const flags = data.charCodeAt(offset);
    let at = offset + 1;
    const ms = this.readVarint(at);
    at = this.varintEnd;
    const seq = this.readVarint(at);
    at = this.varintEnd;
    let fieldCount = this.fields.length;
    if (!(flags & FLAG_SAMEFIELDS)) {
      fieldCount = this.readVarint(at).lo;
      at = this.varintEnd;
    }
    const itemsOffset = at;
    const items = flags & FLAG_SAMEFIELDS ? fieldCount : fieldCount * 2;
    for (let i = 0; i < items; i++) {
      const start = startAt(data, at);
      at = start + lengthAt(data, at);
    }
    const msAbs = addU64(this.masterMs, ms);
    const seqAbs = addU64(this.masterSeq, seq);
    return {
      offset,
      id: idFromHalves(msAbs.hi, msAbs.lo, seqAbs.hi, seqAbs.lo),
      flags,
      fieldCount,
      itemsOffset,
      next: at,
    };
  }

  /** Where the last readVarint stopped. */
  private varintEnd = 0;

  private readVarint(offset: number): U64 {
    const data = this.data;
    let byte = data.charCodeAt(offset++);
    if (byte < 0x80) {
      this.varintEnd = offset;
      return { hi: 0, lo: byte };
    }
    let lo = byte & 0x7f;
    let hi = 0;
    let shift = 7;
    do {
      byte = data.charCodeAt(offset++);
      const bits = byte & 0x7f;
      if (shift < 32) {
        const room = 32 - shift;
        lo += (bits & ((1 << Math.min(room, 7)) - 1)) * 2 ** shift;
        if (room < 7) hi += bits >>> room;
      } else {
        hi += bits * 2 ** (shift - 32);
      }
      shift += 7;
    } while (byte >= 0x80);
    this.varintEnd = offset;
    return { hi: hi >>> 0, lo: lo >>> 0 };
  }

  /** The entry's fields and values, flat: [field, value, field, value, ...]. */
  fieldValues(entry: EntryHeader): string[] {
    const data = this.data;
    const out = new Array<string>(entry.fieldCount * 2);
    let at = entry.itemsOffset;
    const same = (entry.flags & FLAG_SAMEFIELDS) !== 0;
    for (let i = 0; i < entry.fieldCount; i++) {
      if (same) {
        out[2 * i] = this.fields[i];
      } else {
        const start = startAt(data, at);
        const end = start + lengthAt(data, at);
        out[2 * i] = data.slice(start, end);
        at = end;
      }
      const start = startAt(data, at);
      const end = start + lengthAt(data, at);
      out[2 * i + 1] = data.slice(start, end);
      at = end;
    }
    return out;
  }

  /** The headers of every entry, in order (for reverse iteration). */
  headers(): EntryHeader[] {
    const out: EntryHeader[] = [];
    for (let at = 0; at < this.data.length; ) {
      const header = this.headerAt(at);
      out.push(header);
      at = header.next;
    }
    return out;
  }

  /** Marks live entries deleted (their flags byte changes; the node is rewritten once). */
  markDeleted(entries: EntryHeader[]): void {
    if (entries.length === 0) return;
    const data = this.data;
    const parts: string[] = [];
    let from = 0;
    for (const entry of entries) {
      parts.push(data.slice(from, entry.offset), String.fromCharCode(entry.flags | FLAG_DELETED));
      from = entry.offset + 1;
    }
    parts.push(data.slice(from));
    this.data = parts.join('');
    const n = entries.length;
    this.lpBytes += lpIntSize(this.live - n) - lpIntSize(this.live) + lpIntSize(this.deleted + n) - lpIntSize(this.deleted);
    this.live -= n;
    this.deleted += n;
  }

  clone(): StreamNode {
    const copy = new StreamNode(this.masterId, this.fields);
    copy.data = this.data;
    copy.live = this.live;
    copy.deleted = this.deleted;
    copy.lastId = this.lastId;
    copy.lpBytes = this.lpBytes;
    return copy;
  }
}
