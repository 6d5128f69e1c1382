/**
 * Runs the same script against redis-server and Nodis, for compat tests whose replies
 * must be normalized (ids, ports, timings) before they are compared.
 */
import type { CompatPair } from './harness';
import { RawConnection } from '../helpers/raw-connection';

/** Runs `script` on a fresh connection to each server; returns [redis result, nodis result]. */
export async function onBoth<T>(pair: CompatPair, script: (conn: RawConnection) => Promise<T>): Promise<[T, T]> {
  const results: T[] = [];
  for (const port of [pair.redisPort, pair.nodisPort]) {
    const conn = await RawConnection.connect(port);
    try {
      results.push(await script(conn));
    } finally {
      conn.close();
    }
  }
  return results as [T, T];
}
