/**
 * client-output-buffer-limit, as Redis 7.0's checkClientOutputBufferLimits: a client whose
 * pending output grows past its class's hard limit, or stays past the soft limit for longer than
 * the soft seconds, is closed (asynchronously, as freeClientAsync: whatever it still had to
 * receive is dropped).
 *
 * Classes: normal (monitors included, as Redis's getClientType reports them), replica (kept for
 * the directive; Nodis has no replicas yet) and pubsub (a client with subscriptions, RESP2 or
 * RESP3). A client's output is what Redis counts in reply_bytes: reply bytes past the static 16k
 * reply buffer, plus what Node still queues in the socket (Redis has no such queue: it keeps
 * unsent bytes in its reply list, so both count).
 */
import { ConfigError, formatMemory, parseMemoryBytes } from '../config/values';
import type { Client } from './client';
import type { Server } from './server';

export const OUTPUT_BUFFER_LIMIT = 'client-output-buffer-limit';

/** The classes in Redis's order (CLIENT_TYPE_NORMAL, _SLAVE, _PUBSUB), as CONFIG GET names them. */
const CLASS_NAMES = ['normal', 'slave', 'pubsub'] as const;
/** CONFIG REWRITE writes "replica" for "slave". */
const REWRITE_NAMES = ['normal', 'replica', 'pubsub'];
const CLASS_BY_NAME: Record<string, number> = { normal: 0, slave: 1, replica: 1, pubsub: 2 };
const NORMAL = 0;
const PUBSUB = 2;

export const OUTPUT_BUFFER_LIMIT_DEFAULT = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';

/** One class's limits, as text (hard and soft may exceed 2^53). */
type ClassLimitText = [hard: string, soft: string, softSeconds: string];

function splitValue(value: string): ClassLimitText[] {
  const words = value.split(' ');
  return CLASS_NAMES.map((_, i) => [words[i * 4 + 1], words[i * 4 + 2], words[i * 4 + 3]]);
}

function joinValue(limits: ClassLimitText[]): string {
  return limits.map((limit, i) => `${CLASS_NAMES[i]} ${limit.join(' ')}`).join(' ');
}

/**
 * soft_seconds as Redis reads it: strtoll (leading spaces, a sign, saturating at 64 bits) that
 * must consume the whole text ("" is 0), stored in a C int.
 */
function parseSoftSeconds(text: string): bigint | null {
  if (text === '') return 0n;
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(text);
  if (!m) return null;
  let n = BigInt(m[1]);
  if (n > 9223372036854775807n) n = 9223372036854775807n;
  if (n < -9223372036854775808n) n = -9223372036854775808n;
  return BigInt.asIntN(32, n);
}

/**
 * Validates `<class> <hard> <soft> <soft seconds>` groups and returns the whole new value: only the
 * classes given change (config file lines and CONFIG SET are partial), all or nothing.
 */
export function parseOutputBufferLimits(args: string[], current: string): string {
  if (args.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
  const limits = splitValue(current);
  for (let j = 0; j < args.length; j += 4) {
    const name = args[j].toLowerCase();
    const cls = Object.hasOwn(CLASS_BY_NAME, name) ? CLASS_BY_NAME[name] : -1;
    if (cls === -1) throw new ConfigError('Invalid client class specified in buffer limit configuration.');
    const hard = parseMemoryBytes(args[j + 1]);
    const soft = parseMemoryBytes(args[j + 2]);
    const softSeconds = parseSoftSeconds(args[j + 3]);
    if (hard === null || soft === null || softSeconds === null || softSeconds < 0n) {
      throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    limits[cls] = [String(hard), String(soft), String(softSeconds)];
  }
  return joinValue(limits);
}

/** Sizes as CONFIG REWRITE prints them: Redis passes the unsigned value as a long long. */
const rewriteMemory = (bytes: string): string => formatMemory(String(BigInt.asIntN(64, BigInt(bytes))));

/** CONFIG REWRITE: one line per class, "slave" written as "replica". */
export function rewriteOutputBufferLimits(value: string): string[] {
  return splitValue(value).map(([hard, soft, seconds], i) => `${REWRITE_NAMES[i]} ${rewriteMemory(hard)} ${rewriteMemory(soft)} ${seconds}`);
}

/** A class's line is added to the file only when that class differs from its default. */
export function outputBufferLimitLineForced(value: string, line: number): boolean {
  return splitValue(value)[line].join(' ') !== splitValue(OUTPUT_BUFFER_LIMIT_DEFAULT)[line].join(' ');
}

interface ClassLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

export class OutputLimits {
  private limits: ClassLimit[] = [];
  /** Whether normal clients (most of them) have any limit: when not, checking one costs a comparison. */
  private normalLimited = false;
  private readonly toClose = new Set<Client>();

  constructor(private readonly server: Server) {
    this.load();
    server.config.onChange((name) => {
      if (name === OUTPUT_BUFFER_LIMIT) this.load();
    });
  }

  private load(): void {
    this.limits = splitValue(this.server.config.get(OUTPUT_BUFFER_LIMIT)).map(([hard, soft, seconds]) => ({
      hard: Number(hard),
      soft: Number(soft),
      softSeconds: Number(seconds),
    }));
    const normal = this.limits[NORMAL];
    this.normalLimited = normal.hard > 0 || normal.soft > 0;
  }

  /**
   * Called after reply bytes were added for a client (a command's replies, a pub/sub message, a
   * MONITOR line): schedules its close when it is over its limits.
   */
  check(client: Client): void {
    if (client.subscriptions === null && !this.normalLimited) return;
    if (client.closeAsap || client.closed || client.socket === null) return;
    if (this.overLimits(client)) this.scheduleClose(client);
  }

  private overLimits(client: Client): boolean {
    const limit = this.limits[client.subscriptions !== null ? PUBSUB : NORMAL];
    if (limit.hard === 0 && limit.soft === 0) return false;
    const used = client.outputBufferBytes();
    // As Redis, which only checks when its reply list holds something.
    if (used === 0) return false;
    const hard = limit.hard > 0 && used >= limit.hard;
    let soft = false;
    if (limit.soft > 0 && used >= limit.soft) {
      // Past the soft limit for longer than softSeconds, in whole seconds as server.unixtime.
      const now = Math.floor(this.server.keyspace.now() / 1000);
      if (client.outputSoftLimitSince === 0) client.outputSoftLimitSince = now;
      else soft = now - client.outputSoftLimitSince > limit.softSeconds;
    } else {
      client.outputSoftLimitSince = 0;
    }
    return hard || soft;
  }

  private scheduleClose(client: Client): void {
    client.closeAsap = true;
    this.server.log.warning(`Client ${client.describe()} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    if (this.toClose.size === 0) setImmediate(() => this.closeScheduled());
    this.toClose.add(client);
  }

  /** Closes at once, dropping what the socket still queues (a slow reader must not keep it in memory). */
  private closeScheduled(): void {
    for (const client of this.toClose) {
      client.close();
      client.socket?.destroy();
    }
    this.toClose.clear();
  }
}
