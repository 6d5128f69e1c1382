/**
 * ioredis (the client the other tests use for commands) in subscriber mode against Nodis, over
 * RESP3 (ioredis 6's default: messages are push frames) and RESP2: SUBSCRIBE/PSUBSCRIBE events,
 * binary payloads through the *Buffer events, and automatic resubscription after the connection
 * is killed.
 */
import Redis from 'ioredis';
import { afterEach, expect, test } from 'vitest';
import { useNodis } from '../helpers/nodis';
import { waitFor } from './wait';

const nodis = useNodis();
const opened: Redis[] = [];

function client(protocol: 2 | 3 = 3): Redis {
  const c = nodis.client({ protocol });
  opened.push(c);
  return c;
}

afterEach(() => {
  for (const c of opened.splice(0)) c.disconnect();
});

for (const protocol of [3, 2] as const) {
  test(`subscribe, psubscribe and publish: every event with its channel and pattern (RESP${protocol})`, async () => {
    const subscriber = client(protocol);
    const publisher = client(protocol);
    const messages: string[] = [];
    subscriber.on('message', (channel, message) => messages.push(`message ${channel} ${message}`));
    subscriber.on('pmessage', (pattern, channel, message) => messages.push(`pmessage ${pattern} ${channel} ${message}`));
    expect(await subscriber.subscribe('news', 'sports')).toBe(2);
    expect(await subscriber.psubscribe('news.*')).toBe(3);

    expect(await publisher.publish('news', 'hello')).toBe(1);
    expect(await publisher.publish('news.tech', 'chips')).toBe(1);
    expect(await publisher.publish('sports', 'goal')).toBe(1);
    expect(await publisher.publish('weather', 'rain')).toBe(0);
    await waitFor(() => messages.length === 3, 'three messages');
    expect(messages).toEqual(['message news hello', 'pmessage news.* news.tech chips', 'message sports goal']);

    expect(await publisher.pubsub('NUMSUB', 'news', 'sports', 'weather')).toEqual(['news', 1, 'sports', 1, 'weather', 0]);
    expect(await publisher.pubsub('NUMPAT')).toBe(1);
    expect(await subscriber.unsubscribe('news')).toBe(2);
    expect(await subscriber.punsubscribe('news.*')).toBe(1);
    expect(await publisher.publish('news.tech', 'nobody')).toBe(0);
    expect(await publisher.publish('sports', 'still')).toBe(1);
    await waitFor(() => messages.length === 4, 'the fourth message');
    expect(messages[3]).toBe('message sports still');
  });

  test(`binary channels and messages arrive byte for byte (RESP${protocol})`, async () => {
    const subscriber = client(protocol);
    const publisher = client(protocol);
    const received: Buffer[][] = [];
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => received.push([channel, message]));
    subscriber.on('pmessageBuffer', (pattern: Buffer, channel: Buffer, message: Buffer) => received.push([pattern, channel, message]));
    const channel = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x41]);
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const large = Buffer.alloc(1024 * 1024 + 7, 0xfe);
    await subscriber.subscribe(channel);
    await subscriber.psubscribe(Buffer.from('bin\xff*', 'latin1'));
    expect(await publisher.publish(channel, everyByte)).toBe(1);
    expect(await publisher.publish(channel, Buffer.alloc(0))).toBe(1);
    expect(await publisher.publish(Buffer.from('bin\xff\x00', 'latin1'), large)).toBe(1);
    await waitFor(() => received.length === 3, 'three binary messages');
    expect(received[0]).toEqual([channel, everyByte]);
    expect(received[1]).toEqual([channel, Buffer.alloc(0)]);
    // ioredis hands the pattern over as a (UTF-8 decoded) string; channel and message are Buffers.
    expect(received[2][1]).toEqual(Buffer.from('bin\xff\x00', 'latin1'));
    expect(received[2][2].equals(large)).toBe(true);
  });

  test(`after the connection is killed, ioredis reconnects, resubscribes and gets messages again (RESP${protocol})`, async () => {
    const subscriber = client(protocol);
    const admin = client(protocol);
    const id = await subscriber.client('ID');
    const messages: string[] = [];
    subscriber.on('message', (_channel, message) => messages.push(message));
    subscriber.on('pmessage', (_pattern, _channel, message) => messages.push(`p:${message}`));
    await subscriber.subscribe('resilient');
    await subscriber.psubscribe('resil*');
    expect(await admin.publish('resilient', 'before')).toBe(2);
    await waitFor(() => messages.length === 2, 'the first messages');

    let ready = 0;
    subscriber.on('ready', () => ready++);
    const killed = await admin.client('KILL', 'ID', String(id));
    expect(killed).toBe(1);
    await waitFor(() => ready === 1, 'the reconnection');
    // Resubscription is sent right after "ready": wait until the server has both subscriptions back.
    await waitFor(() => [...nodis.server.clients.values()].some((c) => c.subscriptions?.total === 2), 'the resubscription');
    expect(await admin.publish('resilient', 'after')).toBe(2);
    await waitFor(() => messages.length === 4, 'the messages after reconnecting');
    expect(messages.sort()).toEqual(['after', 'before', 'p:after', 'p:before']);
  });

  test(`in subscribed mode: PING, and other commands as the protocol allows (RESP${protocol})`, async () => {
    const subscriber = client(protocol);
    await subscriber.subscribe('quiet');
    if (protocol === 2) {
      // RESP2 subscribed mode: PING answers as a message-shaped array; ioredis refuses GET itself.
      expect(await subscriber.ping()).toEqual(['pong', '']);
      await expect(subscriber.get('k')).rejects.toThrow(/subscriber mode/);
    } else {
      // RESP3: a subscribed connection runs any command.
      expect(await subscriber.ping()).toBe('PONG');
      expect(await subscriber.set('k', 'v')).toBe('OK');
      expect(await subscriber.get('k')).toBe('v');
    }
  });
}
