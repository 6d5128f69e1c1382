/**
 * CLIENT subcommands: ID, SETNAME, GETNAME, LIST, INFO, KILL, REPLY, PAUSE, UNPAUSE, NO-EVICT,
 * HELP, and SETINFO. SETINFO arrived in Redis 7.2 (7.0.15 answers "unknown subcommand"); it is
 * served the 7.2 way because client libraries send it on connect.
 */
import { addSubcommandMetadata, type CommandGroup, type CommandHandler, type MetadataEntry } from './registry';
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { isOption, parseInt64, parseLong } from './arguments';
import { validateClientName } from './connection';
import { replyHelp } from './generic/object';
import { trackingHandlers } from './client/tracking';
import { installTracking } from '../pubsub/tracking';

const CLIENT_HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
];

type ClientType = 'normal' | 'replica' | 'master' | 'pubsub';

/** getClientTypeByName: the type a LIST/KILL filter names, or null. */
function clientTypeByName(name: string): ClientType | null {
  switch (name.toLowerCase()) {
    case 'normal':
      return 'normal';
    case 'slave':
    case 'replica':
      return 'replica';
    case 'pubsub':
      return 'pubsub';
    case 'master':
      return 'master';
    default:
      return null;
  }
}

/** getClientType: a client with subscriptions is a pubsub client, every other one (monitors too) normal until replication exists. */
function clientTypeOf(client: Client): ClientType {
  return client.subscriptions !== null ? 'pubsub' : 'normal';
}

/** Size of the running command's arguments (CLIENT LIST's argv-mem for the caller). */
function argvBytes(argv: string[]): number {
  let total = 0;
  for (const arg of argv) total += arg.length;
  return total;
}

function describeLine(c: Client, other: Client, argv: string[]): string {
  return `${other.describe(other === c ? argvBytes(argv) : 0)}\n`;
}

function id(c: Client): void {
  c.reply.integer(c.id);
}

function setname(c: Client, argv: string[]): void {
  const invalid = validateClientName(argv[2]);
  if (invalid) return c.reply.error(invalid);
  c.name = argv[2];
  c.reply.ok();
}

function getname(c: Client): void {
  if (c.name) c.reply.bulk(c.name);
  else c.reply.nullBulk();
}

function list(c: Client, argv: string[]): void {
  const clients = c.server.clients;
  let text = '';
  if (argv.length === 4 && isOption(argv[2], 'TYPE')) {
    const type = clientTypeByName(argv[3]);
    if (type === null) return c.reply.error(`ERR Unknown client type '${argv[3]}'`);
    for (const other of clients.values()) if (clientTypeOf(other) === type) text += describeLine(c, other, argv);
  } else if (argv.length > 3 && isOption(argv[2], 'ID')) {
    const ids: number[] = [];
    for (let i = 3; i < argv.length; i++) {
      const n = parseInt64(argv[i]);
      if (n === null) return c.reply.error('ERR Invalid client ID');
      ids.push(Number(n));
    }
    for (const wanted of ids) {
      const other = clients.get(wanted);
      if (other) text += describeLine(c, other, argv);
    }
  } else if (argv.length !== 2) {
    return c.reply.error(Errors.syntax);
  } else {
    for (const other of clients.values()) text += describeLine(c, other, argv);
  }
  c.reply.verbatim(text);
}

function info(c: Client, argv: string[]): void {
  c.reply.verbatim(describeLine(c, c, argv));
}

interface KillFilter {
  addr: string | null;
  laddr: string | null;
  type: ClientType | null;
  id: number | null;
  user: string | null;
  skipMe: boolean;
}

/** Parses CLIENT KILL's <option> <value> pairs; replies the error and returns null when invalid. */
function parseKillFilter(c: Client, argv: string[]): KillFilter | null {
  const filter: KillFilter = { addr: null, laddr: null, type: null, id: null, user: null, skipMe: true };
  for (let i = 2; i < argv.length; i += 2) {
    const option = argv[i];
    const value = argv[i + 1];
    if (value === undefined) {
      c.reply.error(Errors.syntax);
      return null;
    }
    if (isOption(option, 'ID')) {
      const n = parseLong(value);
      if (n === null || n < 1) {
        c.reply.error('ERR client-id should be greater than 0');
        return null;
      }
      filter.id = n;
    } else if (isOption(option, 'TYPE')) {
      filter.type = clientTypeByName(value);
      if (filter.type === null) {
        c.reply.error(`ERR Unknown client type '${value}'`);
        return null;
      }
    } else if (isOption(option, 'ADDR')) {
      filter.addr = value;
    } else if (isOption(option, 'LADDR')) {
      filter.laddr = value;
    } else if (isOption(option, 'USER')) {
      // The default user is the only one until ACL users exist.
      if (value !== 'default') {
        c.reply.error(`ERR No such user '${value}'`);
        return null;
      }
      filter.user = value;
    } else if (isOption(option, 'SKIPME')) {
      if (isOption(value, 'YES')) filter.skipMe = true;
      else if (isOption(value, 'NO')) filter.skipMe = false;
      else {
        c.reply.error(Errors.syntax);
        return null;
      }
    } else {
      c.reply.error(Errors.syntax);
      return null;
    }
  }
  return filter;
}

function matchesKillFilter(c: Client, other: Client, f: KillFilter): boolean {
  if (f.addr !== null && other.addr !== f.addr) return false;
  if (f.laddr !== null && other.laddr !== f.laddr) return false;
  if (f.type !== null && clientTypeOf(other) !== f.type) return false;
  if (f.id !== null && other.id !== f.id) return false;
  if (f.user !== null && other.user !== f.user) return false;
  return !(other === c && f.skipMe);
}

/**
 * CLIENT KILL <addr> (old form: OK or "No such client", may kill the caller) or CLIENT KILL with
 * filters (the number killed; the caller is skipped unless SKIPME NO). The caller, when killed,
 * is closed after its reply.
 */
function kill(c: Client, argv: string[]): void {
  const oldForm = argv.length === 3;
  const filter: KillFilter | null = oldForm
    ? { addr: argv[2], laddr: null, type: null, id: null, user: null, skipMe: false }
    : parseKillFilter(c, argv);
  if (filter === null) return;
  let killed = 0;
  let killSelf = false;
  for (const other of [...c.server.clients.values()]) {
    if (!matchesKillFilter(c, other, filter)) continue;
    if (other === c) killSelf = true;
    else other.close();
    killed++;
  }
  if (!oldForm) c.reply.integer(killed);
  else if (killed === 0) c.reply.error('ERR No such client');
  else c.reply.ok();
  if (killSelf) c.closeAfterReply = true;
}

function reply(c: Client, argv: string[]): void {
  const mode = argv[2];
  if (isOption(mode, 'ON')) {
    c.replySkipNext = false;
    c.setReplyMode('on');
    c.reply.ok();
  } else if (isOption(mode, 'OFF')) {
    c.setReplyMode('off');
  } else if (isOption(mode, 'SKIP')) {
    if (c.replyMode !== 'off') c.replySkipNext = true;
  } else {
    c.reply.error(Errors.syntax);
  }
}

function pause(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    return c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try CLIENT HELP.`);
  }
  let mode: 'all' | 'write' = 'all';
  if (argv.length === 4) {
    if (isOption(argv[3], 'WRITE')) mode = 'write';
    else if (!isOption(argv[3], 'ALL')) return c.reply.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  const timeout = parseLong(argv[2]);
  if (timeout === null) return c.reply.error('ERR timeout is not an integer or out of range');
  if (timeout < 0) return c.reply.error('ERR timeout is negative');
  // A zero timeout ends immediately: nothing to pause.
  if (timeout > 0) c.server.pause.start(mode, Date.now() + timeout);
  c.reply.ok();
}

function unpause(c: Client): void {
  c.server.pause.endFromCommand();
  c.reply.ok();
}

function noEvict(c: Client, argv: string[]): void {
  if (isOption(argv[2], 'ON')) c.noEvict = true;
  else if (isOption(argv[2], 'OFF')) c.noEvict = false;
  else return c.reply.error(Errors.syntax);
  c.reply.ok();
}

/** CLIENT SETINFO LIB-NAME|LIB-VER <value> (Redis 7.2). */
function setinfo(c: Client, argv: string[]): void {
  const [, , attribute, value] = argv;
  const isName = isOption(attribute, 'LIB-NAME');
  if (!isName && !isOption(attribute, 'LIB-VER')) return c.reply.error(`ERR Unrecognized option '${attribute}'`);
  if (validateClientName(value)) {
    return c.reply.error(`ERR ${attribute} cannot contain spaces, newlines or special characters.`);
  }
  if (isName) c.libName = value;
  else c.libVersion = value;
  c.reply.ok();
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends another client's wait on keys. */
function unblock(c: Client, argv: string[]): void {
  const id = parseLong(argv[2]);
  if (id === null) return c.reply.error(Errors.notInteger);
  let withError = false;
  if (argv.length === 4) {
    if (isOption(argv[3], 'ERROR')) withError = true;
    else if (!isOption(argv[3], 'TIMEOUT')) return c.reply.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  } else if (argv.length > 4) {
    return c.reply.error(Errors.syntax);
  }
  const target = c.server.clients.get(id);
  c.reply.integer(target && c.server.blocking.unblock(target, withError) ? 1 : 0);
}

const handlers: Record<string, CommandHandler> = {
  'client|unblock': unblock,
  'client|id': id,
  'client|setname': setname,
  'client|getname': getname,
  'client|list': list,
  'client|info': info,
  'client|kill': kill,
  'client|reply': reply,
  'client|pause': pause,
  'client|unpause': unpause,
  'client|no-evict': noEvict,
  'client|setinfo': setinfo,
  'client|help': (c, argv) => replyHelp(c, argv[0], CLIENT_HELP),
  ...trackingHandlers,
};

/** CLIENT SETINFO's COMMAND INFO and DOCS, as Redis 7.2 gives them. */
const SETINFO_METADATA = {
  info: [
    'client|setinfo',
    4,
    { set: [{ status: 'noscript' }, { status: 'loading' }, { status: 'stale' }] },
    0,
    0,
    0,
    { set: [{ status: '@slow' }, { status: '@connection' }] },
    { set: ['request_policy:all_nodes', 'response_policy:all_succeeded'] },
    { set: [] },
    { set: [] },
  ],
  docs: {
    map: [
      ['summary', 'Sets information specific to the client or connection.'],
      ['since', '7.2.0'],
      ['group', 'connection'],
      ['complexity', 'O(1)'],
      [
        'arguments',
        [
          {
            map: [
              ['name', 'attr'],
              ['type', 'oneof'],
              [
                'arguments',
                [
                  { map: [['name', 'libname'], ['type', 'string'], ['token', 'LIB-NAME']] },
                  { map: [['name', 'libver'], ['type', 'string'], ['token', 'LIB-VER']] },
                ],
              ],
            ],
          },
        ],
      ],
    ],
  },
} satisfies MetadataEntry;

addSubcommandMetadata('client|setinfo', SETINFO_METADATA);

export const clientCommands: CommandGroup = { group: 'connection', handlers, install: installTracking };
