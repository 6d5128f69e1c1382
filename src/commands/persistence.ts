/**
 * Persistence commands. SAVE writes the dataset to dir/dbfilename synchronously, as Redis's
 * saveCommand: refused while a background save runs, "-ERR" (details in the log) when the file
 * cannot be written. BGSAVE writes it in the background (src/persistence/background-save.ts),
 * LASTSAVE tells when the last save succeeded.
 */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { Errors } from '../protocol/errors';
import { isOption } from './arguments';
import { lastSaveTime } from '../server/info';
import { setShutdownSaver } from './server/admin';
import { setFlushAllHook } from './generic/databases';
import { installPersistenceInfo, misconfGuard, persistenceOf } from '../persistence/persistence-state';
import { abortBackgroundSave, startBackgroundSave } from '../persistence/background-save';
import { saveAfterFlushAll, saveBeforeExit, saveDatasetNow } from '../persistence/sync-save';
import { runSavePoints } from '../persistence/save-points';
import { bgrewriteaof } from '../persistence/aof/bgrewriteaof';

/** SAVE */
export function saveCommand(c: Client): void {
  const state = persistenceOf(c.server);
  if (state.current !== null) return c.reply.error('ERR Background save already in progress');
  state.rdbSaves++;
  if (saveDatasetNow(c.server)) c.reply.ok();
  else c.reply.error('ERR');
}

/**
 * BGSAVE [SCHEDULE]: starts a fork-less background save. While another background job runs (an
 * AOF rewrite) it is refused, or with SCHEDULE started by the cron once that job is over.
 */
function bgsave(c: Client, argv: string[]): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && isOption(argv[1], 'SCHEDULE')) schedule = true;
    else return c.reply.error(Errors.syntax);
  }
  const server = c.server;
  const state = persistenceOf(server);
  if (state.current !== null) return c.reply.error('ERR Background save already in progress');
  if (state.otherJobActive()) {
    if (!schedule) {
      return c.reply.error(
        "ERR Another child process is active (AOF?): can't BGSAVE right now. " +
          'Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.',
      );
    }
    state.bgsaveScheduled = true;
    return c.reply.status('Background saving scheduled');
  }
  startBackgroundSave(server);
  c.reply.status('Background saving started');
}

/** LASTSAVE: unix time of the last successful save (start-up counts as one). */
function lastsave(c: Client): void {
  c.reply.integer(lastSaveTime(c.server));
}

/** Save points, MISCONF, INFO fields, and the saves SHUTDOWN and FLUSHALL make. */
function installSnapshots(server: Server): void {
  installPersistenceInfo(server);
  server.dispatcher.guards.push(misconfGuard(server));
  server.cron.tasks.push(() => runSavePoints(server));
  setShutdownSaver(server, saveBeforeExit);
  setFlushAllHook(server, saveAfterFlushAll);
  server.closeHooks.push(() => abortBackgroundSave(server, 'Stopping the background save in progress.'));
}

export const persistenceCommands: CommandGroup = {
  group: 'persistence',
  handlers: { save: saveCommand, bgsave, lastsave, bgrewriteaof },
  install: installSnapshots,
};
