/**
 * Scripting behaviour that needs an in-process server or several clients: the caller's database,
 * blocking commands that answer at once, keyspace events and WATCH seen as for any write,
 * redis.log reaching the server log, MONITOR, and the OOM checks.
 */
import { describe, expect, test } from 'vitest';
import { useNodis } from '../helpers/nodis';

describe('scripts and the caller', () => {
  const logLines: string[] = [];
  const nodis = useNodis({ logSink: (line) => logLines.push(line), config: { loglevel: 'notice' } });

  test('a script runs in the caller database, and SELECT inside changes only the script', async () => {
    const raw = await nodis.raw();
    await raw.call('SELECT', '3');
    await raw.call('SET', 'k', 'in3');
    expect(await raw.call('EVAL', "return redis.call('get', 'k')", '0')).toBe('$3\r\nin3\r\n');
    expect(await raw.call('EVAL', "redis.call('select', 5) redis.call('set', 'k', 'in5') return redis.call('get', 'k')", '0')).toBe(
      '$3\r\nin5\r\n',
    );
    expect(await raw.call('GET', 'k')).toBe('$3\r\nin3\r\n');
    // The next script starts again in the caller's database.
    expect(await raw.call('EVAL', "return redis.call('get', 'k')", '0')).toBe('$3\r\nin3\r\n');
    await raw.call('SELECT', '5');
    expect(await raw.call('GET', 'k')).toBe('$3\r\nin5\r\n');
  });

  test('blocking commands inside a script answer at once', async () => {
    const raw = await nodis.raw();
    expect(await raw.call('EVAL', "return redis.call('xread', 'block', '0', 'streams', 's', '$')", '0')).toBe('$-1\r\n');
    await raw.call('RPUSH', 'ready', 'a');
    expect(await raw.call('EVAL', "return redis.call('lmove', 'ready', 'dst', 'left', 'right')", '0')).toBe('$1\r\na\r\n');
  });

  test('a script write wakes a client blocked on the key', async () => {
    const blocked = nodis.client();
    const writer = await nodis.raw();
    const popped = blocked.blpop('wake', 0);
    await new Promise((r) => setTimeout(r, 50));
    await writer.call('EVAL', "redis.call('rpush', KEYS[1], 'x')", '1', 'wake');
    expect(await popped).toEqual(['wake', 'x']);
  });

  test('a script write invalidates WATCH', async () => {
    const watcher = await nodis.raw();
    const other = await nodis.raw();
    await watcher.call('WATCH', 'watched');
    await other.call('EVAL', "redis.call('set', KEYS[1], 'changed')", '1', 'watched');
    await watcher.call('MULTI');
    await watcher.call('SET', 'watched', 'mine');
    expect(await watcher.call('EXEC')).toBe('*-1\r\n');
  });

  test('EVAL inside MULTI runs at EXEC', async () => {
    const raw = await nodis.raw();
    await raw.call('MULTI');
    expect(await raw.call('EVAL', "return redis.call('incr', 'counter')", '0')).toBe('+QUEUED\r\n');
    expect(await raw.call('EXEC')).toBe('*1\r\n:1\r\n');
  });

  test('keyspace events fire for script writes', async () => {
    const sub = nodis.client();
    const writer = nodis.client();
    await writer.config('SET', 'notify-keyspace-events', 'KEA');
    const messages: string[] = [];
    sub.on('pmessage', (_p: string, channel: string, message: string) => messages.push(`${channel} ${message}`));
    await sub.psubscribe('__keyspace@0__:ev*');
    await writer.eval("redis.call('set', KEYS[1], 'v') redis.call('del', KEYS[1])", 1, 'evkey');
    await writer.publish('flush', 'x');
    for (let i = 0; i < 100 && messages.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(messages).toEqual(['__keyspace@0__:evkey set', '__keyspace@0__:evkey del']);
    await writer.config('SET', 'notify-keyspace-events', '');
  });

  test('redis.log writes to the server log at the given level', async () => {
    const raw = await nodis.raw();
    await raw.call('EVAL', "redis.log(redis.LOG_WARNING, 'from lua') redis.log(redis.LOG_DEBUG, 'hidden')", '0');
    expect(logLines.some((l) => l.includes('from lua'))).toBe(true);
    expect(logLines.some((l) => l.includes('hidden'))).toBe(false);
  });

  test('MONITOR shows the commands a script runs, from lua', async () => {
    const monitor = await nodis.raw();
    expect(await monitor.call('MONITOR')).toBe('+OK\r\n');
    const raw = await nodis.raw();
    await raw.call('EVAL', "return redis.call('ping')", '0');
    const first = (await monitor.readReply()).toString('latin1');
    const second = (await monitor.readReply()).toString('latin1');
    expect(first).toContain('"EVAL"');
    expect(second).toMatch(/\[0 lua\] "ping"/);
  });

  test('a huge number of keys and arguments', async () => {
    const raw = await nodis.raw();
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
    expect(await raw.call('EVAL', 'return #KEYS + #ARGV', String(keys.length), ...keys, 'a', 'b')).toBe(':2002\r\n');
    const big = 'x'.repeat(1024 * 1024);
    expect(await raw.call('EVAL', 'return #ARGV[1]', '0', big)).toBe(':1048576\r\n');
    expect(await raw.call('EVAL', 'return ARGV[1]', '0', big)).toBe(`$1048576\r\n${big}\r\n`);
  });

  test('a table nested past the limit ends in an error, and the server goes on', async () => {
    const raw = await nodis.raw();
    const reply = await raw.call('EVAL', 'local t = {} t[1] = t return t', '0');
    expect(reply).toContain('-ERR reached lua stack limit\r\n');
    expect(await raw.call('EVAL', 'return 1', '0')).toBe(':1\r\n');
  });
});

describe('INFO memory for scripts', () => {
  const nodis = useNodis();

  test('number_of_cached_scripts and used_memory_scripts_eval follow the cache', async () => {
    const raw = await nodis.raw();
    const field = async (name: string): Promise<number> => {
      const info = await raw.call('INFO', 'memory');
      return Number(new RegExp(`${name}:(\\d+)`).exec(info)![1]);
    };
    await raw.call('SCRIPT', 'FLUSH');
    expect(await field('number_of_cached_scripts')).toBe(0);
    await raw.call('SCRIPT', 'LOAD', 'return 1');
    await raw.call('EVAL', 'return 2', '0');
    await raw.call('EVAL', 'syntax error', '0');
    expect(await field('number_of_cached_scripts')).toBe(2);
    expect(await field('used_memory_scripts_eval')).toBeGreaterThan(0);
    await raw.call('SCRIPT', 'FLUSH', 'ASYNC');
    expect(await field('number_of_cached_scripts')).toBe(0);
    expect(await field('used_memory_scripts_eval')).toBe(0);
  });
});

describe('scripts over maxmemory', () => {
  const nodis = useNodis({ config: { maxmemory: '1', 'maxmemory-policy': 'noeviction' } });

  test('a script without shebang is refused at its first denyoom command', async () => {
    const raw = await nodis.raw();
    expect(await raw.call('EVAL', "return redis.call('get', 'k')", '0')).toBe('$-1\r\n');
    expect(await raw.call('EVAL', "return redis.call('set', 'k', 'v')", '0')).toMatch(
      /^-OOM command not allowed when used memory > 'maxmemory'\. script: [0-9a-f]{40}, on @user_script:1\.\r\n$/,
    );
    expect(await raw.call('EVAL', "return redis.pcall('set', 'k', 'v')", '0')).toBe("-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  });

  test('a shebang script that may write is refused before it runs, unless allow-oom or no-writes', async () => {
    const raw = await nodis.raw();
    expect(await raw.call('EVAL', '#!lua\nreturn 1', '0')).toBe("-OOM command not allowed when used memory > 'maxmemory'.\r\n");
    expect(await raw.call('EVAL', '#!lua flags=no-writes\nreturn 1', '0')).toBe(':1\r\n');
    expect(await raw.call('EVAL', "#!lua flags=allow-oom\nreturn redis.call('set', 'k', 'v')", '0')).toBe('+OK\r\n');
  });
});
