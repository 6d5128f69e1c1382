/**
 * The INFO memory fields about functions (Redis 7.0): number_of_functions, number_of_libraries,
 * used_memory_vm_functions (the functions' Lua heap, as Lua counts it) and used_memory_functions (the registry's
 * overhead: Redis's structs and dictionaries, estimated here from the names and code held).
 */
import type { Server } from '../server/server';
import { setInfoField } from '../server/info';
import { functionsOf } from './functions';

/** What Redis 7.0 reports for a function registry with nothing in it. */
const EMPTY_REGISTRY_BYTES = 200;
/** Per library and per function: the struct, its dictionary entry and sds headers. */
const LIBRARY_OVERHEAD = 96;
const FUNCTION_OVERHEAD = 80;

function registryBytes(server: Server): number {
  let bytes = EMPTY_REGISTRY_BYTES;
  for (const library of functionsOf(server).registry.libraries.values()) {
    bytes += LIBRARY_OVERHEAD + library.name.length + library.code.length;
    for (const fn of library.functions.values()) {
      bytes += FUNCTION_OVERHEAD + fn.name.length + (fn.description?.length ?? 0);
    }
  }
  return bytes;
}

/** Install hook of the FUNCTION command group: the engine as a start-up task, the INFO fields. */
export function installFunctions(server: Server): void {
  server.startupTasks.push(functionsOf(server).prepare());
  setInfoField(server, 'number_of_functions', () => functionsOf(server).registry.functionCount);
  setInfoField(server, 'number_of_libraries', () => functionsOf(server).registry.libraries.size);
  setInfoField(server, 'used_memory_functions', () => registryBytes(server));
  setInfoField(server, 'used_memory_vm_functions', () => functionsOf(server).engine?.heapBytes() ?? 0);
}
