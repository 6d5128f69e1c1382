/**
 * DEBUG RELOAD and DEBUG LOADAOF, as Redis 7.0's debugCommand runs them.
 *
 * RELOAD [MERGE] [NOFLUSH] [NOSAVE]: rdbSave to dir/dbfilename (unless NOSAVE; it counts as a
 * save: LASTSAVE moves, no changes since), emptyData (unless NOFLUSH), then rdbLoad of that file
 * (MERGE: a key already there is replaced by the file's, TTL included). A load that fails keeps
 * the keys read before the failure, as rdbLoad leaves them, and replies
 * "ERR Error trying to load the RDB dump".
 *
 * LOADAOF: the AOF buffer written out (when the AOF is on), emptyData, the manifest read again
 * from disk, and every AOF file replayed (also with appendonly off, when the directory has one).
 * The replayed writes count as saved (Redis sets server.dirty = 0).
 *
 * Neither is a write of its own: nothing is propagated and no keyspace event is sent. The keys
 * RELOAD brings back do not serve blocked clients (dbAddRDBLoad signals nothing), while the
 * commands LOADAOF replays do, once it is done. A background save or AOF rewrite in progress
 * goes on with the dataset it started from (it keeps the tables emptyData drops), and RELOAD's
 * own save then goes through a temp file of its own, so neither file is corrupted.
 *
 * Where redis-server 7.0.15 panics or exits, Nodis replies an error and keeps running:
 *  - RELOAD NOFLUSH without MERGE meeting a key already there ("Duplicated key found in RDB
 *    file"): the RDB error reply, with the keys read before that one loaded;
 *  - LOADAOF when the AOF cannot be loaded (no AOF, a truncated or corrupt file, a bad
 *    manifest; Redis exit(1)s): the reply later Redis versions give, with whatever was loaded.
 */
import type { Client } from '../../server/client';
import type { Server } from '../../server/server';
import { isOption } from '../arguments';
import { strerror } from '../../config/values';
import { loadRdbFile } from '../../persistence/rdb-file';
import { saveDatasetNow } from '../../persistence/sync-save';
import { rdbPaths } from '../../persistence/background-save';
import { persistenceOf } from '../../persistence/persistence-state';
import { upgradeOldStyleAof } from '../../persistence/startup';
import { aofOf, type Aof } from '../../persistence/aof/aof';
import { ManifestError } from '../../persistence/aof/manifest';
import { aofDirectory, deleteHistoryFiles, readManifest } from '../../persistence/aof/aof-files';
import { AofLoadError, loadAppendOnlyFiles } from '../../persistence/aof/aof-loader';
import { flushFunctions } from '../../scripting/functions-persistence';

const RELOAD_OPTIONS_ERROR = 'ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.';
const RDB_LOAD_ERROR = 'ERR Error trying to load the RDB dump';
const AOF_LOAD_ERROR = 'ERR Error trying to load the AOF files, check server logs.';

/** Redis's emptyData(-1, EMPTYDB_NO_FLAGS): every database and the functions emptied, not counted as changes. */
function emptyData(server: Server): void {
  for (const db of server.keyspace.databases) db.clear();
  flushFunctions(server);
}

/** An argument as C's strcasecmp reads it: up to its first NUL byte. */
function cString(arg: string): string {
  const nul = arg.indexOf('\0');
  return nul < 0 ? arg : arg.slice(0, nul);
}

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] */
export function reload(c: Client, argv: string[]): void {
  let merge = false;
  let flush = true;
  let save = true;
  for (let i = 2; i < argv.length; i++) {
    const option = cString(argv[i]);
    if (isOption(option, 'MERGE')) merge = true;
    else if (isOption(option, 'NOFLUSH')) flush = false;
    else if (isOption(option, 'NOSAVE')) save = false;
    else return c.reply.error(RELOAD_OPTIONS_ERROR);
  }
  const server = c.server;
  const keyspace = server.keyspace;
  const dirty = keyspace.dirty;
  if (save) {
    // A background save writes temp-<pid>.rdb meanwhile (Redis's child has a pid of its own).
    const tempName = persistenceOf(server).current !== null ? `temp-${process.pid}-reload.rdb` : undefined;
    if (!saveDatasetNow(server, { tempName })) return c.reply.error('ERR');
  }
  if (flush) emptyData(server);
  const file = rdbPaths(server).finalPath;
  try {
    loadRdbFile(server, file, { replaceExisting: merge, keepPartial: true });
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ? strerror(e) : (e as Error).message;
    server.log.warning(`DEBUG RELOAD could not load ${file}: ${reason}`);
    return c.reply.error(RDB_LOAD_ERROR);
  } finally {
    keyspace.dirty = dirty;
  }
  server.log.warning('DB reloaded by DEBUG RELOAD');
  c.reply.ok();
}

/** DEBUG LOADAOF */
export function loadAof(c: Client): void {
  const server = c.server;
  const keyspace = server.keyspace;
  const aof = aofOf(server);
  if (aof.state !== 'off') aof.writer.flush();
  emptyData(server);
  const dirty = keyspace.dirty;
  let loaded: boolean;
  try {
    loaded = replayAof(server, aof);
  } finally {
    // The replayed writes are neither propagated nor changes to save.
    keyspace.dirty = dirty;
  }
  if (!loaded) return c.reply.error(AOF_LOAD_ERROR);
  persistenceOf(server).dirtyAtLastSave = dirty;
  server.log.warning('Append Only File loaded by DEBUG LOADAOF');
  c.reply.ok();
}

/**
 * aofLoadManifestFromDisk, aofDelHistoryFiles, loadAppendOnlyFiles: true when the files were
 * loaded whole (or were empty); false, with the reasons logged, otherwise.
 */
function replayAof(server: Server, aof: Aof): boolean {
  const log = server.log;
  try {
    aof.manifest = readManifest(server);
  } catch (e) {
    if (e instanceof ManifestError) for (const line of e.logLines()) log.warning(line);
    else log.warning((e as Error).message);
    return false;
  }
  deleteHistoryFiles(server, aof.manifest);
  try {
    upgradeOldStyleAof(server, aof.manifest);
    const status = loadAppendOnlyFiles(server, aofDirectory(server), aof.manifest);
    if (status !== 'empty' && status !== 'not-exist' && aof.state === 'on') aof.measureFiles();
    if (status === 'not-exist') log.warning('DEBUG LOADAOF: there is no append only file to load');
    return status === 'ok' || status === 'empty';
  } catch (e) {
    if (!(e instanceof AofLoadError)) log.warning((e as Error).message);
    return false;
  }
}
