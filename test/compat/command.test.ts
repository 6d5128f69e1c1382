import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeCompat, redisServerAvailable, startRedisServer, type CompatPair, type RedisProcess } from './harness';
import { onBoth } from './on-both';
import { RawConnection } from '../helpers/raw-connection';
import { callParsed, type RespValue } from '../helpers/resp-value';
import { CommandTable, type CommandHandler } from '../../src/commands/registry';
import { ReplyWriter } from '../../src/protocol/reply-writer';
import { commandHandlers } from '../../src/commands/server/command';
import metadata from '../../src/commands/metadata/redis-commands.json';
import type { Client } from '../../src/server/client';

/** Commands Nodis serves whose COMMAND INFO / DOCS have no subcommands (so no random order). */
const PLAIN_COMMANDS = ['get', 'set', 'mset', 'ping', 'echo', 'auth', 'hello', 'info', 'time', 'lastsave', 'monitor', 'shutdown', 'debug', 'select', 'reset', 'quit'];

describeCompat('COMMAND compat', (pair) => {
  for (const resp of [2, 3] as const) {
    test(`COMMAND INFO of served commands, unknown names and subcommand names (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ...PLAIN_COMMANDS.map((name) => ['COMMAND', 'INFO', name]),
          ['COMMAND', 'INFO', 'GET', 'nosuchcommand', 'Set'],
          ['COMMAND', 'INFO', 'get|x'],
          ['COMMAND', 'INFO', 'slowlog|get', 'SLOWLOG|LEN', 'command|getkeys', 'client|id', 'client|kill'],
          ['COMMAND', 'INFO', 'slowlog|nope', 'a|b|c', '', '|'],
        ],
        { resp },
      );
    });

    test(`COMMAND DOCS of served commands (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ...PLAIN_COMMANDS.map((name) => ['COMMAND', 'DOCS', name]),
          ['COMMAND', 'DOCS', 'nosuchcommand'],
          ['COMMAND', 'DOCS', 'get', 'nosuch', 'ECHO'],
          ['COMMAND', 'DOCS', 'client|list', 'slowlog|get', 'command|docs'],
        ],
        { resp },
      );
    });

    test(`COMMAND GETKEYS and GETKEYSANDFLAGS on served commands (RESP${resp})`, async () => {
      await pair.expectSame(
        [
          ['COMMAND', 'GETKEYS', 'get', 'k'],
          ['COMMAND', 'GETKEYS', 'GET', '\x00\xff'],
          ['COMMAND', 'GETKEYS', 'mset', 'a', '1', 'b', '2'],
          ['COMMAND', 'GETKEYS', 'mget', 'a', 'b', 'c'],
          ['COMMAND', 'GETKEYS', 'set', 'k', 'v', 'EX', '10'],
          ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'k', 'v'],
          ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'k', 'v', 'get'],
          ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'k', 'v', 'NX', 'GET'],
          ['COMMAND', 'GETKEYSANDFLAGS', 'get', 'k'],
          ['COMMAND', 'GETKEYSANDFLAGS', 'mset', 'a', '1', 'b', '2'],
          ['COMMAND', 'GETKEYSANDFLAGS', 'getex', 'k', 'PERSIST'],
          ['COMMAND', 'GETKEYSANDFLAGS', 'bitfield', 'k', 'GET', 'u8', '0'],
          ['COMMAND', 'GETKEYSANDFLAGS', 'bitfield', 'k', 'GET', 'u8', '0', 'SET', 'u8', '0', '1'],
          ['COMMAND', 'GETKEYSANDFLAGS', 'bitfield', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '1'],
          ['COMMAND', 'GETKEYSANDFLAGS', 'bitfield', 'k', 'bogus'],
          ['COMMAND', 'GETKEYS', 'ping'],
          ['COMMAND', 'GETKEYS', 'nosuchcommand', 'a'],
          ['COMMAND', 'GETKEYS', 'get'],
          ['COMMAND', 'GETKEYS', 'get', 'a', 'b'],
          ['COMMAND', 'GETKEYS', 'mset', 'a'],
          ['COMMAND', 'GETKEYS', 'client', 'kill', 'x'],
          ['COMMAND', 'GETKEYS', 'client', 'nosuch'],
          ['COMMAND', 'GETKEYS'],
          ['COMMAND', 'GETKEYSANDFLAGS'],
        ],
        { resp },
      );
    });
  }

  test('COMMAND LIST filters, COMMAND errors and HELP', async () => {
    await pair.expectSame([
      ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'nosuchmodule'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'nosuch*'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'GET'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'slowlog|l?n'],
      ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuchcategory'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'a', 'b'],
      ['COMMAND', 'LIST', 'FILTERBY', 'BOGUS', 'a'],
      ['COMMAND', 'LIST', 'BOGUS'],
      ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'a', 'FILTERBY', 'PATTERN', 'b'],
      ['COMMAND', 'BOGUS'],
      ['command', 'nosuch', 'x'],
      ['COMMAND', 'COUNT', 'x'],
      ['COMMAND', 'HELP'],
      ['command', 'help'],
      ['COMMAND', 'HELP', 'x'],
    ]);
  });

  test('COMMAND LIST of a fully served container, in any order', async () => {
    const [redisReply, nodisReply] = await both(pair, ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'slowlog*']);
    expect(byJson(nodisReply as RespValue[])).toEqual(byJson(redisReply as RespValue[]));
  });

  for (const resp of [2, 3] as const) {
    test(`COMMAND INFO and DOCS of fully served containers, subcommands in any order (RESP${resp})`, async () => {
      for (const name of ['slowlog', 'command']) {
        const [redisInfo, nodisInfo] = await both(pair, ['COMMAND', 'INFO', name], resp);
        expect(infoWithSortedSubcommands(nodisInfo), name).toEqual(infoWithSortedSubcommands(redisInfo));
        const [redisDocs, nodisDocs] = await both(pair, ['COMMAND', 'DOCS', name], resp);
        expect(docsWithSortedSubcommands(nodisDocs), name).toEqual(docsWithSortedSubcommands(redisDocs));
      }
    });
  }
});

/** Redis lists subcommands in its hash table's order, which differs from one process to the next. */
function byJson(items: RespValue[]): RespValue[] {
  return [...items].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** COMMAND INFO <container>: [[name, arity, ..., subcommands]] with the subcommands sorted. */
function infoWithSortedSubcommands(reply: RespValue): RespValue {
  const [entry] = reply as RespValue[][];
  return [[...entry.slice(0, 9), byJson(entry[9] as RespValue[])]];
}

/** Key/value pairs of a map reply, RESP3 map or RESP2 flat array. */
function pairsOf(value: RespValue): [RespValue, RespValue][] {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'map' in value) return value.map;
  const flat = value as RespValue[];
  const pairs: [RespValue, RespValue][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  return pairs;
}

/** COMMAND DOCS <container>: the docs with their "subcommands" pairs sorted by name. */
function docsWithSortedSubcommands(reply: RespValue): RespValue {
  return pairsOf(reply).map(([name, docs]) => [
    name,
    pairsOf(docs).map(([key, value]) => [key, key === 'subcommands' ? byJson(pairsOf(value) as unknown as RespValue[]) : value]),
  ]);
}

/** Sends one command to both servers and returns both replies, parsed. */
function both(pair: CompatPair, argv: string[], resp: 2 | 3 = 2): Promise<[RespValue, RespValue]> {
  return onBoth(pair, async (conn) => {
    if (resp === 3) await conn.call('HELLO', '3');
    return callParsed(conn, ...argv);
  });
}

/**
 * The key extraction of every command Redis 7.0.15 has, served or not: COMMAND GETKEYSANDFLAGS
 * run against a command table holding all of them, compared with redis-server's answer.
 */
describe.skipIf(!redisServerAvailable().ok)('key specs of every Redis command vs redis-server', () => {
  let redis: RedisProcess;
  let conn: RawConnection;
  beforeAll(async () => {
    redis = await startRedisServer();
    conn = await RawConnection.connect(redis.port);
  });
  afterAll(async () => {
    conn?.close();
    await redis?.stop();
  });

  const table = fullCommandTable();
  const fakeClient = (reply: ReplyWriter): Client => ({ server: { commands: table }, reply }) as unknown as Client;
  const nodisAnswer = (argv: string[]): string => {
    const reply = new ReplyWriter(() => undefined);
    commandHandlers['command|getkeysandflags'](fakeClient(reply), ['COMMAND', 'GETKEYSANDFLAGS', ...argv]);
    const out = reply.out.take();
    return Buffer.concat(out === null ? [] : Buffer.isBuffer(out) ? [out] : out).toString('latin1');
  };

  const cases: string[][] = [
    ['del', 'a', 'b', 'c'],
    ['unlink', 'a'],
    ['eval', 'return 1', '2', 'k1', 'k2', 'arg'],
    ['eval', 'return 1', '0'],
    ['eval', 'return 1', '5', 'a'],
    ['eval', 'return 1', '1abc', 'k'],
    ['eval', 'return 1', '-1', 'k'],
    ['evalsha_ro', 'sha', '1', 'k'],
    ['fcall', 'f', '2', 'a', 'b'],
    ['zunionstore', 'dest', '2', 'a', 'b', 'WEIGHTS', '1', '2'],
    ['zunionstore', 'dest', '-1', 'a'],
    ['zunionstore', 'dest', '0', 'a'],
    ['zunionstore', 'dest', '3', 'a'],
    ['zinter', '2', 'a', 'b'],
    ['zdiff', '1', 'a', 'WITHSCORES'],
    ['sintercard', '2', 'a', 'b', 'LIMIT', '1'],
    ['lmpop', '2', 'a', 'b', 'LEFT'],
    ['blmpop', '0', '1', 'a', 'LEFT'],
    ['bzmpop', '1.5', '2', 'a', 'b', 'MIN'],
    ['zmpop', '1', 'a', 'MAX'],
    ['sort', 'k'],
    ['sort', 'k', 'BY', 'w*', 'LIMIT', '0', '1', 'GET', '#', 'STORE', 'dst'],
    ['sort', 'k', 'STORE', 'a', 'STORE', 'b'],
    ['sort_ro', 'k', 'BY', 'x'],
    ['migrate', 'h', '1', 'k', '0', '5'],
    ['migrate', 'h', '1', '', '0', '5', 'COPY', 'KEYS', 'a', 'b'],
    ['migrate', 'h', '1', '', '0', '5', 'AUTH2', 'u', 'p', 'KEYS', 'a'],
    ['xread', 'STREAMS', 'a', 'b', '0', '0'],
    ['xread', 'COUNT', '2', 'STREAMS', 'a', '0'],
    ['xread', 'STREAMS', 'a', 'b', 'c'],
    ['xreadgroup', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
    ['georadius', 'k', '0', '0', '1', 'km', 'STORE', 'd'],
    ['georadius', 'k', '0', '0', '1', 'km', 'STOREDIST', 'd', 'STORE', 'e'],
    ['georadiusbymember', 'k', 'm', '1', 'km'],
    ['lmove', 'a', 'b', 'LEFT', 'RIGHT'],
    ['smove', 'a', 'b', 'm'],
    ['rename', 'a', 'b'],
    ['copy', 'a', 'b', 'DB', '1'],
    ['bitop', 'AND', 'd', 'a', 'b'],
    ['object', 'encoding', 'k'],
    ['memory', 'usage', 'k'],
    ['xinfo', 'stream', 's'],
    ['pfdebug', 'getreg', 'k'],
    ['lcs', 'a', 'b'],
    ['spublish', 'ch', 'msg'],
    ['ssubscribe', 'a', 'b'],
    ['publish', 'ch', 'msg'],
    ['bitfield_ro', 'k', 'GET', 'u8', '0'],
    ['set', 'k', 'v', 'Get'],
    ['set', 'k', 'v', 'EX', '1'],
    ['mset', 'a', '1', 'b'],
    ['msetnx', 'a', '1', 'b', '2'],
    ['watch', 'a', 'b'],
    ['touch', 'x'],
  ];
  for (const argv of cases) {
    test(argv.map((a) => JSON.stringify(a)).join(' '), async () => {
      const expected = await conn.call('COMMAND', 'GETKEYSANDFLAGS', ...argv);
      expect(JSON.stringify(nodisAnswer(argv))).toBe(JSON.stringify(expected));
    });
  }
});

/** A command table holding every Redis 7.0.15 command and subcommand, with no-op handlers. */
function fullCommandTable(): CommandTable {
  const handlers: Record<string, CommandHandler> = {};
  const noop: CommandHandler = () => undefined;
  const commands = (metadata as unknown as { commands: Record<string, { info: unknown[] }> }).commands;
  for (const [name, entry] of Object.entries(commands)) {
    const subs = entry.info[9];
    if (Array.isArray(subs) && subs.length > 0) for (const sub of subs as unknown[][]) handlers[sub[0] as string] = noop;
    else handlers[name] = noop;
  }
  const table = new CommandTable();
  table.register({ group: 'all', handlers });
  return table;
}
