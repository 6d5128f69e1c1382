/**
 * FUNCTION and FCALL behaviour that needs more than one reply compared: INFO fields, MONITOR,
 * changes counted for persistence, transactions, binary and large libraries, OOM refusal.
 */
import { describe, expect, test } from 'vitest';
import { useNodis } from '../helpers/nodis';

const nodis = useNodis({ config: { 'enable-debug-command': 'yes' } });

function lib(name: string, ...lines: string[]): string {
  return [`#!lua name=${name}`, ...lines].join('\n');
}

async function fresh(): Promise<ReturnType<typeof nodis.client>> {
  const client = nodis.client();
  await client.call('FUNCTION', 'FLUSH');
  await client.flushall();
  return client;
}

describe('INFO and statistics', () => {
  test('number_of_functions, number_of_libraries and the memory fields follow the libraries', async () => {
    const client = await fresh();
    const memoryOf = async (): Promise<Record<string, string>> =>
      Object.fromEntries(
        ((await client.info('memory')) as string)
          .split('\r\n')
          .filter((line) => line.includes(':'))
          .map((line) => line.split(':') as [string, string]),
      );
    const empty = await memoryOf();
    expect(empty.number_of_functions).toBe('0');
    expect(empty.used_memory_functions).toBe('200');
    expect(empty.number_of_libraries).toBe('0');
    expect(Number(empty.used_memory_vm_functions)).toBeGreaterThan(0);
    await client.call('FUNCTION', 'LOAD', lib('a', "redis.register_function('f1', function() return 1 end)", "redis.register_function('f2', function() return 2 end)"));
    const loaded = await memoryOf();
    expect(loaded.number_of_functions).toBe('2');
    expect(loaded.number_of_libraries).toBe('1');
    expect(Number(loaded.used_memory_functions)).toBeGreaterThan(200);
    expect(Number(loaded.used_memory_scripts)).toBe(Number(loaded.used_memory_scripts_eval) + Number(loaded.used_memory_functions));
  });

  test('LOAD, DELETE, FLUSH and RESTORE count as changes; a failed LOAD and LIST do not', async () => {
    const client = await fresh();
    const changes = async (): Promise<number> => Number(/rdb_changes_since_last_save:(\d+)/.exec((await client.info('persistence')) as string)![1]);
    const before = await changes();
    await client.call('FUNCTION', 'LOAD', lib('a', "redis.register_function('f', function() return 1 end)"));
    await expect(client.call('FUNCTION', 'LOAD', lib('a', "redis.register_function('f', function() return 1 end)"))).rejects.toThrow(
      "Library 'a' already exists",
    );
    await client.call('FUNCTION', 'LIST');
    expect(await changes()).toBe(before + 1);
    const payload = (await client.callBuffer('FUNCTION', 'DUMP')) as Buffer;
    await client.call('FUNCTION', 'DELETE', 'a');
    await client.call('FUNCTION', 'RESTORE', payload);
    await client.call('FUNCTION', 'FLUSH');
    expect(await changes()).toBe(before + 4);
  });

  test('a FUNCTION LOAD that fails counts one error', async () => {
    const client = await fresh();
    await client.call('CONFIG', 'RESETSTAT');
    await expect(client.call('FUNCTION', 'LOAD', lib('e', 'nosuch()'))).rejects.toThrow("nonexistent global variable 'nosuch'");
    await expect(client.call('FUNCTION', 'LOAD', lib('e', "redis.register_function('a-b', function() end)"))).rejects.toThrow('Library names');
    const stats = (await client.info('stats')) as string;
    expect(stats).toContain('total_error_replies:2');
  });

  test('FCALL errors count in errorstats by their code', async () => {
    const client = await fresh();
    await client.call('CONFIG', 'RESETSTAT');
    await client.call('FUNCTION', 'LOAD', lib('a', "redis.register_function('w', function(keys) return redis.call('lpush', keys[1], 'x') end)"));
    await client.set('s', 'v');
    await expect(client.call('FCALL', 'w', '1', 's')).rejects.toThrow(/^WRONGTYPE/);
    await expect(client.call('FCALL', 'nosuch', '0')).rejects.toThrow('Function not found');
    const stats = (await client.info('errorstats')) as string;
    expect(stats).toMatch(/errorstat_WRONGTYPE:count=\d+/);
    expect(stats).toMatch(/errorstat_ERR:count=\d+/);
  });
});

describe('running functions', () => {
  test('MONITOR shows FCALL before the commands the function runs', async () => {
    const client = await fresh();
    await client.call('FUNCTION', 'LOAD', lib('m', "redis.register_function('setter', function(keys, args) return redis.call('set', keys[1], args[1]) end)"));
    const monitor = await nodis.raw();
    expect(await monitor.call('MONITOR')).toBe('+OK\r\n');
    await client.call('FCALL', 'setter', '1', 'mk', 'mv');
    const first = (await monitor.readReply()).toString('latin1');
    const second = (await monitor.readReply()).toString('latin1');
    expect(first).toMatch(/\[0 127\.0\.0\.1:\d+\] "FCALL" "setter" "1" "mk" "mv"/);
    expect(second).toMatch(/\[0 lua\] "set" "mk" "mv"/);
    monitor.close();
  });

  test('FCALL inside MULTI runs at EXEC; FUNCTION LOAD can be queued too', async () => {
    const client = await fresh();
    const result = await client
      .multi()
      .call('FUNCTION', 'LOAD', lib('tx', "redis.register_function('inc', function(keys) return redis.call('incr', keys[1]) end)"))
      .call('FCALL', 'inc', '1', 'n')
      .call('FCALL', 'inc', '1', 'n')
      .exec();
    expect(result).toEqual([
      [null, 'tx'],
      [null, 1],
      [null, 2],
    ]);
  });

  test('binary-safe code, keys and arguments', async () => {
    const client = await fresh();
    const code = lib('bin', "local marker = '\x00\x01'", "redis.register_function('bin', function(keys, args) return marker .. keys[1] .. args[1] end)");
    await client.call('FUNCTION', 'LOAD', Buffer.from(code, 'latin1'));
    const reply = (await client.callBuffer('FCALL', 'bin', '1', Buffer.from([0, 0xfe]), Buffer.from('\r\n\xff', 'latin1'))) as Buffer;
    expect([...reply]).toEqual([0, 1, 0, 0xfe, 13, 10, 0xff]);
  });

  test('library code is kept byte for byte (LIST WITHCODE, DUMP)', async () => {
    const client = await fresh();
    const code = lib('raw', '-- \xff\xfe\x80 in a comment', "redis.register_function('raw', function() return 1 end)");
    await client.call('FUNCTION', 'LOAD', Buffer.from(code, 'latin1'));
    const listed = (await client.callBuffer('FUNCTION', 'LIST', 'WITHCODE')) as Buffer[][];
    expect(Buffer.from(listed[0][7] as unknown as Buffer).toString('latin1')).toBe(code);
    const payload = (await client.callBuffer('FUNCTION', 'DUMP')) as Buffer;
    expect(payload.includes(Buffer.from('\xff\xfe\x80', 'latin1'))).toBe(true);
  });

  test('a large library with many functions', async () => {
    const client = await fresh();
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) lines.push(`redis.register_function('f${i}', function(keys, args) return ${i} end)`);
    lines.push(`local padding = '${'x'.repeat(100_000)}'`);
    expect(await client.call('FUNCTION', 'LOAD', lib('big', ...lines))).toBe('big');
    expect(await client.call('FCALL', 'f299', '0')).toBe(299);
    expect(await client.call('FCALL', 'F0', '0')).toBe(0);
    const stats = (await client.call('FUNCTION', 'STATS')) as unknown[];
    expect(JSON.stringify(stats)).toContain('"functions_count",300');
  });

  test('a function that writes is refused over maxmemory unless it has allow-oom; no-writes ones run', async () => {
    const client = await fresh();
    await client.call(
      'FUNCTION',
      'LOAD',
      lib(
        'oom',
        "redis.register_function('w', function(keys) return redis.call('set', keys[1], 'v') end)",
        "redis.register_function{function_name='r', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}",
        "redis.register_function{function_name='o', callback=function(keys) return redis.call('set', keys[1], 'v') end, flags={'allow-oom'}}",
      ),
    );
    await client.call('CONFIG', 'SET', 'maxmemory', '1');
    try {
      await expect(client.call('FCALL', 'w', '1', 'k')).rejects.toThrow("OOM command not allowed when used memory > 'maxmemory'.");
      expect(await client.call('FCALL', 'r', '1', 'k')).toBe(null);
      expect(await client.call('FCALL', 'o', '1', 'k')).toBe('OK');
    } finally {
      await client.call('CONFIG', 'SET', 'maxmemory', '0');
    }
  });

  test('FUNCTION FLUSH uses the lazyfree-lazy-user-flush default and DEBUG RELOAD keeps libraries', async () => {
    const client = await fresh();
    await client.call('FUNCTION', 'LOAD', lib('keep', "redis.register_function('k', function() return 'kept' end)"));
    expect(await client.call('DEBUG', 'RELOAD')).toBe('OK');
    expect(await client.call('FCALL', 'k', '0')).toBe('kept');
    await client.call('CONFIG', 'SET', 'lazyfree-lazy-user-flush', 'yes');
    try {
      expect(await client.call('FUNCTION', 'FLUSH')).toBe('OK');
      expect(await client.call('FUNCTION', 'LIST')).toEqual([]);
    } finally {
      await client.call('CONFIG', 'SET', 'lazyfree-lazy-user-flush', 'no');
    }
  });

  test('FLUSHALL leaves the libraries in place', async () => {
    const client = await fresh();
    await client.call('FUNCTION', 'LOAD', lib('stay', "redis.register_function('s', function() return 1 end)"));
    await client.flushall();
    expect(await client.call('FCALL', 's', '0')).toBe(1);
  });
});
