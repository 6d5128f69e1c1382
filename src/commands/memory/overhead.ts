/**
 * The numbers behind MEMORY STATS and MEMORY DOCTOR, gathered at once as Redis's
 * getMemoryOverheadData does, from Nodis's own accounting (server.memory: used_memory, its
 * start-up part, clients, table bookkeeping) and from the process (V8 heap and RSS).
 *
 * Redis's allocator figures map onto V8 the way INFO memory maps them: "allocated" is the heap in
 * use plus memory outside it (heapUsed + external), "active" the heap V8 has reserved
 * (heapTotal + external), "resident" the process RSS. Things Nodis does not have (replication
 * backlog, replica clients, cluster links, AOF buffer, Lua and function caches) count 0.
 */
import type { Server } from '../../server/server';
import { TABLE_ENTRY_BYTES } from '../../keyspace/database';

export interface DatabaseOverhead {
  id: number;
  /** Table bookkeeping of the keys (Redis: dict entries, buckets and robj headers). */
  mainBytes: number;
  /** Table bookkeeping of the expire times. */
  expiresBytes: number;
}

export interface MemoryOverhead {
  peakAllocated: number;
  totalAllocated: number;
  startupAllocated: number;
  replicationBacklog: number;
  clientsReplicas: number;
  clientsNormal: number;
  clusterLinks: number;
  aofBuffer: number;
  luaCaches: number;
  functionsCaches: number;
  /** Only the databases holding keys, as Redis lists them. */
  databases: DatabaseOverhead[];
  overheadTotal: number;
  totalKeys: number;
  bytesPerKey: number;
  dataset: number;
  datasetPercentage: number;
  peakPercentage: number;
  allocatorAllocated: number;
  allocatorActive: number;
  allocatorResident: number;
  allocatorFragRatio: number;
  allocatorFragBytes: number;
  allocatorRssRatio: number;
  allocatorRssBytes: number;
  rssOverheadRatio: number;
  rssOverheadBytes: number;
  totalFragRatio: number;
  totalFragBytes: number;
  /** Connected clients (for DOCTOR's average per client). */
  clients: number;
}

/**
 * numerator * scale / denominator computed in C floats, as Redis does for these fields (they are
 * `float`, so MEMORY STATS prints e.g. 99.682456970214844 rather than 99.68245678...).
 */
function floatRatio(numerator: number, denominator: number, scale = 1): number {
  if (denominator === 0) return 0;
  const scaled = Math.fround(Math.fround(numerator) * scale);
  return Math.fround(scaled / Math.fround(denominator));
}

function databaseOverheads(server: Server): { databases: DatabaseOverhead[]; totalKeys: number } {
  const databases: DatabaseOverhead[] = [];
  let totalKeys = 0;
  for (const db of server.keyspace.databases) {
    if (db.size === 0) continue;
    totalKeys += db.size;
    databases.push({
      id: db.id,
      mainBytes: db.table.size * TABLE_ENTRY_BYTES,
      expiresBytes: db.expires.size * TABLE_ENTRY_BYTES,
    });
  }
  return { databases, totalKeys };
}

export function memoryOverhead(server: Server): MemoryOverhead {
  const accounting = server.memory;
  const used = accounting.usedMemory(); // first: it also raises the peak
  const startup = accounting.startupBytes;
  const overheadTotal = accounting.overheadBytes();
  const usage = process.memoryUsage();
  const allocated = usage.heapUsed + usage.external;
  const active = usage.heapTotal + usage.external;
  const resident = usage.rss;
  const { databases, totalKeys } = databaseOverheads(server);
  const dataset = Math.max(0, used - overheadTotal);
  // Redis's "net usage": what was allocated since start-up, at least 1 to divide by.
  const netUsage = used > startup ? used - startup : 1;
  return {
    peakAllocated: Math.max(accounting.peakBytes, used),
    totalAllocated: used,
    startupAllocated: startup,
    replicationBacklog: 0,
    clientsReplicas: 0,
    clientsNormal: accounting.clientsBytes(),
    clusterLinks: 0,
    aofBuffer: 0,
    luaCaches: 0,
    functionsCaches: 0,
    databases,
    overheadTotal,
    totalKeys,
    bytesPerKey: totalKeys > 0 ? Math.floor(netUsage / totalKeys) : 0,
    dataset,
    datasetPercentage: floatRatio(dataset, netUsage, 100),
    peakPercentage: floatRatio(used, Math.max(accounting.peakBytes, used), 100),
    allocatorAllocated: allocated,
    allocatorActive: active,
    allocatorResident: resident,
    allocatorFragRatio: floatRatio(active, allocated),
    allocatorFragBytes: active - allocated,
    allocatorRssRatio: floatRatio(resident, active),
    allocatorRssBytes: resident - active,
    // The process RSS is the allocator's RSS here: no memory outside the V8 accounting is told apart.
    rssOverheadRatio: floatRatio(usage.rss, resident),
    rssOverheadBytes: usage.rss - resident,
    totalFragRatio: floatRatio(usage.rss, used),
    totalFragBytes: usage.rss - used,
    clients: server.clients.size,
  };
}
