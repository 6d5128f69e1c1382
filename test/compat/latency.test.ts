/**
 * LATENCY against redis-server 7.0.15: help, arity and subcommand errors, the replies with
 * nothing recorded, RESET counts and the per-command histograms byte for byte; for events
 * recorded by a DEBUG SLEEP, the event names, sample counts and report texts (times and
 * latencies differ from run to run). Nodis also records "eventloop" stalls, which Redis has
 * no counterpart for: they are left out when the event lists are compared.
 */
import { expect, test } from 'vitest';
import { compatScript, describeCompat, type CompatPair } from './harness';
import { DEBUG_ENABLED } from './keyspace-events-script';
import { onBoth } from './on-both';
import { callParsed as call, type RespValue } from '../helpers/resp-value';
import type { RawConnection } from '../helpers/raw-connection';

/** Runs `script` on both servers, in RESP2 or RESP3, with the latency monitor at `threshold` ms. */
function onBothWith<T>(pair: CompatPair, resp: 2 | 3, threshold: number, script: (conn: RawConnection) => Promise<T>): Promise<[T, T]> {
  return onBoth(pair, async (conn) => {
    if (resp === 3) await call(conn, 'HELLO', '3');
    await call(conn, 'CONFIG', 'SET', 'latency-monitor-threshold', String(threshold));
    await call(conn, 'LATENCY', 'RESET');
    try {
      return await script(conn);
    } finally {
      await call(conn, 'CONFIG', 'SET', 'latency-monitor-threshold', '0');
      await call(conn, 'LATENCY', 'RESET');
    }
  });
}

/** LATENCY LATEST's event names, without Nodis's own "eventloop". */
function eventNames(latest: RespValue): string[] {
  return (latest as RespValue[][]).map((entry) => entry[0] as string).filter((name) => name !== 'eventloop');
}

/** A report with its numbers masked, and without the lines about Nodis's "eventloop" event. */
function reportShape(report: RespValue): string {
  const text = typeof report === 'string' ? report : (report as { verbatim: string }).verbatim;
  return text
    .split('\n')
    .filter((line) => !line.includes('eventloop'))
    .join('\n')
    .replace(/\d+/g, '#');
}

/** Long enough to pass a 100 ms threshold on a busy machine, short enough for the tests. */
const SLEEP_SECONDS = '0.15';
const THRESHOLD_MS = 100;

describeCompat(
  'LATENCY compat',
  (pair) => {
    compatScript(pair, 'LATENCY HELP, arity and unknown subcommands', () => [
      ['LATENCY', 'HELP'],
      ['latency', 'help'],
      ['LATENCY'],
      ['LATENCY', 'nosuch'],
      ['LATENCY', 'nosuch', 'a'],
      ['LATENCY', 'HELP', 'extra'],
      ['LATENCY', 'LATEST', 'extra'],
      ['LATENCY', 'DOCTOR', 'extra'],
      ['LATENCY', 'HISTORY'],
      ['LATENCY', 'HISTORY', 'command', 'extra'],
      ['LATENCY', 'GRAPH'],
      ['LATENCY', 'GRAPH', 'command', 'extra'],
    ]);

    compatScript(pair, 'LATENCY with nothing recorded', () => [
      { argv: ['LATENCY', 'RESET'], compare: false },
      ['LATENCY', 'LATEST'],
      ['LATENCY', 'HISTORY', 'command'],
      ['LATENCY', 'HISTORY', 'nosuch-event'],
      ['LATENCY', 'HISTORY', ''],
      ['LATENCY', 'GRAPH', 'command'],
      ['LATENCY', 'GRAPH', 'fast-command'],
      ['LATENCY', 'GRAPH', 'bad\r\nname'],
      ['LATENCY', 'GRAPH', 'nul\x00after'],
      ['LATENCY', 'GRAPH', '\xff\xfe'],
      ['LATENCY', 'RESET'],
      ['LATENCY', 'RESET', 'command'],
      ['LATENCY', 'RESET', 'command', 'fast-command', 'nosuch'],
      ['LATENCY', 'DOCTOR'],
    ]);

    compatScript(pair, 'LATENCY HISTOGRAM of unknown or unused commands', () => [
      ['CONFIG', 'RESETSTAT'],
      ['LATENCY', 'HISTOGRAM', 'nosuch'],
      ['LATENCY', 'HISTOGRAM', 'nosuch', 'other'],
      ['LATENCY', 'HISTOGRAM', 'get|x'],
      ['LATENCY', 'HISTOGRAM', 'config|nosuch'],
      ['LATENCY', 'HISTOGRAM', 'config|get|x'],
      ['LATENCY', 'HISTOGRAM', ''],
      ['LATENCY', 'HISTOGRAM', '|'],
      ['LATENCY', 'HISTOGRAM', 'set', 'GET', 'client|list'],
    ]);

    compatScript(pair, 'LATENCY HISTOGRAM of a 40 ms command', () => [
      ['CONFIG', 'RESETSTAT'],
      ['DEBUG', 'SLEEP', '0.04'],
      // 40 ms falls in the 2^25..2^26 ns bucket whatever the machine's load (up to 67 ms).
      ['LATENCY', 'HISTOGRAM', 'debug'],
      ['LATENCY', 'HISTOGRAM', 'DEBUG', 'nosuch', 'debug'],
      ['DEBUG', 'SLEEP', '0.04'],
      ['LATENCY', 'HISTOGRAM', 'debug'],
    ]);

    test('LATENCY DOCTOR with the monitor on and nothing recorded', async () => {
      await pair.expectSame([
        ['CONFIG', 'SET', 'latency-monitor-threshold', '0'],
        { argv: ['LATENCY', 'RESET'], compare: false },
        ['LATENCY', 'DOCTOR'],
        ['CONFIG', 'SET', 'latency-monitor-threshold', '60000'],
        ['LATENCY', 'DOCTOR'],
        ['CONFIG', 'GET', 'latency-monitor-threshold'],
        ['CONFIG', 'SET', 'latency-monitor-threshold', '-1'],
        ['CONFIG', 'SET', 'latency-monitor-threshold', 'x'],
        ['CONFIG', 'SET', 'latency-monitor-threshold', '0'],
      ]);
    });

    for (const resp of [2, 3] as const) {
      test(`LATENCY HISTOGRAM shapes: names and calls (RESP${resp})`, async () => {
        const [redis, nodis] = await onBothWith(pair, resp, 0, async (conn) => {
          await call(conn, 'CONFIG', 'RESETSTAT');
          for (const argv of [['SET', 'a', '1'], ['GET', 'a'], ['GET', 'a'], ['GET', 'b'], ['CONFIG', 'GET', 'maxmemory']]) await call(conn, ...argv);
          return call(conn, 'LATENCY', 'HISTOGRAM', 'set', 'get', 'config', 'nosuch');
        });
        const summary = (reply: RespValue): [string, unknown][] => {
          const entries = resp === 3 ? (reply as { map: [RespValue, RespValue][] }).map : pairsOf(reply as RespValue[]);
          return entries
            .map(([name, body]): [string, unknown] => {
              const fields = resp === 3 ? (body as { map: [RespValue, RespValue][] }).map : pairsOf(body as RespValue[]);
              const buckets = resp === 3 ? (fields[1][1] as { map: [RespValue, RespValue][] }).map : pairsOf(fields[1][1] as RespValue[]);
              // Cumulative counts grow and end at the number of calls.
              const counts = buckets.map(([, count]) => count as number);
              const cumulative = counts.every((n, i) => i === 0 || n > counts[i - 1]) && counts[counts.length - 1] === fields[0][1];
              return [name as string, [fields[0][0], fields[0][1], fields[1][0], cumulative]];
            })
            .sort(([a], [b]) => (a < b ? -1 : 1));
        };
        expect(summary(nodis)).toEqual(summary(redis));
        expect(summary(nodis).map(([name]) => name)).toEqual(['config|get', 'config|resetstat', 'get', 'set']);
      });
    }

    for (const resp of [2, 3] as const) {
      test(`a slow command is a "command" event: LATEST, HISTORY, RESET (RESP${resp})`, async () => {
        const [redis, nodis] = await onBothWith(pair, resp, THRESHOLD_MS, async (conn) => {
          await call(conn, 'DEBUG', 'SLEEP', SLEEP_SECONDS);
          const latest = await call(conn, 'LATENCY', 'LATEST');
          const history = await call(conn, 'LATENCY', 'HISTORY', 'command');
          const graph = await call(conn, 'LATENCY', 'GRAPH', 'command');
          const resets = [await call(conn, 'LATENCY', 'RESET', 'COMMAND', 'fast-command'), await call(conn, 'LATENCY', 'RESET', 'command')];
          return { latest, history, graph, resets, after: await call(conn, 'LATENCY', 'HISTORY', 'command') };
        });
        expect(eventNames(nodis.latest)).toEqual(eventNames(redis.latest));
        expect(eventNames(redis.latest)).toEqual(['command']);
        for (const result of [redis, nodis]) {
          const [entry] = (result.latest as RespValue[][]).filter((e) => e[0] === 'command');
          const [, time, latency, max] = entry as number[];
          expect(latency).toBeGreaterThanOrEqual(THRESHOLD_MS);
          expect(max).toBe(latency);
          expect(result.history).toEqual([[time, latency]]);
          expect(reportShape(result.graph)).toBe(reportShape(redis.graph));
        }
        expect(Math.abs(((nodis.history as number[][])[0][0]) - (redis.history as number[][])[0][0])).toBeLessThanOrEqual(2);
        expect(nodis.resets).toEqual(redis.resets);
        expect(nodis.resets).toEqual([1, 0]);
        expect(nodis.after).toEqual([]);
      });
    }

    test('LATENCY DOCTOR after slow commands: the same report but for the figures', async () => {
      const [redis, nodis] = await onBothWith(pair, 2, THRESHOLD_MS, async (conn) => {
        await call(conn, 'DEBUG', 'SLEEP', SLEEP_SECONDS);
        const first = await call(conn, 'LATENCY', 'DOCTOR');
        await call(conn, 'CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
        const slowlogOff = await call(conn, 'LATENCY', 'DOCTOR');
        await call(conn, 'CONFIG', 'SET', 'slowlog-log-slower-than', '1000000');
        const slowlogHigh = await call(conn, 'LATENCY', 'DOCTOR');
        await call(conn, 'CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
        return [first, slowlogOff, slowlogHigh].map(reportShape);
      });
      expect(nodis).toEqual(redis);
      expect(redis[0]).toContain('#. command: # latency spikes');
      expect(redis[1]).toContain("Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than #'");
      expect(redis[2]).toContain('Your current Slow Log configuration only logs events that are slower than');
    });
  },
  DEBUG_ENABLED,
);

/** A RESP2 map: a flat array of keys and values. */
function pairsOf(flat: RespValue[]): [RespValue, RespValue][] {
  const pairs: [RespValue, RespValue][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  return pairs;
}
