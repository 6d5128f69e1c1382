/**
 * MEMORY DOCTOR: Redis 7.0's getMemoryDoctorReport, its texts and thresholds, reading Nodis's
 * numbers. Where Redis's allocator figures mean something else under V8, the check is made on
 * what means the same thing here:
 *
 * - "empty": Redis calls an instance empty under 5 MB allocated, a fresh Redis being under 1 MB.
 *   A fresh Nodis starts with the runtime's own heap (used_memory_startup, over 10 MB), so the
 *   5 MB are counted from start-up.
 * - "High total RSS" (Redis: RSS / used_memory > 1.4 and 10 MB more) compares the heap V8 keeps
 *   resident, plus memory outside it, with used_memory. Two things are left out of the resident
 *   side because every Nodis has them whatever its data: the Node.js runtime's own RSS (code and
 *   native parts, some 40 MB) and the free part of V8's young generation (a nursery of up to
 *   32 MB that V8 keeps once a workload has grown it). What remains above used_memory is garbage
 *   not collected yet and free space in the old generation.
 * - "High allocator fragmentation" (Redis: jemalloc active / allocated > 1.1 and 10 MB more)
 *   compares the old generation V8 has reserved with the part in use, for the same reason.
 * - Redis's allocator-RSS and process-RSS checks concern jemalloc's retained pages and memory
 *   outside the allocator (Lua, modules): the first has no V8 counterpart, the second would
 *   measure the runtime, so neither is made. Nor the replica-buffer and script-cache checks:
 *   Nodis has no replicas and no scripts.
 *
 * The texts are Redis's, except where their advice is about jemalloc (use jemalloc, activedefrag):
 * there they say what helps under V8.
 */
import * as v8 from 'node:v8';
import type { MemoryOverhead } from './overhead';

const MB = 1024 * 1024;
const EMPTY_BELOW_BYTES = 5 * MB;
const ISSUE_MIN_BYTES = 10 * MB;
const CLIENT_BUFFERS_PER_CLIENT = 200 * 1024;
/** V8's young generation: a nursery whose free part is working space, not fragmentation. */
const YOUNG_SPACES = new Set(['new_space', 'new_large_object_space']);

const NO_ISSUES =
  "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
const EMPTY =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these " +
  'conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be ' +
  'back to our programming as soon as I finished rebooting.\n';
const ISSUES_HEADER = 'Sam, I detected a few issues in this Redis instance memory implants:\n\n';
const ISSUES_FOOTER = "I'm here to keep you safe, Sam. I want to help you.\n";

const BIG_PEAK =
  ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The ' +
  'allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ' +
  'ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance ' +
  'Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the ' +
  'Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, ' +
  'please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n';

const HIGH_TOTAL_RSS =
  ' * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means ' +
  'that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis ' +
  'performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry ' +
  'above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If ' +
  'the problem is a large peak memory, then there is no issue. Otherwise, it is mostly garbage the V8 collector ' +
  'has not reclaimed yet, which it will as the workload goes on; the MEMORY PURGE command forces a full ' +
  `collection when the server runs with --expose-gc. Note: The currently used allocator is "v8-${process.versions.v8}".\n\n`;

const HIGH_ALLOCATOR_FRAGMENTATION =
  ' * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. ' +
  'This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the ' +
  'report) or may result from a workload that causes the allocator to fragment memory a lot. V8 compacts and ' +
  'shrinks its heap in full garbage collections: the MEMORY PURGE command forces one when the server runs with ' +
  '--expose-gc.\n\n';

const BIG_CLIENT_BUFFERS =
  ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on ' +
  'average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving ' +
  'data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with ' +
  'large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in ' +
  'order to investigate the issue if it causes problems in your instance, or to understand better why certain ' +
  'clients are using a big amount of memory.\n\n';

/** The V8 heap as the doctor judges it (see above). */
export interface HeapFigures {
  /** The heap V8 keeps resident, the young generation's free part excepted, plus memory outside it. */
  residentBytes: number;
  /** The old generation: reserved, and in use. */
  oldReservedBytes: number;
  oldUsedBytes: number;
}

export function currentHeapFigures(): HeapFigures {
  const figures: HeapFigures = { residentBytes: process.memoryUsage().external, oldReservedBytes: 0, oldUsedBytes: 0 };
  for (const space of v8.getHeapSpaceStatistics()) {
    if (YOUNG_SPACES.has(space.space_name)) {
      figures.residentBytes += space.space_used_size;
    } else {
      figures.residentBytes += space.physical_space_size;
      figures.oldReservedBytes += space.space_size;
      figures.oldUsedBytes += space.space_used_size;
    }
  }
  return figures;
}

/** `value / base` is over `ratio`, and `value` exceeds `base` by more than 10 MB. */
function isWellOver(value: number, base: number, ratio: number): boolean {
  return value > base * ratio && value - base > ISSUE_MIN_BYTES;
}

/** The issues found, in Redis's order; null when the instance is too empty to judge. */
function findIssues(mh: MemoryOverhead, heap: HeapFigures): string[] | null {
  if (mh.totalAllocated - mh.startupAllocated < EMPTY_BELOW_BYTES) return null;
  const issues: string[] = [];
  if (mh.peakAllocated > mh.totalAllocated * 1.5) issues.push(BIG_PEAK);
  if (isWellOver(heap.residentBytes, mh.totalAllocated, 1.4)) issues.push(HIGH_TOTAL_RSS);
  if (isWellOver(heap.oldReservedBytes, heap.oldUsedBytes, 1.1)) issues.push(HIGH_ALLOCATOR_FRAGMENTATION);
  if (mh.clients > 0 && Math.floor(mh.clientsNormal / mh.clients) > CLIENT_BUFFERS_PER_CLIENT) issues.push(BIG_CLIENT_BUFFERS);
  return issues;
}

export function memoryDoctorReport(mh: MemoryOverhead, heap: HeapFigures = currentHeapFigures()): string {
  const issues = findIssues(mh, heap);
  if (issues === null) return EMPTY;
  if (issues.length === 0) return NO_ISSUES;
  return ISSUES_HEADER + issues.join('') + ISSUES_FOOTER;
}
