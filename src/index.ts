/**
 * Public API for embedding Nodis in a Node program (tests, tools):
 *
 *   import { createServer } from 'nodis';
 *   const server = await createServer({ port: 0 });   // 0: an ephemeral port
 *   console.log(server.port);
 *   await server.close();
 */
import { Server } from './server/server';
import { Config, ConfigError } from './config/config';
import { findDirective } from './config/directives';
import type { Clock } from './keyspace/clock';
import { loadPersistedData } from './persistence/startup';

export { Server } from './server/server';
export { Config, ConfigError } from './config/config';
export { ManualClock, systemClock, type Clock } from './keyspace/clock';
export { NODIS_VERSION } from './server/version';

export interface CreateServerOptions {
  /** TCP port; 0 picks a free one. Default 6379. */
  port?: number;
  /** Address(es) to bind, as the bind directive. Default "127.0.0.1 -::1". */
  bind?: string;
  /** Any redis.conf directive, e.g. { requirepass: 'secret', maxmemory: '100mb' }. */
  config?: Record<string, string | number | string[]>;
  /** Clock for TTLs; tests pass a ManualClock. */
  clock?: Clock;
  /** Receives log lines; default: log nothing below warning to stdout. */
  logSink?: (line: string) => void;
}

/** Builds a Config from directive values; throws ConfigError naming the bad directive. */
export function configFrom(values: Record<string, string | number | string[]>): Config {
  const config = new Config();
  for (const [name, value] of Object.entries(values)) {
    const d = findDirective(name);
    if (!d) throw new ConfigError(`Bad directive or wrong number of arguments: ${name}`);
    const args = Array.isArray(value) ? value : d.multiArg ? String(value).split(/\s+/) : [String(value)];
    try {
      config.setNormalized(d, config.normalize(d, args));
    } catch (e) {
      throw new ConfigError(`${name}: ${(e as Error).message}`);
    }
  }
  return config;
}

/**
 * Creates a server, loads the persisted dataset (the AOF or the RDB file, as configured) and
 * starts listening; resolves once it accepts connections. Rejects when the data cannot be loaded.
 */
export async function createServer(options: CreateServerOptions = {}): Promise<Server> {
  const values: Record<string, string | number | string[]> = { loglevel: 'warning', ...options.config };
  if (options.port !== undefined) values.port = options.port;
  if (options.bind !== undefined) values.bind = options.bind;
  const server = new Server({ config: configFrom(values), clock: options.clock, logSink: options.logSink });
  try {
    // Persisted data may hold function libraries: the Lua engines must be ready first.
    await Promise.all(server.startupTasks);
    loadPersistedData(server);
  } catch (e) {
    await server.close();
    throw e;
  }
  await server.listen();
  return server;
}
