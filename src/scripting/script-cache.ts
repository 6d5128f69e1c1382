/**
 * The EVAL script cache (Redis's lctx.lua_scripts): scripts by the SHA1 of their text, with the
 * flags of their shebang line, kept until SCRIPT FLUSH.
 */
import { createHash } from 'node:crypto';
import { CommandFlag } from '../commands/registry';
import type { Server } from '../server/server';
import { OOM_ERROR, overMaxmemory } from '../memory/install';

/** Script flags of the `#!lua flags=...` shebang (Redis's SCRIPT_FLAG_*). */
export const enum ScriptFlag {
  NoWrites = 1 << 0,
  AllowOom = 1 << 1,
  AllowStale = 1 << 2,
  NoCluster = 1 << 3,
  AllowCrossSlotKeys = 1 << 4,
  /** No shebang: the script runs with EVAL's pre-7.0 semantics. */
  EvalCompatMode = 1 << 5,
}

const FLAG_NAMES: Record<string, ScriptFlag> = {
  'no-writes': ScriptFlag.NoWrites,
  'allow-oom': ScriptFlag.AllowOom,
  'allow-stale': ScriptFlag.AllowStale,
  'no-cluster': ScriptFlag.NoCluster,
  'allow-cross-slot-keys': ScriptFlag.AllowCrossSlotKeys,
};

export interface CachedScript {
  sha: string;
  /** The script as sent (latin1). */
  text: string;
  /** What Lua compiles: the text with its shebang line blanked, so line numbers stay. */
  body: string;
  flags: number;
}

export function sha1Hex(text: string): string {
  return createHash('sha1').update(text, 'latin1').digest('hex');
}

/**
 * Reads the shebang line as Redis's evalExtractShebangFlags: returns the flags and the length of
 * the line, or the error text.
 */
export function parseShebang(text: string): { flags: number; length: number } | string {
  if (!text.startsWith('#!')) return { flags: ScriptFlag.EvalCompatMode, length: 0 };
  const end = text.indexOf('\n');
  if (end < 0) return 'ERR Invalid script shebang';
  const parts = text.slice(0, end).split(/[ \t\r\v\f]+/).filter((p) => p.length > 0);
  if (parts.length === 0) return 'ERR Invalid engine in script shebang';
  if (parts[0] !== '#!lua') return `ERR Unexpected engine in script shebang: ${parts[0]}`;
  let flags = 0;
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return `ERR Unknown lua shebang option: ${part}`;
    const list = part.slice(6);
    if (list === '') continue;
    for (const name of list.split(',')) {
      const flag = FLAG_NAMES[name];
      if (flag === undefined) return `ERR Unexpected flag in script shebang: ${name}`;
      flags |= flag;
    }
  }
  return { flags, length: end };
}

export class ScriptCache {
  private readonly scripts = new Map<string, CachedScript>();
  /** Bytes of script text held (INFO used_memory_scripts_eval). */
  private bytes = 0;

  get size(): number {
    return this.scripts.size;
  }

  get memoryBytes(): number {
    return this.bytes;
  }

  /** Lookup by SHA1, case-insensitive as Redis's dictionary of scripts. */
  get(sha: string): CachedScript | undefined {
    return sha.length === 40 ? this.scripts.get(sha.toLowerCase()) : undefined;
  }

  add(script: CachedScript): void {
    if (this.scripts.has(script.sha)) return;
    this.scripts.set(script.sha, script);
    this.bytes += script.text.length;
  }

  flush(): void {
    this.scripts.clear();
    this.bytes = 0;
  }
}

/**
 * The command flags an EVAL or FCALL gets from the flags its script declares (Redis's
 * scriptFlagsToCmdFlags): write and denyoom unless declared no-writes / allow-oom, stale only
 * with allow-stale, and no may-replicate, since the flags say whether it writes. A script
 * without a shebang keeps the command's own flags.
 */
export function commandFlagsForScript(commandFlags: number, scriptFlags: number): number {
  if (scriptFlags & ScriptFlag.EvalCompatMode) return commandFlags;
  let flags = commandFlags & ~(CommandFlag.Stale | CommandFlag.DenyOom | CommandFlag.Write | CommandFlag.MayReplicate);
  if (!(scriptFlags & (ScriptFlag.AllowOom | ScriptFlag.NoWrites))) flags |= CommandFlag.DenyOom;
  if (!(scriptFlags & ScriptFlag.NoWrites)) flags |= CommandFlag.Write;
  if (scriptFlags & ScriptFlag.AllowStale) flags |= CommandFlag.Stale;
  return flags;
}

/** Script flags from their names (FUNCTION's flags= list, the shebang's flags=). */
export function scriptFlagsOf(names: Iterable<string>): number {
  let flags = 0;
  for (const name of names) flags |= FLAG_NAMES[name] ?? 0;
  return flags;
}

/**
 * Redis's scriptPrepareForRun checks for scripts that declare flags (a script without a shebang
 * keeps the pre-7.0 behaviour: refused writes and OOM show at the command inside it): the error
 * to reply instead of running, or null.
 */
export function refuseToRun(server: Server, scriptFlags: number, readOnly: boolean): string | null {
  if (scriptFlags & ScriptFlag.EvalCompatMode) return null;
  const noWrites = (scriptFlags & ScriptFlag.NoWrites) !== 0;
  if (readOnly && !noWrites) return 'ERR Can not execute a script with write flag using *_ro command.';
  // no-writes implies allow-oom.
  if (!noWrites && !(scriptFlags & ScriptFlag.AllowOom) && overMaxmemory(server)) return OOM_ERROR;
  return null;
}
