/**
 * BGSAVE without fork: a KeyspaceSnapshot feeds an RdbWriter, one slice per event-loop turn
 * (setImmediate), so clients are served between slices. The file is written as Redis writes it:
 * temp-<pid>.rdb in `dir`, fsync, rename over dbfilename, fsync of the directory. On any error
 * the temporary file is removed and the previous file stays as it was.
 *
 * The outcome lands in the PersistenceState like backgroundSaveDoneHandler's: last save time,
 * changes since the save, bgsave status (an error makes MISCONF refuse writes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../server/server';
import { strerror } from '../config/values';
import { KeyspaceSnapshot } from './snapshot';
import { RdbWriter, type EntryMeta } from './rdb/writer';
import { entryMetaFor, fsyncDirectory, writerOptionsFor } from './rdb-file';
import { persistenceOf } from './persistence-state';
import { SnapshotFileJob } from './snapshot-file-job';
import { libraryCodes } from '../scripting/functions-persistence';

export type SaveOutcome = 'ok' | 'err' | 'aborted';

/** Where a save of `server` goes: dir and dbfilename as configured now, and the temporary name. */
export function rdbPaths(server: Server): { dir: string; finalPath: string; tempName: string; tempPath: string } {
  const dir = path.resolve(server.config.get('dir'));
  const tempName = `temp-${process.pid}.rdb`;
  return { dir, finalPath: path.resolve(dir, server.config.get('dbfilename')), tempName, tempPath: path.join(dir, tempName) };
}

export class BackgroundSave extends SnapshotFileJob {
  readonly startedAtSeconds: number;
  /** keyspace.dirty at the start: the changes made during the save still count after it. */
  readonly dirtyAtStart: number;
  private readonly paths: ReturnType<typeof rdbPaths>;
  private writer: RdbWriter | null = null;

  constructor(
    server: Server,
    private readonly onDone: (outcome: SaveOutcome) => void,
  ) {
    const paths = rdbPaths(server);
    super(server, paths.tempPath);
    this.paths = paths;
    this.startedAtSeconds = persistenceOf(server).nowSeconds();
    this.dirtyAtStart = server.keyspace.dirty;
  }

  /** Keys written so far and keys in the snapshot (INFO current_save_keys_*). */
  get keysWritten(): number {
    return this.snapshot?.keysWritten ?? 0;
  }

  get keysTotal(): number {
    return this.snapshot?.keysTotal ?? 0;
  }

  /** Takes the point-in-time view now and starts writing it in slices. */
  start(): void {
    const { tempName, dir } = this.paths;
    try {
      this.fd = fs.openSync(this.paths.tempPath, 'w');
    } catch (e) {
      this.server.log.warning(`Failed opening the temp RDB file ${tempName} (in server root dir ${dir}) for saving: ${strerror(e)}`);
      // As a forked child's failure, it is reported once BGSAVE has replied.
      this.phase = 'over';
      this.timer = setImmediate(() => this.onDone('err'));
      return;
    }
    const server = this.server;
    const writer = new RdbWriter((chunk) => this.chunks.push(chunk), writerOptionsFor(server));
    this.writer = writer;
    const meta: EntryMeta = {};
    writer.header();
    for (const code of libraryCodes(server)) writer.functionLibrary(code);
    this.snapshot = new KeyspaceSnapshot(server.keyspace, {
      beginDb: (dbIndex, keyCount, expiresCount) => this.guard(() => writer.selectDb(dbIndex, keyCount, expiresCount)),
      entry: (key, value, expireAtMs, keyMeta) => this.guard(() => writer.entry(key, value, expireAtMs, entryMetaFor(server, keyMeta, meta))),
    });
    this.startSlices();
  }

  protected finishEncoding(): void {
    this.writer!.finish();
  }

  protected writeError(error: unknown): string {
    return `Write error saving DB on disk: ${strerror(error)}`;
  }

  protected failed(): void {
    this.onDone('err');
  }

  /** Moves the finished file over dbfilename and makes the rename durable. */
  protected completed(): void {
    const { tempName, tempPath, finalPath, dir } = this.paths;
    try {
      renameOver(tempPath, finalPath);
    } catch (e) {
      const shown = path.relative(dir, finalPath) || finalPath;
      return this.fail(`Error moving temp DB file ${tempName} on the final destination ${shown} (in server root dir ${dir}): ${strerror(e)}`);
    }
    this.phase = 'over';
    try {
      fsyncDirectory(path.dirname(finalPath));
    } catch (e) {
      this.server.log.warning(this.writeError(e));
      return this.onDone('err');
    }
    this.server.log.notice('DB saved on disk');
    this.onDone('ok');
  }
}

/**
 * rename(2) of the new file over the old one, without paying on this thread for freeing the old
 * file's blocks (milliseconds for tens of MB, done inside rename when it drops the last name):
 * the old file first gets a second name, removed on the thread pool once the rename is done (a
 * crash in between can leave that name behind, as it can leave a temp file).
 */
function renameOver(tempPath: string, finalPath: string): void {
  let aside: string | null = `${tempPath}.replaced`;
  try {
    fs.linkSync(finalPath, aside);
  } catch {
    aside = null; // No old file (or no hard links here): a plain rename.
  }
  try {
    fs.renameSync(tempPath, finalPath);
  } finally {
    if (aside !== null) fs.unlink(aside, () => undefined);
  }
}
/**
 * Starts a BGSAVE (Redis's rdbSaveBackground); the caller checked that none is running. As with
 * a forked child, failures (even opening the file) are reported later, through the bgsave status.
 */
export function startBackgroundSave(server: Server): void {
  const state = persistenceOf(server);
  state.rdbSaves++;
  state.lastBgsaveTry = state.nowSeconds();
  const job = new BackgroundSave(server, (outcome) => finishBackgroundSave(server, job, outcome));
  state.current = job;
  server.log.notice('Background saving started');
  try {
    job.start();
  } catch (e) {
    server.log.warning(`Background saving could not start: ${(e as Error).message}`);
    job.abort();
    finishBackgroundSave(server, job, 'err');
  }
}

/** Redis's backgroundSaveDoneHandler. */
function finishBackgroundSave(server: Server, job: BackgroundSave, outcome: SaveOutcome): void {
  const state = persistenceOf(server);
  if (state.current !== job) return;
  state.current = null;
  state.lastBgsaveSeconds = state.nowSeconds() - job.startedAtSeconds;
  if (outcome === 'ok') {
    server.log.notice('Background saving terminated with success');
    state.recordSave(job.dirtyAtStart);
  } else if (outcome === 'err') {
    server.log.warning('Background saving error');
    state.lastBgsaveStatus = 'err';
  } else {
    server.log.warning('Background saving terminated before completion');
  }
}

/**
 * Stops the background save in progress, if any, logging `why` (Redis kills its child: FLUSHALL,
 * SHUTDOWN). The bgsave status is left as it was, as after Redis's SIGUSR1 kill.
 */
export function abortBackgroundSave(server: Server, why: string): boolean {
  const state = persistenceOf(server);
  const job = state.current;
  if (!job) return false;
  server.log.warning(why);
  job.abort();
  finishBackgroundSave(server, job, 'aborted');
  return true;
}
