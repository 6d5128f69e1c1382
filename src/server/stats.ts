/**
 * Server statistics that INFO, SLOWLOG and CONFIG RESETSTAT read: per-error-code counts
 * (errorstats), totals, and the slow log. Per-command counts live on each CommandSpec.
 */
import type { Client } from './client';

export interface SlowlogEntry {
  id: number;
  timestamp: number;
  durationUs: number;
  argv: string[];
  addr: string;
  name: string;
}

const SLOWLOG_MAX_ARGC = 32;
const SLOWLOG_MAX_ARG_LEN = 128;

export class ServerStats {
  errorCounts = new Map<string, number>();
  totalErrorReplies = 0;
  totalCommandsProcessed = 0;
  totalConnectionsReceived = 0;
  rejectedConnections = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  /** Socket reads handled and socket writes made (INFO total_reads_processed / total_writes_processed). */
  totalReadsProcessed = 0;
  totalWritesProcessed = 0;
  slowlog: SlowlogEntry[] = [];
  private nextSlowlogId = 0;
  /** Set to the client whose command is running, so its errors count as failed calls. */
  runningClient: Client | null = null;

  recordError(client: Client, message: string): void {
    const space = message.indexOf(' ');
    const code = space < 0 ? message : message.slice(0, space);
    // Redis stops tracking new error codes past 128 kinds, to bound memory.
    if (this.errorCounts.has(code) || this.errorCounts.size < 128) {
      this.errorCounts.set(code, (this.errorCounts.get(code) ?? 0) + 1);
    }
    this.totalErrorReplies++;
    if (this.runningClient === client) client.commandFailed = true;
  }

  addSlowlogEntry(client: Client, argv: string[], durationUs: number, maxLen: number): void {
    if (maxLen <= 0) return;
    const kept = argv.length > SLOWLOG_MAX_ARGC ? argv.slice(0, SLOWLOG_MAX_ARGC - 1) : argv.slice();
    if (argv.length > SLOWLOG_MAX_ARGC) kept.push(`... (${argv.length - SLOWLOG_MAX_ARGC + 1} more arguments)`);
    for (let i = 0; i < kept.length; i++) {
      const arg = kept[i];
      if (arg.length > SLOWLOG_MAX_ARG_LEN) {
        kept[i] = `${arg.slice(0, SLOWLOG_MAX_ARG_LEN)}... (${arg.length - SLOWLOG_MAX_ARG_LEN} more bytes)`;
      }
    }
    this.slowlog.unshift({
      id: this.nextSlowlogId++,
      timestamp: Math.floor(Date.now() / 1000),
      durationUs,
      argv: kept,
      addr: client.addr,
      name: client.name,
    });
    if (this.slowlog.length > maxLen) this.slowlog.length = maxLen;
  }

  resetSlowlog(): void {
    this.slowlog = [];
  }

  reset(): void {
    this.errorCounts.clear();
    this.totalErrorReplies = 0;
    this.totalCommandsProcessed = 0;
    this.totalConnectionsReceived = 0;
    this.rejectedConnections = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.totalReadsProcessed = 0;
    this.totalWritesProcessed = 0;
  }
}
