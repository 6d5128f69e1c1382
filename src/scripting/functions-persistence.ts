/**
 * Functions in persisted files, as Redis 7.0 keeps them:
 * - RDB files (and RDB-format AOF bases) hold one RDB_OPCODE_FUNCTION2 record per library after
 *   the header's AUX fields, before the databases (rdbSaveFunctions);
 * - command-form AOF bases start with a FUNCTION LOAD per library (rewriteFunctions), before the
 *   first SELECT;
 * - loading compiles each library as it is read (rdbFunctionLoad) and installs them with the keys.
 */
import type { Server } from '../server/server';
import { functionsOf } from './functions';
import { FunctionError, LibraryRegistry } from './functions-library';
import { RdbRejected } from '../persistence/rdb/reader';

/** The code of every library, in order (what a save writes). */
export function libraryCodes(server: Server): string[] {
  return functionsOf(server).registry.codes();
}

/** The commands an AOF rewrite in command form starts with. */
export function functionLoadCommands(server: Server): string[][] {
  return libraryCodes(server).map((code) => ['FUNCTION', 'LOAD', code]);
}

/**
 * Libraries read from a file, compiled as they come and installed once the whole file has been
 * read. Errors carry Redis's log text ("Failed loading library, ...").
 */
export class LoadedLibraries {
  private readonly pending = new LibraryRegistry();

  constructor(private readonly server: Server) {}

  get size(): number {
    return this.pending.libraries.size;
  }

  add(code: string): void {
    try {
      functionsOf(this.server).createLibrary(code, false, this.pending);
    } catch (e) {
      if (e instanceof FunctionError) throw new RdbRejected(`Failed loading library, ${e.message}`);
      throw e;
    }
  }

  /** Adds them to the server's libraries; `replace` lets them take the place of same-named ones. */
  install(replace: boolean): void {
    if (this.pending.libraries.size === 0) return;
    try {
      functionsOf(this.server).install(this.pending, replace ? 'replace' : 'append');
    } catch (e) {
      if (e instanceof FunctionError) throw new Error(`Failed loading library, ${e.message}`);
      throw e;
    }
  }
}

/** Drops every library (emptyData before DEBUG RELOAD / LOADAOF). */
export function flushFunctions(server: Server): void {
  functionsOf(server).flush();
}
