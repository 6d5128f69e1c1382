/**
 * Puts memory management into the server: client eviction and the OOM check before every
 * command (in Redis's processCommand order: clients first, then keys), eviction rounds after
 * CONFIG SET lowers maxmemory, and the peak kept current by the cron.
 */
import type { Server } from '../server/server';
import { CommandFlag } from '../commands/registry';

export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

/** Whether memory is over maxmemory once eviction has done what it can (Redis's OOM state). */
export function overMaxmemory(server: Server): boolean {
  return server.config.getNumber('maxmemory') > 0 && server.evictor.performEvictions() === 'fail';
}

/** Commands a client may still send inside MULTI while memory is over the limit. */
const ALLOWED_IN_MULTI_ON_OOM = new Set(['exec', 'discard', 'quit', 'reset']);

export function installMemoryManagement(server: Server): void {
  // Read on every command, so kept as numbers rather than looked up in the configuration.
  const limits = { maxmemory: 0, clients: 0 };
  const refreshLimits = (): void => {
    limits.maxmemory = server.config.getNumber('maxmemory');
    limits.clients = server.clientEvictor.limitBytes();
  };
  refreshLimits();
  server.config.onChange(refreshLimits);
  if (limits.maxmemory > 0 && limits.maxmemory < 1024 * 1024) {
    server.log.warning(
      `WARNING: You specified a maxmemory value that is less than 1MB (current value is ${limits.maxmemory} bytes). ` +
        'Are you sure this is what you really want?',
    );
  }

  server.dispatcher.guards.unshift((c, spec, argv) => {
    if (limits.clients > 0) {
      server.clientEvictor.evictClients();
      if (c.closed) return OOM_ERROR; // evicted itself: the reply goes nowhere
    }
    if (limits.maxmemory === 0) return null;
    const outOfMemory = server.evictor.performEvictions() === 'fail';
    if (!outOfMemory) return null;
    const denied = (server.dispatcher.flagsOf(c, spec, argv) & CommandFlag.DenyOom) !== 0;
    // Queueing inside MULTI takes memory without limit, so it stops too.
    const queueing = c.inTransaction && !ALLOWED_IN_MULTI_ON_OOM.has(spec.fullName);
    return denied || queueing ? OOM_ERROR : null;
  });

  server.config.onChange((name) => {
    if (name !== 'maxmemory') return;
    const max = server.config.getNumber('maxmemory');
    const used = server.memory.usedMemory();
    if (max === 0 || used <= max) return;
    server.log.warning(
      `WARNING: the new maxmemory value set via CONFIG SET (${max}) is smaller than the current memory usage ` +
        `(${used}). This will result in key eviction and/or the inability to accept new write commands ` +
        `depending on the maxmemory-policy.`,
    );
    server.evictor.continueLater();
  });

  server.cron.tasks.push(() => {
    server.memory.usedMemory(); // keeps the peak current
    if (limits.clients > 0) server.clientEvictor.evictClients();
  });
}
