/**
 * CONFIG GET, SET, RESETSTAT, REWRITE and HELP, as Redis 7.0's configGetCommand/configSetCommand.
 */
import type { CommandGroup } from './registry';
import type { Client } from '../server/client';
import { Errors } from '../protocol/errors';
import { globMatch } from '../keyspace/glob';
import { isLoopback } from '../server/protected-mode';
import { directiveNames, findDirective, type Directive } from '../config/directives';
import { ConfigError, strerror } from '../config/values';
import { rewriteConfigFile } from '../config/rewrite';
import { resetStats } from '../server/info';
import { replyHelp } from './generic/object';

const HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

const hasGlob = (pattern: string): boolean => /[[*?]/.test(pattern);

/**
 * Several names or patterns at once. A plain name is answered under the name as given; a pattern
 * under each directive name or alias it matches (case-insensitively); each name only once. Redis
 * answers in its hash table's order, which changes from run to run; Nodis keeps request order,
 * then table order.
 */
function configGet(c: Client, argv: string[]): void {
  const found = new Map<string, [string, Directive]>();
  for (let i = 2; i < argv.length; i++) {
    const pattern = argv[i];
    if (!hasGlob(pattern)) {
      const key = pattern.toLowerCase();
      const d = findDirective(pattern);
      if (d && !found.has(key)) found.set(key, [pattern, d]);
      continue;
    }
    for (const [name, d] of directiveNames()) {
      if (!found.has(name) && globMatch(pattern, name, true)) found.set(name, [name, d]);
    }
  }
  const config = c.server.config;
  c.reply.map(found.size);
  for (const [name, d] of found.values()) {
    c.reply.bulk(name);
    const value = config.valueOf(d);
    c.reply.bulk(d.show ? d.show(value) : value);
  }
}

function protectedAllowed(c: Client): boolean {
  const setting = c.server.config.get('enable-protected-configs');
  return setting === 'yes' || (setting === 'local' && isLoopback(c.socket?.remoteAddress));
}

const setFailed = (name: string, reason: string): string =>
  `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;

/** Why a directive cannot be set at runtime by this client, or null. */
function refusal(c: Client, d: Directive): string | null {
  if (!d.mutable) return "can't set immutable config";
  if (d.protected && !protectedAllowed(c)) return "can't set protected config";
  return null;
}

/**
 * Several pairs at once, all or none: every name is checked first (unknown, immutable, protected,
 * duplicate), then every value, and only then are they applied; if applying one fails, all go back.
 */
function configSet(c: Client, argv: string[]): void {
  if (argv.length % 2 !== 0) return c.reply.error(Errors.syntax);
  const pairs: [string, Directive, string][] = [];
  const seen = new Set<string>();
  let error: string | null = null;
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i];
    const d = findDirective(name);
    const value = argv[i + 1];
    // Like Redis, hide secrets from the slow log whatever happens next.
    if (d?.sensitive) argv[i + 1] = '(redacted)';
    if (error !== null) continue;
    if (!d) {
      error = `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      continue;
    }
    const refused = refusal(c, d);
    if (refused !== null) error = setFailed(name, refused);
    // Redis compares config entries, and an alias is an entry of its own: "x-ziplist-y 1 x-listpack-y 2" is fine.
    const key = name.toLowerCase();
    if (seen.has(key)) error = setFailed(name, 'duplicate parameter');
    seen.add(key);
    pairs.push([name, d, value]);
  }
  if (error !== null) return c.reply.error(error);

  const config = c.server.config;
  const changes: [Directive, string][] = [];
  for (const [name, d, value] of pairs) {
    // A multi-argument value is split at every single space, as Redis's sdssplitlen.
    const args = d.multiArg ? (value === '' ? [] : value.split(' ')) : [value];
    let normalized: string;
    try {
      normalized = config.normalize(d, args);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return c.reply.error(setFailed(name.toLowerCase(), e.message));
    }
    // Setting the current value again is fine even where a change cannot be applied yet.
    if (d.runtimeUnsupported && normalized !== config.valueOf(d)) {
      return c.reply.error(setFailed(name.toLowerCase(), d.runtimeUnsupported));
    }
    changes.push([d, normalized]);
  }
  try {
    config.setMany(changes);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const name = e.directive ?? changes[0][0].name;
    c.server.log.warning(`Failed applying new configuration. Possibly related to new ${name} setting. Restoring previous settings.`);
    return c.reply.error(setFailed(name, e.message));
  }
  c.reply.ok();
}

/** Server, per-command and per-error statistics and the keyspace counters INFO shows. */
function configResetstat(c: Client): void {
  resetStats(c.server);
  c.reply.ok();
}

function configRewrite(c: Client): void {
  const server = c.server;
  if (!server.configFile) return c.reply.error('ERR The server is running without a config file');
  try {
    rewriteConfigFile(server.configFile, server.config);
  } catch (e) {
    server.log.warning(`CONFIG REWRITE failed: ${strerror(e)}`);
    return c.reply.error(`ERR Rewriting config file: ${strerror(e)}`);
  }
  server.log.notice('CONFIG REWRITE executed with success.');
  c.reply.ok();
}

function configHelp(c: Client, argv: string[]): void {
  replyHelp(c, argv[0], HELP);
}

export const configCommands: CommandGroup = {
  group: 'server',
  handlers: {
    'config|get': configGet,
    'config|set': configSet,
    'config|resetstat': configResetstat,
    'config|rewrite': configRewrite,
    'config|help': configHelp,
  },
};
