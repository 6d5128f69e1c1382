/**
 * SLOWLOG GET / LEN / RESET / HELP. The dispatcher records the entries (see ServerStats).
 */
import type { Client } from '../../server/client';
import type { CommandHandler } from '../registry';
import { parseLong } from '../arguments';
import { replyHelp } from '../generic/object';

const SLOWLOG_HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

const DEFAULT_COUNT = 10;

function get(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    return c.reply.error(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try SLOWLOG HELP.`);
  }
  const entries = c.server.stats.slowlog;
  let count = DEFAULT_COUNT;
  if (argv.length === 3) {
    const n = parseLong(argv[2]);
    if (n === null || n < -1) return c.reply.error('ERR count should be greater than or equal to -1');
    count = n === -1 ? entries.length : n;
  }
  const sent = entries.slice(0, count);
  c.reply.array(sent.length);
  for (const entry of sent) {
    c.reply.array(6);
    c.reply.integer(entry.id);
    c.reply.integer(entry.timestamp);
    c.reply.integer(entry.durationUs);
    c.reply.bulkArray(entry.argv);
    c.reply.bulk(entry.addr);
    c.reply.bulk(entry.name);
  }
}

export const slowlogHandlers: Record<string, CommandHandler> = {
  'slowlog|get': get,
  'slowlog|len': (c) => c.reply.integer(c.server.stats.slowlog.length),
  'slowlog|reset': (c) => {
    c.server.stats.resetSlowlog();
    c.reply.ok();
  },
  'slowlog|help': (c, argv) => replyHelp(c, argv[0], SLOWLOG_HELP),
};
