/**
 * Loading the persisted dataset at start-up, before the server listens (Redis's main():
 * aofLoadManifestFromDisk, loadDataFromDisk, aofOpenIfNeededOnServerStart, aofDelHistoryFiles).
 *
 * With appendonly yes the AOF is the source of truth: its files are loaded when the manifest
 * lists any (dump.rdb is then ignored, as Redis 7.0 ignores it even when the AOF directory does
 * not exist yet), and the AOF is opened for appending, a first base being written if there is
 * none. Otherwise dbfilename in dir is loaded if it exists.
 *
 * Whatever cannot be loaded stops start-up with Redis's log lines and a StartupLoadError; the
 * files are left as they are (except a truncated AOF tail, cut when aof-load-truncated allows it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Server } from '../server/server';
import { resetStats } from '../server/info';
import { strerror } from '../config/values';
import { loadRdbFile } from './rdb-file';
import { persistenceOf } from './persistence-state';
import { aofOf } from './aof/aof';
import { ManifestError, type AofManifest } from './aof/manifest';
import { aofDirectory, deleteHistoryFiles, ensureAofDirectory, isDirectory, persistManifest, readManifest } from './aof/aof-files';
import { AofLoadError, loadAppendOnlyFiles, seconds } from './aof/aof-loader';

/** Start-up cannot go on; what went wrong was logged. */
export class StartupLoadError extends Error {}

export function loadPersistedData(server: Server): void {
  const log = server.log;
  const aof = aofOf(server);
  try {
    aof.manifest = readManifest(server);
  } catch (e) {
    if (e instanceof ManifestError) for (const line of e.logLines()) log.warning(line);
    else log.warning((e as Error).message);
    throw new StartupLoadError(`Bad AOF manifest: ${(e as Error).message}`);
  }
  const started = performance.now();
  if (server.config.getBool('appendonly')) loadAof(server);
  else loadRdb(server, started);
  deleteHistoryFiles(server, aof.manifest);
}

function loadAof(server: Server): void {
  const log = server.log;
  const aof = aofOf(server);
  const started = performance.now();
  const dirtyBefore = server.keyspace.dirty;
  try {
    upgradeOldStyleAof(server, aof.manifest);
    if (loadAppendOnlyFiles(server, aofDirectory(server), aof.manifest) !== 'not-exist') {
      log.notice(`DB loaded from append only file: ${seconds(started)} seconds`);
      forgetLoadingWork(server, dirtyBefore);
    }
  } catch (e) {
    if (!(e instanceof AofLoadError)) log.warning((e as Error).message);
    throw new StartupLoadError(`Loading the append only file failed: ${(e as Error).message}`);
  }
  try {
    aof.openOnStart();
  } catch (e) {
    log.warning((e as Error).message);
    throw new StartupLoadError((e as Error).message);
  }
}

function loadRdb(server: Server, started: number): void {
  const file = path.resolve(server.config.get('dir'), server.config.get('dbfilename'));
  if (!fs.existsSync(file)) return;
  try {
    loadRdbFile(server, file);
  } catch (e) {
    server.log.warning(`Fatal error loading the DB: ${strerror(e)}. Exiting.`);
    throw new StartupLoadError(`Loading ${file} failed: ${(e as Error).message}`);
  }
  server.log.notice(`DB loaded from disk: ${seconds(started)} seconds`);
}

/**
 * Commands replayed from the AOF are not the clients' work: Redis runs them outside call(), so
 * they count in no statistics, and the loaded dataset counts as saved.
 */
function forgetLoadingWork(server: Server, dirtyBefore: number): void {
  resetStats(server);
  server.stats.slowlog.length = 0;
  server.keyspace.dirty = dirtyBefore;
  persistenceOf(server).dirtyAtLastSave = dirtyBefore;
}

/**
 * A pre-7.0 AOF (appendfilename in dir) becomes the base of a new manifest, moved into the AOF
 * directory (aofUpgradePrepare), when no manifest takes its place. Part of loading the AOF, at
 * start-up and for DEBUG LOADAOF.
 */
export function upgradeOldStyleAof(server: Server, manifest: AofManifest): void {
  const config = server.config;
  const name = config.get('appendfilename');
  const oldFile = path.join(config.get('dir'), name);
  if (!fs.existsSync(oldFile)) return;
  const dir = aofDirectory(server);
  const onlyOldBase =
    manifest.base !== null && manifest.incrs.length === 0 && manifest.base.name === name && !fs.existsSync(path.join(dir, name));
  if (isDirectory(dir) && !manifest.empty && !onlyOldBase) return;
  ensureAofDirectory(server);
  manifest.base = { name, seq: 1, type: 'b' };
  manifest.baseSeq = 1;
  persistManifest(dir, manifest);
  try {
    fs.renameSync(oldFile, path.join(dir, name));
  } catch (e) {
    throw new Error(`Error trying to rename the existing AOF to old AOF in AOF directory: ${strerror(e)}`);
  }
  server.log.notice(`Successfully migrated an old-style AOF into the AOF directory ${config.get('appenddirname')}.`);
}
