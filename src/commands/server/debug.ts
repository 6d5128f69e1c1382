/**
 * DEBUG: the subcommands that make sense for Nodis (SLEEP, SET-ACTIVE-EXPIRE, OBJECT, PROTOCOL,
 * DIGEST, DIGEST-VALUE, CHANGE-REPL-ID, QUICKLIST-PACKED-THRESHOLD, ERROR, LOG, POPULATE, HELP,
 * and RELOAD / LOADAOF in debug-reload.ts). The others in Redis's help (crashes, allocator and
 * hash table internals) answer like an unknown subcommand.
 *
 * DEBUG is refused unless enable-debug-command allows it ("yes", or "local" for loopback
 * clients); the refusal comes before authentication, as in Redis.
 */
import type { Client } from '../../server/client';
import type { Server } from '../../server/server';
import type { CommandHandler } from '../registry';
import { parseLong } from '../arguments';
import { parseMemory } from '../../config/config';
import { replyHelp } from '../generic/object';
import { changeReplicationId } from '../../server/info';
import { isLoopback } from '../../server/protected-mode';
import { encodingOf, isStringValue, stringOf, type RedisValue } from '../../keyspace/value';
import { lruIdleMs } from '../../keyspace/access-clock';
import { savedObjectLength } from '../../persistence/rdb/writer';
import { datasetDigest, valueDigest } from './digest';
import { loadAof, reload } from './debug-reload';

const DEBUG_REFUSED =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a ' +
  'local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

const DEBUG_HELP = [
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  "    Like HTSTATS but for the hash table stored at <key>'s value.",
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  'MALLCTL <key> [<val>]',
  '    Get or set a malloc tuning integer.',
  'MALLCTL-STR <key> [<val>]',
  '    Get or set a malloc tuning string.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  '    Enables or disables checksum checks for RDB files and RESTORE\'s payload.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
];

/** Installs the enable-debug-command check, which Redis makes before authentication. */
export function installDebugGuard(server: Server): void {
  const debugSpec = server.commands.lookup('debug');
  if (!debugSpec) return;
  server.dispatcher.preAuthGuards.push((c, spec) => {
    if (spec !== debugSpec) return null;
    const setting = c.server.config.get('enable-debug-command');
    return setting === 'yes' || (setting === 'local' && isLoopback(c.socket?.remoteAddress)) ? null : DEBUG_REFUSED;
  });
}

/** Settings DEBUG changes that other parts read. */
interface DebugSettings {
  /** Elements at least this big go in their own "plain" quicklist node (lists). */
  quicklistPackedThreshold: number;
}

const DEFAULT_PACKED_THRESHOLD = 1 << 30;
const settings = new WeakMap<Server, DebugSettings>();

export function debugSettings(server: Server): DebugSettings {
  let s = settings.get(server);
  if (!s) {
    s = { quicklistPackedThreshold: DEFAULT_PACKED_THRESHOLD };
    settings.set(server, s);
  }
  return s;
}

/** C's atoi, for the 0|1 arguments Redis reads with it. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** C's strtod on a prefix, for DEBUG SLEEP's seconds. */
function strtod(s: string): number {
  const n = Number.parseFloat(s.trimStart());
  return Number.isNaN(n) ? 0 : n;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** DEBUG SLEEP: blocks the whole server, as Redis does. */
function sleep(c: Client, argv: string[]): void {
  const ms = strtod(argv[2]) * 1000;
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, Math.min(ms, 2 ** 31 - 1));
  c.reply.ok();
}

function setActiveExpire(c: Client, argv: string[]): void {
  c.server.cron.activeExpire.enabled = atoi(argv[2]) !== 0;
  c.reply.ok();
}

/** Largest threshold Redis accepts: 4GB minus 1MB. */
const MAX_PACKED_THRESHOLD = 2 ** 32 - 2 ** 20;

function quicklistPackedThreshold(c: Client, argv: string[]): void {
  const size = parseMemory(argv[2]);
  if (size === null || size > MAX_PACKED_THRESHOLD) {
    return c.reply.error('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
  }
  debugSettings(c.server).quicklistPackedThreshold = size === 0 ? DEFAULT_PACKED_THRESHOLD : size;
  c.reply.ok();
}

/** Redis's OBJ_SHARED_REFCOUNT, shown for the shared integer objects 0..9999. */
const SHARED_REFCOUNT = 2147483647;

function refcountOf(server: Server, value: RedisValue): number {
  if (!isStringValue(value) || encodingOf(value) !== 'int') return 1;
  const n = Number(stringOf(value));
  const policy = server.config.get('maxmemory-policy');
  const sharedAllowed = server.config.getNumber('maxmemory') === 0 || !(policy.includes('lru') || policy.includes('lfu'));
  return sharedAllowed && n >= 0 && n < 10000 ? SHARED_REFCOUNT : 1;
}

/** A stand-in for the value's address, stable for a key. */
function pseudoAddress(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return `0x7f${(h >>> 0).toString(16).padStart(8, '0')}0`;
}

/** DEBUG OBJECT: low-level facts about a key's value, without counting as an access. */
function object(c: Client, argv: string[]): void {
  const key = argv[2];
  const value = c.db.peek(key);
  if (value === undefined) return c.reply.error('ERR no such key');
  const lru = c.db.table.getMeta(key) ?? 0;
  const serialized = savedObjectLength(value, c.server.config.getBool('rdbcompression'));
  const idle = Math.floor(lruIdleMs(lru, c.server.keyspace.now()) / 1000);
  c.reply.status(
    `Value at:${pseudoAddress(key)} refcount:${refcountOf(c.server, value)} encoding:${encodingOf(value)} ` +
      `serializedlength:${serialized} lru:${lru} lru_seconds_idle:${idle}`,
  );
}

/** DEBUG PROTOCOL: one sample reply of each RESP3 type (downgraded for RESP2 as Redis does). */
function protocol(c: Client, argv: string[]): void {
  const r = c.reply;
  switch (argv[2].toLowerCase()) {
    case 'string':
      return r.bulk('Hello World');
    case 'integer':
      return r.integer(12345);
    case 'double':
      return r.double(3.141);
    case 'bignum':
      return r.bigNumber('1234567999999999999999999999999999999');
    case 'null':
      return r.nullBulk();
    case 'array':
      r.array(3);
      for (let i = 0; i < 3; i++) r.integer(i);
      return;
    case 'set':
      r.set(3);
      for (let i = 0; i < 3; i++) r.integer(i);
      return;
    case 'map':
      r.map(3);
      for (let i = 0; i < 3; i++) {
        r.integer(i);
        r.bool(i === 1);
      }
      return;
    case 'attrib':
      if (r.resp >= 3) {
        r.raw(Buffer.from('|1\r\n'));
        r.bulk('key-popularity');
        r.array(2);
        r.bulk('key:123');
        r.integer(90);
      }
      // An attribute is not a reply by itself: a real one follows.
      return r.bulk('Some real reply following the attribute');
    case 'push':
      if (r.resp < 3) return r.error('ERR RESP2 is not supported by this command');
      r.push(2);
      r.bulk('server-cpu-usage');
      r.integer(42);
      return r.bulk('Some real reply following the push reply');
    case 'verbatim':
      return r.verbatim('This is a verbatim\nstring');
    case 'true':
      return r.bool(true);
    case 'false':
      return r.bool(false);
    default:
      return r.error(
        'ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
      );
  }
}

function digest(c: Client): void {
  c.reply.status(datasetDigest(c.server.keyspace).toString('hex'));
}

function digestValue(c: Client, argv: string[]): void {
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.status(valueDigest(c.db, argv[i]).toString('hex'));
}

function changeReplId(c: Client): void {
  c.server.log.warning('Changing replication IDs after receiving DEBUG change-repl-id');
  changeReplicationId(c.server);
  c.reply.ok();
}

/** DEBUG ERROR: sent as a raw error line, so it does not count in the error statistics. */
function error(c: Client, argv: string[]): void {
  c.reply.raw(Buffer.from(`-${argv[2].replace(/[\r\n]/g, ' ')}\r\n`, 'latin1'));
}

function log(c: Client, argv: string[]): void {
  c.server.log.warning(`DEBUG LOG: ${argv[2]}`);
  c.reply.ok();
}

const NOT_POSITIVE = 'ERR value is out of range, must be positive';

/** Redis formats populated key names in a 128-byte buffer. */
const POPULATE_NAME_MAX = 127;

/** DEBUG POPULATE count [prefix] [size]: string keys prefix:N = value:N, skipping existing ones. */
function populate(c: Client, argv: string[]): void {
  const count = parseLong(argv[2]);
  if (count === null || count < 0) return c.reply.error(NOT_POSITIVE);
  let size = 0;
  if (argv.length === 5) {
    const n = parseLong(argv[4]);
    if (n === null || n < 0) return c.reply.error(NOT_POSITIVE);
    size = n;
  }
  const prefix = argv.length >= 4 ? argv[3] : 'key';
  const keyspace = c.server.keyspace;
  const dirty = keyspace.dirty;
  for (let i = 0; i < count; i++) {
    const key = `${prefix}:${i}`.slice(0, POPULATE_NAME_MAX);
    if (c.db.exists(key)) continue;
    const text = `value:${i}`;
    const value = size === 0 ? text : text.slice(0, size).padEnd(size, '\0');
    c.db.set(key, value);
  }
  // Not propagated, as in Redis: the keys exist only here.
  keyspace.dirty = dirty;
  c.reply.ok();
}

type Subcommand = [minArgs: number, maxArgs: number, handler: CommandHandler];

const SUBCOMMANDS = new Map<string, Subcommand>([
  ['help', [2, 2, (c, argv) => replyHelp(c, argv[0], DEBUG_HELP)]],
  ['sleep', [3, 3, sleep]],
  ['set-active-expire', [3, 3, setActiveExpire]],
  ['quicklist-packed-threshold', [3, 3, quicklistPackedThreshold]],
  ['object', [3, 3, object]],
  ['protocol', [3, 3, protocol]],
  ['digest', [2, 2, digest]],
  ['digest-value', [2, Infinity, digestValue]],
  ['change-repl-id', [2, 2, changeReplId]],
  ['error', [3, 3, error]],
  ['log', [3, 3, log]],
  ['populate', [3, 5, populate]],
  // Redis does not check the argument count of these two.
  ['reload', [2, Infinity, reload]],
  ['loadaof', [2, Infinity, loadAof]],
]);

function debug(c: Client, argv: string[]): void {
  const sub = SUBCOMMANDS.get(argv[1].toLowerCase());
  if (!sub || argv.length < sub[0] || argv.length > sub[1]) {
    return c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try DEBUG HELP.`);
  }
  sub[2](c, argv);
}

export const debugHandlers: Record<string, CommandHandler> = { debug };
