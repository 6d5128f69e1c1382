/**
 * Every configuration directive Nodis understands, declared once: its type, default, whether
 * CONFIG SET may change it at runtime, and how it is validated and rewritten. redis.conf parsing,
 * command-line flags, CONFIG GET/SET/REWRITE and INFO all read this table.
 *
 * The table is honest: a directive is here because Nodis honours it, or because Redis clients
 * commonly read or set it; those of the second kind carry `pending` (what has to land before it
 * takes effect), and redis.conf.example says so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ConfigError, INT_MAX, LLONG_MAX, UINT_MAX, ULLONG_MAX,
  formatMemory, parseBind, parseBool, keyspaceEventsValue, parseKeyspaceEvents, parseMemoryBytes, parsePercentiles, parseSave, quoteRepr, strerror,
} from './values';
import {
  OUTPUT_BUFFER_LIMIT, OUTPUT_BUFFER_LIMIT_DEFAULT, outputBufferLimitLineForced, parseOutputBufferLimits, rewriteOutputBufferLimits,
} from '../server/output-limits';

export type DirectiveType = 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'save' | 'bind' | 'flags' | 'list';

export interface Directive {
  name: string;
  /** Older names Redis still accepts (e.g. hash-max-ziplist-entries). */
  aliases?: string[];
  type: DirectiveType;
  /** The default as Redis prints it in CONFIG GET. */
  defaultValue: string;
  /** false: only in the config file or on the command line. */
  mutable: boolean;
  /** Changeable at runtime only when enable-protected-configs allows it. */
  protected?: boolean;
  /** A secret: never logged, redacted from the slow log. CONFIG GET still shows it, as Redis does. */
  sensitive?: boolean;
  /** Bounds of numeric directives. */
  min?: number | bigint;
  max?: number | bigint;
  values?: string[];
  help: string;
  /** Takes several arguments on one line (save 900 1 300 10, bind a b). */
  multiArg?: boolean;
  /** Repeated lines in one configuration add up instead of replacing each other (save). */
  accumulates?: boolean;
  /**
   * Custom validation: the normalized value, or a ConfigError with Redis's reason. `current` is the
   * value before the change, for directives that change only part of it (client-output-buffer-limit).
   */
  parse?: (args: string[], current: string) => string;
  /** The value as CONFIG GET and CONFIG REWRITE print it, when the stored one keeps more (notify-keyspace-events). */
  show?: (value: string) => string;
  /** Arguments CONFIG REWRITE writes after the name, one entry per line (default: by type). */
  rewrite?: (value: string) => string[];
  /** Whether CONFIG REWRITE must write line `line` of `rewrite` (default: when the value is not the default). */
  rewriteLineForced?: (value: string, line: number) => boolean;
  /** CONFIG REWRITE writes it even at its default, as Redis does for save and dir. */
  alwaysRewrite?: boolean;
  /** An empty value means "not set": CONFIG REWRITE writes no line for it (pidfile, requirepass). */
  emptyIsUnset?: boolean;
  /** The value shown while it was never set, when it depends on the process (dir: the cwd). */
  currentDefault?: () => string;
  /** Redis clamps the value after validating it (hz to 1..500). */
  clamp?: [number, number];
  /** Accepted and shown, but without effect until this capability lands (redis.conf.example). */
  pending?: string;
  /** Accepted and shown, but never has an effect in Nodis, for this reason (redis.conf.example). */
  noEffect?: string;
  /** Redis can change it at runtime but Nodis cannot yet: CONFIG SET refuses it with this reason. */
  runtimeUnsupported?: string;
}

const ONE_MB = 1024 * 1024;
const GC = 'the JavaScript garbage collector already frees memory in the background';

/** maxmemory-clients: a memory value, or a percentage of maxmemory ("5%"), as Redis's PERCENT_CONFIG. */
function parseMemoryOrPercent(args: string[]): string {
  const text = args[0];
  const percent = /^(\d+)%$/.exec(text);
  if (percent) {
    if (Number(percent[1]) > 100) throw new ConfigError('percentage argument must be less or equal to 100');
    return `${Number(percent[1])}%`;
  }
  const bytes = /^\d/.test(text) ? parseMemoryBytes(text) : null;
  if (bytes === null || bytes > LLONG_MAX) throw new ConfigError('argument must be a memory or percent value');
  return String(bytes);
}

/** `dir`: an existing directory, kept as an absolute path; the error is the strerror text Redis prints. */
function parseDir(args: string[]): string {
  const dir = path.resolve(args[0]);
  try {
    if (!fs.statSync(dir).isDirectory()) throw new ConfigError('Not a directory');
    fs.accessSync(dir, fs.constants.X_OK);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(strerror(e));
  }
  return dir;
}

function refuseDaemonize(args: string[]): string {
  if (parseBool(args[0]) === 'yes') {
    throw new ConfigError('Nodis does not daemonize: it always runs in the foreground (use systemd, a container or nohup)');
  }
  return 'no';
}

/** appendfilename / appenddirname: a plain name inside dir (isValidAOFfilename / isValidAOFdirname). */
function aofName(value: string, directive: string, what: string): string {
  if (value === '') throw new ConfigError(`${directive} can't be empty`);
  if (value.includes('/')) throw new ConfigError(`${directive} can't be a path, just a ${what}`);
  return value;
}

/** dbfilename: a plain file name inside dir (isValidDBfilename). */
function dbFilename(value: string): string {
  if (value.includes('/') || value.includes('\\')) throw new ConfigError("dbfilename can't be a path, just a filename");
  return value;
}

const saveLines = (value: string): string[] => {
  if (value === '') return ['""'];
  const parts = value.split(' ');
  const lines: string[] = [];
  for (let i = 0; i < parts.length; i += 2) lines.push(`${parts[i]} ${parts[i + 1]}`);
  return lines;
};

export const DIRECTIVES: Directive[] = [
  // Network
  { name: 'bind', type: 'bind', multiArg: true, parse: parseBind, defaultValue: '127.0.0.1 -::1', mutable: true, runtimeUnsupported: 'changing the listening addresses at runtime is not supported yet', help: 'Interfaces to listen on; a leading "-" means the address may be unavailable.' },
  { name: 'port', type: 'int', defaultValue: '6379', mutable: true, min: 0, max: 65535, runtimeUnsupported: 'changing the listening port at runtime is not supported yet', help: 'TCP port to listen on (0: an ephemeral port).' },
  { name: 'protected-mode', type: 'bool', defaultValue: 'yes', mutable: true, help: 'Refuse non-loopback clients when no password is set.' },
  { name: 'tcp-backlog', type: 'int', defaultValue: '511', mutable: false, min: 0, max: INT_MAX, help: 'Listen backlog.' },
  { name: 'timeout', type: 'int', defaultValue: '0', mutable: true, min: 0, max: INT_MAX, help: 'Close a client after this many idle seconds (0: never).' },
  { name: 'tcp-keepalive', type: 'int', defaultValue: '300', mutable: true, min: 0, max: INT_MAX, help: 'TCP keepalive interval in seconds (0: off).' },
  { name: 'maxclients', type: 'int', defaultValue: '10000', mutable: true, min: 1, max: UINT_MAX, help: 'Most clients connected at once.' },
  { name: 'tracking-table-max-keys', type: 'int', defaultValue: '1000000', mutable: true, min: 0, max: LLONG_MAX, help: 'Most keys remembered for client-side caching (0: no limit).' },
  // General
  { name: 'daemonize', type: 'bool', parse: refuseDaemonize, defaultValue: 'no', mutable: false, help: 'Nodis always runs in the foreground; "yes" is refused.' },
  { name: 'pidfile', type: 'string', emptyIsUnset: true, defaultValue: '', mutable: false, help: 'Write the process id to this file at start-up; removed at exit.' },
  { name: 'loglevel', type: 'enum', defaultValue: 'notice', mutable: true, values: ['debug', 'verbose', 'notice', 'warning', 'nothing'], help: 'Least important log level written.' },
  { name: 'logfile', type: 'string', defaultValue: '', mutable: false, help: 'Log file path; empty logs to standard output.' },
  { name: 'log-format', type: 'enum', defaultValue: 'legacy', mutable: true, values: ['legacy', 'json'], help: 'Nodis only: "legacy" Redis-style lines or "json" (pino) lines.' },
  { name: 'databases', type: 'int', defaultValue: '16', mutable: false, min: 1, max: INT_MAX, help: 'Number of databases.' },
  { name: 'hz', type: 'int', defaultValue: '10', mutable: true, min: 0, max: INT_MAX, clamp: [1, 500], help: 'Background tasks (active expiry, timeouts) per second, clamped to 1..500.' },
  { name: 'active-expire-effort', type: 'int', defaultValue: '1', mutable: true, min: 1, max: 10, help: 'Effort of the active expiry cycle, 1 (default) to 10.' },
  { name: 'dir', type: 'string', parse: parseDir, currentDefault: () => process.cwd(), alwaysRewrite: true, defaultValue: '', mutable: true, protected: true, help: 'Working directory for persistence files (default: the current directory).' },
  // Security
  { name: 'requirepass', type: 'string', emptyIsUnset: true, defaultValue: '', mutable: true, sensitive: true, help: 'Password of the default user (empty: none).' },
  { name: 'enable-protected-configs', type: 'enum', defaultValue: 'no', mutable: false, values: ['no', 'yes', 'local'], help: 'Allow CONFIG SET of protected directives (dir, dbfilename).' },
  { name: 'enable-debug-command', type: 'enum', defaultValue: 'no', mutable: false, values: ['no', 'yes', 'local'], help: 'Allow the DEBUG command.' },
  // Limits
  { name: 'proto-max-bulk-len', type: 'memory', defaultValue: '536870912', mutable: true, min: ONE_MB, max: LLONG_MAX, help: 'Largest bulk string in a request.' },
  {
    name: OUTPUT_BUFFER_LIMIT, type: 'list', multiArg: true, parse: parseOutputBufferLimits, rewrite: rewriteOutputBufferLimits,
    rewriteLineForced: outputBufferLimitLineForced, defaultValue: OUTPUT_BUFFER_LIMIT_DEFAULT, mutable: true,
    help: 'Per class (normal, replica, pubsub): <hard> <soft> <soft-seconds>; a client past hard, or past soft for soft-seconds, is disconnected (0: no limit).',
  },
  { name: 'client-query-buffer-limit', type: 'memory', defaultValue: '1073741824', mutable: true, min: ONE_MB, max: LLONG_MAX, help: 'Largest query buffer of one client.' },
  // Memory
  { name: 'maxmemory', type: 'memory', defaultValue: '0', mutable: true, min: 0, max: ULLONG_MAX, help: 'Memory limit in bytes (0: none).' },
  {
    name: 'maxmemory-policy', type: 'enum', defaultValue: 'noeviction', mutable: true,
    values: ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'],
    help: 'What to evict when maxmemory is reached.',
  },
  { name: 'maxmemory-samples', type: 'int', defaultValue: '5', mutable: true, min: 1, max: INT_MAX, help: 'Keys sampled per eviction.' },
  { name: 'maxmemory-eviction-tenacity', type: 'int', defaultValue: '10', mutable: true, min: 0, max: 100, help: 'Effort per eviction round: 10 is about 0.5 ms, 100 evicts until under the limit.' },
  { name: 'maxmemory-clients', type: 'memory', parse: parseMemoryOrPercent, rewrite: (v) => [v.endsWith('%') ? v : formatMemory(v)], defaultValue: '0', mutable: true, help: 'Total client memory (bytes, or a percent of maxmemory) past which the biggest clients are disconnected (0: off).' },
  { name: 'lfu-log-factor', type: 'int', defaultValue: '10', mutable: true, min: 0, max: INT_MAX, help: 'LFU counter logarithm factor.' },
  { name: 'lfu-decay-time', type: 'int', defaultValue: '1', mutable: true, min: 0, max: INT_MAX, help: 'Minutes for the LFU counter to decay by one.' },
  { name: 'lazyfree-lazy-eviction', type: 'bool', defaultValue: 'no', mutable: true, help: 'Evictions propagate as UNLINK instead of DEL (memory is freed by the garbage collector anyway).' },
  { name: 'lazyfree-lazy-expire', type: 'bool', defaultValue: 'no', mutable: true, help: 'Expirations propagate as UNLINK instead of DEL (memory is freed by the garbage collector anyway).' },
  { name: 'lazyfree-lazy-server-del', type: 'bool', defaultValue: 'no', mutable: true, noEffect: GC, help: 'Free values overwritten or deleted by the server in the background.' },
  { name: 'lazyfree-lazy-user-del', type: 'bool', defaultValue: 'no', mutable: true, noEffect: GC, help: 'DEL behaves like UNLINK.' },
  { name: 'lazyfree-lazy-user-flush', type: 'bool', defaultValue: 'no', mutable: true, noEffect: GC, help: 'FLUSHALL/FLUSHDB without a flag behave as ASYNC.' },
  // Slow log and latency
  { name: 'slowlog-log-slower-than', type: 'int', defaultValue: '10000', mutable: true, min: -1, max: LLONG_MAX, help: 'Microseconds above which a command is logged (-1: off, 0: all).' },
  { name: 'slowlog-max-len', type: 'int', defaultValue: '128', mutable: true, min: 0, max: LLONG_MAX, help: 'Entries kept in the slow log.' },
  { name: 'latency-monitor-threshold', type: 'int', defaultValue: '0', mutable: true, min: 0, max: LLONG_MAX, help: 'Milliseconds above which an event is sampled by the latency monitor (0: off).' },
  { name: 'latency-tracking', type: 'bool', defaultValue: 'yes', mutable: true, help: 'Report per-command latency percentiles in INFO latencystats.' },
  {
    name: 'latency-tracking-info-percentiles', type: 'list', multiArg: true, parse: parsePercentiles, alwaysRewrite: true,
    rewrite: (v) => [v === '' ? '""' : v], defaultValue: '50 99 99.9', mutable: true,
    help: 'Percentiles INFO latencystats reports.',
  },
  // Notifications and scripting
  { name: 'notify-keyspace-events', type: 'flags', parse: (args) => keyspaceEventsValue(args[0]), show: parseKeyspaceEvents, defaultValue: '', mutable: true, help: 'Classes of keyspace events published (K, E, g, $, l, s, h, z, x, e, t, m, n, A).' },
  { name: 'busy-reply-threshold', aliases: ['lua-time-limit'], type: 'int', defaultValue: '5000', mutable: true, min: 0, max: LLONG_MAX, help: 'Milliseconds a script may run before other clients get BUSY replies.' },
  // Persistence
  {
    name: 'save', type: 'save', multiArg: true, accumulates: true, parse: parseSave, rewrite: saveLines, alwaysRewrite: true,
    defaultValue: '3600 1 300 100 60 10000', mutable: true,
    help: 'Snapshot (BGSAVE) after <seconds> if at least <changes> writes happened ("": never).',
  },
  { name: 'stop-writes-on-bgsave-error', type: 'bool', defaultValue: 'yes', mutable: true, help: 'Refuse writes (MISCONF) while the last background save failed and save points are set.' },
  { name: 'rdbcompression', type: 'bool', defaultValue: 'yes', mutable: true, help: 'LZF-compress strings in the RDB file.' },
  { name: 'rdbchecksum', type: 'bool', defaultValue: 'yes', mutable: false, help: 'Write a CRC64 checksum at the end of the RDB file, and verify it when loading.' },
  { name: 'dbfilename', type: 'string', parse: (args) => dbFilename(args[0]), defaultValue: 'dump.rdb', mutable: true, protected: true, help: 'RDB file name.' },
  { name: 'appendonly', type: 'bool', defaultValue: 'no', mutable: true, help: 'Log every write to the append-only file (AOF).' },
  { name: 'appendfilename', type: 'string', parse: (args) => aofName(args[0], 'appendfilename', 'filename'), defaultValue: 'appendonly.aof', mutable: false, help: 'Base name of the append-only files.' },
  { name: 'appenddirname', type: 'string', parse: (args) => aofName(args[0], 'appenddirname', 'dirname'), defaultValue: 'appendonlydir', mutable: false, help: 'Directory (inside dir) of the append-only files.' },
  { name: 'appendfsync', type: 'enum', defaultValue: 'everysec', mutable: true, values: ['everysec', 'always', 'no'], help: 'When the append-only file is fsynced: after every write, once a second, or when the OS decides.' },
  { name: 'no-appendfsync-on-rewrite', type: 'bool', defaultValue: 'no', mutable: true, help: 'Skip fsyncs of the append-only file while a rewrite runs.' },
  { name: 'auto-aof-rewrite-percentage', type: 'int', defaultValue: '100', mutable: true, min: 0, max: INT_MAX, help: 'Rewrite the AOF when it grew by this percentage since the last rewrite (0: never).' },
  { name: 'auto-aof-rewrite-min-size', type: 'memory', defaultValue: '67108864', mutable: true, min: 0, max: LLONG_MAX, help: 'Smallest AOF size that triggers an automatic rewrite.' },
  { name: 'aof-load-truncated', type: 'bool', defaultValue: 'yes', mutable: true, help: 'At start-up, load an AOF whose last command is cut short, truncating it.' },
  { name: 'aof-use-rdb-preamble', type: 'bool', defaultValue: 'yes', mutable: true, help: 'Write the AOF base file in RDB format (else as commands).' },
  { name: 'aof-rewrite-incremental-fsync', type: 'bool', defaultValue: 'yes', mutable: true, noEffect: 'the rewrite fsyncs its file on the thread pool, never blocking the server', help: 'fsync the AOF base every 4 MB while it is written.' },
  { name: 'aof-timestamp-enabled', type: 'bool', defaultValue: 'no', mutable: true, help: 'Write "#TS:" timestamp annotations into the AOF.' },
  { name: 'aof-disable-auto-gc', type: 'bool', defaultValue: 'no', mutable: true, help: 'Keep old AOF files after a rewrite instead of deleting them.' },
  // Collection encodings
  { name: 'hash-max-listpack-entries', aliases: ['hash-max-ziplist-entries'], type: 'int', defaultValue: '512', mutable: true, min: 0, max: LLONG_MAX, help: 'Most fields of a hash kept as a listpack.' },
  { name: 'hash-max-listpack-value', aliases: ['hash-max-ziplist-value'], type: 'memory', defaultValue: '64', mutable: true, min: 0, max: LLONG_MAX, help: 'Longest field or value of a hash kept as a listpack.' },
  { name: 'list-max-listpack-size', aliases: ['list-max-ziplist-size'], type: 'int', defaultValue: '-2', mutable: true, min: -2147483648, max: INT_MAX, help: 'Size of each list node: entries if positive, -1..-5 for 4kb..64kb.' },
  { name: 'list-compress-depth', type: 'int', defaultValue: '0', mutable: true, min: 0, max: INT_MAX, pending: 'LZF compression of list nodes', help: 'List nodes left uncompressed at each end (0: no compression).' },
  { name: 'set-max-intset-entries', type: 'int', defaultValue: '512', mutable: true, min: 0, max: LLONG_MAX, help: 'Most members of an integer set kept as an intset.' },
  { name: 'zset-max-listpack-entries', aliases: ['zset-max-ziplist-entries'], type: 'int', defaultValue: '128', mutable: true, min: 0, max: LLONG_MAX, help: 'Most members of a sorted set kept as a listpack.' },
  { name: 'zset-max-listpack-value', aliases: ['zset-max-ziplist-value'], type: 'memory', defaultValue: '64', mutable: true, min: 0, max: LLONG_MAX, help: 'Longest member of a sorted set kept as a listpack.' },
  { name: 'hll-sparse-max-bytes', type: 'memory', defaultValue: '3000', mutable: true, min: 0, max: LLONG_MAX, pending: 'HyperLogLog support', help: 'Largest sparse HyperLogLog before it turns dense.' },
  { name: 'stream-node-max-bytes', type: 'memory', defaultValue: '4096', mutable: true, min: 0, max: LLONG_MAX, help: 'Largest stream node (0: no limit).' },
  { name: 'stream-node-max-entries', type: 'int', defaultValue: '100', mutable: true, min: 0, max: LLONG_MAX, help: 'Most entries per stream node (0: no limit).' },
];

/** Directives Redis 7.0 still accepts in a config file with one argument and ignores. */
export const DEPRECATED_DIRECTIVES = ['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands'];

const byName = new Map<string, Directive>();

function index(d: Directive): void {
  byName.set(d.name, d);
  for (const alias of d.aliases ?? []) byName.set(alias, d);
}

for (const d of DIRECTIVES) index(d);

export function findDirective(name: string): Directive | undefined {
  return byName.get(name) ?? byName.get(name.toLowerCase());
}

/**
 * Adds directives from a later capability (collections, persistence, ...). A directive already in
 * the table is replaced in place, so a capability can take over one that was only accepted.
 */
export function registerDirectives(list: Directive[]): void {
  for (const d of list) {
    const at = DIRECTIVES.findIndex((existing) => existing.name === d.name);
    if (at >= 0) {
      for (const name of DIRECTIVES[at].aliases ?? []) byName.delete(name);
      DIRECTIVES[at] = d;
    } else {
      DIRECTIVES.push(d);
    }
    index(d);
  }
}

/** Every name CONFIG GET patterns match, in table order: each directive, then its aliases. */
export function* directiveNames(): IterableIterator<[string, Directive]> {
  for (const d of DIRECTIVES) {
    yield [d.name, d];
    for (const alias of d.aliases ?? []) yield [alias, d];
  }
}

/** The arguments CONFIG REWRITE writes for a value: one entry per line. */
export function rewriteArgs(d: Directive, value: string): string[] {
  if (d.rewrite) return d.rewrite(value);
  switch (d.type) {
    case 'string':
    case 'flags':
      return [quoteRepr(value)];
    case 'bind':
      return [value === '' ? '""' : value];
    case 'memory':
      return [formatMemory(value)];
    default:
      return [value];
  }
}

