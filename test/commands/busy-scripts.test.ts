/**
 * Busy scripts on the in-process server: BUSY replies past busy-reply-threshold, SCRIPT KILL,
 * FUNCTION KILL, FUNCTION STATS and SHUTDOWN NOSAVE while a script runs. The clients run on a
 * worker thread (test/helpers/threaded-clients.ts): the server's thread is held by the script.
 */
import { describe, expect, test } from 'vitest';
import { startNodis, useNodis } from '../helpers/nodis';
import { runClientsInThread } from '../helpers/threaded-clients';

const BUSY_EVAL = '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n';
const BUSY_FUNCTION = '-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n';
const SPIN = 'while true do end';
const LIBRARY = [
  '#!lua name=busylib',
  "redis.register_function('spin', function() while true do end end)",
  "redis.register_function('wspin', function(keys) redis.call('SET', keys[1], 'v') while true do end end)",
].join('\n');

describe('busy scripts', () => {
  const nodis = useNodis({ config: { 'busy-reply-threshold': '100' } });

  test('another client gets BUSY, SCRIPT KILL ends the script and its caller gets the killed error', async () => {
    const replies = await runClientsInThread(nodis.port, ['a', 'b'], [
      { client: 'a', send: ['EVAL', SPIN, '0'] },
      { sleep: 250 },
      { client: 'b', call: ['GET', 'k'] },
      { client: 'b', call: ['FUNCTION', 'KILL'] },
      { client: 'b', call: ['FUNCTION', 'STATS'] },
      { client: 'b', call: ['SHUTDOWN'] },
      { client: 'b', call: ['SCRIPT', 'KILL'] },
      { client: 'a', reply: true },
      { client: 'a', call: ['PING'] },
      { client: 'b', call: ['SCRIPT', 'KILL'] },
    ]);
    const sha = (await nodis.client().script('LOAD', SPIN)) as string;
    expect(replies).toEqual([
      BUSY_EVAL,
      BUSY_EVAL,
      BUSY_EVAL,
      BUSY_EVAL,
      '+OK\r\n',
      `-ERR Script killed by user with SCRIPT KILL... script: ${sha}, on @user_script:1.\r\n`,
      '+PONG\r\n',
      '-NOTBUSY No scripts in execution right now.\r\n',
    ]);
  });

  test('a long read-only loop of redis.call is killable; other clients queue nothing meanwhile', async () => {
    await nodis.client().set('counter', '5');
    const script = "local n = 0 while true do n = n + tonumber(redis.call('GET', KEYS[1])) end";
    const replies = await runClientsInThread(nodis.port, ['a', 'b'], [
      { client: 'a', send: ['EVAL', script, '1', 'counter'] },
      { sleep: 200 },
      { client: 'b', call: ['INCR', 'counter'] },
      { client: 'b', call: ['SCRIPT', 'KILL'] },
      { client: 'a', reply: true },
      { client: 'b', call: ['GET', 'counter'] },
    ]);
    expect(replies[0]).toBe(BUSY_EVAL);
    expect(replies[1]).toBe('+OK\r\n');
    expect(replies[2]).toMatch(/^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
    expect(replies[3]).toBe('$1\r\n5\r\n');
  });

  test('FUNCTION STATS shows the busy function, SCRIPT KILL is refused, FUNCTION KILL ends it', async () => {
    await nodis.client().function('LOAD', 'REPLACE', LIBRARY);
    const replies = await runClientsInThread(nodis.port, ['a', 'b'], [
      { client: 'a', send: ['FCALL', 'spin', '0'] },
      { sleep: 250 },
      { client: 'b', call: ['FUNCTION', 'STATS'] },
      { client: 'b', call: ['SCRIPT', 'KILL'] },
      { client: 'b', call: ['EVAL', 'return 1', '0'] },
      { client: 'b', call: ['FUNCTION', 'KILL'] },
      { client: 'a', reply: true },
      { client: 'b', call: ['FUNCTION', 'KILL'] },
    ]);
    expect(replies[0]).toMatch(
      /^\*4\r\n\$14\r\nrunning_script\r\n\*6\r\n\$4\r\nname\r\n\$4\r\nspin\r\n\$7\r\ncommand\r\n\*3\r\n\$5\r\nFCALL\r\n\$4\r\nspin\r\n\$1\r\n0\r\n\$11\r\nduration_ms\r\n:\d+\r\n\$7\r\nengines\r\n/,
    );
    const duration = Number(/duration_ms\r\n:(\d+)/.exec(replies[0])![1]);
    expect(duration).toBeGreaterThanOrEqual(100);
    expect(replies.slice(1)).toEqual([
      BUSY_FUNCTION,
      BUSY_FUNCTION,
      '+OK\r\n',
      '-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:1.\r\n',
      '-NOTBUSY No scripts in execution right now.\r\n',
    ]);
  });

  test('commands inside MULTI are refused while busy and EXEC aborts; the caller is not read meanwhile', async () => {
    const replies = await runClientsInThread(nodis.port, ['a', 'b'], [
      { client: 'a', send: ['EVAL', SPIN, '0'] },
      { client: 'a', send: ['SET', 'after', '1'] },
      { sleep: 200 },
      { client: 'b', call: ['MULTI'] },
      { client: 'b', call: ['SET', 'k', 'v'] },
      { client: 'b', call: ['EXEC'] },
      { client: 'b', call: ['EXISTS', 'after'] },
      { client: 'b', call: ['SCRIPT', 'KILL'] },
      { client: 'a', reply: true },
      { client: 'a', reply: true },
    ]);
    expect(replies.slice(0, 5)).toEqual([
      '+OK\r\n',
      BUSY_EVAL,
      `-EXECABORT Transaction discarded because of: ${BUSY_EVAL.slice(1)}`,
      BUSY_EVAL,
      '+OK\r\n',
    ]);
    expect(replies[5]).toMatch(/^-ERR Script killed by user/);
    expect(replies[6]).toBe('+OK\r\n');
  });
});

describe('busy scripts that wrote', () => {
  test('are UNKILLABLE; SHUTDOWN without NOSAVE is BUSY; SHUTDOWN NOSAVE ends the server', async () => {
    const nodis = await startNodis({ config: { 'busy-reply-threshold': '100' } });
    try {
      const replies = await runClientsInThread(nodis.port, ['a', 'b'], [
        { client: 'a', send: ['EVAL', "redis.call('SET', KEYS[1], 'v') while true do end", '1', 'k'] },
        { sleep: 250 },
        { client: 'b', call: ['SCRIPT', 'KILL'] },
        { client: 'b', call: ['SHUTDOWN'] },
        { client: 'b', call: ['SHUTDOWN', 'SAVE'] },
        { client: 'b', call: ['SHUTDOWN', 'NOSAVE', 'SAVE'] },
        { client: 'b', call: ['SHUTDOWN', 'NOSAVE'] },
        { client: 'a', closed: true },
      ]);
      expect(replies).toEqual([
        '-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n',
        BUSY_EVAL,
        BUSY_EVAL,
        '-ERR syntax error\r\n',
        '<closed>',
        '<closed>',
      ]);
      expect(nodis.server.isClosing).toBe(true);
    } finally {
      await nodis.stop();
    }
  });

  test('a busy function that wrote is UNKILLABLE too', async () => {
    const nodis = await startNodis({ config: { 'busy-reply-threshold': '100' } });
    try {
      await nodis.client().function('LOAD', LIBRARY);
      const replies = await runClientsInThread(nodis.port, ['a', 'b'], [
        { client: 'a', send: ['FCALL', 'wspin', '1', 'k'] },
        { sleep: 250 },
        { client: 'b', call: ['FUNCTION', 'KILL'] },
        { client: 'b', call: ['SHUTDOWN', 'NOSAVE'] },
        { client: 'a', closed: true },
      ]);
      expect(replies[0]).toMatch(/^-UNKILLABLE Sorry the script already executed write commands/);
      expect(replies.slice(1)).toEqual(['<closed>', '<closed>']);
    } finally {
      await nodis.stop();
    }
  });
});
