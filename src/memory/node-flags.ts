/**
 * The V8 flags Nodis runs with by default (`npm start` and the nodis-server bin's shebang pass
 * them; flags of the heap's layout cannot be changed once the process runs).
 *
 * --max-semi-space-size=2: V8 lets the young generation grow to 16 MB per semi-space and keeps it
 * resident, which at a million keys adds 30+ bytes per key of RSS that holds no data. Capped at
 * 2 MB, bench/memory.ts measured (1M 10-byte strings, 10 lists of 100k elements) RSS per key
 * 174 -> 139 B and per element 46 -> 15 B, with no throughput change visible in redis-benchmark.
 */
export const DEFAULT_NODE_FLAGS = ['--max-semi-space-size=2'];
