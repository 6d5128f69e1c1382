/**
 * CLIENT PAUSE / UNPAUSE: for a while, clients' commands wait instead of running (all of them, or
 * in WRITE mode only the ones that may change the dataset). Held commands run in arrival order
 * when the pause ends.
 */
import { CommandFlag } from '../commands/registry';
import type { Client } from './client';
import type { Server } from './server';

export type PauseMode = 'all' | 'write';

export class ClientPause {
  private mode: PauseMode | null = null;
  private until = 0;
  private waiting: Client[] = [];

  constructor(private readonly server: Server) {}

  get active(): boolean {
    return this.mode !== null;
  }

  start(mode: PauseMode, untilMs: number): void {
    // A new pause never shortens or weakens one in force.
    if (this.mode === 'all' && mode === 'write') return;
    this.mode = mode;
    this.until = Math.max(this.until, untilMs);
  }

  mustWait(client: Client, argv: string[]): boolean {
    if (this.mode === null) return false;
    const spec = this.server.commands.lookupArgv(argv);
    if (this.mode === 'write') {
      const flags = spec === undefined ? 0 : this.server.dispatcher.flagsOf(client, spec, argv);
      const writes = (flags & (CommandFlag.Write | CommandFlag.MayReplicate)) !== 0;
      if (!writes) return false;
    }
    if (spec && spec.fullName === 'client|unpause') return false;
    if (!this.waiting.includes(client)) this.waiting.push(client);
    return true;
  }

  end(): void {
    this.mode = null;
    this.until = 0;
    const resumed = this.waiting;
    this.waiting = [];
    for (const client of resumed) if (!client.closed) client.processInput();
    this.server.flushPendingReplies();
  }

  /**
   * CLIENT UNPAUSE: the pause ends now, and the held commands run right after the current one
   * (never inside it: a command must not run while another is running).
   */
  endFromCommand(): void {
    if (this.mode === null) return;
    this.mode = null;
    this.until = 0;
    const resumed = this.waiting;
    this.waiting = [];
    setImmediate(() => {
      for (const client of resumed) if (!client.closed) client.processInput();
      this.server.flushPendingReplies();
    });
  }

  /** Ends a pause whose time is up (called from cron). */
  expire(): void {
    if (this.mode !== null && Date.now() >= this.until) this.end();
  }

  forget(client: Client): void {
    const i = this.waiting.indexOf(client);
    if (i >= 0) this.waiting.splice(i, 1);
  }
}
