import { test } from 'vitest';
import { describeCompat, type Step } from './harness';

/** A library with the given name and body lines (after the metadata line). */
function lib(name: string, ...lines: string[]): string {
  return [`#!lua name=${name}`, ...lines].join('\n');
}

const reg = (fname: string, body = 'return 1'): string => `redis.register_function('${fname}', function(keys, args) ${body} end)`;

/** Each script starts with no libraries (FLUSHALL leaves functions in place). */
function functionScript(pair: Parameters<Parameters<typeof describeCompat>[1]>[0], name: string, steps: Step[]): void {
  for (const resp of [2, 3] as const) {
    test(`${name} (RESP${resp})`, async () => {
      await pair.expectSame([['FUNCTION', 'FLUSH'], ...steps], { resp });
    });
  }
}

describeCompat('FUNCTION and FCALL', (pair) => {
  functionScript(pair, 'LOAD metadata errors', [
    ['FUNCTION', 'LOAD', 'return 1'],
    ['FUNCTION', 'LOAD', ''],
    ['FUNCTION', 'LOAD', '#!lua'],
    ['FUNCTION', 'LOAD', '#!lua name=a'],
    ['FUNCTION', 'LOAD', '#!\n' + reg('f')],
    ['FUNCTION', 'LOAD', lib('a') + '\nreturn 1'],
    ['FUNCTION', 'LOAD', '#!foo name=a\n' + reg('f')],
    ['FUNCTION', 'LOAD', '#!lua name=a-b\n' + reg('f')],
    ['FUNCTION', 'LOAD', '#!lua name=\n' + reg('f')],
    ['FUNCTION', 'LOAD', '#!lua name=a x=y\n' + reg('f')],
    ['FUNCTION', 'LOAD', '#!lua name=a name=b\n' + reg('f')],
    ['FUNCTION', 'LOAD', '#!lua\n' + reg('f')],
    ['FUNCTION', 'LOAD', '#!lua "name=a\n' + reg('f')],
    ['FUNCTION', 'LOAD', '#!lua name=a\x00b\n' + reg('f')],
    ['FUNCTION', 'LOAD', '#!lua name=\xff\n' + reg('f')],
    ['FUNCTION', 'LOAD', 'FOO', lib('a', reg('f'))],
    ['FUNCTION', 'LOAD', 'REPLACE'],
    ['FUNCTION', 'LOAD', 'replace', 'replace', lib('a', reg('f'))],
    ['FUNCTION', 'LIST'],
  ]);

  functionScript(pair, 'LOAD names, engines and REPLACE', [
    ['FUNCTION', 'LOAD', '#!LuA NAME=Lib_1\n' + reg('f1')],
    ['FUNCTION', 'LOAD', lib('Lib_1', reg('f2'))],
    ['FUNCTION', 'LOAD', lib('lib_1', reg('F1'))],
    ['FUNCTION', 'LOAD', lib('lib_1', reg('f1x'))],
    ['FUNCTION', 'LOAD', 'REPLACE', lib('Lib_1', reg('f1x'))],
    ['FUNCTION', 'LOAD', 'REPLACE', lib('Lib_1', reg('f2'), reg('f3'))],
    ['FUNCTION', 'LOAD', 'REPLACE', lib('Lib_1', 'return 1 +')],
    ['FCALL', 'f2', '0'],
    ['FCALL', 'F3', '0'],
    ['FCALL', 'f1', '0'],
    ['FUNCTION', 'STATS'],
  ]);

  functionScript(pair, 'LOAD Lua errors', [
    ['FUNCTION', 'LOAD', lib('a', 'return 1 +')],
    ['FUNCTION', 'LOAD', lib('a', '', 'local x = = 2')],
    ['FUNCTION', 'LOAD', lib('a', "redis.call('ping')")],
    ['FUNCTION', 'LOAD', lib('a', "redis.pcall('ping')")],
    ['FUNCTION', 'LOAD', lib('a', 'nosuch()')],
    ['FUNCTION', 'LOAD', lib('a', "redis.log(redis.LOG_WARNING, 'loading', 'x')", "redis.register_function('f', function() error('boom') end)")],
    ['FCALL', 'f', '0'],
    ['FUNCTION', 'LOAD', lib('a', "local s = string.format('%d', 1)", reg('f'))],
    ['FUNCTION', 'LOAD', lib('a', "error('boom')")],
    ['FUNCTION', 'LOAD', lib('a', 'local ok = pcall(function() end)')],
    ['FUNCTION', 'LOAD', lib('a', 'local t = {}', 'table.insert(t, 1)')],
    ['FUNCTION', 'LOAD', lib('a', 'local n = tonumber("1")')],
    ['FUNCTION', 'LOAD', lib('a', 'local x = KEYS[1]')],
    ['FUNCTION', 'LOAD', lib('a', 'local x = _G.foo')],
    ['FUNCTION', 'LOAD', lib('a', 'x = 1')],
    ['FUNCTION', 'LOAD', lib('a', 'redis.x = 1')],
    ['FUNCTION', 'LOAD', lib('a', 'local v = redis.REDIS_VERSION', 'redis.log(redis.LOG_DEBUG, v)', reg('f', 'return redis.REDIS_VERSION_NUM'))],
    ['FCALL', 'f', '0'],
  ]);

  functionScript(pair, 'register_function argument errors', [
    ['FUNCTION', 'LOAD', lib('a', 'redis.register_function()')],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function('a', function() end, 3)")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function('f')")],
    ['FUNCTION', 'LOAD', lib('a', 'redis.register_function({}, function() end)')],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function('f', 'x')")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function('f', nil)")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function('f-g', function() end)")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function('', function() end)")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function('f', function() end)", "redis.register_function('f', function() end)")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function('x')")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function('name')")],
    ['FUNCTION', 'LOAD', lib('a', 'redis.register_function{}')],
    ['FUNCTION', 'LOAD', lib('a', 'redis.register_function{function_name=1}')],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function{function_name='f'}")],
    ['FUNCTION', 'LOAD', lib('a', 'redis.register_function{callback=function() end}')],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function{function_name={}, callback=function() end}")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function{function_name='f', callback='x'}")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function{function_name='f', callback=function() end, description={}}")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function{function_name='f', callback=function() end, flags='no-writes'}")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function{function_name='f', callback=function() end, flags={'bad'}}")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function{function_name='f', callback=function() end, flags={1}}")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function{function_name='f', callback=function() end, other=1}")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function{'f', function() end}")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function{function_name='f', callback=function() end, flags={'no-writes', 5}}")],
    ['FUNCTION', 'LOAD', lib('a', "redis.register_function{function_name=7, callback=function() return 'seven' end, description=8}")],
    ['FCALL', '7', '0'],
    ['FUNCTION', 'LIST'],
    ['FUNCTION', 'FLUSH'],
    ['FUNCTION', 'LIST'],
    ['FUNCTION', 'LOAD', 'REPLACE', lib('a', reg('f', "return 'lower'"), reg('F', "return 'upper'"))],
  ]);

  functionScript(pair, 'LIST shapes, flags and descriptions', [
    [
      'FUNCTION',
      'LOAD',
      lib(
        'mylib',
        "redis.register_function{function_name='ro', callback=function(keys, args) return 1 end, flags={'NO-WRITES', 'allow-stale', 'no-writes'}, description='reads only'}",
      ),
    ],
    ['FUNCTION', 'LIST'],
    ['FUNCTION', 'LIST', 'WITHCODE'],
    ['FUNCTION', 'LIST', 'libraryname', 'my*'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'MY?IB'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', '*[l]ib'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'other*', 'withcode'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME'],
    ['FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE'],
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'a', 'LIBRARYNAME', 'b'],
    ['FUNCTION', 'LIST', 'foo'],
    [
      'FUNCTION',
      'LOAD',
      'REPLACE',
      lib(
        'mylib',
        "redis.register_function{function_name='all', callback=function() end, flags={'allow-cross-slot-keys', 'no-cluster', 'allow-stale', 'allow-oom', 'no-writes'}, description=''}",
      ),
    ],
    ['FUNCTION', 'LIST', 'WITHCODE'],
  ]);

  functionScript(pair, 'FCALL arguments and replies', [
    [
      'FUNCTION',
      'LOAD',
      lib(
        'calls',
        reg('echo', 'return {keys, args, #keys, #args}'),
        reg('set', "return redis.call('set', keys[1], args[1])"),
        reg('get', "return redis.call('get', keys[1])"),
        reg('types', "return {1, 'two', 3.7, true, false, {ok='fine'}, {err='ERR inner'}, redis.status_reply('S')}"),
        reg('nothing', 'return nil'),
      ),
    ],
    ['FCALL', 'echo', '0'],
    ['FCALL', 'echo', '2', 'a', 'b', 'c', 'd'],
    ['FCALL', 'echo', '1', '\x00\xff', '\r\n'],
    ['FCALL', 'SET', '1', 'k', 'v\x00'],
    ['FCALL', 'get', '1', 'k'],
    ['GET', 'k'],
    ['FCALL', 'types', '0'],
    ['FCALL', 'nothing', '0'],
    ['FCALL', 'nosuch', '0'],
    ['FCALL', 'echo', 'x'],
    ['FCALL', 'echo', '-1'],
    ['FCALL', 'echo', '2', 'a'],
    ['FCALL', 'echo', '99999999999999999999'],
    ['FCALL', 'nosuch', 'x'],
    ['FCALL_RO', 'nosuch', '0'],
  ]);

  functionScript(pair, 'FCALL errors carry the function and line', [
    [
      'FUNCTION',
      'LOAD',
      lib(
        't',
        reg('unknown', "return redis.call('nosuch')"),
        reg('boom', "error('boom')"),
        reg('keysglobal', 'return KEYS[1]'),
        reg('argvglobal', 'return ARGV[1]'),
        reg('wrongtype', "return redis.call('lpush', keys[1], 'x')"),
        reg('pcalled', "return redis.pcall('lpush', keys[1], 'x')"),
        reg('assign', 'redis.x = 1'),
        reg('global', 'y = 1'),
        reg('undefined', 'return nosuch_global'),
        reg('register', "redis.register_function('zz', function() end)"),
        reg('strlib', "return string.format('%s-%d', args[1], 5)"),
      ),
    ],
    ['SET', 'str', 'v'],
    ['FCALL', 'unknown', '0'],
    ['FCALL', 'boom', '0'],
    ['FCALL', 'wrongtype', '1', 'str'],
    ['FCALL', 'pcalled', '1', 'str'],
    ['FCALL', 'assign', '0'],
    ['FCALL', 'global', '0'],
    ['FCALL', 'undefined', '0'],
    ['FCALL', 'register', '0'],
    ['FCALL', 'strlib', '0', 'ab'],
  ]);

  functionScript(pair, 'FCALL_RO and no-writes', [
    [
      'FUNCTION',
      'LOAD',
      lib(
        'ro',
        "redis.register_function{function_name='reader', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}}",
        "redis.register_function{function_name='sneaky', callback=function(keys) return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}",
        reg('writer', "return redis.call('set', keys[1], 'w')"),
      ),
    ],
    ['SET', 'k', 'v'],
    ['FCALL_RO', 'reader', '1', 'k'],
    ['FCALL', 'reader', '1', 'k'],
    ['FCALL_RO', 'writer', '1', 'k'],
    ['FCALL_RO', 'sneaky', '1', 'k'],
    ['FCALL', 'sneaky', '1', 'k'],
    ['FCALL', 'writer', '1', 'k'],
    ['GET', 'k'],
  ]);

  functionScript(pair, 'DELETE, FLUSH, STATS, KILL, HELP', [
    ['FUNCTION', 'STATS'],
    ['FUNCTION', 'LOAD', lib('one', reg('f1'), reg('f2'))],
    ['FUNCTION', 'LOAD', lib('two', reg('f3'))],
    ['FUNCTION', 'STATS'],
    ['FUNCTION', 'DELETE', 'nosuch'],
    ['FUNCTION', 'DELETE', 'ONE'],
    ['FUNCTION', 'DELETE', 'one'],
    ['FCALL', 'f1', '0'],
    ['FUNCTION', 'STATS'],
    ['FUNCTION', 'FLUSH', 'bad'],
    ['FUNCTION', 'FLUSH', 'sync', 'extra'],
    ['FUNCTION', 'FLUSH', 'async'],
    ['FUNCTION', 'LOAD', lib('two', reg('f3'))],
    ['FUNCTION', 'FLUSH', 'SYNC'],
    ['FUNCTION', 'LIST'],
    ['FUNCTION', 'KILL'],
    ['FUNCTION', 'KILL', 'x'],
    ['FUNCTION', 'HELP'],
    ['FUNCTION', 'help', 'x'],
    ['FUNCTION'],
    ['FUNCTION', 'nosuch'],
    ['FUNCTION', 'DELETE'],
    ['FCALL', 'f'],
  ]);

  functionScript(pair, 'DUMP and RESTORE on the same server', [
    ['FUNCTION', 'DUMP'],
    ['FUNCTION', 'LOAD', lib('short', reg('s'))],
    ['FUNCTION', 'DUMP'],
    ['FUNCTION', 'RESTORE', 'garbage'],
    ['FUNCTION', 'RESTORE', '', 'FLUSH'],
    ['FUNCTION', 'RESTORE', 'x', 'bad'],
    ['FUNCTION', 'RESTORE', 'x', 'append', 'extra'],
  ]);

  functionScript(pair, 'LOAD with the string and table libraries in callbacks', [
    [
      'FUNCTION',
      'LOAD',
      lib(
        'json',
        'local function encode(t) return cjson.encode(t) end',
        reg('enc', 'return encode({a = args[1]})'),
        reg('concat', "return table.concat(args, ',')"),
      ),
    ],
    ['FCALL', 'enc', '0', 'x'],
    ['FCALL', 'concat', '0', 'a', 'b', 'c'],
  ]);
});
