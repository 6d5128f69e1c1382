/**
 * A server's functions: the library registry, the Lua state libraries run in (an engine of
 * their own, as Redis gives functions a Lua state apart from EVAL's), and the operations of
 * FUNCTION LOAD / DELETE / FLUSH / RESTORE that RDB loading and DUMP share.
 *
 * The engine is created asynchronously (WebAssembly): the command group's install starts it as a
 * server start-up task, which must have completed before libraries can be loaded (start-up awaits
 * the tasks before loading persisted data).
 */
import type { Server } from '../server/server';
import type { Client } from '../server/client';
import { LuaScriptEngine } from './engine';
import {
  FunctionError,
  LibraryRegistry,
  LUA_ENGINE,
  isValidName,
  NAME_RULES,
  parseLibraryMetadata,
  type FunctionInfo,
  type FunctionLibrary,
} from './functions-library';
import { registerLibrary } from './functions-lua';

export class ServerFunctions {
  registry = new LibraryRegistry();
  engine: LuaScriptEngine | null = null;
  private preparing: Promise<void> | null = null;
  /** Receives the replies of library load-time runs. */
  private scratch: Client | null = null;

  constructor(private readonly server: Server) {}

  /** Creates the Lua engine once; later calls return the same promise. */
  prepare(): Promise<void> {
    this.preparing ??= LuaScriptEngine.create(this.server).then((engine) => {
      this.engine = engine;
      this.scratch = this.server.addClient(null);
    });
    return this.preparing;
  }

  /**
   * functionsCreateWithLibraryCtx: compiles `code` and links the library into `registry` (the
   * server's by default); returns the library name. With `replace` an existing library of that
   * name gives way (and comes back if the new one fails). Throws FunctionError.
   */
  createLibrary(code: string, replace: boolean, registry = this.registry): string {
    const metadata = parseLibraryMetadata(code);
    if (!isValidName(metadata.name)) throw new FunctionError(NAME_RULES);
    if (metadata.engine.toUpperCase() !== LUA_ENGINE) throw new FunctionError(`Engine '${metadata.engine}' not found`);
    const old = registry.libraries.get(metadata.name);
    if (old && !replace) throw new FunctionError(`Library '${metadata.name}' already exists`);
    if (old) registry.unlink(old);
    try {
      const library = this.compile(metadata.name, code, metadata.body);
      if (library.functions.size === 0) throw new FunctionError('No functions registered');
      const taken = registry.collision(library);
      if (taken !== null) throw new FunctionError(`Function ${taken} already exists`);
      registry.link(library);
      return library.name;
    } catch (e) {
      if (old) registry.link(old);
      throw e;
    }
  }

  private compile(name: string, code: string, body: string): FunctionLibrary {
    const library: FunctionLibrary = { name, engine: LUA_ENGINE, code, functions: new Map() };
    if (!this.engine || !this.scratch) throw new FunctionError("Engine 'LUA' not found");
    for (const registered of registerLibrary(this.engine, this.scratch, body)) {
      const fn: FunctionInfo = { ...registered, flags: new Set(registered.flags), library };
      library.functions.set(fn.name, fn);
    }
    return library;
  }

  /** FUNCTION DELETE: false when there is no such library. */
  deleteLibrary(name: string): boolean {
    const library = this.registry.libraries.get(name);
    if (!library) return false;
    this.registry.unlink(library);
    return true;
  }

  /** FUNCTION FLUSH, and emptyData's functionsLibCtxClearCurrent. */
  flush(): void {
    this.registry = new LibraryRegistry();
  }

  /**
   * Loads libraries' code into a fresh registry (RDB load, FUNCTION RESTORE); throws the first
   * library's error.
   */
  compileAll(codes: readonly string[]): LibraryRegistry {
    const registry = new LibraryRegistry();
    for (const code of codes) this.createLibrary(code, false, registry);
    return registry;
  }

  /** Installs libraries read from a file or payload: flush, replace or append (the default). */
  install(loaded: LibraryRegistry, policy: 'flush' | 'replace' | 'append'): void {
    if (policy === 'flush') this.registry = loaded;
    else this.registry.join(loaded, policy === 'replace');
  }
}

const states = new WeakMap<Server, ServerFunctions>();

export function functionsOf(server: Server): ServerFunctions {
  let state = states.get(server);
  if (!state) {
    state = new ServerFunctions(server);
    states.set(server, state);
  }
  return state;
}

/** Creates the server's function engine; await before loading persisted data. */
export function prepareFunctions(server: Server): Promise<void> {
  return functionsOf(server).prepare();
}
