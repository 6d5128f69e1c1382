/**
 * socket.io's Redis adapter over Nodis: two socket.io servers in this process, each with its own
 * adapter (a publishing and a subscribing node-redis connection to Nodis). A client connected to
 * server A receives what server B broadcasts, rooms included, and server-side fetchSockets()
 * sees the sockets of both servers (the adapter's request/response channels).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server as SocketIOServer } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createServer, type Server as NodisServer } from '../../src/index';
import { waitFor } from './wait';

type RedisClient = ReturnType<typeof createClient>;

interface Node {
  io: SocketIOServer;
  http: http.Server;
  port: number;
  redis: RedisClient[];
}

let nodis: NodisServer;
const nodes: Node[] = [];
const clients: ClientSocket[] = [];

async function startNode(): Promise<Node> {
  const pub = createClient({ socket: { host: '127.0.0.1', port: nodis.port } }) as RedisClient;
  const sub = pub.duplicate();
  for (const c of [pub, sub]) c.on('error', () => undefined);
  await Promise.all([pub.connect(), sub.connect()]);
  const server = http.createServer();
  const io = new SocketIOServer(server, { adapter: createAdapter(pub, sub) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const node = { io, http: server, port: (server.address() as AddressInfo).port, redis: [pub, sub] };
  nodes.push(node);
  return node;
}

async function connectTo(node: Node): Promise<ClientSocket> {
  const socket = connectClient(`http://127.0.0.1:${node.port}`, { transports: ['websocket'], reconnection: false });
  clients.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

let a: Node;
let b: Node;

beforeAll(async () => {
  nodis = await createServer({ port: 0, config: { save: '' } });
  [a, b] = await Promise.all([startNode(), startNode()]);
});

afterAll(async () => {
  for (const socket of clients) socket.disconnect();
  for (const node of nodes) {
    await new Promise<void>((resolve) => node.io.close(() => resolve()));
    // close() (not destroy()) lets pending commands finish instead of failing them.
    await Promise.all(node.redis.map((c) => c.close()));
  }
  await nodis.close();
});

/** Resolves once both servers' adapters subscribed to Nodis (their channels show in PUBSUB). */
async function adaptersReady(): Promise<void> {
  await waitFor(() => nodis.pubsub.patternCount + nodis.pubsub.channelCount > 0, 'the adapters to subscribe');
  // Each adapter subscribes with its own connection: two subscribed clients.
  await waitFor(() => [...nodis.clients.values()].filter((c) => c.subscriptions !== null).length >= 2, 'both adapters');
}

test('a client of server A receives a broadcast emitted from server B', async () => {
  await adaptersReady();
  const onA = await connectTo(a);
  const onB = await connectTo(b);
  const seen: string[] = [];
  const received = new Promise<unknown[]>((resolve) => onA.once('news', (...args) => resolve(args)));
  onB.on('news', (text: string) => seen.push(text));
  b.io.emit('news', 'from B', { n: 1, bytes: Buffer.from([0, 255]) });
  const [text, payload] = await received;
  expect(text).toBe('from B');
  expect(payload).toMatchObject({ n: 1 });
  expect(Buffer.from((payload as { bytes: Buffer }).bytes)).toEqual(Buffer.from([0, 255]));
  await waitFor(() => seen.length === 1, 'the local client of B too');
});

test('rooms: only members on either server get a room broadcast', async () => {
  await adaptersReady();
  const member = await connectTo(a);
  const outsider = await connectTo(a);
  const serverSide = [...(await a.io.fetchSockets())].find((s) => s.id === member.id);
  expect(serverSide).toBeDefined();
  serverSide!.join('room-1');
  const outsiderGot: string[] = [];
  outsider.on('room-event', (text: string) => outsiderGot.push(text));
  const got = new Promise<string>((resolve) => member.once('room-event', resolve));
  b.io.to('room-1').emit('room-event', 'for the room');
  expect(await got).toBe('for the room');
  // A later broadcast to everyone arrives after the room's: the outsider never saw the room event.
  const all = new Promise<string>((resolve) => outsider.once('all-event', resolve));
  b.io.emit('all-event', 'everyone');
  expect(await all).toBe('everyone');
  expect(outsiderGot).toEqual([]);
});

test('fetchSockets on B sees the sockets connected to A (request/response over pub/sub)', async () => {
  await adaptersReady();
  const onA = await connectTo(a);
  const ids = (await b.io.fetchSockets()).map((s) => s.id);
  expect(ids).toContain(onA.id);
  a.io.on('ping-servers', (ack: (reply: string) => void) => ack('pong from A'));
  expect(await b.io.serverSideEmitWithAck('ping-servers')).toEqual(['pong from A']);
});
