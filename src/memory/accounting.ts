/**
 * used_memory as Nodis counts it. Redis asks its allocator; Nodis lives in a garbage-collected
 * heap, where the allocator's number (heapUsed) also holds garbage not yet collected and jumps
 * with every collection. So the dataset is counted instead: every key table keeps an estimate of
 * each entry's heap cost, refreshed on every write (see memory/sizes.ts and
 * CollectionValue.memoryUsage), and used_memory is
 *
 *   the process's heap when the first server started (used_memory_startup)
 *   + the keys, values and expire times of every database
 *   + what each client holds (query buffer, pending replies, a fixed part)
 *
 * It follows the data as it changes, and it is what maxmemory is compared with. The process RSS
 * is larger: V8 keeps free space and garbage around, which shows in mem_fragmentation_ratio.
 */
import type { Server } from '../server/server';
import { TABLE_ENTRY_BYTES } from '../keyspace/database';

/** The heap in use when the first server of this process was created (shared by later ones). */
let processStartupBytes: number | null = null;

function heapInUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

export class MemoryAccounting {
  readonly startupBytes: number;
  /** Highest used_memory seen (INFO used_memory_peak). */
  peakBytes: number;
  private clientsBytesCache = 0;
  private clientsMeasuredAt = -1;

  constructor(private readonly server: Server) {
    processStartupBytes ??= heapInUse();
    this.startupBytes = processStartupBytes;
    this.peakBytes = this.startupBytes;
  }

  /** Estimated bytes of every database's keys, values and expire times. */
  databasesBytes(): number {
    let bytes = 0;
    for (const db of this.server.keyspace.databases) bytes += db.bytes;
    return bytes;
  }

  /** The part of the databases' bytes that is table bookkeeping rather than keys and values. */
  tablesOverheadBytes(): number {
    let entries = 0;
    for (const db of this.server.keyspace.databases) entries += db.table.size + db.expires.size;
    return entries * TABLE_ENTRY_BYTES;
  }

  /**
   * Memory held by the connected clients. Summing every client before every command would cost
   * O(clients) each time, so the sum is taken at most once per millisecond.
   */
  clientsBytes(): number {
    const now = Date.now();
    if (now !== this.clientsMeasuredAt) {
      this.clientsMeasuredAt = now;
      let bytes = 0;
      for (const c of this.server.clients.values()) bytes += c.memoryUsage();
      this.clientsBytesCache = bytes;
    }
    return this.clientsBytesCache;
  }

  /** Forgets the cached client sum (after clients were disconnected to free memory). */
  invalidateClients(): void {
    this.clientsMeasuredAt = -1;
  }

  /** used_memory. */
  usedMemory(): number {
    const used = this.startupBytes + this.databasesBytes() + this.clientsBytes();
    if (used > this.peakBytes) this.peakBytes = used;
    return used;
  }

  /** used_memory_overhead: what is not the data itself (Redis's dataset = used - overhead). */
  overheadBytes(): number {
    return this.startupBytes + this.clientsBytes() + this.tablesOverheadBytes();
  }
}
