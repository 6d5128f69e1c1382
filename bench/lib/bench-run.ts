/**
 * What every side-by-side benchmark does around its measurements: refuse to start without the
 * redis tools it needs (saying which is missing), and stop the servers it started however it
 * ends, Ctrl-C included.
 */
import { missingTool, type RunningServer } from './servers';

/** A command-line option that must be a positive integer: its value, or an error naming it. */
export function positiveInt(text: string, name: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

/** Exits with status 1, naming each missing tool, unless every one of `tools` is on the PATH. */
export function requireTools(benchmark: string, tools: string[]): void {
  const missing = tools.map(missingTool).filter((m): m is string => m !== null);
  if (missing.length === 0) return;
  for (const m of missing) console.error(m);
  console.error(`The ${benchmark} benchmark needs ${tools.join(' and ')}; nothing was measured.`);
  process.exit(1);
}

/** The servers a benchmark started: all stopped by stopAll(), and on SIGINT/SIGTERM. */
export class ServerSet {
  readonly running = new Set<RunningServer>();

  constructor() {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => void this.stopAll().then(() => process.exit(130)));
    }
  }

  add<T extends RunningServer>(server: T): T {
    this.running.add(server);
    return server;
  }

  async stop(server: RunningServer): Promise<void> {
    this.running.delete(server);
    await server.stop();
  }

  async stopAll(): Promise<void> {
    const servers = [...this.running];
    this.running.clear();
    await Promise.all(servers.map((s) => s.stop()));
  }
}
