/**
 * MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP, with Redis 7.0's replies and
 * errors, reading Nodis's memory accounting (see memory/accounting.ts): every key's estimated
 * size is kept current on each write, so USAGE is a look-up, not a walk over the value.
 * The numbers gathered for STATS and DOCTOR are in memory/overhead.ts, the DOCTOR report in
 * memory/doctor.ts and the V8 heap report that stands in for jemalloc's in memory/heap-stats.ts.
 */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { isCOption, parseLong } from './arguments';
import { liveValue } from './generic/access';
import { replyHelp } from './generic/object';
import { memoryOverhead } from './memory/overhead';
import { memoryDoctorReport } from './memory/doctor';
import { heapStatsReport } from './memory/heap-stats';

const MEMORY_HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

/**
 * MEMORY USAGE key [SAMPLES count]. SAMPLES is validated as Redis does (an integer, not negative;
 * 0 means all), but it does not change the answer: Redis samples a few elements of a big value
 * and extrapolates, while Nodis's estimate covers every element and is kept current by each
 * write, so there is nothing to sample. Like Redis, the look-up neither counts as an access nor
 * as a keyspace hit or miss. A key whose TTL has passed counts as missing and is reclaimed, as by
 * any read (Redis 7.0 still measures it until its expiry cycle deletes it).
 */
function usage(c: Client, argv: string[]): void {
  for (let j = 3; j < argv.length; j++) {
    if (!isCOption(argv[j], 'SAMPLES') || j + 1 >= argv.length) return c.reply.error(Errors.syntax);
    const samples = parseLong(argv[++j]);
    if (samples === null) return c.reply.error(Errors.notInteger);
    if (samples < 0) return c.reply.error(Errors.syntax);
  }
  const key = argv[2];
  if (liveValue(c.db, key) === undefined) return c.reply.nullBulk();
  c.reply.integer(c.db.table.bytesOf(key) ?? 0);
}

type StatField = [name: string, value: number, kind?: 'double'];

function replyStatFields(c: Client, fields: StatField[]): void {
  for (const [name, value, kind] of fields) {
    c.reply.bulk(name);
    if (kind === 'double') c.reply.double(value);
    else c.reply.integer(value);
  }
}

/** MEMORY STATS: Redis 7.0's fields in its order; a map in RESP3, a flat array in RESP2. */
function stats(c: Client): void {
  const mh = memoryOverhead(c.server);
  const before: StatField[] = [
    ['peak.allocated', mh.peakAllocated],
    ['total.allocated', mh.totalAllocated],
    ['startup.allocated', mh.startupAllocated],
    ['replication.backlog', mh.replicationBacklog],
    ['clients.slaves', mh.clientsReplicas],
    ['clients.normal', mh.clientsNormal],
    ['cluster.links', mh.clusterLinks],
    ['aof.buffer', mh.aofBuffer],
    ['lua.caches', mh.luaCaches],
    ['functions.caches', mh.functionsCaches],
  ];
  const after: StatField[] = [
    ['overhead.total', mh.overheadTotal],
    ['keys.count', mh.totalKeys],
    ['keys.bytes-per-key', mh.bytesPerKey],
    ['dataset.bytes', mh.dataset],
    ['dataset.percentage', mh.datasetPercentage, 'double'],
    ['peak.percentage', mh.peakPercentage, 'double'],
    ['allocator.allocated', mh.allocatorAllocated],
    ['allocator.active', mh.allocatorActive],
    ['allocator.resident', mh.allocatorResident],
    ['allocator-fragmentation.ratio', mh.allocatorFragRatio, 'double'],
    ['allocator-fragmentation.bytes', mh.allocatorFragBytes],
    ['allocator-rss.ratio', mh.allocatorRssRatio, 'double'],
    ['allocator-rss.bytes', mh.allocatorRssBytes],
    ['rss-overhead.ratio', mh.rssOverheadRatio, 'double'],
    ['rss-overhead.bytes', mh.rssOverheadBytes],
    // The total RSS overhead, fragmentation included; Redis keeps the name for compatibility.
    ['fragmentation', mh.totalFragRatio, 'double'],
    ['fragmentation.bytes', mh.totalFragBytes],
  ];
  c.reply.map(before.length + mh.databases.length + after.length);
  replyStatFields(c, before);
  for (const db of mh.databases) {
    c.reply.bulk(`db.${db.id}`);
    c.reply.map(3);
    replyStatFields(c, [
      ['overhead.hashtable.main', db.mainBytes],
      ['overhead.hashtable.expires', db.expiresBytes],
      // Redis's slot-to-keys index exists only in cluster mode.
      ['overhead.hashtable.slot-to-keys', 0],
    ]);
  }
  replyStatFields(c, after);
}

/**
 * MEMORY PURGE. Redis asks jemalloc to return dirty pages to the system; V8 offers no such call,
 * so this does nothing unless the process runs with --expose-gc, in which case a full garbage
 * collection is the closest thing (it frees the garbage and lets V8 shrink the heap).
 */
function purge(c: Client): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
  c.reply.ok();
}

export const memoryCommands: CommandGroup = {
  group: 'memory',
  handlers: {
    'memory|usage': usage,
    'memory|stats': stats,
    'memory|doctor': (c) => c.reply.verbatim(memoryDoctorReport(memoryOverhead(c.server))),
    'memory|malloc-stats': (c) => c.reply.verbatim(heapStatsReport()),
    'memory|purge': purge,
    'memory|help': (c, argv) => replyHelp(c, argv[0], MEMORY_HELP),
  },
};
