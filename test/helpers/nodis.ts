/**
 * Starts an in-process Nodis server on an ephemeral port for a test file, with helpers to open
 * ioredis clients and raw connections to it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createServer, type CreateServerOptions, type Server } from '../../src/index';
import { RawConnection } from './raw-connection';

export interface NodisHandle {
  server: Server;
  port: number;
  /** An ioredis client (closed after the file's tests). */
  client(options?: Record<string, unknown>): Redis;
  raw(): Promise<RawConnection>;
}

export async function startNodis(options: CreateServerOptions = {}): Promise<NodisHandle & { stop(): Promise<void> }> {
  // No save points unless a test asks for them, and a private directory unless a test names one:
  // a test server never loads or writes the dump.rdb of the directory the tests run in.
  const privateDir = options.config?.dir === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'nodis-test-')) : null;
  const config = { save: '', ...(privateDir ? { dir: privateDir } : {}), ...options.config };
  const server = await createServer({ port: 0, ...options, config });
  const clients: Redis[] = [];
  const raws: RawConnection[] = [];
  return {
    server,
    port: server.port,
    client(extra = {}) {
      const c = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1, ...extra });
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    async raw() {
      const r = await RawConnection.connect(server.port);
      raws.push(r);
      return r;
    },
    async stop() {
      for (const c of clients) c.disconnect();
      for (const r of raws) r.close();
      await server.close();
      if (privateDir) fs.rmSync(privateDir, { recursive: true, force: true });
    },
  };
}

/** Starts a server before the file's tests and stops it after them. */
export function useNodis(options: CreateServerOptions = {}): NodisHandle {
  let handle: Awaited<ReturnType<typeof startNodis>>;
  const proxy: NodisHandle = {
    get server() {
      return handle.server;
    },
    get port() {
      return handle.port;
    },
    client: (o) => handle.client(o),
    raw: () => handle.raw(),
  };
  beforeAll(async () => {
    handle = await startNodis(options);
  });
  afterAll(async () => {
    await handle?.stop();
  });
  return proxy;
}
