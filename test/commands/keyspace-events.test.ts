/**
 * Keyspace notifications that need an in-process server: evictions (memory use differs from
 * redis-server's, so which keys go cannot be compared byte for byte), expiry driven by a manual
 * clock, and the listener the notify-keyspace-events setting installs.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type Redis from 'ioredis';
import { useNodis } from '../helpers/nodis';
import { ManualClock } from '../../src/index';

/** The pmessages a subscriber gets, as "channel message" lines. */
async function subscribe(client: Redis): Promise<string[]> {
  const messages: string[] = [];
  client.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => {
    messages.push(`${channel.toString('latin1')} ${message.toString('latin1')}`);
  });
  await client.psubscribe('__key*__:*');
  return messages;
}

/** Waits until every message published so far has reached `client`'s subscriber. */
async function settle(writer: Redis, messages: string[]): Promise<void> {
  await writer.publish('__key__:settle', 'end');
  for (let i = 0; i < 200 && !messages.some((m) => m.startsWith('__key__:settle')); i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const at = messages.findIndex((m) => m.startsWith('__key__:settle'));
  expect(at, 'the settle marker arrived').toBeGreaterThanOrEqual(0);
  messages.splice(at, 1);
}

async function usedMemory(r: Redis): Promise<number> {
  const m = /^used_memory:(\d+)/m.exec(await r.info('memory'));
  return Number(m![1]);
}

describe('evicted events', () => {
  const nodis = useNodis();

  afterEach(async () => {
    const r = nodis.client();
    await r.config('SET', 'maxmemory', '0');
    await r.config('SET', 'maxmemory-policy', 'noeviction');
    await r.config('SET', 'notify-keyspace-events', '');
    await r.config('RESETSTAT');
    await r.flushall();
  });

  for (const flags of ['KEA', 'KEe']) {
    test(`every evicted key is reported before the write that made room (${flags})`, async () => {
      const writer = nodis.client();
      const subscriber = nodis.client();
      await writer.config('SET', 'maxmemory-policy', 'allkeys-lru');
      for (let i = 0; i < 300; i++) await writer.set(`old:${i}`, 'v'.repeat(100));
      await writer.config('SET', 'notify-keyspace-events', flags);
      const messages = await subscribe(subscriber);
      await writer.config('SET', 'maxmemory', String((await usedMemory(writer)) + 2000));
      for (let i = 0; i < 100; i++) await writer.set(`new:${i}`, 'v'.repeat(100));
      await settle(writer, messages);

      const evicted = messages.filter((m) => m.startsWith('__keyevent@0__:evicted ')).map((m) => m.split(' ')[1]);
      const info = await writer.info('stats');
      expect(evicted.length).toBe(Number(/^evicted_keys:(\d+)/m.exec(info)![1]));
      expect(evicted.length).toBeGreaterThan(10);
      for (const key of evicted) expect(await writer.exists(key)).toBe(0);
      // Each eviction is a keyspace message followed by its keyevent message.
      for (const key of evicted) {
        const at = messages.indexOf(`__keyspace@0__:${key} evicted`);
        expect(messages[at + 1]).toBe(`__keyevent@0__:evicted ${key}`);
      }
      if (flags === 'KEe') {
        expect(messages.every((m) => m.endsWith(' evicted') || m.startsWith('__keyevent@0__:evicted '))).toBe(true);
      } else {
        // Evictions run before the command that needs the room: each run of them is followed
        // by the "set" of a new key (or by nothing: the marker's PUBLISH may evict last).
        for (let i = 0; i < messages.length; i += 2) {
          if (!messages[i].endsWith(' evicted') || messages[i + 2] === undefined || messages[i + 2].endsWith(' evicted')) continue;
          expect(messages[i + 2]).toMatch(/^__keyspace@0__:new:\d+ set$/);
        }
      }
    });
  }

  test('evictions in other databases name their database', async () => {
    const writer = nodis.client();
    const subscriber = nodis.client();
    await writer.config('SET', 'maxmemory-policy', 'allkeys-random');
    await writer.select(7);
    for (let i = 0; i < 200; i++) await writer.set(`k:${i}`, 'v'.repeat(100));
    await writer.select(0);
    await writer.config('SET', 'notify-keyspace-events', 'Ee');
    const messages = await subscribe(subscriber);
    await writer.config('SET', 'maxmemory', String((await usedMemory(writer)) - 5000));
    // Every command evicts first; this one adds no key, so database 0 stays empty. (A key written
    // to it could be evicted too, by a later command, once the next database in turn is 0.)
    await writer.exists('trigger');
    await settle(writer, messages);
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expect(m).toMatch(/^__keyevent@7__:evicted k:\d+$/);
  });
});

describe('expired events with a manual clock', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const nodis = useNodis({ clock, config: { hz: 100 } });

  beforeEach(async () => {
    await nodis.client().flushall();
  });

  test('active expiry reports each key once, in its database, and lazy expiry reports before the miss', async () => {
    const writer = nodis.client();
    const subscriber = nodis.client();
    await writer.config('SET', 'notify-keyspace-events', 'KExm');
    const messages = await subscribe(subscriber);
    await writer.set('a', '1', 'PX', 100);
    await writer.select(3);
    await writer.set('b', '1', 'PX', 100);
    await writer.set('later', '1', 'PX', 100_000);
    await writer.select(0);
    clock.advance(101);
    // The cron (hz 100) expires both keys without any command touching them.
    for (let i = 0; i < 200 && messages.length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    await settle(writer, messages);
    expect(messages).toEqual([
      '__keyspace@0__:a expired',
      '__keyevent@0__:expired a',
      '__keyspace@3__:b expired',
      '__keyevent@3__:expired b',
    ]);
    messages.length = 0;
    await writer.config('SET', 'notify-keyspace-events', '');
    await writer.set('c', '1', 'PX', 100);
    await writer.config('SET', 'notify-keyspace-events', 'KExm');
    clock.advance(101);
    // Lazy expiry: the read finds the key past its time, reports the expiry, then the miss.
    expect(await writer.get('c')).toBeNull();
    await settle(writer, messages);
    const forC = messages.filter((m) => m.includes(':c ') || m.endsWith(' c'));
    if (forC.length === 4) {
      expect(forC).toEqual(['__keyspace@0__:c expired', '__keyevent@0__:expired c', '__keyspace@0__:c keymiss', '__keyevent@0__:keymiss c']);
    } else {
      // The cron got to it first: then the read is a plain miss.
      expect(forC.slice(-2)).toEqual(['__keyspace@0__:c keymiss', '__keyevent@0__:keymiss c']);
    }
  });
});

describe('the notification listener', () => {
  const nodis = useNodis();

  test('is installed only while some class would be published', async () => {
    const r = nodis.client();
    const listeners = nodis.server.keyspaceEventListeners;
    const before = listeners.length;
    for (const [flags, installed] of [['KEA', true], ['', false], ['A', false], ['K', false], ['E$', true], ['Km', true], ['', false]] as const) {
      await r.config('SET', 'notify-keyspace-events', flags);
      expect(listeners.length, flags).toBe(before + (installed ? 1 : 0));
    }
  });

  test('keys and events are published byte for byte, in the selected database', async () => {
    const writer = nodis.client();
    const subscriber = nodis.client();
    await writer.config('SET', 'notify-keyspace-events', 'KE$g');
    const messages = await subscribe(subscriber);
    await writer.select(15);
    await writer.set(Buffer.from([0, 0xff, 0x0d, 0x0a]), 'v');
    await writer.del(Buffer.from([0, 0xff, 0x0d, 0x0a]));
    await settle(writer, messages);
    const key = '\x00\xff\r\n';
    expect(messages).toEqual([
      `__keyspace@15__:${key} set`,
      `__keyevent@15__:set ${key}`,
      `__keyspace@15__:${key} del`,
      `__keyevent@15__:del ${key}`,
    ]);
    await writer.config('SET', 'notify-keyspace-events', '');
  });
});
