/**
 * client-output-buffer-limit enforcement: slow readers (sockets paused so they never read) get
 * disconnected when their pending output passes the hard limit, or stays past the soft limit
 * for longer than the soft seconds; everyone else goes on, and memory stays bounded.
 */
import * as net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/index';
import { Config } from '../../src/config/config';
import { loadConfigFromString } from '../../src/config/conf-file';
import { useNodis } from '../helpers/nodis';
import { encodeCommand, type RawConnection } from '../helpers/raw-connection';
import { replyLength } from '../helpers/resp-reader';

const LIMIT = 'client-output-buffer-limit';
const DEFAULT = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';
const clock = new ManualClock();
const logLines: string[] = [];
const nodis = useNodis({ clock, logSink: (line) => logLines.push(line) });

/** A client that sends commands, waits for their replies, then stops reading (socket paused). */
class SlowReader {
  private buffer = Buffer.alloc(0);
  /** Its CLIENT ID. */
  id = 0;
  private constructor(readonly socket: net.Socket) {}

  static async connect(port: number): Promise<SlowReader> {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const reader = new SlowReader(socket);
    socket.on('data', (chunk) => (reader.buffer = Buffer.concat([reader.buffer, chunk])));
    const reply = await reader.send([['CLIENT', 'ID']]);
    expect(reply).toMatch(/^:\d+\r\n$/);
    reader.id = Number(reply.slice(1, -2));
    return reader;
  }

  /** Sends commands and waits for `replies` replies; returns the last one as text. */
  async send(argvs: string[][], replies = argvs.length): Promise<string> {
    for (const argv of argvs) this.socket.write(encodeCommand(argv));
    let last = '';
    for (let i = 0; i < replies; i++) {
      await waitFor(() => replyLength(this.buffer, 0) > 0, 'a reply');
      const length = replyLength(this.buffer, 0);
      last = this.buffer.subarray(0, length).toString('latin1');
      this.buffer = this.buffer.subarray(length);
    }
    return last;
  }

  /** Stops reading; returns its client id. */
  pause(): number {
    this.socket.pause();
    return this.id;
  }

  close(): void {
    this.socket.destroy();
  }
}

const readers: SlowReader[] = [];
async function slowReader(): Promise<SlowReader> {
  const reader = await SlowReader.connect(nodis.port);
  readers.push(reader);
  return reader;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const connected = (id: number): boolean => nodis.server.clients.has(id);
const payload = (bytes: number, fill = 'x'): string => fill.repeat(bytes);

let raw: RawConnection;
async function config(value: string): Promise<void> {
  raw ??= await nodis.raw();
  expect(await raw.call('CONFIG', 'SET', LIMIT, value)).toBe('+OK\r\n');
}

/**
 * Publishes `message` in pipelined batches until `done()` or `maxMessages`; returns the replies
 * of the last batch. `sample` runs after every batch.
 */
/** Publishes `message` in pipelines of `batch` (20 unless given) until done() or maxMessages. */
async function flood(channel: string, message: string, options: { done?: () => boolean; maxMessages: number; sample?: () => void; batch?: number }): Promise<number[]> {
  const publisher = nodis.client();
  let sent = 0;
  let last: number[] = [];
  while (sent < options.maxMessages && !(options.done?.() ?? false)) {
    const batchSize = options.batch ?? 20;
    const batch = publisher.pipeline();
    for (let i = 0; i < batchSize; i++) batch.publish(channel, message);
    last = ((await batch.exec()) ?? []).map(([error, count]) => {
      if (error) throw error;
      return count as number;
    });
    sent += batchSize;
    options.sample?.();
  }
  return last;
}

afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await config(DEFAULT);
  logLines.length = 0;
});

describe('hard limit', () => {
  test('a subscriber that never reads is disconnected, PUBLISH goes on, memory stays bounded', async () => {
    await config('pubsub 1mb 0 0');
    const subscriber = await slowReader();
    await subscriber.send([['SUBSCRIBE', 'flood']]);
    const id = subscriber.pause();
    const other = await slowReader();
    await other.send([['SUBSCRIBE', 'other']]);

    // 3000 messages of 64 KB: 192 MB that a server without the limit would queue for the subscriber.
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sample = (): void => {
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    await flood('flood', payload(64 * 1024), { done: () => !connected(id), maxMessages: 3000, sample });
    await waitFor(() => !connected(id), 'the subscriber to be disconnected');
    const after = await flood('flood', payload(64 * 1024), { maxMessages: 3000 - 20, sample });
    expect(after.every((count) => count === 0)).toBe(true);
    // Bound: 128 MB of RSS growth, two thirds of what the flood would queue without the limit (which
    // grows RSS by about 230 MB here); with it, growth is the 1 MB limit, socket buffers and the
    // flood's garbage (about 60 MB).
    expect(peak - baseline).toBeLessThan(128 * 1024 * 1024);

    expect(logLines.some((line) => /Client id=\d+ .* scheduled to be closed ASAP for overcoming of output buffer limits\./.test(line))).toBe(true);
    expect(logLines.find((line) => line.includes('overcoming'))).toContain(`id=${id} `);
    // Other subscribers and the publisher are fine.
    const publisher = nodis.client();
    expect(await publisher.publish('other', 'still here')).toBe(1);
    expect(await other.send([], 1)).toBe('*3\r\n$7\r\nmessage\r\n$5\r\nother\r\n$10\r\nstill here\r\n');
    expect(await publisher.pubsub('NUMSUB', 'flood')).toEqual(['flood', 0]);
  });

  test('a RESP3 subscriber is in the pubsub class too', async () => {
    await config('pubsub 256kb 0 0 normal 0 0 0');
    const subscriber = await slowReader();
    await subscriber.send([['HELLO', '3'], ['SUBSCRIBE', 'resp3']]);
    const id = subscriber.pause();
    await flood('resp3', payload(16 * 1024), { done: () => !connected(id), maxMessages: 20000 });
    await waitFor(() => !connected(id), 'the RESP3 subscriber to be disconnected');
  });

  test('pattern subscribers and binary messages count the same', async () => {
    await config('pubsub 256kb 0 0');
    const subscriber = await slowReader();
    await subscriber.send([['PSUBSCRIBE', 'bin.*']]);
    const id = subscriber.pause();
    await flood('bin.x', payload(16 * 1024, '\x00\xff'), { done: () => !connected(id), maxMessages: 20000 });
    await waitFor(() => !connected(id), 'the pattern subscriber to be disconnected');
  });

  test('normal clients have no limit by default, and the normal class limits them when set', async () => {
    await config('pubsub 64kb 0 0');
    const big = payload(64 * 1024);
    await nodis.client().set('big', big);
    const reader = await slowReader();
    const id = reader.pause();
    // 400 GETs of 64 KB (25 MB) pile up in the server for a client that does not read.
    for (let i = 0; i < 20; i++) reader.socket.write(Buffer.concat(Array.from({ length: 20 }, () => encodeCommand(['GET', 'big']))));
    await waitFor(() => (nodis.server.clients.get(id)?.commandsProcessed ?? 0) >= 401, 'the GETs to run');
    expect(connected(id)).toBe(true);
    expect(nodis.server.clients.get(id)!.outputBufferBytes()).toBeGreaterThan(64 * 1024);

    await config('normal 1mb 0 0');
    const limited = await slowReader();
    const limitedId = limited.pause();
    for (let i = 0; i < 20; i++) limited.socket.write(Buffer.concat(Array.from({ length: 20 }, () => encodeCommand(['GET', 'big']))));
    await waitFor(() => !connected(limitedId), 'the normal client to be disconnected');
    // It stopped running commands once over the limit.
    expect(nodis.server.stats.totalCommandsProcessed).toBeGreaterThan(0);
  });

  test('a MONITOR client is a normal client', async () => {
    await config('normal 256kb 0 0 pubsub 0 0 0');
    const monitor = await slowReader();
    await monitor.send([['MONITOR']]);
    const id = monitor.pause();
    const client = nodis.client();
    const value = payload(8 * 1024);
    while (connected(id)) await client.set('watched', value);
    expect(connected(id)).toBe(false);
  });

  test('a client that unsubscribed from everything is a normal client again', async () => {
    await config('pubsub 64kb 0 0');
    await nodis.client().set('big', payload(64 * 1024));
    const reader = await slowReader();
    await reader.send([['SUBSCRIBE', 'a'], ['UNSUBSCRIBE', 'a']]);
    const id = reader.pause();
    for (let i = 0; i < 10; i++) reader.socket.write(Buffer.concat(Array.from({ length: 20 }, () => encodeCommand(['GET', 'big']))));
    await waitFor(() => (nodis.server.clients.get(id)?.commandsProcessed ?? 0) >= 203, 'the GETs to run');
    expect(connected(id)).toBe(true);
  });

  test('a subscriber that keeps reading is never disconnected', async () => {
    await config('pubsub 1mb 0 0');
    const subscriber = nodis.client();
    let received = 0;
    subscriber.on('message', () => received++);
    await subscriber.subscribe('steady');
    const last = await flood('steady', payload(1024), { maxMessages: 4000 });
    expect(last.every((count) => count === 1)).toBe(true);
    await waitFor(() => received === 4000, 'every message');
    expect(logLines.some((line) => line.includes('overcoming'))).toBe(false);
  });
});

describe('soft limit', () => {
  test('past the soft limit for longer than soft-seconds: disconnected at the next write', async () => {
    await config('pubsub 0 128kb 2');
    const subscriber = await slowReader();
    await subscriber.send([['SUBSCRIBE', 'soft']]);
    const id = subscriber.pause();
    const client = (): { outputBufferBytes(): number } | undefined => nodis.server.clients.get(id);
    // Fill its buffers past the soft limit: the first check past it starts the clock.
    await flood('soft', payload(16 * 1024), { done: () => (client()?.outputBufferBytes() ?? 0) >= 256 * 1024, maxMessages: 20000 });
    await flood('soft', 'one more', { maxMessages: 20 });
    expect(connected(id)).toBe(true);
    // Two seconds later is not yet "longer than 2 seconds".
    clock.advance(2000);
    await flood('soft', 'one more', { maxMessages: 20 });
    expect(connected(id)).toBe(true);
    clock.advance(1000);
    await flood('soft', 'one more', { maxMessages: 20 });
    await waitFor(() => !connected(id), 'the subscriber to be disconnected');
  });

  test('falling back under the soft limit restarts the count', async () => {
    await config('pubsub 0 128kb 2');
    const subscriber = await slowReader();
    await subscriber.send([['SUBSCRIBE', 'soft2']]);
    const id = subscriber.pause();
    const state = (): { outputBufferBytes(): number; outputSoftLimitSince: number } => nodis.server.clients.get(id)!;
    await flood('soft2', payload(16 * 1024), { done: () => state().outputBufferBytes() >= 256 * 1024, maxMessages: 20000 });
    await flood('soft2', 'x', { maxMessages: 20 });
    expect(state().outputSoftLimitSince).toBeGreaterThan(0);
    // It reads everything: its output drains, and the next message finds it under the limit.
    subscriber.socket.resume();
    await waitFor(() => state().outputBufferBytes() === 0, 'the subscriber to drain');
    clock.advance(10_000);
    subscriber.socket.pause();
    // Output under the soft limit, but above the static reply buffer, resets the clock. One
    // message per request: as in Redis, replies to one read's requests are written together.
    await flood('soft2', payload(17 * 1024), { maxMessages: 20, batch: 1, done: () => state().outputSoftLimitSince === 0 });
    expect(state().outputSoftLimitSince).toBe(0);
    expect(connected(id)).toBe(true);
  });
});

describe('the directive', () => {
  test('config file lines are partial and add up; a bad line is refused with Redis reason', () => {
    const config = new Config();
    loadConfigFromString(config, `${LIMIT} pubsub 1 2 3\n${LIMIT} normal 4mb 5kb 6 replica 7 8 9\n${LIMIT} "normal 10 11 12"\n`);
    expect(config.get(LIMIT)).toBe('normal 10 11 12 slave 7 8 9 pubsub 1 2 3');
    expect(() => loadConfigFromString(config, `${LIMIT} master 1 2 3`)).toThrow('Invalid client class specified in buffer limit configuration.');
    expect(() => loadConfigFromString(config, `${LIMIT} normal 1 2`)).toThrow('Wrong number of arguments in buffer limit configuration.');
    expect(() => loadConfigFromString(config, `${LIMIT} normal 1 2 -3`)).toThrow('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    // Quoted empty sizes and seconds are 0, as memtoull and strtoll read them.
    loadConfigFromString(config, `${LIMIT} normal "" "" ""`);
    expect(config.get(LIMIT)).toBe('normal 0 0 0 slave 7 8 9 pubsub 1 2 3');
    loadConfigFromString(config, `${LIMIT} normal 1 1 " 5"`);
    expect(config.get(LIMIT)).toBe('normal 1 1 5 slave 7 8 9 pubsub 1 2 3');
  });

  test('CONFIG SET applies at once to clients already connected', async () => {
    const subscriber = await slowReader();
    await subscriber.send([['SUBSCRIBE', 'late']]);
    const id = subscriber.pause();
    await flood('late', payload(16 * 1024), { done: () => (nodis.server.clients.get(id)?.outputBufferBytes() ?? 0) >= 128 * 1024, maxMessages: 20000 });
    expect(connected(id)).toBe(true);
    await config('pubsub 64kb 0 0');
    await flood('late', 'x', { maxMessages: 20 });
    await waitFor(() => !connected(id), 'the subscriber to be disconnected');
  });
});
