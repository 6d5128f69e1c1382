/**
 * The function libraries of a server (Redis 7.0's functions.c): the `#!<engine> name=<lib>`
 * metadata line, the naming rules, and the registry of libraries and their functions with the
 * per-engine counts FUNCTION STATS reports.
 *
 * Library names are case-sensitive; function names and engine names are not (Redis keys those
 * dictionaries with case-insensitive hashing), so functions are indexed by their lower-case name.
 * Iteration follows insertion order (Redis walks hash tables, whose order is unspecified).
 */

/** The only engine Redis 7.0 ships. */
export const LUA_ENGINE = 'LUA';

/** Function flags in the order Redis lists them (scripts_flags_def). */
export const FUNCTION_FLAGS = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'] as const;
export type FunctionFlag = (typeof FUNCTION_FLAGS)[number];

/** Errors of FUNCTION LOAD / RESTORE, carrying the text after "ERR ". */
export class FunctionError extends Error {}

export interface FunctionInfo {
  name: string;
  description: string | null;
  flags: ReadonlySet<FunctionFlag>;
  library: FunctionLibrary;
}

export interface FunctionLibrary {
  name: string;
  engine: string;
  /** The whole code given to FUNCTION LOAD, metadata line included (what DUMP and LIST show). */
  code: string;
  functions: Map<string, FunctionInfo>;
}

export interface LibraryMetadata {
  engine: string;
  name: string;
  /** The code after the metadata line, starting at its newline so line numbers stay the same. */
  body: string;
}

/** The error text for a bad library or function name (Redis uses one text for both). */
export const NAME_RULES = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

/** functionsVerifyName: [a-zA-Z0-9_]+. */
export function isValidName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}

/**
 * sdssplitargs as Redis splits the metadata line: space-separated words, with "double" (and
 * \xHH escapes) or 'single' quoted parts; null when the quotes are unbalanced.
 */
function splitArgs(line: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  const isSpace = (ch: string): boolean => ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\v' || ch === '\f';
  for (;;) {
    while (i < line.length && isSpace(line[i])) i++;
    if (i >= line.length) return words;
    let word = '';
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      const ch = line[i];
      if (inDouble) {
        if (ch === undefined) return null;
        if (ch === '\\' && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          word += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (ch === '\\' && i + 1 < line.length) {
          const next = line[++i];
          word += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next === 'b' ? '\b' : next === 'a' ? '\x07' : next;
        } else if (ch === '"') {
          // The closing quote must be followed by a space or the end.
          if (i + 1 < line.length && !isSpace(line[i + 1])) return null;
          i++;
          break;
        } else {
          word += ch;
        }
      } else if (inSingle) {
        if (ch === undefined) return null;
        if (ch === '\\' && line[i + 1] === "'") {
          word += "'";
          i++;
        } else if (ch === "'") {
          if (i + 1 < line.length && !isSpace(line[i + 1])) return null;
          i++;
          break;
        } else {
          word += ch;
        }
      } else if (ch === undefined || isSpace(ch)) {
        break;
      } else if (ch === '"') {
        inDouble = true;
      } else if (ch === "'") {
        inSingle = true;
      } else {
        word += ch;
      }
      i++;
    }
    words.push(word);
  }
}

/** functionExtractLibMetaData: the engine and library name from the `#!` line. */
export function parseLibraryMetadata(code: string): LibraryMetadata {
  // Redis reads the code as a C string here: it ends at the first NUL byte.
  const nul = code.indexOf('\0');
  const text = nul < 0 ? code : code.slice(0, nul);
  if (!text.startsWith('#!')) throw new FunctionError('Missing library metadata');
  const lineEnd = text.indexOf('\n');
  if (lineEnd < 0) throw new FunctionError('Invalid library metadata');
  const parts = splitArgs(text.slice(0, lineEnd));
  if (parts === null || parts.length === 0) throw new FunctionError('Invalid library metadata');
  const engine = parts[0].slice(2);
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) throw new FunctionError('Invalid metadata value, name argument was given multiple times');
      name = part.slice(5);
      continue;
    }
    throw new FunctionError(`Invalid metadata value given: ${part}`);
  }
  if (name === null) throw new FunctionError('Library name was not given');
  return { engine, name, body: code.slice(lineEnd) };
}

/** Libraries and functions, as one functionsLibCtx. */
export class LibraryRegistry {
  readonly libraries = new Map<string, FunctionLibrary>();
  /** Lower-case function name -> function. */
  readonly functions = new Map<string, FunctionInfo>();

  get functionCount(): number {
    return this.functions.size;
  }

  findFunction(name: string): FunctionInfo | undefined {
    return this.functions.get(name.toLowerCase());
  }

  link(library: FunctionLibrary): void {
    for (const fn of library.functions.values()) this.functions.set(fn.name.toLowerCase(), fn);
    this.libraries.set(library.name, library);
  }

  unlink(library: FunctionLibrary): void {
    for (const fn of library.functions.values()) this.functions.delete(fn.name.toLowerCase());
    this.libraries.delete(library.name);
  }

  clear(): void {
    this.libraries.clear();
    this.functions.clear();
  }

  /** The name of a function of `library` already used by another linked library, if any. */
  collision(library: FunctionLibrary): string | null {
    for (const fn of library.functions.values()) {
      if (this.functions.has(fn.name.toLowerCase())) return fn.name;
    }
    return null;
  }

  /**
   * libraryJoin: adds every library of `source`; on a library name already here, fails
   * ("Library x already exists") or, with `replace`, takes its place. Any function name
   * collision fails it all and leaves this registry as it was.
   */
  join(source: LibraryRegistry, replace: boolean): void {
    const replaced: FunctionLibrary[] = [];
    const restore = (): void => {
      for (const old of replaced) this.link(old);
    };
    for (const library of source.libraries.values()) {
      const old = this.libraries.get(library.name);
      if (!old) continue;
      if (!replace) {
        restore();
        throw new FunctionError(`Library ${library.name} already exists`);
      }
      this.unlink(old);
      replaced.push(old);
    }
    for (const fn of source.functions.values()) {
      if (this.functions.has(fn.name.toLowerCase())) {
        restore();
        throw new FunctionError(`Function ${fn.name} already exists`);
      }
    }
    for (const library of source.libraries.values()) this.link(library);
  }

  /** Every library's code, in order (what RDB files, DUMP payloads and AOF rewrites carry). */
  codes(): string[] {
    return [...this.libraries.values()].map((library) => library.code);
  }
}
