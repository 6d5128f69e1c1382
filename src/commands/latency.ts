/**
 * LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR / HISTOGRAM / HELP, as Redis 7.0.15's
 * latency.c. The samples come from the latency monitor (server/latency-monitor.ts), the
 * per-command histograms from the statistics the dispatcher keeps (spec.stats.latency). The
 * INFO section "eventloop" of the event-loop monitor is installed here too.
 */
import * as fs from 'node:fs';
import type { Client } from '../server/client';
import type { CommandGroup, CommandSpec } from './registry';
import type { Server } from '../server/server';
import type { LatencyHistogram } from '../server/latency-histogram';
import type { LatencyMonitor, LatencySample, LatencyTimeSeries } from '../server/latency-monitor';
import { addInfoSection, onResetStats } from '../server/info';
import { cText } from '../protocol/errors';
import { replyHelp } from './generic/object';

const LATENCY_HELP = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
];

/** Event names are C strings in Redis: an argument ends at its first NUL byte. */
function eventName(arg: string): string {
  return cText(arg, arg.length);
}

function latest(c: Client): void {
  const events = c.server.latencyMonitor.events;
  c.reply.array(events.size);
  for (const [event, series] of events) {
    const sample = series.latest();
    c.reply.array(4);
    c.reply.bulk(event);
    c.reply.integer(sample.time);
    c.reply.integer(sample.latency);
    c.reply.integer(series.max);
  }
}

function history(c: Client, argv: string[]): void {
  const samples = c.server.latencyMonitor.events.get(eventName(argv[2]))?.samples() ?? [];
  c.reply.array(samples.length);
  for (const sample of samples) {
    c.reply.array(2);
    c.reply.integer(sample.time);
    c.reply.integer(sample.latency);
  }
}

function reset(c: Client, argv: string[]): void {
  const monitor = c.server.latencyMonitor;
  if (argv.length === 2) return c.reply.integer(monitor.reset());
  let resets = 0;
  for (let i = 2; i < argv.length; i++) resets += monitor.reset(eventName(argv[i]));
  c.reply.integer(resets);
}

function graph(c: Client, argv: string[]): void {
  const event = eventName(argv[2]);
  const monitor = c.server.latencyMonitor;
  const series = monitor.events.get(event);
  if (series === undefined) return c.reply.error(`ERR No samples available for event '${event}'`);
  c.reply.verbatim(latencyGraph(event, series, monitor.nowSeconds()));
}

// ---------------------------------------------------------------------------------------------
// LATENCY GRAPH: Redis's sparkline.c, filled style, 80 columns of 4 rows.

const GRAPH_COLUMNS = 80;
const GRAPH_ROWS = 4;
const FILL_CHARSET = '_o#';
/** Blank rows between the graph and the labels. */
const LABEL_MARGIN_TOP = 1;

interface SparklineSample {
  value: number;
  label: string;
}

/** How long ago a sample was taken: 12s, 5m, 3h or 2d. */
function ageLabel(elapsed: number): string {
  if (elapsed < 60) return `${elapsed}s`;
  if (elapsed < 3600) return `${Math.trunc(elapsed / 60)}m`;
  if (elapsed < 86400) return `${Math.trunc(elapsed / 3600)}h`;
  return `${Math.trunc(elapsed / 86400)}d`;
}

function latencyGraph(event: string, series: LatencyTimeSeries, nowSeconds: number): string {
  const samples = series.samples();
  const values = samples.map((s) => s.latency);
  const high = Math.max(...values);
  const low = Math.min(...values);
  let out = `${event} - high ${high} ms, low ${low} ms (all time high ${series.max} ms)\n`;
  out += '-'.repeat(GRAPH_COLUMNS) + '\n';
  const sequence = samples.map((s: LatencySample) => ({ value: s.latency, label: ageLabel(nowSeconds - s.time) }));
  for (let start = 0; start < sequence.length; start += GRAPH_COLUMNS) {
    if (start !== 0) out += '\n';
    out += sparklineRange(sequence.slice(start, start + GRAPH_COLUMNS), low, high);
  }
  return out;
}

/** sparklineRenderRange: the rows of one stretch of samples, then their labels written downwards. */
function sparklineRange(samples: SparklineSample[], min: number, max: number): string {
  const steps = FILL_CHARSET.length * GRAPH_ROWS;
  const range = max - min || 1;
  let out = '';
  for (let row = 0; ; row++) {
    const chars = new Array<string>(samples.length).fill(' ');
    let more = false;
    if (row < GRAPH_ROWS) {
      more = true;
      for (let j = 0; j < samples.length; j++) {
        const step = Math.min(steps - 1, Math.max(0, Math.trunc(((samples[j].value - min) * steps) / range)));
        const charIndex = step - (GRAPH_ROWS - row - 1) * FILL_CHARSET.length;
        if (charIndex >= FILL_CHARSET.length) chars[j] = '|';
        else if (charIndex >= 0) chars[j] = FILL_CHARSET[charIndex];
      }
    } else if (row - GRAPH_ROWS < LABEL_MARGIN_TOP) {
      more = true;
    } else {
      const labelChar = row - GRAPH_ROWS - LABEL_MARGIN_TOP;
      for (let j = 0; j < samples.length; j++) {
        if (samples[j].label.length > labelChar) {
          more = true;
          chars[j] = samples[j].label[labelChar];
        }
      }
    }
    if (!more) return out;
    out += chars.join('') + '\n';
  }
}

// ---------------------------------------------------------------------------------------------
// LATENCY HISTOGRAM: per-command cumulative distributions (fillCommandCDF).

/** Redis's hdr_iter_log_init(iter, histogram, 1024, 2): buckets from 1024 ns, doubling. */
const CDF_FIRST_BUCKET_NS = 1024;
const CDF_LOG_BASE = 2;

function replyCommandCdf(c: Client, spec: CommandSpec, histogram: LatencyHistogram): void {
  c.reply.bulk(spec.fullName);
  c.reply.map(2);
  c.reply.bulk('calls');
  c.reply.integer(histogram.total);
  c.reply.bulk('histogram_usec');
  const buckets = histogram.logarithmicCdf(CDF_FIRST_BUCKET_NS, CDF_LOG_BASE);
  c.reply.map(buckets.length);
  for (const [highestNs, cumulative] of buckets) {
    c.reply.integer(Math.floor(highestNs / 1000));
    c.reply.integer(cumulative);
  }
}

/** lookupCommandBySds: "get", or "config|get" for a subcommand (any case); undefined if unknown. */
function lookupCommandByName(server: Server, name: string): CommandSpec | undefined {
  const parts = name.split('|');
  if (parts.length > 2) return undefined;
  const spec = server.commands.lookup(parts[0]);
  if (parts.length === 1 || spec === undefined) return spec;
  return spec.subcommands?.get(parts[1].toLowerCase());
}

/** A command and its subcommands, those that have a histogram. */
function withHistograms(spec: CommandSpec): [CommandSpec, LatencyHistogram][] {
  const found: [CommandSpec, LatencyHistogram][] = [];
  for (const s of [spec, ...(spec.subcommands?.values() ?? [])]) {
    if (s.stats.latency !== null) found.push([s, s.stats.latency]);
  }
  return found;
}

function histogram(c: Client, argv: string[]): void {
  const server = c.server;
  const found: [CommandSpec, LatencyHistogram][] = [];
  if (argv.length === 2) {
    for (const spec of server.commands.all) found.push(...withHistograms(spec));
  } else {
    // As Redis, unknown names are skipped and a name given twice is reported twice.
    for (let i = 2; i < argv.length; i++) {
      const spec = lookupCommandByName(server, argv[i]);
      if (spec !== undefined) found.push(...withHistograms(spec));
    }
  }
  c.reply.map(found.length);
  for (const [spec, h] of found) replyCommandCdf(c, spec, h);
}

// ---------------------------------------------------------------------------------------------
// LATENCY DOCTOR: createLatencyReport.

type Advice =
  | 'betterVm'
  | 'slowlogEnabled'
  | 'slowlogTuning'
  | 'slowlogInspect'
  | 'scheduler'
  | 'localDisk'
  | 'ssd'
  | 'dataWriteback'
  | 'diskContention'
  | 'noAppendfsync'
  | 'relaxFsyncPolicy'
  | 'writeLoadInfo'
  | 'hz'
  | 'largeObjects'
  | 'massEviction'
  | 'disableThp'
  | 'eventLoop';

/** The advice each event calls for ("command" depends on the slow log settings, see below). */
const EVENT_ADVICE: Record<string, Advice[]> = {
  'fast-command': ['scheduler'],
  'aof-write-pending-fsync': ['localDisk', 'diskContention', 'ssd', 'dataWriteback'],
  'aof-write-active-child': ['noAppendfsync', 'dataWriteback', 'ssd'],
  'aof-write-alone': ['localDisk', 'dataWriteback', 'ssd'],
  'aof-fsync-always': ['relaxFsyncPolicy'],
  'aof-fstat': ['diskContention', 'localDisk'],
  'rdb-unlink-temp-file': ['diskContention', 'localDisk'],
  'aof-rewrite-diff-write': ['writeLoadInfo', 'dataWriteback', 'ssd', 'localDisk'],
  'aof-rename': ['writeLoadInfo', 'dataWriteback', 'ssd', 'localDisk'],
  'expire-cycle': ['hz', 'largeObjects'],
  'eviction-del': ['largeObjects'],
  'eviction-cycle': ['massEviction'],
  eventloop: ['eventLoop'],
};

const DISABLED_REPORT =
  "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";

/** The advice texts in the order the report prints them; null: not printed in this state. */
function adviceTexts(server: Server, threshold: number): [Advice, string | null][] {
  return [
    ['betterVm', '- If you are using a virtual machine, consider upgrading it with a faster one using a hypervisior that provides less latency during fork() calls. Xen is known to have poor fork() performance. Even in the context of the same VM provider, certain kinds of instances can execute fork faster than others.\n'],
    ['slowlogEnabled', `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${threshold * 1000}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`],
    ['slowlogTuning', `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${threshold * 1000}'.\n`],
    ['slowlogInspect', '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n'],
    ['scheduler',
      '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n' +
      '  1) Lower the system load.\n' +
      '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
      '  3) Check if you have a "noisy neighbour" problem.\n' +
      "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
      '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n'],
    ['localDisk', '- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.\n'],
    ['ssd', '- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage). With extremely high write load SSD disks can be a good option. However Redis should perform reasonably with high load using normal disks. Use this advice as a last resort.\n'],
    ['dataWriteback', '- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Redis restarts.\n'],
    ['diskContention', '- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Redis instances).\n'],
    ['noAppendfsync', "- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n"],
    ['relaxFsyncPolicy', server.config.get('appendfsync') === 'always'
      ? "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n"
      : null],
    ['writeLoadInfo', '- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group multiple operations into a single EVALSHA call.\n'],
    ['hz', server.cron.hz < 100 ? "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n" : null],
    ['largeObjects', '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n'],
    ['massEviction', "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n"],
    ['disableThp', "- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n"],
    ['eventLoop', '- The event loop stalled outside of the commands (the "eventloop" event). With a large dataset this is most often V8\'s garbage collector marking or compacting the heap, which takes longer the more keys and values the server holds; INFO eventloop shows how the delays are spread. Fewer, larger values (a hash instead of many small keys) or a smaller dataset per instance shorten these pauses.\n'],
  ];
}

/** THPGetAnonHugePagesSize() > 0: transparent huge pages back some of the process's memory. */
function usesAnonHugePages(): boolean {
  try {
    const match = /^AnonHugePages:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/smaps_rollup', 'latin1'));
    return match !== null && Number(match[1]) > 0;
  } catch {
    return false;
  }
}

function doctorReport(server: Server): string {
  const monitor: LatencyMonitor = server.latencyMonitor;
  const threshold = monitor.threshold;
  if (monitor.events.size === 0 && threshold === 0) return DISABLED_REPORT;
  const advised = new Set<Advice>();
  let advices = 0;
  const advise = (...list: Advice[]): void => {
    for (const a of list) advised.add(a);
    advices += list.length;
  };
  let report = '';
  let eventNumber = 0;
  for (const event of monitor.events.keys()) {
    if (++eventNumber === 1) {
      report += "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
    }
    const s = monitor.analyze(event);
    report +=
      `${eventNumber}. ${event}: ${s.samples} latency spikes (average ${s.avg}ms, mean deviation ${s.meanDeviation}ms, ` +
      `period ${(s.period / s.samples).toFixed(2)} sec). Worst all time event ${s.allTimeHigh}ms.`;
    const name = event.toLowerCase();
    if (name === 'command') {
      const slowerThan = server.limits.slowlogSlowerThan;
      if (slowerThan < 0) advise('slowlogEnabled');
      else if (Math.trunc(slowerThan / 1000) > threshold) advise('slowlogTuning');
      advise('slowlogInspect', 'largeObjects');
    }
    advise(...(EVENT_ADVICE[name] ?? []));
    report += '\n';
  }
  if (usesAnonHugePages()) advise('disableThp');

  if (eventNumber === 0 && advices === 0) {
    return report + 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
  }
  if (advices === 0) {
    return report + "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n";
  }
  report += '\nI have a few advices for you:\n\n';
  for (const [advice, text] of adviceTexts(server, threshold)) {
    if (advised.has(advice) && text !== null) report += text;
  }
  return report;
}

function install(server: Server): void {
  addInfoSection(server, 'Eventloop', () => server.eventLoopMonitor.infoLines());
  onResetStats(server, () => server.eventLoopMonitor.reset());
}

export const latencyCommands: CommandGroup = {
  group: 'server',
  // In the order of Redis's COMMAND INFO latency subcommands.
  handlers: {
    'latency|graph': graph,
    'latency|doctor': (c) => c.reply.verbatim(doctorReport(c.server)),
    'latency|histogram': histogram,
    'latency|latest': latest,
    'latency|help': (c, argv) => replyHelp(c, argv[0], LATENCY_HELP),
    'latency|history': history,
    'latency|reset': reset,
  },
  install,
};
