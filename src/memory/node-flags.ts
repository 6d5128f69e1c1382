/**
 * The V8 flags Nodis runs with, and the size of its heap. Flags of the heap's layout and size
 * cannot change once the process runs: `npm start` and the nodis-server bin's shebang pass the
 * default flags, and the bin starts itself again with a larger heap limit when the one it got is
 * too small for maxmemory (src/memory/relaunch.ts). Everything here is pure, for tests.
 *
 * --max-semi-space-size=2: V8 lets the young generation grow to 16 MB per semi-space and keeps it
 * resident, which at a million keys adds 30+ bytes per key of RSS that holds no data. Capped at
 * 2 MB, bench/memory.ts measured (1M 10-byte strings, 10 lists of 100k elements) RSS per key
 * 174 -> 139 B and per element 46 -> 15 B, with no throughput change visible in redis-benchmark.
 */
export const DEFAULT_NODE_FLAGS = ['--max-semi-space-size=2'];

const MB = 1024 * 1024;

/**
 * The heap limit for a maxmemory, in MB: maxmemory * 1.5 + 512 MB.
 *
 * used_memory, which maxmemory is compared with, counts the live data (memory/accounting.ts); the
 * heap also holds garbage not yet collected and V8's free space in partly used pages, and V8
 * collects more and more often as the heap nears its limit. bench/scale.ts measured, with 30M
 * 10-byte keys (3.1 GB of used_memory), the heap V8 had reserved (INFO allocator_active) at 1.02x
 * used_memory after loading and 1.17x after evicting 4M keys at maxmemory, where evicted keys
 * are garbage waiting for a collection; 1.5x leaves room over that for the garbage a burst of
 * writes makes between two collections. The 512 MB are for what used_memory does not count
 * (compiled code, a BGSAVE's copies of the values changed while it runs, Lua engines) and for
 * small maxmemory values, where fixed costs dominate (1.6x at 40 MB).
 */
export const HEAP_PER_MAXMEMORY_BYTE = 1.5;
export const HEAP_FIXED_MB = 512;
/** With maxmemory 0 (no limit) the heap may grow to this share of the machine's RAM. */
export const UNLIMITED_HEAP_RAM_SHARE = 0.75;

/** Environment variable that turns the relaunch off when set to 1. */
export const NO_RELAUNCH_ENV = 'NODIS_NO_RELAUNCH';

export function heapLimitMb(maxmemory: number, totalMemory: number): number {
  if (maxmemory <= 0) return Math.floor((totalMemory * UNLIMITED_HEAP_RAM_SHARE) / MB);
  return Math.ceil((maxmemory * HEAP_PER_MAXMEMORY_BYTE) / MB) + HEAP_FIXED_MB;
}

const HEAP_LIMIT_FLAG = /^--max[-_]old[-_]space[-_]size(=|$)/;

/** True when the node flags or NODE_OPTIONS set the old-space size themselves. */
export function hasExplicitHeapLimit(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const options = (nodeOptions ?? '').split(/\s+/);
  return [...execArgv, ...options].some((arg) => HEAP_LIMIT_FLAG.test(arg));
}

/** A flag's name with dashes, without its value: `--max_semi_space_size=2` -> `--max-semi-space-size`. */
function flagName(arg: string): string {
  return arg.split('=')[0].replace(/_/g, '-');
}

/** Node flags for the relaunch: the current ones, the defaults they lack, and the heap limit. */
export function relaunchNodeArgs(execArgv: readonly string[], limitMb: number): string[] {
  const present = new Set(execArgv.map(flagName));
  const defaults = DEFAULT_NODE_FLAGS.filter((flag) => !present.has(flagName(flag)));
  return [...execArgv, ...defaults, `--max-old-space-size=${limitMb}`];
}

export interface HeapSituation {
  /** maxmemory in bytes, 0 for none. */
  maxmemory: number;
  /** The machine's RAM in bytes (os.totalmem()). */
  totalMemory: number;
  /** v8.getHeapStatistics().heap_size_limit of this process. */
  currentLimitBytes: number;
  execArgv: readonly string[];
  nodeOptions: string | undefined;
  /** NODIS_NO_RELAUNCH=1. */
  relaunchDisabled: boolean;
  /** This process is the relaunched one. */
  relaunched: boolean;
}

/**
 * What to do about the heap limit: nothing when it is large enough; start again with `nodeArgs`
 * when it is not and nothing forbids it; otherwise carry on and warn, saying why.
 */
export type HeapPlan =
  | { action: 'none'; limitMb: number; currentMb: number }
  | { action: 'relaunch'; limitMb: number; currentMb: number; nodeArgs: string[] }
  | { action: 'warn'; limitMb: number; currentMb: number; because: string };

export function planHeap(s: HeapSituation): HeapPlan {
  const limitMb = heapLimitMb(s.maxmemory, s.totalMemory);
  const currentMb = Math.floor(s.currentLimitBytes / MB);
  if (currentMb >= limitMb) return { action: 'none', limitMb, currentMb };
  let because: string | null = null;
  if (s.relaunched) because = 'already restarted once with a larger heap';
  else if (s.relaunchDisabled) because = `${NO_RELAUNCH_ENV}=1`;
  else if (hasExplicitHeapLimit(s.execArgv, s.nodeOptions)) because = '--max-old-space-size given';
  if (because !== null) return { action: 'warn', limitMb, currentMb, because };
  return { action: 'relaunch', limitMb, currentMb, nodeArgs: relaunchNodeArgs(s.execArgv, limitMb) };
}

function maxmemoryText(maxmemory: number): string {
  return maxmemory > 0 ? `maxmemory ${maxmemory}` : `maxmemory 0, no limit: ${UNLIMITED_HEAP_RAM_SHARE * 100}% of RAM`;
}

/** The notice the relaunched process logs. */
export function heapLimitSetLine(limitMb: number, maxmemory: number): string {
  return `Heap limit set to ${limitMb} MB (${maxmemoryText(maxmemory)})`;
}

/** The warning when the heap stays too small. */
export function heapTooSmallLine(plan: { limitMb: number; currentMb: number; because: string }, maxmemory: number): string {
  return (
    `Heap limit is ${plan.currentMb} MB, below the ${plan.limitMb} MB wanted (${maxmemoryText(maxmemory)}), ` +
    `and the server was not restarted with a larger one (${plan.because}): it may run out of heap before reaching maxmemory`
  );
}
