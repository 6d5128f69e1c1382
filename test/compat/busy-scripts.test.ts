/**
 * Busy scripts against redis-server, byte for byte: the same client transcript (clients on a
 * worker thread, see test/helpers/threaded-clients.ts) on both servers.
 */
import { expect, test } from 'vitest';
import { describeCompat, type CompatPair } from './harness';
import { runClientsInThread, type ClientStep } from '../helpers/threaded-clients';

const LIBRARY = ['#!lua name=busylib', "redis.register_function('spin', function() while true do end end)"].join('\n');

/**
 * The line a killed script was on is lost with its thread (Nodis names line 1): with
 * `ignoreKilledLine` the line number of the killed error is left out of the comparison.
 */
async function expectSameTranscript(pair: CompatPair, steps: ClientStep[], ignoreKilledLine = false): Promise<void> {
  const normalize = (reply: string) => (ignoreKilledLine ? reply.replace(/(killed by user.*:)\d+\.\r\n$/, '$1N.\r\n') : reply);
  const redis = (await runClientsInThread(pair.redisPort, ['a', 'b'], steps)).map(normalize);
  const nodis = (await runClientsInThread(pair.nodisPort, ['a', 'b'], steps)).map(normalize);
  expect(nodis).toEqual(redis);
}

describeCompat(
  'busy scripts',
  (pair) => {
    test('BUSY replies, SCRIPT KILL, FUNCTION KILL refused, the killed error, NOTBUSY', async () => {
      await expectSameTranscript(pair, [
        { client: 'b', call: ['SCRIPT', 'KILL'] },
        { client: 'a', send: ['EVAL', 'while true do end', '0'] },
        { sleep: 250 },
        { client: 'b', call: ['PING'] },
        { client: 'b', call: ['GET', 'k'] },
        { client: 'b', call: ['INFO'] },
        { client: 'b', call: ['FUNCTION', 'STATS'] },
        { client: 'b', call: ['FUNCTION', 'KILL'] },
        { client: 'b', call: ['SHUTDOWN'] },
        { client: 'b', call: ['SHUTDOWN', 'bogus'] },
        { client: 'b', call: ['NOSUCHCOMMAND'] },
        { client: 'b', call: ['GET'] },
        { client: 'b', call: ['SCRIPT', 'KILL'] },
        { client: 'a', reply: true },
        { client: 'b', call: ['SCRIPT', 'KILL'] },
        { client: 'b', call: ['FUNCTION', 'KILL'] },
      ]);
    });

    test('MULTI, WATCH and HELLO while busy; EXEC aborts', async () => {
      await expectSameTranscript(pair, [
        { client: 'a', send: ['EVAL', "local x = 0 while true do x = x + #redis.call('PING') end", '0'] },
        { sleep: 250 },
        { client: 'b', call: ['WATCH', 'k'] },
        { client: 'b', call: ['UNWATCH'] },
        { client: 'b', call: ['HELLO', '2', 'SETNAME', 'busy'] },
        { client: 'b', call: ['MULTI'] },
        { client: 'b', call: ['INCR', 'k'] },
        { client: 'b', call: ['EXEC'] },
        { client: 'b', call: ['EXEC'] },
        { client: 'b', call: ['SCRIPT', 'KILL'] },
        { client: 'a', reply: true },
        { client: 'b', call: ['GET', 'k'] },
      ]);
    });

    test('a busy function: SCRIPT KILL and EVAL refused, FUNCTION KILL', async () => {
      for (const port of [pair.redisPort, pair.nodisPort]) {
        await runClientsInThread(port, ['a'], [{ client: 'a', call: ['FUNCTION', 'LOAD', 'REPLACE', LIBRARY] }]);
      }
      await expectSameTranscript(pair, [
        { client: 'a', send: ['FCALL', 'spin', '0'] },
        { sleep: 250 },
        { client: 'b', call: ['SCRIPT', 'KILL'] },
        { client: 'b', call: ['EVAL', 'return 1', '0'] },
        { client: 'b', call: ['FUNCTION', 'KILL'] },
        { client: 'a', reply: true },
        { client: 'b', call: ['FUNCTION', 'STATS'] },
      ], true);
    });
  },
  { nodis: { config: { 'busy-reply-threshold': '100' } }, redisDirectives: ['--busy-reply-threshold', '100'] },
);
