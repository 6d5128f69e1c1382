/**
 * RDB files on disk: a synchronous full save of a server's dataset (SAVE, SHUTDOWN, FLUSHALL, the
 * AOF base) and loading a file into a server's keyspace (start-up, the AOF's RDB preamble).
 *
 * Saving writes temp-<pid>.rdb next to the target, fsyncs it, renames it over the target and
 * fsyncs the directory, as rdbSave does: the previous file stays intact until the new one is
 * complete on disk, whatever goes wrong.
 *
 * Loading reads the file into fresh tables and installs them only once the whole file (and its
 * checksum) has been read, so a corrupt or truncated file leaves the keyspace as it was; the
 * file itself is only ever read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../server/server';
import { newExpireTable, newValueTable, type Database } from '../keyspace/database';
import { KeyTable, SHARD_COUNT } from '../keyspace/key-table';
import type { RedisValue } from '../keyspace/value';
import { LRU_CLOCK_MAX, lfuDecayedCounter, lfuInitialMeta, lruClock, lruIdleMs } from '../keyspace/access-clock';
import { strerror } from '../config/values';
import { RdbWriter, type EntryMeta, type RdbWriterOptions } from './rdb/writer';
import {
  readRdb,
  readRdbSource,
  RdbFormatError,
  RdbRejected,
  type RdbReadOptions,
  type RdbReadResult,
  type RdbVisitor,
} from './rdb/reader';
import { loadLimitsFrom } from './rdb/value-loader';
import { LoadedLibraries, libraryCodes } from '../scripting/functions-persistence';

/** Which eviction data a save records for each key, from maxmemory-policy (as rdbSaveKeyValuePair). */
function savedMetaKind(server: Server): 'lru' | 'lfu' | null {
  const policy = server.config.get('maxmemory-policy');
  return policy.includes('lru') ? 'lru' : policy.includes('lfu') ? 'lfu' : null;
}

/**
 * The eviction data to save for a key with 32-bit metadata `meta` (see keyspace/access-clock.ts):
 * its LRU idle seconds under an LRU policy, its decayed LFU counter under an LFU policy, nothing
 * otherwise. `out` is filled and returned to spare an allocation per key.
 */
export function entryMetaFor(server: Server, meta: number, out: EntryMeta = {}, kind = savedMetaKind(server)): EntryMeta | undefined {
  if (kind === null) return undefined;
  const now = server.keyspace.now();
  out.lruIdleSeconds = kind === 'lru' ? Math.floor(lruIdleMs(meta, now) / 1000) : undefined;
  out.lfuFreq = kind === 'lfu' ? lfuDecayedCounter(meta, now, server.keyspace.lfu) : undefined;
  return out;
}

/** The writer options a server's configuration asks for, with ctime and used-mem filled in. */
export function writerOptionsFor(server: Server, aofBase = false): RdbWriterOptions {
  const memory = process.memoryUsage();
  return {
    compression: server.config.getBool('rdbcompression'),
    checksum: server.config.getBool('rdbchecksum'),
    aux: {
      ctime: String(Math.floor(server.clock.now() / 1000)),
      'used-mem': String(memory.heapUsed + memory.external),
    },
    aofBase,
  };
}

/** Writes every database of the server through `writer`: header, keys, EOF and checksum. */
export function writeDataset(server: Server, writer: RdbWriter): void {
  writer.header();
  for (const code of libraryCodes(server)) writer.functionLibrary(code);
  const kind = savedMetaKind(server);
  const meta: EntryMeta = {};
  for (const db of server.keyspace.databases) {
    if (db.size === 0) continue;
    writer.selectDb(db.id, db.size, db.expires.size);
    const expires = db.expires;
    const table = db.table;
    for (let shard = 0; shard < SHARD_COUNT; shard++) {
      for (let slot = 0, n = table.shardSize(shard); slot < n; slot++) {
        const key = table.keyAt(shard, slot);
        const expireAt = expires.size > 0 ? expires.get(key) : undefined;
        const saved = kind === null ? undefined : entryMetaFor(server, table.metaAt(shard, slot), meta, kind);
        writer.entry(key, table.valueAt(shard, slot), expireAt, saved);
      }
    }
  }
  writer.finish();
}

function writeFully(fd: number, chunk: Buffer): void {
  let offset = 0;
  while (offset < chunk.length) offset += fs.writeSync(fd, chunk, offset, chunk.length - offset);
}

/** fsync of a directory, so that a rename in it survives a crash. */
export function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export interface RdbSaveResult {
  bytes: number;
  seconds: number;
}

/**
 * Saves the whole dataset to `filePath` (synchronously), through temp-<pid>.rdb in the same
 * directory unless `tempName` names another temp file. Throws an Error with Redis's log text
 * ("Failed opening the temp RDB file ...", "Write error saving DB on disk: ...") when it cannot;
 * the existing file is then left as it was and the temp file removed.
 */
export function saveRdbFile(server: Server, filePath: string, options: { aofBase?: boolean; tempName?: string } = {}): RdbSaveResult {
  const started = process.hrtime.bigint();
  const dir = path.dirname(path.resolve(filePath));
  const tempName = options.tempName ?? `temp-${process.pid}.rdb`;
  const tempPath = path.join(dir, tempName);
  let fd: number;
  try {
    fd = fs.openSync(tempPath, 'w');
  } catch (e) {
    throw new Error(`Failed opening the temp RDB file ${tempName} (in server root dir ${dir}) for saving: ${strerror(e)}`);
  }
  let step = 'rdbSaveRio';
  try {
    const writer = new RdbWriter((chunk) => writeFully(fd, chunk), writerOptionsFor(server, options.aofBase));
    writeDataset(server, writer);
    step = 'fsync';
    fs.fsyncSync(fd);
    step = 'fclose';
    fs.closeSync(fd);
    fd = -1;
    step = 'rename';
    fs.renameSync(tempPath, filePath);
    step = 'fsyncFileDir';
    fsyncDirectory(dir);
    return { bytes: writer.written, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  } catch (e) {
    if (fd >= 0) fs.closeSync(fd);
    fs.rmSync(tempPath, { force: true });
    const reason = (e as NodeJS.ErrnoException).code ? strerror(e) : (e as Error).message;
    if (step === 'rename') {
      throw new Error(`Error moving temp DB file ${tempName} on the final destination ${filePath} (in server root dir ${dir}): ${reason}`);
    }
    throw new Error(`Write error saving DB on disk(${step}): ${reason}`);
  }
}

/** Why a file could not be loaded: the file, the offset, and whether it was cut short. */
export class RdbLoadError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly truncated: boolean,
    reason: string,
  ) {
    super(
      truncated
        ? `RDB file ${file} is truncated: ${reason} at offset ${offset}`
        : `RDB file ${file} is corrupt at offset ${offset}: ${reason}`,
    );
  }
}

export interface RdbLoadOptions {
  /** Loading the RDB preamble of an AOF: keys whose TTL has passed are kept (the AOF expects them). */
  aofPreamble?: boolean;
  /** Where the RDB data starts in the buffer (loadRdbData). */
  start?: number;
  /**
   * A key already in the database is replaced by the file's, TTL included (RDBFLAGS_ALLOW_DUP,
   * DEBUG RELOAD MERGE); without it such a key is an error.
   */
  replaceExisting?: boolean;
  /**
   * On an error, the keys read before it stay loaded, as rdbLoad leaves them (DEBUG RELOAD);
   * without it a failed load leaves the keyspace as it was.
   */
  keepPartial?: boolean;
}

export interface RdbLoadResult {
  version: number;
  keysLoaded: number;
  keysExpired: number;
  /** Offset just past the RDB data (past its checksum): where an AOF tail begins. */
  end: number;
  aux: Map<string, string>;
}

/** The value of an LRU clock for a key idle for `idleSeconds` (objectSetLRUOrLFU). */
export function lruMetaFor(idleSeconds: number, nowMs: number): number {
  const clock = lruClock(nowMs);
  const absolute = clock - idleSeconds;
  return absolute >= 0 ? absolute : (clock + Math.floor(LRU_CLOCK_MAX / 2)) % LRU_CLOCK_MAX;
}

/** Loads keys into fresh tables per database; install() moves them into the keyspace. */
class KeyspaceLoader implements RdbVisitor {
  readonly auxFields = new Map<string, string>();
  keysLoaded = 0;
  keysExpired = 0;
  private emptyKeysSkipped = 0;
  /** Function libraries the file holds (RDB_OPCODE_FUNCTION2), installed with the keys. */
  private readonly libraries: LoadedLibraries;
  private readonly loaded = new Map<Database, { table: KeyTable<RedisValue>; expires: KeyTable<number> }>();
  private db!: Database;
  private table!: KeyTable<RedisValue>;
  private expires!: KeyTable<number>;
  /** The time of the load (as Redis reads the clock once before loading). */
  private readonly now: number;
  /** Access metadata of a key the file says nothing about: just accessed. */
  private readonly freshMeta: number;

  constructor(
    private readonly server: Server,
    private readonly options: RdbLoadOptions,
  ) {
    this.now = server.keyspace.now();
    this.freshMeta = server.keyspace.initialMeta();
    this.libraries = new LoadedLibraries(server);
    this.selectDb(0);
  }

  aux(name: string, value: string): void {
    this.auxFields.set(name, value);
    logAux(this.server, name, value);
  }

  selectDb(dbId: number): void {
    const databases = this.server.keyspace.databases;
    if (dbId >= databases.length) {
      throw new RdbRejected(`Data file was created with a Redis server configured to handle more than ${databases.length} databases`);
    }
    const db = databases[dbId];
    let tables = this.loaded.get(db);
    if (!tables) {
      tables = { table: newValueTable(), expires: newExpireTable() };
      this.loaded.set(db, tables);
    }
    this.db = db;
    this.table = tables.table;
    this.expires = tables.expires;
  }

  functionLibrary(code: string): void {
    this.libraries.add(code);
  }

  entry(key: string, value: RedisValue | null, expireAtMs: number | undefined, lruIdle: number, lfuFreq: number): void {
    if (value === null) {
      if (this.emptyKeysSkipped++ < 10) this.server.log.warning(`rdbLoadObject skipping empty key: ${key}`);
      return;
    }
    if (!this.options.aofPreamble && expireAtMs !== undefined && expireAtMs < this.now) {
      this.keysExpired++;
      return;
    }
    const db = this.db;
    const replace = this.options.replaceExisting === true;
    if (!replace && db.size > 0 && db.table.has(key)) throw new RdbRejected(`Duplicated key '${key}' in DB ${db.id}`);
    const meta = this.metaFor(lruIdle, lfuFreq);
    // set() returns false for a key the file already had (the tables are dropped after the error).
    if (!this.table.set(key, value, meta)) {
      if (!replace) throw new RdbRejected(`Duplicated key '${key}' in DB ${db.id}`);
      this.table.setMeta(key, meta);
      this.expires.delete(key);
    }
    if (expireAtMs !== undefined) this.expires.set(key, expireAtMs);
    this.keysLoaded++;
  }

  private metaFor(lruIdle: number, lfuFreq: number): number {
    if (this.server.keyspace.lfuMode) {
      return lfuFreq >= 0 ? ((lfuInitialMeta(this.now) & ~0xff) | lfuFreq) >>> 0 : this.freshMeta;
    }
    return lruIdle >= 0 ? lruMetaFor(lruIdle, this.now) : this.freshMeta;
  }

  /**
   * Moves the loaded keys into the databases (an empty database takes the tables as they are).
   * Keys added to a database that has some are announced to the keyspace observers first, so a
   * snapshot in progress keeps the value it started with; a key replaced (replaceExisting) loses
   * its old TTL, as the file's key takes its place whole.
   */
  install(): void {
    this.libraries.install(this.options.replaceExisting === true);
    const keyspace = this.server.keyspace;
    for (const [db, { table, expires }] of this.loaded) {
      if (table.size === 0) continue;
      if (db.size === 0) {
        db.table = table;
        db.expires = expires;
        continue;
      }
      for (const [key, value] of table.entries()) {
        const old = db.table.get(key);
        keyspace.beforeWrite(db, key, old);
        const meta = table.getMeta(key) ?? 0;
        if (!db.table.set(key, value, meta)) db.table.setMeta(key, meta);
        const when = expires.get(key);
        if (when !== undefined) db.expires.set(key, when);
        else if (old !== undefined) db.expires.delete(key);
      }
    }
  }
}

/** Logs the AUX fields Redis reports when loading. */
function logAux(server: Server, name: string, value: string): void {
  const log = server.log;
  if (name === 'redis-ver') log.notice(`Loading RDB produced by version ${value}`);
  else if (name === 'ctime') {
    const age = Math.max(0, Math.floor(server.clock.now() / 1000) - (parseInt(value, 10) || 0));
    log.notice(`RDB age ${age} seconds`);
  } else if (name === 'used-mem') {
    log.notice(`RDB memory usage when created ${((parseInt(value, 10) || 0) / (1024 * 1024)).toFixed(2)} Mb`);
  } else if (name === 'aof-preamble' && parseInt(value, 10)) log.notice('RDB has an AOF tail');
  else if (name === 'aof-base' && parseInt(value, 10)) log.notice('RDB is base AOF');
}

/** What the last RDB load read, so far if it failed (INFO rdb_last_load_keys_loaded / _expired). */
export interface RdbLoadCounts {
  keysLoaded: number;
  keysExpired: number;
}

const lastLoads = new WeakMap<Server, RdbLoadCounts>();

export function lastRdbLoad(server: Server): RdbLoadCounts {
  return lastLoads.get(server) ?? { keysLoaded: 0, keysExpired: 0 };
}

/**
 * Loads RDB data from a buffer (a whole file, or the preamble of an AOF) into the server's
 * databases. Throws RdbLoadError, naming `source`, when the data is corrupt or cut short; the
 * keyspace is then unchanged (or holds the keys read before the error, with keepPartial).
 */
export function loadRdbData(server: Server, data: Buffer, source: string, options: RdbLoadOptions = {}): RdbLoadResult {
  return loadWith(server, source, options, (visitor, readOptions) => readRdb(data, visitor, readOptions, options.start ?? 0));
}

function loadWith(
  server: Server,
  source: string,
  options: RdbLoadOptions,
  read: (visitor: RdbVisitor, readOptions: RdbReadOptions) => RdbReadResult,
): RdbLoadResult {
  const loader = new KeyspaceLoader(server, options);
  try {
    const result = read(loader, { limits: loadLimitsFrom(server.config), verifyChecksum: server.config.getBool('rdbchecksum') });
    if (!result.checksumVerified && result.version >= 5 && server.config.getBool('rdbchecksum')) {
      server.log.notice('RDB file was saved with checksum disabled: no check performed.');
    }
    loader.install();
    server.log.notice(`Done loading RDB, keys loaded: ${loader.keysLoaded}, keys expired: ${loader.keysExpired}.`);
    return { version: result.version, keysLoaded: loader.keysLoaded, keysExpired: loader.keysExpired, end: result.end, aux: loader.auxFields };
  } catch (e) {
    if (options.keepPartial) loader.install();
    if (e instanceof RdbFormatError) throw new RdbLoadError(source, e.offset, e.truncated, e.reason);
    throw e;
  } finally {
    lastLoads.set(server, { keysLoaded: loader.keysLoaded, keysExpired: loader.keysExpired });
  }
}

/**
 * Loads an RDB file into the server's databases. A missing or unreadable file throws the
 * fs error (with its code, e.g. ENOENT); a bad file throws RdbLoadError and is left untouched.
 */
export function loadRdbFile(server: Server, filePath: string, options: RdbLoadOptions = {}): RdbLoadResult {
  // Read through a window rather than whole: a dump can be larger than one Buffer may be.
  const fd = fs.openSync(filePath, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const source = (into: Buffer, offset: number, length: number, position: number): number =>
      fs.readSync(fd, into, offset, length, position);
    return loadWith(server, filePath, options, (visitor, readOptions) =>
      readRdbSource(source, size, visitor, readOptions, options.start ?? 0),
    );
  } finally {
    fs.closeSync(fd);
  }
}
