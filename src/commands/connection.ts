/**
 * Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, RESET.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { isOption, parseLong } from './arguments';
import { NODIS_VERSION } from '../server/version';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'latin1').digest();
}

/** Checks a username/password pair against the default user, in constant time. */
export function checkCredentials(c: Client, username: string, password: string): boolean {
  if (username !== 'default') return false;
  const required = c.server.config.get('requirepass');
  if (required === '') return true; // the default user has "nopass"
  return timingSafeEqual(digest(password), digest(required));
}

/** Authenticates or replies WRONGPASS; returns whether it succeeded. */
function authenticate(c: Client, username: string, password: string): boolean {
  if (!checkCredentials(c, username, password)) {
    c.server.log.verbose(`AUTH failed for user '${username}' from ${c.addr}`);
    c.reply.error(Errors.wrongPass);
    return false;
  }
  c.authenticated = true;
  c.user = username;
  return true;
}

function ping(c: Client, argv: string[]): void {
  if (argv.length > 2) return c.reply.error(Errors.wrongArgs('ping'));
  if (c.subscriptions !== null && c.resp === 2) {
    // A subscribed RESP2 connection reads every reply as a message: PING answers in that shape.
    c.reply.array(2);
    c.reply.bulk('pong');
    c.reply.bulk(argv.length === 2 ? argv[1] : '');
    return;
  }
  if (argv.length === 2) c.reply.bulk(argv[1]);
  else c.reply.status('PONG');
}

function echo(c: Client, argv: string[]): void {
  c.reply.bulk(argv[1]);
}

function quit(c: Client): void {
  c.reply.ok();
  c.closeAfterReply = true;
}

function select(c: Client, argv: string[]): void {
  const index = parseLong(argv[1]);
  if (index === null) return c.reply.error(Errors.notInteger);
  if (index < 0 || index >= c.server.keyspace.databases.length) return c.reply.error(Errors.dbIndexOutOfRange);
  c.selectDb(index);
  c.reply.ok();
}

/**
 * Replaces a password (or user name) argument with "(redacted)" in the argv that the slow log and
 * MONITOR see afterwards, as Redis's redactClientCommandArgument. Read the value before calling.
 */
function redactArgument(argv: string[], index: number): void {
  argv[index] = '(redacted)';
}

function auth(c: Client, argv: string[]): void {
  if (argv.length > 3) return c.reply.error(Errors.syntax);
  const [username, password] = argv.length === 3 ? [argv[1], argv[2]] : ['default', argv[1]];
  redactArgument(argv, 1);
  if (argv.length === 2 && c.server.config.get('requirepass') === '') {
    return c.reply.error(
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
  }
  if (argv.length === 3) redactArgument(argv, 2);
  if (authenticate(c, username, password)) c.reply.ok();
}

/**
 * HELLO [protover [AUTH username password] [SETNAME clientname]]. As in Redis 7.0, options take
 * effect in order as they are read: a failing option leaves the earlier ones applied.
 */
function hello(c: Client, argv: string[]): void {
  let protocol = 0;
  let i = 1;
  if (argv.length >= 2) {
    const ver = parseLong(argv[1]);
    if (ver === null) return c.reply.error('ERR Protocol version is not an integer or out of range');
    if (ver < 2 || ver > 3) return c.reply.error('NOPROTO unsupported protocol version');
    protocol = ver;
    i = 2;
  }
  for (; i < argv.length; i++) {
    const more = argv.length - i - 1;
    if (isOption(argv[i], 'AUTH') && more >= 2) {
      const [username, password] = [argv[i + 1], argv[i + 2]];
      redactArgument(argv, i + 1);
      redactArgument(argv, i + 2);
      if (!authenticate(c, username, password)) return;
      i += 2;
    } else if (isOption(argv[i], 'SETNAME') && more >= 1) {
      const invalid = validateClientName(argv[i + 1]);
      if (invalid) return c.reply.error(invalid);
      c.name = argv[i + 1];
      i += 1;
    } else {
      return c.reply.error(`ERR Syntax error in HELLO option '${argv[i]}'`);
    }
  }
  if (!c.authenticated) {
    return c.reply.error(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (protocol) c.reply.resp = protocol;
  c.reply.map(7);
  c.reply.bulk('server');
  c.reply.bulk('redis');
  c.reply.bulk('version');
  c.reply.bulk(NODIS_VERSION);
  c.reply.bulk('proto');
  c.reply.integer(c.resp);
  c.reply.bulk('id');
  c.reply.integer(c.id);
  c.reply.bulk('mode');
  c.reply.bulk('standalone');
  c.reply.bulk('role');
  c.reply.bulk('master');
  c.reply.bulk('modules');
  c.reply.array(0);
}

/** Client names may not contain spaces, newlines or other special characters. */
export function validateClientName(name: string): string | null {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 33 || code > 126) return 'ERR Client names cannot contain spaces, newlines or special characters.';
  }
  return null;
}

function reset(c: Client): void {
  c.server.resetClient(c);
  c.reply.status('RESET');
}

export const connectionCommands: CommandGroup = {
  group: 'connection',
  handlers: { ping, echo, quit, select, auth, hello, reset },
};
