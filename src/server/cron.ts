/**
 * Periodic work, `hz` times a second (Redis's serverCron): the active expiry cycle, idle client
 * timeouts, the end of CLIENT PAUSE, and the per-second rates INFO reports.
 */
import { ActiveExpire } from '../keyspace/active-expire';
import { systemClock } from '../keyspace/clock';
import type { Server } from './server';
import { latencyAddSampleIfNeeded } from './latency-monitor';

export class Cron {
  readonly activeExpire: ActiveExpire;
  private timer: NodeJS.Timeout | null = null;
  private lastOpsSample = { at: Date.now(), commands: 0, input: 0, output: 0 };
  instantaneousOps = 0;
  instantaneousInputKbps = 0;
  instantaneousOutputKbps = 0;
  /** Periodic work of later capabilities (persistence save points), run on every tick. */
  readonly tasks: (() => void)[] = [];

  constructor(private readonly server: Server) {
    this.activeExpire = new ActiveExpire(server.keyspace);
  }

  get hz(): number {
    return Math.min(500, Math.max(1, this.server.config.getNumber('hz')));
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), Math.round(1000 / this.hz));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  restart(): void {
    if (!this.timer) return;
    this.stop();
    this.start();
  }

  tick(): void {
    const server = this.server;
    systemClock.resync();
    const expireStart = performance.now();
    this.activeExpire.run(this.hz, server.config.getNumber('active-expire-effort'));
    latencyAddSampleIfNeeded(server, 'expire-cycle', performance.now() - expireStart);
    this.closeIdleClients();
    server.pause.expire();
    this.sampleRates();
    for (const task of this.tasks) task();
    server.flushPendingReplies();
  }

  private closeIdleClients(): void {
    const timeout = this.server.limits.timeoutSeconds;
    if (timeout <= 0) return;
    const now = Date.now();
    for (const client of this.server.clients.values()) {
      if (client.monitor || client.pendingArgv || client.blocked) continue;
      if (now - client.lastInteraction > timeout * 1000) {
        this.server.log.verbose('Closing idle client');
        client.close();
      }
    }
  }

  private sampleRates(): void {
    const now = Date.now();
    const elapsed = now - this.lastOpsSample.at;
    if (elapsed < 100) return;
    const stats = this.server.stats;
    this.instantaneousOps = Math.round(((stats.totalCommandsProcessed - this.lastOpsSample.commands) * 1000) / elapsed);
    this.instantaneousInputKbps = ((stats.netInputBytes - this.lastOpsSample.input) * 1000) / elapsed / 1024;
    this.instantaneousOutputKbps = ((stats.netOutputBytes - this.lastOpsSample.output) * 1000) / elapsed / 1024;
    this.lastOpsSample = { at: now, commands: stats.totalCommandsProcessed, input: stats.netInputBytes, output: stats.netOutputBytes };
  }
}
