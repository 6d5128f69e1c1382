/**
 * RDB content inside the AOF: a base file in RDB format, or the RDB preamble of a pre-7.0 AOF.
 */
import type { Server } from '../../server/server';
import { loadRdbFile } from '../rdb-file';

/**
 * Loads the RDB at the start of `file` into the keyspace (keys past their TTL included: the
 * commands after it expect them); returns the offset just after it, where an old-style AOF's
 * command tail begins. Throws with the reason on a bad file.
 */
export function loadRdbBase(server: Server, file: string): number {
  return loadRdbFile(server, file, { aofPreamble: true }).end;
}
