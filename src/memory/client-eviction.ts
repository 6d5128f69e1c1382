/**
 * Client eviction (maxmemory-clients, Redis 7.0): when the memory held by all normal clients
 * (query buffers, pending replies...) reaches the limit, the clients holding the most are
 * disconnected until the total is under it again. Clients that ran CLIENT NO-EVICT ON are never
 * chosen, but their memory still counts. The limit is bytes, or a percentage of maxmemory.
 *
 * Redis groups clients in power-of-two buckets of memory and empties the biggest bucket first;
 * evicting the biggest clients first is the same order without the bucketing.
 */
import type { Server } from '../server/server';
import type { Client } from '../server/client';

export class ClientEvictor {
  evictedClients = 0;

  constructor(private readonly server: Server) {}

  /** The limit in bytes, 0 when client eviction is off. */
  limitBytes(): number {
    const setting = this.server.config.get('maxmemory-clients');
    if (setting.endsWith('%')) {
      return Math.floor((this.server.config.getNumber('maxmemory') * Number(setting.slice(0, -1))) / 100);
    }
    return Number(setting);
  }

  /** Disconnects the biggest evictable clients while the total is at or over the limit. */
  evictClients(): void {
    const limit = this.limitBytes();
    // The cheap check first: the clients' total is cached for the current millisecond.
    if (limit === 0 || this.server.memory.clientsBytes() < limit) return;
    let total = 0;
    const candidates: { client: Client; bytes: number }[] = [];
    for (const client of this.server.clients.values()) {
      const bytes = client.memoryUsage();
      total += bytes;
      if (!client.noEvict) candidates.push({ client, bytes });
    }
    if (total < limit) return;
    candidates.sort((a, b) => b.bytes - a.bytes);
    for (const { client, bytes } of candidates) {
      if (total < limit) break;
      this.server.log.verbose(`Evicting client: ${client.describe()}`);
      client.close();
      total -= bytes;
      this.evictedClients++;
    }
    this.server.memory.invalidateClients();
  }
}
