/**
 * LATENCY beyond what the compat tests can compare with redis-server: samples fed directly to the
 * latency monitor with a manual clock (one per second, the 160-sample history, RESET), the
 * GRAPH and DOCTOR texts for known samples, the HISTOGRAM buckets, and the events the server
 * records by itself (expire-cycle, eviction-cycle).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import type Redis from 'ioredis';
import { useNodis } from '../helpers/nodis';
import { waitFor } from '../interop/wait';
import { ManualClock } from '../../src/index';
import { LatencyHistogram } from '../../src/server/latency-histogram';
import { LATENCY_HISTORY_LENGTH, latencyAddSampleIfNeeded } from '../../src/server/latency-monitor';
import { callParsed } from '../helpers/resp-value';

const START_MS = 1_700_000_000_000;
const START = START_MS / 1000;
const clock = new ManualClock(START_MS);
const nodis = useNodis({ clock, config: { 'enable-debug-command': 'yes' } });
let redis: Redis;

const add = (event: string, ms: number): void => latencyAddSampleIfNeeded(nodis.server, event, ms);
const latency = (...args: string[]): Promise<unknown> => redis.call('LATENCY', ...args);

beforeEach(async () => {
  redis ??= nodis.client();
  clock.set(START_MS);
  await redis.config('SET', 'latency-monitor-threshold', '0');
  await redis.config('SET', 'slowlog-log-slower-than', '10000');
  await redis.config('SET', 'hz', '10');
  await latency('RESET');
});

/**
 * The threshold the tests use, and the base of the latencies they feed: far above what a command
 * of these tests takes even on a busy machine, so that only the samples a test feeds are recorded.
 */
const T = 10_000;

async function monitorOn(threshold = T): Promise<void> {
  await redis.config('SET', 'latency-monitor-threshold', String(threshold));
}

describe('samples', () => {
  test('nothing is recorded while latency-monitor-threshold is 0', async () => {
    add('command', T + 500);
    expect(await latency('LATEST')).toEqual([]);
    expect(await latency('HISTORY', 'command')).toEqual([]);
  });

  test('a sample is recorded from the threshold on, in whole milliseconds', async () => {
    await monitorOn();
    add('command', T - 0.01);
    expect(await latency('LATEST')).toEqual([]);
    add('command', T);
    clock.advance(1000);
    add('command', T + 2.9);
    expect(await latency('HISTORY', 'command')).toEqual([[START, T], [START + 1, T + 2]]);
    expect(await latency('LATEST')).toEqual([['command', START + 1, T + 2, T + 2]]);
  });

  test('one sample per second: a later one in the same second only raises it', async () => {
    await monitorOn();
    add('fast-command', T + 30);
    add('fast-command', T + 20);
    clock.advance(999);
    add('fast-command', T + 40);
    expect(await latency('HISTORY', 'fast-command')).toEqual([[START, T + 40]]);
    clock.advance(1);
    add('fast-command', T + 15);
    expect(await latency('HISTORY', 'fast-command')).toEqual([[START, T + 40], [START + 1, T + 15]]);
    expect(await latency('LATEST')).toEqual([['fast-command', START + 1, T + 15, T + 40]]);
  });

  test('events are kept apart, in the order they were first seen', async () => {
    await monitorOn();
    add('expire-cycle', T + 5);
    add('command', T + 7);
    add('expire-cycle', T + 9);
    expect(await latency('LATEST')).toEqual([['expire-cycle', START, T + 9, T + 9], ['command', START, T + 7, T + 7]]);
    // Event names are looked up as given: no case folding outside RESET.
    expect(await latency('HISTORY', 'COMMAND')).toEqual([]);
    expect(await latency('HISTORY', 'command\x00ignored')).toEqual([[START, T + 7]]);
  });

  test(`the history keeps the last ${LATENCY_HISTORY_LENGTH} seconds, the all-time high stays`, async () => {
    await monitorOn();
    for (let i = 0; i < 200; i++) {
      add('command', i === 0 ? T + 1000 : T + i);
      clock.advance(1000);
    }
    const history = (await latency('HISTORY', 'command')) as number[][];
    expect(history).toHaveLength(LATENCY_HISTORY_LENGTH);
    expect(history[0]).toEqual([START + 40, T + 40]);
    expect(history[LATENCY_HISTORY_LENGTH - 1]).toEqual([START + 199, T + 199]);
    expect(await latency('LATEST')).toEqual([['command', START + 199, T + 199, T + 1000]]);
  });

  test('RESET forgets the named events (any case) or all, and counts them', async () => {
    await monitorOn();
    for (const event of ['command', 'fast-command', 'expire-cycle', 'eviction-cycle']) add(event, T);
    expect(await latency('RESET', 'COMMAND')).toBe(1);
    expect(await latency('RESET', 'command')).toBe(0);
    expect(await latency('RESET', 'Fast-Command', 'nosuch', 'expire-cycle', 'expire-cycle')).toBe(2);
    expect(await latency('LATEST')).toEqual([['eviction-cycle', START, T, T]]);
    add('command', T);
    expect(await latency('RESET')).toBe(2);
    expect(await latency('RESET')).toBe(0);
    expect(await latency('LATEST')).toEqual([]);
  });

  test('the threshold follows CONFIG SET, and turning it off keeps what was recorded', async () => {
    await monitorOn(2 * T);
    add('command', T + 50);
    await monitorOn(T);
    add('command', T + 50);
    await monitorOn(0);
    add('command', T + 500);
    expect(await latency('LATEST')).toEqual([['command', START, T + 50, T + 50]]);
  });
});

describe('GRAPH', () => {
  const header = (event: string, high: number, low: number, allTime: number): string =>
    `${event} - high ${high} ms, low ${low} ms (all time high ${allTime} ms)\n${'-'.repeat(80)}\n`;

  test('a sparkline of the samples, 4 rows high, labelled with their age', async () => {
    await monitorOn();
    for (const ms of [T + 10, T + 20, T + 30]) {
      add('command', ms);
      clock.advance(1000);
    }
    clock.advance(-1000);
    expect(await latency('GRAPH', 'command')).toBe(header('command', T + 30, T + 10, T + 30) + '  #\n _|\n ||\n_||\n   \n210\nsss\n');
  });

  test('one sample, and equal samples, sit on the bottom row', async () => {
    await monitorOn();
    add('command', T);
    expect(await latency('GRAPH', 'command')).toBe(header('command', T, T, T) + ' \n \n \n_\n \n0\ns\n');
    clock.advance(1000);
    add('command', T);
    expect(await latency('GRAPH', 'command')).toBe(header('command', T, T, T) + '  \n  \n  \n__\n  \n10\nss\n');
  });

  test('ages in seconds, minutes, hours and days; high and low of the samples kept', async () => {
    await monitorOn();
    add('command', T + 900);
    clock.advance(2 * 86400_000);
    add('command', T + 5);
    clock.advance(3 * 3600_000);
    add('command', T + 5);
    clock.advance(125_000);
    add('command', T + 5);
    clock.advance(59_000);
    const graph = (await latency('GRAPH', 'command')) as string;
    const lines = graph.split('\n');
    expect(lines[0]).toBe(`command - high ${T + 900} ms, low ${T + 5} ms (all time high ${T + 900} ms)`);
    expect(lines.slice(2, 6)).toEqual(['#   ', '|   ', '|   ', '|___']);
    expect(lines.slice(6, 10)).toEqual(['    ', '2335', 'dhm9', '   s']);
  });

  test('more than 80 samples wrap into a second block', async () => {
    await monitorOn();
    for (let i = 0; i < 100; i++) {
      add('command', T + (i % 7));
      clock.advance(1000);
    }
    const graph = (await latency('GRAPH', 'command')) as string;
    const [first, second] = graph.slice(header('command', T + 6, T, T + 6).length).split('\n\n');
    expect(first.split('\n').slice(0, 4).every((row) => row.length === 80)).toBe(true);
    expect(second.split('\n').slice(0, 4).every((row) => row.length === 20)).toBe(true);
  });

  test('RESP3: a verbatim string', async () => {
    await monitorOn();
    add('command', T);
    const raw = await nodis.raw();
    await raw.call('HELLO', '3');
    const text = header('command', T, T, T) + ' \n \n \n_\n \n0\ns\n';
    expect(await raw.call('LATENCY', 'GRAPH', 'command')).toBe(`=${text.length + 4}\r\ntxt:${text}\r\n`);
    expect(await raw.call('LATENCY', 'GRAPH', 'Command')).toBe("-ERR No samples available for event 'Command'\r\n");
  });
});

describe('DOCTOR', () => {
  const doctor = (): Promise<string> => latency('DOCTOR') as Promise<string>;
  const SPIKES = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
  const ADVICES = '\nI have a few advices for you:\n\n';
  const LARGE_OBJECTS =
    '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n';
  const HZ = "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";

  test('monitor off and nothing recorded; monitor on and nothing recorded', async () => {
    expect(await doctor()).toMatch(/^I'm sorry, Dave, I can't do that\. Latency monitoring is disabled/);
    await monitorOn();
    expect(await doctor()).toBe(
      'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n',
    );
  });

  test('slow commands: statistics and the slow log advice, as Redis words them', async () => {
    await monitorOn();
    await redis.config('SET', 'slowlog-log-slower-than', String(2 * T * 1000));
    add('command', T + 50);
    clock.advance(1000);
    add('command', T + 120);
    expect(await doctor()).toBe(
      SPIKES +
        `1. command: 2 latency spikes (average ${T + 85}ms, mean deviation 35ms, period 0.50 sec). Worst all time event ${T + 120}ms.\n` +
        ADVICES +
        `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${T * 1000}'.\n` +
        '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n' +
        LARGE_OBJECTS,
    );
    await redis.config('SET', 'slowlog-log-slower-than', '-1');
    expect(await doctor()).toContain(
      `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${T * 1000}'.`,
    );
    // A slow log that logs what the monitor samples: no advice about its settings.
    await redis.config('SET', 'slowlog-log-slower-than', '10000');
    expect(await doctor()).toContain(ADVICES + '- Check your Slow Log to understand');
  });

  test('the period is from the oldest sample to now, over the number of samples', async () => {
    await monitorOn();
    add('fast-command', T + 3);
    clock.advance(10_000);
    add('fast-command', T + 4);
    clock.advance(10_000);
    add('fast-command', T + 8);
    expect(await doctor()).toContain(
      `1. fast-command: 3 latency spikes (average ${T + 5}ms, mean deviation 2ms, period 6.67 sec). Worst all time event ${T + 8}ms.\n`,
    );
    expect(await doctor()).toContain('- The system is slow to execute Redis code paths not containing system calls.');
  });

  test('expiry cycles: the hz advice only below hz 100, events numbered in order', async () => {
    await monitorOn();
    add('expire-cycle', T + 30);
    add('eviction-cycle', T + 40);
    const massEviction = "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET'";
    const report = await doctor();
    expect(report).toContain(
      `1. expire-cycle: 1 latency spikes (average ${T + 30}ms, mean deviation 0ms, period 1.00 sec). Worst all time event ${T + 30}ms.\n2. eviction-cycle:`,
    );
    expect(report).toContain(ADVICES + HZ + LARGE_OBJECTS + massEviction);
    await redis.config('SET', 'hz', '100');
    expect(await doctor()).toContain(ADVICES + LARGE_OBJECTS + massEviction);
  });

  test('events without advice, the fsync policy advice, and the event loop', async () => {
    await monitorOn();
    add('custom-event', T);
    expect(await doctor()).toBe(
      SPIKES +
        `1. custom-event: 1 latency spikes (average ${T}ms, mean deviation 0ms, period 1.00 sec). Worst all time event ${T}ms.\n` +
        "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n",
    );
    add('aof-fsync-always', T);
    // Counted as advice, printed only under appendfsync always.
    expect(await doctor()).toMatch(new RegExp(`${ADVICES}$`));
    await redis.config('SET', 'appendfsync', 'always');
    try {
      expect(await doctor()).toContain("- Your fsync policy is set to 'always'.");
    } finally {
      await redis.config('SET', 'appendfsync', 'everysec');
    }
    await latency('RESET');
    add('eventloop', T);
    expect(await doctor()).toContain('- The event loop stalled outside of the commands (the "eventloop" event).');
  });
});

describe('HISTOGRAM', () => {
  test('buckets from 1 µs doubling, each the highest value of the bucket reached', () => {
    const h = new LatencyHistogram();
    for (const ns of [500, 3500, 100_000]) h.record(ns);
    expect(h.logarithmicCdf(1024, 2)).toEqual([[1031, 1], [4127, 2], [132095, 3]]);
    expect(new LatencyHistogram().logarithmicCdf(1024, 2)).toEqual([]);
    const slow = new LatencyHistogram();
    slow.record(5e9);
    slow.record(40e6);
    // Past 1 s (clamped to 1 s), Redis reports the end of hdr's last bucket.
    expect(slow.logarithmicCdf(1024, 2)).toEqual([[67633151, 1], [1073741823, 2]]);
  });

  test('per command: calls and cumulative counts, as a map (RESP3) or a flat array (RESP2)', async () => {
    await redis.config('RESETSTAT');
    for (let i = 0; i < 3; i++) await redis.get('k');
    await redis.set('k', 'v');
    const reply = (await latency('HISTOGRAM', 'get', 'GET', 'nosuch', 'set')) as unknown[];
    expect(reply.filter((_, i) => i % 2 === 0)).toEqual(['get', 'get', 'set']);
    const [calls, n, label, buckets] = reply[1] as [string, number, string, number[]];
    expect([calls, n, label]).toEqual(['calls', 3, 'histogram_usec']);
    expect(buckets[buckets.length - 1]).toBe(3);
    const raw = await nodis.raw();
    await raw.call('HELLO', '3');
    const parsed = (await callParsed(raw, 'LATENCY', 'HISTOGRAM', 'set')) as { map: [string, { map: [string, unknown][] }][] };
    expect(parsed.map[0][0]).toBe('set');
    const fields = parsed.map[0][1].map;
    expect(fields.map(([k]) => k)).toEqual(['calls', 'histogram_usec']);
    expect((fields[1][1] as { map: [number, number][] }).map.at(-1)![1]).toBe(1);
  });

  test('no argument: every command with a histogram; a container: its subcommands', async () => {
    await redis.config('RESETSTAT');
    await redis.get('k');
    await redis.config('GET', 'hz');
    const all = (await latency('HISTOGRAM')) as unknown[];
    expect(all.filter((_, i) => i % 2 === 0).sort()).toEqual(['config|get', 'config|resetstat', 'get']);
    const config = (await latency('HISTOGRAM', 'CONFIG')) as unknown[];
    expect(config.filter((_, i) => i % 2 === 0).sort()).toEqual(['config|get', 'config|resetstat']);
    expect(((await latency('HISTOGRAM', 'config|get')) as unknown[])[0]).toBe('config|get');
  });
});

describe('events the server records', () => {
  test('expire-cycle: an active expiry cycle that took longer than the threshold', async () => {
    await redis.call('DEBUG', 'POPULATE', '60000', 'exp');
    const db = nodis.server.keyspace.databases[0];
    for (let i = 0; i < 60000; i++) db.setExpire(`exp:${i}`, START_MS + 1000);
    await monitorOn(1);
    clock.advance(2000);
    await waitFor(() => nodis.server.latencyMonitor.events.has('expire-cycle'), 'an expire-cycle sample');
    const [, time, ms] = ((await latency('LATEST')) as [string, number, number][]).find(([name]) => name === 'expire-cycle')!;
    expect(time).toBe(START + 2);
    expect(ms).toBeGreaterThanOrEqual(1);
    await redis.flushall();
  });

  test('eviction-cycle: an eviction round that took longer than the threshold', async () => {
    await redis.call('DEBUG', 'POPULATE', '60000', 'ev', '64');
    await redis.config('SET', 'maxmemory-policy', 'allkeys-random');
    await redis.config('SET', 'maxmemory-eviction-tenacity', '100');
    await monitorOn(1);
    try {
      const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
      await redis.config('SET', 'maxmemory', String(used - 4_000_000));
      await redis.get('anything');
      expect(nodis.server.latencyMonitor.events.has('eviction-cycle')).toBe(true);
      expect(await redis.dbsize()).toBeLessThan(60000);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
      await redis.config('SET', 'maxmemory-policy', 'noeviction');
      await redis.config('SET', 'maxmemory-eviction-tenacity', '10');
      await redis.flushall();
    }
  });
});
