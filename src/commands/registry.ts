/**
 * The command table. What a command is (arity, flags, key positions, ACL categories, docs) comes
 * from Redis 7.0.15's own COMMAND INFO / COMMAND DOCS, kept in metadata/redis-commands.json;
 * what a command does comes from the group files, each a map of name -> handler. A command is
 * served only when both exist, and a unit test checks that every handler has its metadata.
 */
import metadata from './metadata/redis-commands.json';
import type { RespNode } from '../protocol/resp-node';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import type { LatencyHistogram } from '../server/latency-histogram';

export type CommandHandler = (client: Client, argv: string[]) => void;

/** A group file's commands: "get" or "config|get" -> handler. */
export interface CommandGroup {
  group: string;
  handlers: Record<string, CommandHandler>;
  /** Called once when a server is created, to attach guards, hooks and per-server state. */
  install?: (server: Server) => void;
}

export const enum CommandFlag {
  Write = 1 << 0,
  Readonly = 1 << 1,
  DenyOom = 1 << 2,
  Admin = 1 << 3,
  Pubsub = 1 << 4,
  NoScript = 1 << 5,
  Blocking = 1 << 6,
  Loading = 1 << 7,
  Stale = 1 << 8,
  SkipMonitor = 1 << 9,
  SkipSlowlog = 1 << 10,
  Fast = 1 << 11,
  NoAuth = 1 << 12,
  MayReplicate = 1 << 13,
  NoMandatoryKeys = 1 << 14,
  NoMulti = 1 << 15,
  MovableKeys = 1 << 16,
  AllowBusy = 1 << 17,
  Protected = 1 << 18,
}

const FLAG_BITS: Record<string, CommandFlag> = {
  write: CommandFlag.Write,
  readonly: CommandFlag.Readonly,
  denyoom: CommandFlag.DenyOom,
  admin: CommandFlag.Admin,
  pubsub: CommandFlag.Pubsub,
  noscript: CommandFlag.NoScript,
  blocking: CommandFlag.Blocking,
  loading: CommandFlag.Loading,
  stale: CommandFlag.Stale,
  skip_monitor: CommandFlag.SkipMonitor,
  skip_slowlog: CommandFlag.SkipSlowlog,
  fast: CommandFlag.Fast,
  no_auth: CommandFlag.NoAuth,
  may_replicate: CommandFlag.MayReplicate,
  no_mandatory_keys: CommandFlag.NoMandatoryKeys,
  no_multi: CommandFlag.NoMulti,
  movablekeys: CommandFlag.MovableKeys,
  allow_busy: CommandFlag.AllowBusy,
};

export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /** Latency distribution for INFO latencystats, created at the first call. */
  latency: LatencyHistogram | null;
}

export interface CommandSpec {
  /** Lower case; "parent|child" for subcommands. */
  fullName: string;
  arity: number;
  flags: number;
  firstKey: number;
  lastKey: number;
  keyStep: number;
  aclCategories: string[];
  group: string;
  handler: CommandHandler | null;
  subcommands: Map<string, CommandSpec> | null;
  parent: CommandSpec | null;
  /** COMMAND INFO entry, with only the subcommands Nodis serves. */
  info: RespNode[];
  docs: RespNode;
  stats: CommandStats;
}

export type MetadataEntry = { info: RespNode[]; docs: RespNode };
const META = (metadata as unknown as { commands: Record<string, MetadataEntry> }).commands;

/** Subcommands newer than Redis 7.0.15 that Nodis serves anyway because clients send them. */
const EXTRA_SUBCOMMANDS = new Map<string, MetadataEntry>();

/** Declares the COMMAND INFO/DOCS entry of such a subcommand ("client|setinfo"), before registration. */
export function addSubcommandMetadata(name: string, entry: MetadataEntry): void {
  EXTRA_SUBCOMMANDS.set(name, entry);
}

const statusList = (node: RespNode): string[] =>
  ((node as { set: { status: string }[] }).set ?? []).map((s) => (typeof s === 'string' ? s : s.status));

function subcommandEntries(info: RespNode[]): RespNode[][] {
  const subs = info[9];
  return Array.isArray(subs) ? (subs as RespNode[][]) : [];
}

function docsOf(parentDocs: RespNode | undefined, fullName: string): RespNode {
  if (!parentDocs || typeof parentDocs !== 'object' || Array.isArray(parentDocs) || !('map' in parentDocs)) return { map: [] };
  const subs = parentDocs.map.find(([k]) => k === 'subcommands');
  if (!subs) return { map: [] };
  const found = (subs[1] as { map: [RespNode, RespNode][] }).map.find(([k]) => k === fullName);
  return found ? found[1] : { map: [] };
}

function makeSpec(info: RespNode[], docs: RespNode, group: string, parent: CommandSpec | null): CommandSpec {
  const flagNames = statusList(info[2]);
  let flags = 0;
  for (const f of flagNames) flags |= FLAG_BITS[f] ?? 0;
  return {
    fullName: info[0] as string,
    arity: info[1] as number,
    flags,
    firstKey: info[3] as number,
    lastKey: info[4] as number,
    keyStep: info[5] as number,
    aclCategories: statusList(info[6]).map((c) => c.slice(1)),
    group,
    handler: null,
    subcommands: null,
    parent,
    info,
    docs,
    stats: { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0, latency: null },
  };
}

export class CommandTable {
  /** Top-level commands by name, in lower and upper case so lookups rarely allocate. */
  private byName = new Map<string, CommandSpec>();
  readonly all: CommandSpec[] = [];

  register(group: CommandGroup): void {
    for (const [name, handler] of Object.entries(group.handlers)) {
      const [parentName, subName] = name.split('|');
      const parent = this.ensureTopLevel(parentName, group.group);
      if (subName === undefined) {
        parent.handler = handler;
        continue;
      }
      const extra = EXTRA_SUBCOMMANDS.get(name);
      const entry = extra?.info ?? subcommandEntries(META[parentName].info).find((s) => s[0] === name);
      if (!entry) throw new Error(`no Redis metadata for subcommand ${name}`);
      const docs = extra?.docs ?? docsOf(META[parentName].docs, name);
      const sub = makeSpec(entry, docs, group.group, parent);
      sub.handler = handler;
      parent.subcommands ??= new Map();
      parent.subcommands.set(subName, sub);
      this.refreshInfo(parent);
    }
  }

  private ensureTopLevel(name: string, group: string): CommandSpec {
    const existing = this.byName.get(name);
    if (existing) return existing;
    const meta = META[name];
    if (!meta) throw new Error(`no Redis metadata for command ${name}`);
    const info = meta.info.slice();
    if (subcommandEntries(info).length > 0) info[9] = [];
    const spec = makeSpec(info, meta.docs, group, null);
    this.byName.set(name, spec);
    this.byName.set(name.toUpperCase(), spec);
    this.all.push(spec);
    return spec;
  }

  /** Keeps a container command's COMMAND INFO listing only the subcommands that are served. */
  private refreshInfo(parent: CommandSpec): void {
    parent.info[9] = [...parent.subcommands!.values()].map((s) => s.info);
  }

  /** Top-level lookup, case-insensitive. */
  lookup(name: string): CommandSpec | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  /** Resolves argv to the command or subcommand to run (undefined: unknown). */
  lookupArgv(argv: string[]): CommandSpec | undefined {
    const spec = this.lookup(argv[0]);
    if (spec?.subcommands && argv.length >= 2) return spec.subcommands.get(argv[1].toLowerCase()) ?? spec;
    return spec;
  }

  /** Every served command and subcommand. */
  *allWithSubcommands(): IterableIterator<CommandSpec> {
    for (const spec of this.all) {
      yield spec;
      if (spec.subcommands) yield* spec.subcommands.values();
    }
  }
}

export function hasMetadata(name: string): boolean {
  const [parent, sub] = name.split('|');
  if (!META[parent]) return false;
  return sub === undefined || subcommandEntries(META[parent].info).some((s) => s[0] === name) || EXTRA_SUBCOMMANDS.has(name);
}
