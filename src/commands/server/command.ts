/**
 * COMMAND and its subcommands: what the server serves, from the command table. Only the commands
 * and subcommands Nodis serves appear; their entries are Redis 7.0.15's own metadata.
 */
import type { Client } from '../../server/client';
import type { CommandHandler, CommandSpec, CommandTable } from '../registry';
import { CommandFlag } from '../registry';
import type { RespNode } from '../../protocol/resp-node';
import { Errors } from '../../protocol/errors';
import { isOption } from '../arguments';
import { globMatch } from '../../keyspace/glob';
import { replyHelp } from '../generic/object';
import { commandHasKeys, keysOfCommand } from './key-specs';

const COMMAND_HELP = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
];

/** lookupCommandBySds: "get" or "config|get", case-insensitive; a bare container is found too. */
export function lookupByFullName(table: CommandTable, name: string): CommandSpec | undefined {
  const parts = name.split('|');
  if (parts.length > 2) return undefined;
  const base = table.lookup(parts[0]);
  if (!base || parts.length === 1) return base;
  return base.subcommands?.get(parts[1].toLowerCase());
}

/** lookupCommand on an argv: the subcommand for a container, the command otherwise. */
function lookupByArgv(table: CommandTable, argv: string[]): CommandSpec | undefined {
  const base = table.lookup(argv[0]);
  if (!base || argv.length === 1 || !base.subcommands) return base;
  return base.subcommands.get(argv[1].toLowerCase());
}

/** COMMAND: the COMMAND INFO entry of every command. */
function command(c: Client, argv: string[]): void {
  if (argv.length > 1) return c.reply.error(Errors.unknownSubcommand(argv[1], argv[0]));
  replyInfos(c, c.server.commands.all);
}

function replyInfos(c: Client, specs: readonly (CommandSpec | undefined)[]): void {
  c.reply.array(specs.length);
  for (const spec of specs) {
    if (spec) c.reply.node(spec.info);
    else c.reply.nullBulk();
  }
}

function info(c: Client, argv: string[]): void {
  const table = c.server.commands;
  if (argv.length === 2) return replyInfos(c, table.all);
  replyInfos(c, argv.slice(2).map((name) => lookupByFullName(table, name)));
}

function count(c: Client): void {
  c.reply.integer(c.server.commands.all.length);
}

/** A command's COMMAND DOCS entry, listing only the subcommands that are served. */
function docsOf(spec: CommandSpec): RespNode {
  const docs = spec.docs as { map: [RespNode, RespNode][] };
  if (!spec.subcommands) return docs;
  const subcommands: RespNode = {
    map: [...spec.subcommands.values()].map((sub): [RespNode, RespNode] => [sub.fullName, docsOf(sub)]),
  };
  const entries = docs.map.filter(([key]) => key !== 'subcommands');
  entries.push(['subcommands', subcommands]);
  return { map: entries };
}

function docs(c: Client, argv: string[]): void {
  const table = c.server.commands;
  const specs =
    argv.length === 2
      ? table.all
      : argv.slice(2).flatMap((name) => lookupByFullName(table, name) ?? []);
  c.reply.map(specs.length);
  for (const spec of specs) {
    c.reply.bulk(spec.fullName);
    c.reply.node(docsOf(spec));
  }
}

function list(c: Client, argv: string[]): void {
  let filter: ((spec: CommandSpec) => boolean) | null = null;
  for (let i = 2; i < argv.length; i += 3) {
    if (!isOption(argv[i], 'FILTERBY') || argv.length - 1 - i !== 2) return c.reply.error(Errors.syntax);
    const value = argv[i + 2];
    if (isOption(argv[i + 1], 'MODULE')) {
      filter = () => false; // Nodis has no modules
    } else if (isOption(argv[i + 1], 'ACLCAT')) {
      const category = value.toLowerCase();
      filter = (spec) => spec.aclCategories.includes(category);
    } else if (isOption(argv[i + 1], 'PATTERN')) {
      filter = (spec) => globMatch(value, spec.fullName, true);
    } else {
      return c.reply.error(Errors.syntax);
    }
  }
  const names: string[] = [];
  for (const spec of c.server.commands.allWithSubcommands()) {
    if (!filter || filter(spec)) names.push(spec.fullName);
  }
  c.reply.bulkArray(names);
}

function replyKeys(withFlags: boolean): CommandHandler {
  return (c, argv) => {
    const target = argv.slice(2);
    const spec = lookupByArgv(c.server.commands, target);
    if (!spec) return c.reply.error('ERR Invalid command specified');
    if (!commandHasKeys(spec)) return c.reply.error('ERR The command has no key arguments');
    if ((spec.arity > 0 && spec.arity !== target.length) || target.length < -spec.arity) {
      return c.reply.error('ERR Invalid number of arguments specified for command');
    }
    const keys = keysOfCommand(spec, target);
    if (keys.length === 0 && !(spec.flags & CommandFlag.NoMandatoryKeys)) {
      return c.reply.error('ERR Invalid arguments specified for command');
    }
    c.reply.array(keys.length);
    for (const key of keys) {
      if (!withFlags) {
        c.reply.bulk(target[key.pos]);
        continue;
      }
      c.reply.array(2);
      c.reply.bulk(target[key.pos]);
      c.reply.set(key.flags.length);
      for (const flag of key.flags) c.reply.status(flag);
    }
  };
}

export const commandHandlers: Record<string, CommandHandler> = {
  command,
  'command|info': info,
  'command|count': count,
  'command|docs': docs,
  'command|list': list,
  'command|getkeys': replyKeys(false),
  'command|getkeysandflags': replyKeys(true),
  'command|help': (c, argv) => replyHelp(c, argv[0], COMMAND_HELP),
};
