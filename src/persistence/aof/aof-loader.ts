/**
 * Loading a multi-part AOF at start-up and for DEBUG LOADAOF (loadAppendOnlyFiles /
 * loadSingleAppendOnlyFile): the base file (an RDB file when it starts with "REDIS", else
 * commands), then every incr file in manifest order, each command run by a client without a
 * socket (dispatcher.callForLoading: no statistics, slow log, MONITOR or propagation). Replies
 * are dropped, as Redis's AOF client drops them.
 *
 * While loading, keys never expire and a past expire time is set rather than deleting the key
 * (keyspace.loading, Redis's server.loading): a key whose TTL passed must still be there for the
 * commands after it, exactly as when they first ran.
 *
 * A file that ends inside a command is the mark of a crash while appending: with
 * aof-load-truncated yes the last file is cut back to its last complete command and loading goes
 * on, with Redis's warnings. Anything else (an unknown command, bytes that are not an AOF, a
 * truncated file that is not the last one, a missing file) stops start-up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Server } from '../../server/server';
import type { Client } from '../../server/client';
import { loadRdbBase } from './rdb-base';
import { CommandReader } from './command-reader';
import { errnoText } from './aof-files';
import type { AofManifest } from './manifest';

export type LoadStatus = 'ok' | 'empty' | 'truncated' | 'not-exist';

/** Start-up must stop; the reasons were logged. */
export class AofLoadError extends Error {}

/** Loads every file of the manifest; returns 'not-exist' when it lists none. */
export function loadAppendOnlyFiles(server: Server, dir: string, manifest: AofManifest): LoadStatus {
  const log = server.log;
  const files = [...(manifest.base ? [manifest.base] : []), ...manifest.incrs];
  if (files.length === 0) return 'not-exist';
  let totalSize = 0;
  for (const f of files) {
    const file = path.join(dir, f.name);
    try {
      totalSize += fs.statSync(file).size;
    } catch (e) {
      log.warning(`Unable to obtain the AOF file ${f.name} length. stat: ${errnoText(e)}`);
      throw new AofLoadError(`Unable to obtain the AOF file ${f.name} length`);
    }
  }
  if (totalSize === 0) return 'empty';

  const loader = new FileLoader(server, dir);
  let status: LoadStatus = 'ok';
  try {
    files.forEach((f, i) => {
      const last = i === files.length - 1;
      const isBase = f === manifest.base;
      const started = performance.now();
      // A base named like appendfilename is a pre-7.0 AOF moved in by the upgrade: RDB preamble + commands.
      const result = loader.load(f.name, last, f.name === manifest.fileName);
      if (result === 'ok' || result === 'truncated') {
        log.notice(`DB loaded from ${isBase ? 'base' : 'incr'} file ${f.name}: ${seconds(started)} seconds`);
      }
      if (result === 'truncated') status = 'truncated';
    });
  } finally {
    loader.close();
  }
  return status;
}

/** "0.003": elapsed seconds as Redis prints them (%.3f). */
export function seconds(startedMs: number): string {
  return ((performance.now() - startedMs) / 1000).toFixed(3);
}

/** Runs the commands of one file after another through one socketless client. */
class FileLoader {
  private readonly client: Client;

  constructor(
    private readonly server: Server,
    private readonly dir: string,
  ) {
    this.client = server.addClient(null);
    this.client.reply.muted = true;
    server.keyspace.loading = true;
  }

  close(): void {
    this.server.keyspace.loading = false;
    this.client.close();
  }

  /**
   * Loads one file. `oldStyle`: a pre-7.0 single AOF, possibly an RDB preamble followed by
   * commands. Throws AofLoadError for what stops start-up.
   */
  load(name: string, lastFile: boolean, oldStyle: boolean): Exclude<LoadStatus, 'not-exist'> {
    const server = this.server;
    const log = server.log;
    const file = path.join(this.dir, name);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) {
      log.warning(`Fatal error: can't open the append log file ${name} for reading: ${errnoText(e)}`);
      throw new AofLoadError(`can't open the append log file ${name}`);
    }
    try {
      if (fs.fstatSync(fd).size === 0) return 'empty';
      // Each file starts in database 0, as a fresh AOF client does.
      this.client.selectDb(0);
      let start = 0;
      if (startsWithRdbSignature(fd)) {
        log.notice(oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
        try {
          start = loadRdbBase(server, file);
        } catch (e) {
          log.warning(`${(e as Error).message}`);
          log.warning(
            oldStyle
              ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted`
              : `Error reading the RDB base file ${name}, AOF loading aborted`,
          );
          throw new AofLoadError(`Error reading the RDB base file ${name}`);
        }
        if (oldStyle) log.notice('Reading the remaining AOF tail...');
      }
      return this.runCommands(fd, start, name, file, lastFile);
    } finally {
      fs.closeSync(fd);
    }
  }

  private runCommands(fd: number, start: number, name: string, file: string, lastFile: boolean): 'ok' | 'truncated' {
    const server = this.server;
    const log = server.log;
    const reader = new CommandReader(fd, start);
    let validUpTo = start;
    /** Inside MULTI: the commands queued, and where the file was valid before the MULTI. */
    let queued: string[][] | null = null;
    let validBeforeMulti = start;
    for (;;) {
      const outcome = reader.next();
      if (outcome.kind === 'end') {
        if (queued === null) return 'ok';
        log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
        validUpTo = validBeforeMulti;
        break;
      }
      if (outcome.kind === 'truncated') {
        if (queued !== null) validUpTo = validBeforeMulti;
        break;
      }
      if (outcome.kind === 'format') {
        log.warning(
          `Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
        );
        throw new AofLoadError(`Bad file format reading the append only file ${name}`);
      }
      const argv = outcome.argv;
      const spec = server.commands.lookupArgv(argv);
      const command = argv[0].toLowerCase();
      if (spec === undefined && command !== 'multi' && command !== 'exec') {
        log.warning(`Unknown command '${argv[0]}' reading the append only file ${name}`);
        throw new AofLoadError(`Unknown command '${argv[0]}' reading the append only file ${name}`);
      }
      // Transactions are replayed here: a MULTI without its EXEC at the end of the file is undone.
      if (command === 'multi') {
        validBeforeMulti = validUpTo;
        queued = [];
      } else if (command === 'exec') {
        for (const queuedArgv of queued ?? []) this.execute(queuedArgv);
        queued = null;
      } else if (queued !== null) {
        queued.push(argv);
      } else {
        this.execute(argv);
      }
      validUpTo = reader.offset;
    }
    return this.truncated(name, file, validUpTo, lastFile);
  }

  private execute(argv: string[]): void {
    const server = this.server;
    const spec = server.commands.lookupArgv(argv);
    if (spec === undefined || spec.handler === null) return;
    server.dispatcher.callForLoading(this.client, spec, argv);
  }

  /** The file ends inside a command: cut it back to `validUpTo` when allowed, else stop. */
  private truncated(name: string, file: string, validUpTo: number, lastFile: boolean): 'truncated' {
    const log = this.server.log;
    if (this.server.config.getBool('aof-load-truncated')) {
      if (!lastFile) {
        // Cutting a file that more files follow would lose what they build on.
        log.warning('Fatal error: the truncated file is not the last file');
        throw new AofLoadError(`the truncated file ${name} is not the last file`);
      }
      log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
      log.warning(`!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
      try {
        fs.truncateSync(file, validUpTo);
        log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
        return 'truncated';
      } catch (e) {
        log.warning(`Error truncating the AOF file ${name}: ${errnoText(e)}`);
      }
    }
    log.warning(
      `Unexpected end of file reading the append only file ${name}. You can: ` +
        '1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. ' +
        "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
    );
    throw new AofLoadError(`Unexpected end of file reading the append only file ${name}`);
  }
}

function startsWithRdbSignature(fd: number): boolean {
  const sig = Buffer.alloc(5);
  return fs.readSync(fd, sig, 0, 5, 0) === 5 && sig.toString('latin1') === 'REDIS';
}
