/**
 * Synchronous saves, Redis's rdbSave: SAVE, the last save before exit (SHUTDOWN, SIGTERM) and the
 * save after FLUSHALL when save points are set. The dataset is written in one go, and the save is
 * recorded as Redis records it: last save time, no changes since, bgsave status ok.
 */
import type { Server } from '../server/server';
import { saveRdbFile } from './rdb-file';
import { persistenceOf } from './persistence-state';
import { abortBackgroundSave, rdbPaths } from './background-save';

/**
 * Saves dir/dbfilename now; false (with the reason logged) when the file could not be written.
 * `tempName` names the temp file when the usual one may be in use (by a background save).
 */
export function saveDatasetNow(server: Server, options: { tempName?: string } = {}): boolean {
  const dirty = server.keyspace.dirty;
  try {
    saveRdbFile(server, rdbPaths(server).finalPath, options);
  } catch (e) {
    server.log.warning((e as Error).message);
    return false;
  }
  server.log.notice('DB saved on disk');
  persistenceOf(server).recordSave(dirty);
  return true;
}

/** SHUTDOWN's save (finishShutdown): a background save in progress is stopped first. */
export function saveBeforeExit(server: Server): boolean {
  abortBackgroundSave(server, 'There is a child saving an .rdb. Killing it!');
  server.log.notice('Saving the final RDB snapshot before exiting.');
  return saveDatasetNow(server);
}

/**
 * After FLUSHALL (flushAllDataAndResetRDB): a background save in progress is stopped, and with
 * save points set the now empty dataset is saved.
 */
export function saveAfterFlushAll(server: Server): void {
  abortBackgroundSave(server, 'FLUSHALL: stopping the background save in progress.');
  if (persistenceOf(server).savePointsSet()) saveDatasetNow(server);
}
