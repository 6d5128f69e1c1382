/**
 * Streams for the persistence tests: commands that build streams of every shape (field sets
 * shared or not, deleted entries, several nodes, trimmed nodes, empty streams, XSETID metadata,
 * IDs at the top of the u64 range, consumer groups with consumers, PELs and binary names), and
 * the replies that describe them, compared byte for byte between servers.
 */
import { RawConnection } from '../helpers/raw-connection';
import { sendAll } from './rdb-dataset';

export const U64_MAX = '18446744073709551615';

/** Stream key -> its group names. */
export const STREAM_GROUPS: Record<string, string[]> = {
  's:basic': [],
  's:deleted': ['readers'],
  's:nodes': ['g'],
  's:empty': ['late'],
  's:setid': [],
  's:huge': [],
  's:groups': ['g1', 'g2', 'g3', '123', '\x00g\xff'],
};

export const STREAM_KEYS = Object.keys(STREAM_GROUPS);

export function streamDatasetCommands(): string[][] {
  const cmds: string[][] = [];
  const add = (...argv: string[]): void => void cmds.push(argv);

  add('XADD', 's:basic', '1-1', 'name', 'alice', 'age', '30');
  add('XADD', 's:basic', '1-2', 'name', 'bob', 'age', '31');
  add('XADD', 's:basic', '2-0', 'other', 'x');
  add('XADD', 's:basic', '2-1', 'name', 'carol', 'age', '-5');
  add('XADD', 's:basic', '2-2', '\x00\xff', 'bin\x00\xffary', 'empty', '');
  add('XADD', 's:basic', '3-0', 'i', '9223372036854775807', 'j', '-9223372036854775808', 'k', U64_MAX, 'l', '007');

  for (let i = 1; i <= 20; i++) add('XADD', 's:deleted', `5-${i}`, 'f', String(i));
  add('XDEL', 's:deleted', '5-1', '5-7', '5-8', '5-20');
  add('XGROUP', 'CREATE', 's:deleted', 'readers', '5-3');

  for (let i = 1; i <= 350; i++) {
    const id = i <= 200 ? `100-${i}` : `101-${i}`;
    if (i % 3 === 0) add('XADD', 's:nodes', id, 'other', `v${i}`, 'n', String(i));
    else add('XADD', 's:nodes', id, 'a', String(i * 1000), 'b', `text ${i}`);
    // A value larger than stream-node-max-bytes: a node of its own.
    if (i === 200) add('XADD', 's:nodes', '100-1000', 'big', 'x'.repeat(5000));
  }
  add('XTRIM', 's:nodes', 'MAXLEN', '230');
  add('XGROUP', 'CREATE', 's:nodes', 'g', '0');

  add('XADD', 's:empty', 'MAXLEN', '0', '7-7', 'a', 'b');
  add('XGROUP', 'CREATE', 's:empty', 'late', '$');

  add('XADD', 's:setid', '3-3', 'a', 'b');
  add('XSETID', 's:setid', '100-100', 'ENTRIESADDED', '50', 'MAXDELETEDID', '50-0');

  add('XADD', 's:huge', '0-1', 'f', 'v');
  add('XADD', 's:huge', '4294967296-4294967297', 'f', 'v');
  add('XADD', 's:huge', `18446744073709551614-${U64_MAX}`, 'f', 'v');
  add('XADD', 's:huge', `${U64_MAX}-0`, 'f', 'v');
  add('XADD', 's:huge', `${U64_MAX}-${U64_MAX}`, 'g', 'w');

  for (let i = 1; i <= 10; i++) add('XADD', 's:groups', `1-${i}`, 'n', String(i));
  add('XGROUP', 'CREATE', 's:groups', 'g1', '0');
  add('XGROUP', 'CREATE', 's:groups', 'g2', '$');
  add('XGROUP', 'CREATE', 's:groups', 'g3', '1-5');
  add('XGROUP', 'CREATE', 's:groups', '123', '0', 'ENTRIESREAD', '0');
  add('XGROUP', 'CREATE', 's:groups', '\x00g\xff', '0');
  add('XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '3', 'STREAMS', 's:groups', '>');
  add('XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '2', 'STREAMS', 's:groups', '>');
  add('XACK', 's:groups', 'g1', '1-2');
  add('XGROUP', 'CREATECONSUMER', 's:groups', 'g1', 'carol');
  add('XCLAIM', 's:groups', 'g1', 'carol', '0', '1-4', 'TIME', '1700000000000', 'RETRYCOUNT', '7');
  add('XREADGROUP', 'GROUP', '123', '42', 'STREAMS', 's:groups', '>');
  add('XREADGROUP', 'GROUP', '\x00g\xff', '\xffc\x00', 'COUNT', '1', 'STREAMS', 's:groups', '>');
  add('XGROUP', 'CREATECONSUMER', 's:groups', 'g3', 'idle');
  add('XDEL', 's:groups', '1-6');
  return cmds;
}

/** Sends the dataset to a server. */
export async function populateStreams(port: number): Promise<void> {
  const conn = await RawConnection.connect(port);
  try {
    await sendAll(conn, streamDatasetCommands());
  } finally {
    conn.close();
  }
}

/** The commands whose replies describe the stream at `key` (all deterministic). */
export function describeCommands(key: string, groups: string[] = STREAM_GROUPS[key] ?? []): string[][] {
  const cmds: string[][] = [
    ['TYPE', key],
    ['XLEN', key],
    ['XINFO', 'STREAM', key, 'FULL', 'COUNT', '0'],
    ['XINFO', 'STREAM', key],
    ['XRANGE', key, '-', '+'],
    ['XREVRANGE', key, '+', '-', 'COUNT', '5'],
    ['XINFO', 'GROUPS', key],
  ];
  for (const group of groups) {
    cmds.push(['XPENDING', key, group]);
    cmds.push(['XPENDING', key, group, '-', '+', '100']);
  }
  return cmds;
}

/**
 * The raw replies describing each dataset key (under `prefix`, for copies made by RESTORE):
 * key -> one reply per describeCommands line.
 */
export async function describeStreams(port: number, keys = STREAM_KEYS, prefix = ''): Promise<Record<string, string[]>> {
  const conn = await RawConnection.connect(port);
  const out: Record<string, string[]> = {};
  try {
    for (const key of keys) {
      const cmds = describeCommands(prefix + key, STREAM_GROUPS[key]);
      for (const argv of cmds) conn.send(argv);
      out[key] = [];
      for (const argv of cmds) {
        const reply = (await conn.readReply(20000)).toString('latin1');
        // XPENDING's extended form shows idle times: keep only the rest of each entry.
        out[key].push(argv[0] === 'XPENDING' && argv.length > 3 ? withoutIdle(reply) : reply);
      }
    }
  } finally {
    conn.close();
  }
  return out;
}

/** An XPENDING extended reply with the idle-time integers removed (they depend on now). */
function withoutIdle(reply: string): string {
  return reply.replace(/(\*4\r\n\$\d+\r\n[^\r]*\r\n\$\d+\r\n[^\r]*\r\n):\d+\r\n/g, '$1:?\r\n');
}

/** Resolves once no AOF rewrite is running or scheduled. */
export async function waitForRewrite(call: (...argv: string[]) => Promise<string>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const info = await call('INFO', 'persistence');
    if (info.includes('aof_rewrite_in_progress:0') && info.includes('aof_rewrite_scheduled:0')) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the AOF rewrite did not finish');
}
