/**
 * INFO: the server's state as text, in Redis 7.0.15's sections, with its field names and order,
 * and values read from the live server (statistics, cron rates, keyspace sizes, process memory
 * and CPU). Nodis adds one field of its own, nodis_version, at the end of the server section.
 *
 * Capabilities that arrive later (persistence, replication, pub/sub, blocking, memory accounting)
 * supply their numbers with setInfoField(server, 'field_name', () => value) rather than editing
 * the tables here; until then a field reports what an idle Redis reports.
 */
import { trimDoubleString } from '../protocol/format-double';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Server } from './server';
import type { Client } from './client';
import type { KeyTable } from '../keyspace/key-table';
import type { CommandSpec } from '../commands/registry';
import { NODIS_RELEASE, NODIS_VERSION } from './version';
import { lruClock } from '../keyspace/access-clock';
import { findDirective } from '../config/directives';
import { trackingOf } from '../pubsub/tracking';
import { evalScripting } from '../commands/scripting';

export type InfoValue = string | number;
export type InfoFieldSource = () => InfoValue;

/** Per-server state behind INFO fields that no other part of the server keeps. */
class InfoState {
  replicationId = randomHex(40);
  replicationId2 = '0'.repeat(40);
  secondReplOffset = -1;
  readonly overrides = new Map<string, InfoFieldSource>();
  /** Lines a capability adds at the end of a section, by section name ("persistence"). */
  readonly tails = new Map<string, (() => string)[]>();
  /** Sections of Nodis's own, after Redis's (see addInfoSection). */
  readonly extraSections: ExtraSection[] = [];
  /** What CONFIG RESETSTAT also clears for a capability (see onResetStats). */
  readonly resetHooks: (() => void)[] = [];
}

/** A section Redis does not have, shown only when INFO names it. */
interface ExtraSection {
  title: string;
  name: string;
  render: () => string;
}

const states = new WeakMap<Server, InfoState>();

function stateOf(server: Server): InfoState {
  let state = states.get(server);
  if (!state) {
    state = new InfoState();
    states.set(server, state);
  }
  return state;
}

/** Records the memory in use at start-up (used_memory_startup); call when the server is created. */
export function initInfoState(server: Server): void {
  stateOf(server);
}

/** Lets a capability supply the value of an INFO field (e.g. rdb_last_save_time). */
export function setInfoField(server: Server, name: string, source: InfoFieldSource): void {
  stateOf(server).overrides.set(name, source);
}

/**
 * Lets a capability add fields at the end of a section, for fields Redis prints only in some
 * states (aof_current_size... while the AOF is on). `source` returns "name:value\r\n" lines or "".
 */
export function addInfoLines(server: Server, section: string, source: () => string): void {
  const tails = stateOf(server).tails;
  tails.set(section, [...(tails.get(section) ?? []), source]);
}

/**
 * Adds a section of Nodis's own ("# Eventloop"), printed after Redis's sections when INFO is
 * given its name. It is left out of "all" and "everything", whose section lists clients and the
 * compat tests compare with Redis 7.0.15's. `render` returns "name:value\r\n" lines.
 */
export function addInfoSection(server: Server, title: string, render: () => string): void {
  stateOf(server).extraSections.push({ title, name: title.toLowerCase(), render });
}

/** Lets a capability clear its own statistics on CONFIG RESETSTAT. */
export function onResetStats(server: Server, hook: () => void): void {
  stateOf(server).resetHooks.push(hook);
}

/** LASTSAVE and rdb_last_save_time: the server's start until persistence supplies a save time. */
export function lastSaveTime(server: Server): number {
  const source = stateOf(server).overrides.get('rdb_last_save_time');
  return source ? Number(source()) : Math.floor(server.startedAt / 1000);
}

/** DEBUG CHANGE-REPL-ID: a new replication ID, and no previous one (Redis clears replid2). */
export function changeReplicationId(server: Server): void {
  const state = stateOf(server);
  state.replicationId = randomHex(40);
  state.replicationId2 = '0'.repeat(40);
  state.secondReplOffset = -1;
}

/**
 * CONFIG RESETSTAT: clears what Redis's resetServerStats, resetCommandTableStats and
 * resetErrorTableStats clear (counters, per-command and per-error statistics, rates); the slow
 * log and the keyspace stay.
 */
export function resetStats(server: Server): void {
  server.stats.reset();
  server.evictor.resetStats();
  server.clientEvictor.evictedClients = 0;
  for (const spec of server.commands.allWithSubcommands()) {
    const s = spec.stats;
    s.calls = 0;
    s.usec = 0;
    s.rejectedCalls = 0;
    s.failedCalls = 0;
    s.latency = null;
  }
  const keyspace = server.keyspace;
  keyspace.expiredKeys = 0;
  keyspace.keyspaceHits = 0;
  keyspace.keyspaceMisses = 0;
  const expire = server.cron.activeExpire.stats;
  expire.staleRatio = 0;
  expire.totalMs = 0;
  server.cron.instantaneousOps = 0;
  server.cron.instantaneousInputKbps = 0;
  server.cron.instantaneousOutputKbps = 0;
  for (const hook of stateOf(server).resetHooks) hook();
}

/** What one INFO call reads, gathered once. */
class InfoContext {
  readonly now = Date.now();
  readonly memory = process.memoryUsage();
  readonly state: InfoState;
  private readonly cache = new Map<string, InfoValue>();

  constructor(readonly server: Server) {
    this.state = stateOf(server);
  }

  /** A field's value: a capability's override if any, else `compute()`. */
  value(name: string, compute: (ctx: InfoContext) => InfoValue): InfoValue {
    let v = this.cache.get(name);
    if (v === undefined) {
      const override = this.state.overrides.get(name);
      v = override ? override() : compute(this);
      this.cache.set(name, v);
    }
    return v;
  }

  /** A field of any section by name (for derived fields such as used_memory_human). */
  field(name: string): InfoValue {
    const source = FIELD_SOURCES.get(name);
    return source ? this.value(name, source) : (this.state.overrides.get(name)?.() ?? 0);
  }

  config(name: string, fallback: string): string {
    return findDirective(name) ? this.server.config.get(name) : fallback;
  }
}

type FieldList = [name: string, compute: (ctx: InfoContext) => InfoValue][];

const zero = (): InfoValue => 0;
const human = (base: string) => (ctx: InfoContext): InfoValue => bytesToHuman(Number(ctx.field(base)));
const fixed2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '0.00');

const SERVER_FIELDS: FieldList = [
  ['redis_version', () => NODIS_VERSION],
  ['redis_git_sha1', () => '00000000'],
  ['redis_git_dirty', zero],
  ['redis_build_id', () => '0'],
  ['redis_mode', () => 'standalone'],
  ['os', () => `${os.type()} ${os.release()} ${os.machine()}`],
  ['arch_bits', () => (process.arch.endsWith('64') ? 64 : 32)],
  ['monotonic_clock', () => 'POSIX clock_gettime'],
  ['multiplexing_api', () => multiplexingApi()],
  ['atomicvar_api', () => 'c11-builtin'],
  ['gcc_version', () => '0.0.0'],
  ['process_id', () => process.pid],
  ['process_supervised', () => 'no'],
  ['run_id', (ctx) => ctx.server.runId],
  ['tcp_port', (ctx) => ctx.server.port],
  ['server_time_usec', () => Math.floor((performance.timeOrigin + performance.now()) * 1000)],
  ['uptime_in_seconds', (ctx) => Math.floor((ctx.now - ctx.server.startedAt) / 1000)],
  ['uptime_in_days', (ctx) => Math.floor((ctx.now - ctx.server.startedAt) / 86_400_000)],
  ['hz', (ctx) => ctx.server.cron.hz],
  ['configured_hz', (ctx) => ctx.server.config.getNumber('hz')],
  ['lru_clock', (ctx) => lruClock(ctx.now)],
  ['executable', () => path.resolve(process.argv[1] ?? process.execPath)],
  ['config_file', (ctx) => ctx.server.configFile],
  ['io_threads_active', zero],
  ['nodis_version', () => NODIS_RELEASE],
];

const CLIENTS_FIELDS: FieldList = [
  ['connected_clients', (ctx) => ctx.server.clients.size],
  ['cluster_connections', zero],
  ['maxclients', (ctx) => ctx.server.limits.maxClients],
  ['client_recent_max_input_buffer', (ctx) => maxOverClients(ctx.server, (c) => c.parser.bufferedBytes)],
  ['client_recent_max_output_buffer', (ctx) => maxOverClients(ctx.server, (c) => outputBytes(c))],
  ['blocked_clients', (ctx) => ctx.server.blocking.blockedCount],
  ['tracking_clients', (ctx) => trackingOf(ctx.server).clientCount],
  ['clients_in_timeout_table', zero],
];

const MEMORY_FIELDS: FieldList = [
  ['used_memory', (ctx) => ctx.server.memory.usedMemory()],
  ['used_memory_human', human('used_memory')],
  ['used_memory_rss', (ctx) => ctx.memory.rss],
  ['used_memory_rss_human', human('used_memory_rss')],
  ['used_memory_peak', (ctx) => Math.max(ctx.server.memory.peakBytes, Number(ctx.field('used_memory')))],
  ['used_memory_peak_human', human('used_memory_peak')],
  ['used_memory_peak_perc', (ctx) => `${fixed2((Number(ctx.field('used_memory')) * 100) / Number(ctx.field('used_memory_peak')))}%`],
  ['used_memory_overhead', (ctx) => ctx.server.memory.overheadBytes()],
  ['used_memory_startup', (ctx) => ctx.server.memory.startupBytes],
  ['used_memory_dataset', (ctx) => Math.max(0, Number(ctx.field('used_memory')) - Number(ctx.field('used_memory_overhead')))],
  ['used_memory_dataset_perc', (ctx) => {
    const net = Number(ctx.field('used_memory')) - Number(ctx.field('used_memory_startup'));
    return `${fixed2(net > 1 ? (Number(ctx.field('used_memory_dataset')) * 100) / net : 0)}%`;
  }],
  ['allocator_allocated', (ctx) => usedHeap(ctx.memory)],
  ['allocator_active', (ctx) => ctx.memory.heapTotal + ctx.memory.external],
  ['allocator_resident', (ctx) => ctx.memory.rss],
  ['total_system_memory', () => os.totalmem()],
  ['total_system_memory_human', human('total_system_memory')],
  ['used_memory_lua', (ctx) => ctx.field('used_memory_vm_eval')],
  ['used_memory_vm_eval', (ctx) => evalScripting(ctx.server).engine?.heapBytes() ?? 0],
  ['used_memory_lua_human', human('used_memory_vm_eval')],
  ['used_memory_scripts_eval', (ctx) => evalScripting(ctx.server).cache.memoryBytes],
  ['number_of_cached_scripts', (ctx) => evalScripting(ctx.server).cache.size],
  ['number_of_functions', zero],
  ['number_of_libraries', zero],
  ['used_memory_vm_functions', zero],
  ['used_memory_vm_total', (ctx) => Number(ctx.field('used_memory_vm_eval')) + Number(ctx.field('used_memory_vm_functions'))],
  ['used_memory_vm_total_human', human('used_memory_vm_total')],
  ['used_memory_functions', zero],
  ['used_memory_scripts', (ctx) => Number(ctx.field('used_memory_scripts_eval')) + Number(ctx.field('used_memory_functions'))],
  ['used_memory_scripts_human', human('used_memory_scripts')],
  ['maxmemory', (ctx) => ctx.server.config.getNumber('maxmemory')],
  ['maxmemory_human', human('maxmemory')],
  ['maxmemory_policy', (ctx) => ctx.server.config.get('maxmemory-policy')],
  ['allocator_frag_ratio', (ctx) => fixed2(ratio(ctx, 'allocator_active', 'allocator_allocated'))],
  ['allocator_frag_bytes', (ctx) => difference(ctx, 'allocator_active', 'allocator_allocated')],
  ['allocator_rss_ratio', (ctx) => fixed2(ratio(ctx, 'allocator_resident', 'allocator_active'))],
  ['allocator_rss_bytes', (ctx) => difference(ctx, 'allocator_resident', 'allocator_active')],
  ['rss_overhead_ratio', (ctx) => fixed2(ratio(ctx, 'used_memory_rss', 'allocator_resident'))],
  ['rss_overhead_bytes', (ctx) => difference(ctx, 'used_memory_rss', 'allocator_resident')],
  ['mem_fragmentation_ratio', (ctx) => fixed2(ratio(ctx, 'used_memory_rss', 'used_memory'))],
  ['mem_fragmentation_bytes', (ctx) => difference(ctx, 'used_memory_rss', 'used_memory')],
  ['mem_not_counted_for_evict', zero],
  ['mem_replication_backlog', zero],
  ['mem_total_replication_buffers', zero],
  ['mem_clients_slaves', zero],
  ['mem_clients_normal', (ctx) => ctx.server.memory.clientsBytes()],
  ['mem_cluster_links', zero],
  ['mem_aof_buffer', zero],
  ['mem_allocator', () => `v8-${process.versions.v8}`],
  ['active_defrag_running', zero],
  ['lazyfree_pending_objects', zero],
  ['lazyfreed_objects', zero],
];

const PERSISTENCE_FIELDS: FieldList = [
  ['loading', zero],
  ['async_loading', zero],
  ['current_cow_peak', zero],
  ['current_cow_size', zero],
  ['current_cow_size_age', zero],
  ['current_fork_perc', () => '0.00'],
  ['current_save_keys_processed', zero],
  ['current_save_keys_total', zero],
  ['rdb_changes_since_last_save', (ctx) => ctx.server.keyspace.dirty],
  ['rdb_bgsave_in_progress', zero],
  ['rdb_last_save_time', (ctx) => Math.floor(ctx.server.startedAt / 1000)],
  ['rdb_last_bgsave_status', () => 'ok'],
  ['rdb_last_bgsave_time_sec', () => -1],
  ['rdb_current_bgsave_time_sec', () => -1],
  ['rdb_saves', zero],
  ['rdb_last_cow_size', zero],
  ['rdb_last_load_keys_expired', zero],
  ['rdb_last_load_keys_loaded', zero],
  ['aof_enabled', zero],
  ['aof_rewrite_in_progress', zero],
  ['aof_rewrite_scheduled', zero],
  ['aof_last_rewrite_time_sec', () => -1],
  ['aof_current_rewrite_time_sec', () => -1],
  ['aof_last_bgrewrite_status', () => 'ok'],
  ['aof_rewrites', zero],
  ['aof_rewrites_consecutive_failures', zero],
  ['aof_last_write_status', () => 'ok'],
  ['aof_last_cow_size', zero],
  ['module_fork_in_progress', zero],
  ['module_fork_last_cow_size', zero],
];

const STATS_FIELDS: FieldList = [
  ['total_connections_received', (ctx) => ctx.server.stats.totalConnectionsReceived],
  ['total_commands_processed', (ctx) => ctx.server.stats.totalCommandsProcessed],
  ['instantaneous_ops_per_sec', (ctx) => ctx.server.cron.instantaneousOps],
  ['total_net_input_bytes', (ctx) => ctx.server.stats.netInputBytes],
  ['total_net_output_bytes', (ctx) => ctx.server.stats.netOutputBytes],
  ['total_net_repl_input_bytes', zero],
  ['total_net_repl_output_bytes', zero],
  ['instantaneous_input_kbps', (ctx) => fixed2(ctx.server.cron.instantaneousInputKbps)],
  ['instantaneous_output_kbps', (ctx) => fixed2(ctx.server.cron.instantaneousOutputKbps)],
  ['instantaneous_input_repl_kbps', () => '0.00'],
  ['instantaneous_output_repl_kbps', () => '0.00'],
  ['rejected_connections', (ctx) => ctx.server.stats.rejectedConnections],
  ['sync_full', zero],
  ['sync_partial_ok', zero],
  ['sync_partial_err', zero],
  ['expired_keys', (ctx) => ctx.server.keyspace.expiredKeys],
  ['expired_stale_perc', (ctx) => fixed2(ctx.server.cron.activeExpire.stats.staleRatio * 100)],
  ['expired_time_cap_reached_count', zero],
  ['expire_cycle_cpu_milliseconds', (ctx) => Math.round(ctx.server.cron.activeExpire.stats.totalMs)],
  ['evicted_keys', (ctx) => ctx.server.evictor.evictedKeys],
  ['evicted_clients', (ctx) => ctx.server.clientEvictor.evictedClients],
  ['total_eviction_exceeded_time', (ctx) => ctx.server.evictor.exceededTimeMs().total],
  ['current_eviction_exceeded_time', (ctx) => ctx.server.evictor.exceededTimeMs().current],
  ['keyspace_hits', (ctx) => ctx.server.keyspace.keyspaceHits],
  ['keyspace_misses', (ctx) => ctx.server.keyspace.keyspaceMisses],
  ['pubsub_channels', (ctx) => ctx.server.pubsub.channelCount],
  ['pubsub_patterns', (ctx) => ctx.server.pubsub.patternCount],
  ['pubsubshard_channels', (ctx) => ctx.server.pubsub.shardChannelCount],
  ['latest_fork_usec', zero],
  ['total_forks', zero],
  ['migrate_cached_sockets', zero],
  ['slave_expires_tracked_keys', zero],
  ['active_defrag_hits', zero],
  ['active_defrag_misses', zero],
  ['active_defrag_key_hits', zero],
  ['active_defrag_key_misses', zero],
  ['total_active_defrag_time', zero],
  ['current_active_defrag_time', zero],
  ['tracking_total_keys', (ctx) => trackingOf(ctx.server).keyCount],
  ['tracking_total_items', (ctx) => trackingOf(ctx.server).totalItems],
  ['tracking_total_prefixes', (ctx) => trackingOf(ctx.server).prefixCount],
  ['unexpected_error_replies', zero],
  ['total_error_replies', (ctx) => ctx.server.stats.totalErrorReplies],
  ['dump_payload_sanitizations', zero],
  ['total_reads_processed', (ctx) => ctx.server.stats.totalReadsProcessed],
  ['total_writes_processed', (ctx) => ctx.server.stats.totalWritesProcessed],
  ['io_threaded_reads_processed', zero],
  ['io_threaded_writes_processed', zero],
  ['reply_buffer_shrinks', zero],
  ['reply_buffer_expands', zero],
];

const REPLICATION_FIELDS: FieldList = [
  ['role', () => 'master'],
  ['connected_slaves', zero],
  ['master_failover_state', () => 'no-failover'],
  ['master_replid', (ctx) => ctx.state.replicationId],
  ['master_replid2', (ctx) => ctx.state.replicationId2],
  ['master_repl_offset', zero],
  ['second_repl_offset', (ctx) => ctx.state.secondReplOffset],
  ['repl_backlog_active', zero],
  ['repl_backlog_size', (ctx) => Number(ctx.config('repl-backlog-size', '1048576'))],
  ['repl_backlog_first_byte_offset', zero],
  ['repl_backlog_histlen', zero],
];

const CPU_FIELDS: FieldList = [
  ['used_cpu_sys', () => cpuSeconds(process.cpuUsage().system)],
  ['used_cpu_user', () => cpuSeconds(process.cpuUsage().user)],
  ['used_cpu_sys_children', () => '0.000000'],
  ['used_cpu_user_children', () => '0.000000'],
  ['used_cpu_sys_main_thread', (ctx) => ctx.field('used_cpu_sys')],
  ['used_cpu_user_main_thread', (ctx) => ctx.field('used_cpu_user')],
];

const CLUSTER_FIELDS: FieldList = [['cluster_enabled', zero]];

/** Every field with a table entry, by name, for InfoContext.field(). */
const FIELD_SOURCES = new Map<string, (ctx: InfoContext) => InfoValue>(
  [SERVER_FIELDS, CLIENTS_FIELDS, MEMORY_FIELDS, PERSISTENCE_FIELDS, STATS_FIELDS, REPLICATION_FIELDS, CPU_FIELDS, CLUSTER_FIELDS].flat(),
);

function renderFields(fields: FieldList, section = ''): (ctx: InfoContext) => string {
  return (ctx) => {
    let out = '';
    for (const [name, compute] of fields) out += `${name}:${ctx.value(name, compute)}\r\n`;
    for (const source of ctx.state.tails.get(section) ?? []) out += source();
    return out;
  };
}

interface Section {
  title: string;
  /** Names that select the section in INFO's arguments. */
  names: string[];
  inDefault: boolean;
  render(ctx: InfoContext): string;
}

/** The sections in the order Redis prints them. */
const SECTIONS: Section[] = [
  { title: 'Server', names: ['server'], inDefault: true, render: renderFields(SERVER_FIELDS) },
  { title: 'Clients', names: ['clients'], inDefault: true, render: renderFields(CLIENTS_FIELDS) },
  { title: 'Memory', names: ['memory'], inDefault: true, render: renderFields(MEMORY_FIELDS) },
  { title: 'Persistence', names: ['persistence'], inDefault: true, render: renderFields(PERSISTENCE_FIELDS, 'persistence') },
  { title: 'Stats', names: ['stats'], inDefault: true, render: renderFields(STATS_FIELDS) },
  { title: 'Replication', names: ['replication'], inDefault: true, render: renderFields(REPLICATION_FIELDS) },
  { title: 'CPU', names: ['cpu'], inDefault: true, render: renderFields(CPU_FIELDS) },
  { title: 'Modules', names: ['module_list', 'modules'], inDefault: true, render: () => '' },
  { title: 'Commandstats', names: ['commandstats'], inDefault: false, render: renderCommandStats },
  { title: 'Errorstats', names: ['errorstats'], inDefault: true, render: renderErrorStats },
  { title: 'Latencystats', names: ['latencystats'], inDefault: false, render: renderLatencyStats },
  { title: 'Cluster', names: ['cluster'], inDefault: true, render: renderFields(CLUSTER_FIELDS) },
  { title: 'Keyspace', names: ['keyspace'], inDefault: true, render: renderKeyspace },
];

/**
 * The INFO text for the given arguments (section names, "default", "all", "everything"; none
 * means "default"). Unknown section names select nothing.
 */
export function buildInfo(server: Server, args: readonly string[]): string {
  const wanted = new Set<string>();
  let all = false;
  if (args.length === 0) wanted.add('default');
  for (const arg of args) {
    const name = arg.toLowerCase();
    if (name === 'all' || name === 'everything') all = true;
    else wanted.add(name);
  }
  const ctx = new InfoContext(server);
  const parts: string[] = [];
  for (const section of SECTIONS) {
    const selected = all || (section.inDefault && wanted.has('default')) || section.names.some((n) => wanted.has(n));
    if (selected) parts.push(`# ${section.title}\r\n${section.render(ctx)}`);
  }
  for (const extra of ctx.state.extraSections) {
    if (wanted.has(extra.name)) parts.push(`# ${extra.title}\r\n${extra.render()}`);
  }
  return parts.join('\r\n');
}

/** INFO's name for a command: its full name with characters that would break the format escaped. */
function safeInfoName(name: string): string {
  return name.replace(/[:\r\n]/g, '_');
}

function renderCommandStats(ctx: InfoContext): string {
  let out = '';
  for (const spec of ctx.server.commands.allWithSubcommands()) {
    const s = spec.stats;
    if (!s.calls && !s.failedCalls && !s.rejectedCalls) continue;
    // Redis divides in single precision.
    const perCall = s.calls === 0 ? 0 : Math.fround(Math.fround(s.usec) / Math.fround(s.calls));
    out +=
      `cmdstat_${safeInfoName(spec.fullName)}:calls=${s.calls},usec=${s.usec},usec_per_call=${perCall.toFixed(2)}` +
      `,rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}\r\n`;
  }
  return out;
}

function renderErrorStats(ctx: InfoContext): string {
  // Redis keeps error codes in a radix tree, so they come out in byte order.
  const codes = [...ctx.server.stats.errorCounts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let out = '';
  for (const code of codes) out += `errorstat_${code}:count=${ctx.server.stats.errorCounts.get(code)}\r\n`;
  return out;
}

function renderLatencyStats(ctx: InfoContext): string {
  if (ctx.config('latency-tracking', 'yes') !== 'yes') return '';
  const percentiles = ctx
    .config('latency-tracking-info-percentiles', '50 99 99.9')
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  let out = '';
  for (const spec of ctx.server.commands.allWithSubcommands()) out += latencyLine(spec, percentiles);
  return out;
}

function latencyLine(spec: CommandSpec, percentiles: number[]): string {
  const histogram = spec.stats.latency;
  if (!histogram) return '';
  const values = percentiles.map((p) => `p${trimDoubleString(p.toFixed(6))}=${(histogram.valueAtPercentile(p) / 1000).toFixed(3)}`);
  return `latency_percentiles_usec_${safeInfoName(spec.fullName)}:${values.join(',')}\r\n`;
}

function renderKeyspace(ctx: InfoContext): string {
  let out = '';
  for (const db of ctx.server.keyspace.databases) {
    const keys = db.size;
    const expires = db.expires.size;
    if (keys === 0 && expires === 0) continue;
    out += `db${db.id}:keys=${keys},expires=${expires},avg_ttl=${averageTtl(db.expires, ctx.server.keyspace.now())}\r\n`;
  }
  return out;
}

const TTL_SAMPLES = 64;

/** Average remaining TTL in ms, estimated from a sample of keys as Redis's avg_ttl is. */
function averageTtl(expires: KeyTable<number>, now: number): number {
  let total = 0;
  let counted = 0;
  for (let i = 0; i < Math.min(TTL_SAMPLES, expires.size); i++) {
    const entry = expires.randomEntry();
    if (!entry) break;
    const left = entry[1] - now;
    if (left > 0) {
      total += left;
      counted++;
    }
  }
  return counted === 0 ? 0 : Math.floor(total / counted);
}

function outputBytes(c: Client): number {
  return c.reply.out.pendingBytes + (c.socket?.writableLength ?? 0);
}

function maxOverClients(server: Server, measure: (c: Client) => number): number {
  let max = 0;
  for (const c of server.clients.values()) max = Math.max(max, measure(c));
  return max;
}

function ratio(ctx: InfoContext, a: string, b: string): number {
  const denominator = Number(ctx.field(b));
  return denominator === 0 ? 0 : Number(ctx.field(a)) / denominator;
}

function difference(ctx: InfoContext, a: string, b: string): number {
  return Number(ctx.field(a)) - Number(ctx.field(b));
}

/** Memory attributed to the server: the V8 heap in use plus memory held outside it (buffers). */
/** What V8 reports in use: live data plus garbage not yet collected. */
function usedHeap(memory: NodeJS.MemoryUsage): number {
  return memory.heapUsed + memory.external;
}

/** Redis's bytesToHuman: 1023B, 1.50K, 2.00M, ... */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  for (let i = 0; i < units.length; i++) {
    const scale = 1024 ** (i + 1);
    if (n < scale * 1024) return `${(n / scale).toFixed(2)}${units[i]}`;
  }
  return `${n}B`;
}

/** CPU time as Redis prints it: seconds with six decimals. */
function cpuSeconds(microseconds: number): string {
  return `${Math.floor(microseconds / 1e6)}.${String(microseconds % 1e6).padStart(6, '0')}`;
}

function multiplexingApi(): string {
  switch (process.platform) {
    case 'linux':
      return 'epoll';
    case 'darwin':
    case 'freebsd':
    case 'openbsd':
      return 'kqueue';
    case 'sunos':
      return 'evport';
    default:
      return 'select';
  }
}

function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}
