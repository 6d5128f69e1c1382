/**
 * The node-redis client (package `redis`) against Nodis, over RESP2 and RESP3: subscribe,
 * psubscribe and publish, binary payloads in buffer mode, sharded pub/sub, and the connection
 * given back to ordinary commands after unsubscribing.
 */
import { createClient } from 'redis';
import { afterEach, expect, test } from 'vitest';
import { useNodis } from '../helpers/nodis';
import { waitFor } from './wait';

const nodis = useNodis();
type Client = ReturnType<typeof createClient>;
const opened: Client[] = [];

async function connect(resp: 2 | 3): Promise<Client> {
  const client = createClient({ socket: { host: '127.0.0.1', port: nodis.port, reconnectStrategy: false }, RESP: resp }) as Client;
  client.on('error', () => undefined);
  opened.push(client);
  await client.connect();
  return client;
}

afterEach(async () => {
  for (const client of opened.splice(0)) client.destroy();
});

for (const resp of [2, 3] as const) {
  test(`subscribe, psubscribe, publish and unsubscribe (RESP${resp})`, async () => {
    const publisher = await connect(resp);
    const subscriber = await connect(resp);
    const received: string[] = [];
    await subscriber.subscribe('orders', (message, channel) => received.push(`${channel}: ${message}`));
    await subscriber.pSubscribe('orders.*', (message, channel) => received.push(`pattern ${channel}: ${message}`));
    expect(await publisher.publish('orders', 'first')).toBe(1);
    expect(await publisher.publish('orders.eu', 'second')).toBe(1);
    expect(await publisher.publish('elsewhere', 'nobody')).toBe(0);
    await waitFor(() => received.length === 2, 'two messages');
    expect(received).toEqual(['orders: first', 'pattern orders.eu: second']);
    expect(await publisher.pubSubNumSub(['orders', 'elsewhere'])).toEqual({ orders: 1, elsewhere: 0 });
    expect(await publisher.pubSubNumPat()).toBe(1);

    await subscriber.unsubscribe('orders');
    await subscriber.pUnsubscribe('orders.*');
    expect(await publisher.publish('orders', 'late')).toBe(0);
    // Out of subscribed mode, the connection runs ordinary commands again. (node-redis 6 over RESP2
    // then hands replies over as Buffers, against redis-server 7.0 too: compare as text.)
    expect(String(await subscriber.set('after', 'pubsub'))).toBe('OK');
    expect(String(await subscriber.get('after'))).toBe('pubsub');
  });

  test(`binary messages in buffer mode, and several listeners on one channel (RESP${resp})`, async () => {
    const publisher = await connect(resp);
    const subscriber = await connect(resp);
    const buffers: Buffer[] = [];
    const texts: string[] = [];
    await subscriber.subscribe('bin', (message: Buffer) => buffers.push(message), true);
    await subscriber.subscribe('bin', (message: string) => texts.push(message));
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const large = Buffer.alloc(512 * 1024 + 3, 0x80);
    expect(await publisher.publish('bin', everyByte)).toBe(1);
    expect(await publisher.publish('bin', large)).toBe(1);
    expect(await publisher.publish('bin', 'plain')).toBe(1);
    await waitFor(() => buffers.length === 3 && texts.length === 3, 'three messages for each listener');
    expect(buffers[0].equals(everyByte)).toBe(true);
    expect(buffers[1].equals(large)).toBe(true);
    expect(buffers[2].toString()).toBe('plain');
    expect(texts[2]).toBe('plain');
  });

  test(`sharded pub/sub: sSubscribe and sPublish (RESP${resp})`, async () => {
    const publisher = await connect(resp);
    const subscriber = await connect(resp);
    const received: string[] = [];
    await subscriber.sSubscribe('shard-a', (message, channel) => received.push(`${channel}: ${message}`));
    expect(await publisher.sPublish('shard-a', 'sharded')).toBe(1);
    // Plain PUBLISH does not reach shard channel subscribers.
    expect(await publisher.publish('shard-a', 'plain')).toBe(0);
    await waitFor(() => received.length === 1, 'the sharded message');
    expect(received).toEqual(['shard-a: sharded']);
    await subscriber.sUnsubscribe('shard-a');
    expect(await publisher.sPublish('shard-a', 'gone')).toBe(0);
  });
}

test('a RESP3 connection receives pushes while it runs other commands', async () => {
  const client = await connect(3);
  const publisher = await connect(3);
  const received: string[] = [];
  await client.subscribe('mixed', (message) => received.push(message));
  const publishes = Array.from({ length: 50 }, (_, i) => publisher.publish('mixed', `m${i}`));
  const reads = Array.from({ length: 50 }, (_, i) => client.set(`key${i}`, String(i)));
  expect(await Promise.all(publishes)).toEqual(Array(50).fill(1));
  expect(await Promise.all(reads)).toEqual(Array(50).fill('OK'));
  await waitFor(() => received.length === 50, 'fifty messages');
  expect(received).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
});
