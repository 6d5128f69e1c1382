/**
 * The flags a script or function declares are the command's flags for the checks made before it
 * runs (Redis's getCommandFlags): over maxmemory a script that may write is refused as a rejected
 * call, a no-writes or allow-oom one runs; CLIENT PAUSE WRITE holds only what may write.
 */
import { test } from 'vitest';
import { compatScript as compat, describeCompat } from './harness';
import { withMirrored } from './mirrored';

const LIBRARY = [
  '#!lua name=flagslib',
  "redis.register_function{function_name='reader', callback=function() return 1 end, flags={'no-writes'}}",
  "redis.register_function('writer', function() return 2 end)",
].join('\n');

describeCompat('compat: script flags as command flags', (pair) => {
  compat(pair, 'over maxmemory, scripts that may write are refused before they run', (k) => [
    ['SET', k('v'), 'x'],
    ['FUNCTION', 'LOAD', 'REPLACE', LIBRARY],
    ['CONFIG', 'RESETSTAT'],
    ['CONFIG', 'SET', 'maxmemory', '1'],
    ['EVAL', '#!lua\nreturn 1', '0'],
    ['EVAL', '#!lua flags=no-writes\nreturn 1', '0'],
    ['EVAL', `#!lua flags=allow-oom\nreturn redis.call('get', '${k('v')}')`, '0'],
    ['EVAL', 'return 1', '0'],
    ['FCALL', 'writer', '0'],
    ['FCALL', 'reader', '0'],
    ['FCALL_RO', 'reader', '0'],
    ['CONFIG', 'SET', 'maxmemory', '0'],
    ['FUNCTION', 'DELETE', 'flagslib'],
    ['INFO', 'errorstats'],
  ]);

  test('CLIENT PAUSE WRITE holds scripts that may write and lets no-writes ones run', async () => {
    await withMirrored(pair, 2, async (admin, client) => {
      await admin.call(['FUNCTION', 'LOAD', 'REPLACE', LIBRARY]);
      await admin.call(['CLIENT', 'PAUSE', '10000', 'WRITE']);
      // These answer while the pause lasts...
      await client.call(['EVAL', '#!lua flags=no-writes\nreturn 1', '0']);
      await client.call(['FCALL', 'reader', '0']);
      await client.call(['EVAL_RO', 'return 2', '0']);
      // ...these wait for it to end.
      client.send(['EVAL', "#!lua\nreturn redis.call('set', 'paused', '1')", '0']);
      client.send(['FCALL', 'writer', '0']);
      await client.expectSilenceFor(150);
      await admin.call(['CLIENT', 'UNPAUSE']);
      await client.read('the paused EVAL');
      await client.read('the paused FCALL');
      await admin.call(['FUNCTION', 'DELETE', 'flagslib']);
    });
  });
});
