/**
 * Consumer groups of a stream: each group has a last delivered ID, an entries-read counter, a
 * pending entries list (PEL: delivered, not yet acknowledged entries, each with its delivery
 * time, delivery count and owning consumer) and its consumers, each with its own PEL (the same
 * PendingEntry objects, as Redis shares its NACKs between the two rax trees) and seen time.
 *
 * PELs are ID-ordered (SortedIds: a sorted array plus a SplitMap, so that a PEL of millions of
 * entries never rehashes whole; appends in O(1) since deliveries mostly come in ID order). Groups and consumers are listed in byte order of their names, as
 * Redis's rax iterates them.
 */
import { HEAP_NUMBER_BYTES, arrayBytes, mapBytes, objectBytes, stringBytes } from '../memory/sizes';
import { SplitMap } from './split-map';
import type { StreamId } from './stream-id';

/** Redis's SCG_INVALID_ENTRIES_READ: the group's entries-read counter is unknown. */
export const INVALID_ENTRIES_READ = -1;

/** A map from stream IDs to values, iterable in ID order. */
export class SortedIds<V> {
  private ids: StreamId[] = [];
  private readonly values = new SplitMap<V>();

  get size(): number {
    return this.ids.length;
  }

  get(id: StreamId): V | undefined {
    return this.values.get(id);
  }

  has(id: StreamId): boolean {
    return this.values.has(id);
  }

  /** Adds or replaces. */
  set(id: StreamId, value: V): void {
    if (!this.values.has(id)) {
      const ids = this.ids;
      if (ids.length === 0 || ids[ids.length - 1] < id) ids.push(id);
      else ids.splice(this.seek(id), 0, id);
    }
    this.values.set(id, value);
  }

  delete(id: StreamId): boolean {
    if (!this.values.delete(id)) return false;
    const ids = this.ids;
    if (ids[0] === id) ids.shift();
    else ids.splice(this.seek(id), 1);
    return true;
  }

  /** Index of the first ID >= id. */
  seek(id: StreamId): number {
    const ids = this.ids;
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  idAt(index: number): StreamId {
    return this.ids[index];
  }

  valueAt(index: number): V {
    return this.values.get(this.ids[index])!;
  }

  /** Estimated heap bytes of the index (not of the values). */
  bytes(): number {
    return arrayBytes(this.ids.length) + this.values.bytes();
  }
}

export interface PendingEntry {
  /** Last delivery time, ms since the epoch. */
  deliveryTime: number;
  deliveryCount: number;
  /** Null only for an entry XCLAIM FORCE just created, before it is assigned. */
  consumer: Consumer | null;
}

/** Bytes of one pending entry in a group PEL and its consumer's PEL (the ID string is shared). */
export const PENDING_ENTRY_BYTES = objectBytes(3) + HEAP_NUMBER_BYTES + stringBytes(16);

export class Consumer {
  readonly pel = new SortedIds<PendingEntry>();

  constructor(
    readonly name: string,
    /** Last time the consumer was seen (read, claimed), ms since the epoch. */
    public seenTime: number,
  ) {}
}

export class ConsumerGroup {
  readonly pel = new SortedIds<PendingEntry>();
  private readonly consumers = new Map<string, Consumer>();

  constructor(
    readonly name: string,
    public lastId: StreamId,
    /** Logical read counter of lastId, or INVALID_ENTRIES_READ. */
    public entriesRead: number,
  ) {}

  get consumerCount(): number {
    return this.consumers.size;
  }

  consumer(name: string): Consumer | undefined {
    return this.consumers.get(name);
  }

  /** Creates a consumer; undefined if it already exists. */
  createConsumer(name: string, now: number): Consumer | undefined {
    if (this.consumers.has(name)) return undefined;
    const consumer = new Consumer(name, now);
    this.consumers.set(name, consumer);
    return consumer;
  }

  /** Deletes a consumer and its pending entries; returns how many it had. */
  deleteConsumer(consumer: Consumer): number {
    const pending = consumer.pel.size;
    for (let i = 0; i < pending; i++) this.pel.delete(consumer.pel.idAt(i));
    this.consumers.delete(consumer.name);
    return pending;
  }

  /** Consumers in byte order of their names. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Adds a pending entry owned by `consumer` (replacing any previous owner's). */
  addPending(id: StreamId, entry: PendingEntry): void {
    this.pel.set(id, entry);
    entry.consumer?.pel.set(id, entry);
  }

  /** Moves a pending entry to another consumer. */
  assign(id: StreamId, entry: PendingEntry, consumer: Consumer): void {
    if (entry.consumer === consumer) return;
    entry.consumer?.pel.delete(id);
    entry.consumer = consumer;
    consumer.pel.set(id, entry);
  }

  /** Acknowledges (removes) a pending entry; false if it was not pending. */
  removePending(id: StreamId): boolean {
    const entry = this.pel.get(id);
    if (entry === undefined) return false;
    this.pel.delete(id);
    entry.consumer?.pel.delete(id);
    return true;
  }

  /** A deep copy (COPY, snapshots). */
  clone(): ConsumerGroup {
    const copy = new ConsumerGroup(this.name, this.lastId, this.entriesRead);
    for (const consumer of this.consumers.values()) copy.consumers.set(consumer.name, new Consumer(consumer.name, consumer.seenTime));
    for (let i = 0; i < this.pel.size; i++) {
      const entry = this.pel.valueAt(i);
      const owner = entry.consumer ? copy.consumers.get(entry.consumer.name)! : null;
      copy.addPending(this.pel.idAt(i), { deliveryTime: entry.deliveryTime, deliveryCount: entry.deliveryCount, consumer: owner });
    }
    return copy;
  }

  /** Estimated heap bytes of the group: its objects, name, consumers and PEL. */
  bytes(): number {
    let total = objectBytes(5) + stringBytes(this.name.length) + mapBytes(this.consumers.size) + this.pel.bytes();
    total += this.pel.size * PENDING_ENTRY_BYTES;
    for (const consumer of this.consumers.values()) {
      total += objectBytes(3) + stringBytes(consumer.name.length) + HEAP_NUMBER_BYTES + consumer.pel.bytes();
    }
    return total;
  }
}
