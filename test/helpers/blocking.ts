/** Helpers for tests of blocking commands. */
import { expect } from 'vitest';
import type { Server } from '../../src/server/server';

/** Waits (up to 2.5 s) until the server has exactly `n` blocked clients. */
export async function waitForBlockedClients(server: Server, n: number): Promise<void> {
  for (let i = 0; i < 500 && server.blocking.blockedCount !== n; i++) await new Promise((r) => setTimeout(r, 5));
  expect(server.blocking.blockedCount).toBe(n);
}
