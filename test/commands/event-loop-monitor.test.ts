/**
 * INFO eventloop and the "eventloop" latency event: the event-loop delay histogram and the stall
 * check that run while the server listens.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import type Redis from 'ioredis';
import { startNodis, useNodis } from '../helpers/nodis';
import { waitFor } from '../interop/wait';
import { latencyAddSampleIfNeeded } from '../../src/server/latency-monitor';

const nodis = useNodis({ config: { 'enable-debug-command': 'yes' } });
let redis: Redis;

const FIELDS = [
  'eventloop_delay_min_usec',
  'eventloop_delay_mean_usec',
  'eventloop_delay_p50_usec',
  'eventloop_delay_p99_usec',
  'eventloop_delay_p999_usec',
  'eventloop_delay_max_usec',
  'eventloop_delay_samples',
  'eventloop_max_stall_usec',
];

/** INFO eventloop as field -> number. */
async function eventLoopInfo(): Promise<Record<string, number>> {
  const text = await redis.info('eventloop');
  return Object.fromEntries([...text.matchAll(/^(\w+):(\d+)\r$/gm)].map(([, name, value]) => [name, Number(value)]));
}

/** Blocks this thread, and so the server's event loop, as a long garbage collection would. */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

beforeEach(async () => {
  redis ??= nodis.client();
  await redis.config('SET', 'latency-monitor-threshold', '0');
  await redis.call('LATENCY', 'RESET');
});

describe('INFO eventloop', () => {
  test('its fields, in order, as integers', async () => {
    const text = await redis.info('eventloop');
    expect(text.split('\r\n')[0]).toBe('# Eventloop');
    expect([...text.matchAll(/^(\w+):\d+\r$/gm)].map(([, name]) => name)).toEqual(FIELDS);
  });

  test("shown only when asked for: not in the default INFO, nor in all or everything (Redis's lists)", async () => {
    for (const args of [[], ['default'], ['all'], ['everything'], ['server']]) {
      expect(await redis.call('INFO', ...args), `INFO ${args.join(' ')}`).not.toContain('# Eventloop');
    }
    const titles = (text: string): string[] => text.split('\r\n').filter((l) => l.startsWith('# '));
    expect(titles((await redis.call('INFO', 'EVENTLOOP', 'server')) as string)).toEqual(['# Server', '# Eventloop']);
    expect(titles((await redis.call('INFO', 'eventloop', 'eventloop')) as string)).toEqual(['# Eventloop']);
  });

  test('a blocking DEBUG SLEEP 0.2 shows as a stall of 150 ms or more', async () => {
    await redis.call('DEBUG', 'SLEEP', '0.2');
    // The stall is seen when the check timer fires after the sleep.
    await waitFor(() => nodis.server.eventLoopMonitor.delay().maxStallUs >= 150_000, 'the stall check');
    const info = await eventLoopInfo();
    expect(info.eventloop_max_stall_usec).toBeGreaterThanOrEqual(150_000);
    expect(info.eventloop_delay_max_usec).toBeGreaterThanOrEqual(info.eventloop_delay_p99_usec);
    expect(info.eventloop_delay_samples).toBeGreaterThan(0);
  });

  test('CONFIG RESETSTAT clears the histogram and the largest stall', async () => {
    await redis.call('DEBUG', 'SLEEP', '0.2');
    await waitFor(() => nodis.server.eventLoopMonitor.delay().maxStallUs >= 150_000, 'the stall check');
    // Both commands in one write: no timer runs between them.
    const raw = await nodis.raw();
    raw.write('CONFIG RESETSTAT\r\nINFO eventloop\r\n');
    expect(await raw.readReply()).toEqual(Buffer.from('+OK\r\n'));
    const info = (await raw.readReply()).toString('latin1');
    for (const field of FIELDS) expect(info).toContain(`\r\n${field}:0\r\n`);
  });

  test('the monitor stops when the server closes', async () => {
    const handle = await startNodis();
    const server = handle.server;
    await waitFor(() => server.eventLoopMonitor.delay().samples > 0, 'a first sample');
    await handle.stop();
    const samples = server.eventLoopMonitor.delay().samples;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.eventLoopMonitor.delay().samples).toBe(samples);
  });
});

describe('the "eventloop" latency event', () => {
  const events = (): Map<string, unknown> => nodis.server.latencyMonitor.events;

  test('a stall past latency-monitor-threshold is recorded', async () => {
    await redis.config('SET', 'latency-monitor-threshold', '100');
    blockEventLoop(200);
    await waitFor(() => events().has('eventloop'), 'an eventloop sample');
    const [[name, , latency, max]] = (await redis.call('LATENCY', 'LATEST')) as [string, number, number, number][];
    expect(name).toBe('eventloop');
    expect(latency).toBeGreaterThanOrEqual(100);
    expect(max).toBe(latency);
  });

  test('nothing is recorded while the monitor is off', async () => {
    blockEventLoop(200);
    await waitFor(() => nodis.server.eventLoopMonitor.delay().maxStallUs >= 150_000, 'the stall check');
    expect(await redis.call('LATENCY', 'LATEST')).toEqual([]);
  });

  test('a stall another event already reports (a slow command) is not recorded again', async () => {
    await redis.config('SET', 'latency-monitor-threshold', '100');
    await redis.config('RESETSTAT');
    // As the dispatcher reports a command that held the event loop for 200 ms.
    blockEventLoop(200);
    latencyAddSampleIfNeeded(nodis.server, 'command', 200);
    await waitFor(() => nodis.server.eventLoopMonitor.delay().maxStallUs >= 150_000, 'the stall check');
    expect([...events().keys()]).toEqual(['command']);
  });
});
