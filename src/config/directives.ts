/**
 * Every configuration directive Nodis understands, declared once: its type, default, whether
 * CONFIG SET may change it at runtime, and what applying it does. redis.conf parsing, command-line
 * flags, CONFIG GET/SET/REWRITE and INFO all read this table.
 */
export type DirectiveType = 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'save' | 'bind' | 'flags';

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
  /** Never shown in clear text outside CONFIG GET (requirepass). */
  sensitive?: boolean;
  min?: number;
  max?: number;
  values?: string[];
  help: string;
}

const MAX_INT = 2147483647;
const LLONG_MAX = Number.MAX_SAFE_INTEGER;

export const DIRECTIVES: Directive[] = [
  // Network
  { name: 'bind', type: 'bind', defaultValue: '127.0.0.1 -::1', mutable: true, help: 'Interfaces to listen on; a leading "-" means the address may be unavailable.' },
  { name: 'port', type: 'int', defaultValue: '6379', mutable: true, min: 0, max: 65535, help: 'TCP port to listen on (0: do not listen on TCP).' },
  { name: 'protected-mode', type: 'bool', defaultValue: 'yes', mutable: true, help: 'Refuse non-loopback clients when no password is set and bind is the default.' },
  { name: 'tcp-backlog', type: 'int', defaultValue: '511', mutable: false, min: 0, max: MAX_INT, help: 'Listen backlog.' },
  { name: 'timeout', type: 'int', defaultValue: '0', mutable: true, min: 0, max: MAX_INT, help: 'Close a client after this many idle seconds (0: never).' },
  { name: 'tcp-keepalive', type: 'int', defaultValue: '300', mutable: true, min: 0, max: MAX_INT, help: 'TCP keepalive interval in seconds (0: off).' },
  { name: 'maxclients', type: 'int', defaultValue: '10000', mutable: true, min: 1, max: MAX_INT, help: 'Most clients connected at once.' },
  // General
  { name: 'daemonize', type: 'bool', defaultValue: 'no', mutable: false, help: 'Nodis always runs in the foreground; "yes" is refused.' },
  { name: 'pidfile', type: 'string', defaultValue: '', mutable: false, help: 'Write the process id to this file at start-up.' },
  { name: 'loglevel', type: 'enum', defaultValue: 'notice', mutable: true, values: ['debug', 'verbose', 'notice', 'warning', 'nothing'], help: 'Least important log level written.' },
  { name: 'logfile', type: 'string', defaultValue: '', mutable: false, help: 'Log file path; empty logs to standard output.' },
  { name: 'log-format', type: 'enum', defaultValue: 'legacy', mutable: true, values: ['legacy', 'json'], help: 'Nodis only: "legacy" Redis-style lines or "json" (pino) lines.' },
  { name: 'databases', type: 'int', defaultValue: '16', mutable: false, min: 1, max: MAX_INT, help: 'Number of databases.' },
  { name: 'hz', type: 'int', defaultValue: '10', mutable: true, min: 0, max: MAX_INT, help: 'Background tasks (active expiry, timeouts) per second, clamped to 1..500.' },
  { name: 'active-expire-effort', type: 'int', defaultValue: '1', mutable: true, min: 1, max: 10, help: 'Effort of the active expiry cycle, 1 (default) to 10.' },
  { name: 'dir', type: 'string', defaultValue: '', mutable: true, protected: true, help: 'Working directory for persistence files (default: the current directory).' },
  { name: 'dbfilename', type: 'string', defaultValue: 'dump.rdb', mutable: true, protected: true, help: 'RDB file name.' },
  // Security
  { name: 'requirepass', type: 'string', defaultValue: '', mutable: true, sensitive: true, help: 'Password of the default user (empty: none).' },
  { name: 'enable-protected-configs', type: 'enum', defaultValue: 'no', mutable: false, values: ['no', 'yes', 'local'], help: 'Allow CONFIG SET of protected directives (dir, dbfilename).' },
  { name: 'enable-debug-command', type: 'enum', defaultValue: 'no', mutable: false, values: ['no', 'yes', 'local'], help: 'Allow the DEBUG command.' },
  // Limits
  { name: 'proto-max-bulk-len', type: 'memory', defaultValue: '536870912', mutable: true, min: 1024 * 1024, max: LLONG_MAX, help: 'Largest bulk string in a request.' },
  { name: 'client-query-buffer-limit', type: 'memory', defaultValue: '1073741824', mutable: true, min: 1024 * 1024, max: LLONG_MAX, help: 'Largest query buffer of one client.' },
  // Memory
  { name: 'maxmemory', type: 'memory', defaultValue: '0', mutable: true, min: 0, max: LLONG_MAX, help: 'Memory limit in bytes (0: none).' },
  {
    name: 'maxmemory-policy', type: 'enum', defaultValue: 'noeviction', mutable: true,
    values: ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'],
    help: 'What to evict when maxmemory is reached.',
  },
  { name: 'maxmemory-samples', type: 'int', defaultValue: '5', mutable: true, min: 1, max: MAX_INT, help: 'Keys sampled per eviction.' },
  { name: 'lfu-log-factor', type: 'int', defaultValue: '10', mutable: true, min: 0, max: MAX_INT, help: 'LFU counter logarithm factor.' },
  { name: 'lfu-decay-time', type: 'int', defaultValue: '1', mutable: true, min: 0, max: MAX_INT, help: 'Minutes for the LFU counter to decay by one.' },
  // Slow log and latency
  { name: 'slowlog-log-slower-than', type: 'int', defaultValue: '10000', mutable: true, min: -1, max: LLONG_MAX, help: 'Microseconds above which a command is logged (-1: off, 0: all).' },
  { name: 'slowlog-max-len', type: 'int', defaultValue: '128', mutable: true, min: 0, max: LLONG_MAX, help: 'Entries kept in the slow log.' },
];

const byName = new Map<string, Directive>();
for (const d of DIRECTIVES) {
  byName.set(d.name, d);
  for (const alias of d.aliases ?? []) byName.set(alias, d);
}

export function findDirective(name: string): Directive | undefined {
  return byName.get(name.toLowerCase());
}

/** Adds directives from a later capability (collections, persistence, ...). */
export function registerDirectives(list: Directive[]): void {
  for (const d of list) {
    DIRECTIVES.push(d);
    byName.set(d.name, d);
    for (const alias of d.aliases ?? []) byName.set(alias, d);
  }
}
