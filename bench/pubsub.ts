/**
 * PUBLISH with subscribers, redis-server and Nodis side by side. redis-benchmark can send PUBLISH
 * but has no subscribers, so this is a small load generator of its own: N subscriber connections
 * on one channel, then publisher connections that pipeline PUBLISH until every subscriber got
 * every message. It reports PUBLISH calls/s and messages delivered/s (calls x subscribers).
 *
 *   npm run build && node dist/bench/pubsub.js --subscribers 1,10,50 --messages 100000 --rounds 3
 *
 * The generator runs in this Node process and shares the two cores with the server, as
 * redis-benchmark does in side-by-side; compare ratios from one run.
 */
import * as net from 'node:net';
import { Command } from 'commander';
import { startNodis, startRedis, type RunningServer } from './lib/servers';
import { requireTools } from './lib/bench-run';
import { encodeCommand } from './lib/resp-connection';
import { formatCount, formatRatio, markdownTable, median } from './lib/stats';

interface Options {
  subscribers: string;
  messages: string;
  publishers: string;
  pipeline: string;
  datasize: string;
  rounds: string;
}

const CHANNEL = 'bench:channel';

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** A subscriber counting message bytes: every message has the same encoded length. */
async function subscriber(port: number, messageBytes: number): Promise<{ socket: net.Socket; received(): number }> {
  const socket = await connect(port);
  const confirmation = Buffer.from(`*3\r\n$9\r\nsubscribe\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n:1\r\n`);
  let bytes = -confirmation.length;
  await new Promise<void>((resolve) => {
    socket.on('data', (chunk) => {
      const before = bytes;
      bytes += chunk.length;
      if (before < 0 && bytes >= 0) resolve();
    });
    socket.write(encodeCommand(['SUBSCRIBE', CHANNEL]));
  });
  return { socket, received: () => Math.floor(bytes / messageBytes) };
}

/** Sends `count` PUBLISH commands over one connection, at most `pipeline` unanswered at a time. */
async function publisher(port: number, count: number, pipeline: number, message: string): Promise<void> {
  const socket = await connect(port);
  const command = encodeCommand(['PUBLISH', CHANNEL, message]);
  let sent = 0;
  let answered = 0;
  await new Promise<void>((resolve) => {
    const sendMore = (): void => {
      const batch: string[] = [];
      while (sent < count && sent - answered < pipeline) {
        batch.push(command);
        sent++;
      }
      if (batch.length > 0) socket.write(batch.join(''));
    };
    socket.on('data', (chunk) => {
      // Every reply is one integer line: count the line ends.
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) answered++;
      if (answered >= count) resolve();
      else sendMore();
    });
    sendMore();
  });
  socket.destroy();
}

/** One measurement: PUBLISH calls per second until every subscriber has every message. */
async function measure(server: RunningServer, subscribers: number, messages: number, publishers: number, pipeline: number, datasize: number): Promise<number> {
  const message = 'x'.repeat(datasize);
  const messageBytes = `*3\r\n$7\r\nmessage\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n$${datasize}\r\n${message}\r\n`.length;
  const subs = await Promise.all(Array.from({ length: subscribers }, () => subscriber(server.port, messageBytes)));
  const started = process.hrtime.bigint();
  const perPublisher = Math.ceil(messages / publishers);
  await Promise.all(Array.from({ length: publishers }, () => publisher(server.port, perPublisher, pipeline, message)));
  const total = perPublisher * publishers;
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (subs.every((s) => s.received() >= total)) resolve();
      else setTimeout(check, 1);
    };
    check();
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const s of subs) s.socket.destroy();
  return total / seconds;
}

function positiveInts(text: string, name: string): number[] {
  const values = text.split(',').map(Number);
  if (values.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`--${name} takes positive integers, got ${JSON.stringify(text)}`);
  return values;
}

async function main(): Promise<void> {
  const options = new Command()
    .option('--subscribers <list>', 'subscriber counts to measure', '1,10,50')
    .option('--messages <n>', 'PUBLISH calls per measurement', '100000')
    .option('--publishers <n>', 'publisher connections', '4')
    .option('--pipeline <n>', 'unanswered PUBLISH per publisher', '16')
    .option('--datasize <n>', 'message size in bytes', '16')
    .option('--rounds <n>', 'rounds (the table shows medians)', '3')
    .parse()
    .opts<Options>();
  requireTools('pubsub', ['redis-server']);
  const counts = positiveInts(options.subscribers, 'subscribers');
  const [messages] = positiveInts(options.messages, 'messages');
  const [publishers] = positiveInts(options.publishers, 'publishers');
  const [pipeline] = positiveInts(options.pipeline, 'pipeline');
  const [datasize] = positiveInts(options.datasize, 'datasize');
  const [rounds] = positiveInts(options.rounds, 'rounds');

  const servers = await Promise.all([startRedis(), startNodis()]);
  const results = new Map<string, number[]>();
  try {
    // Warm-up, so that V8 has compiled the hot paths before the first measured round.
    for (const server of servers) await measure(server, 2, 20000, publishers, pipeline, datasize);
    for (let round = 0; round < rounds; round++) {
      for (const n of counts) {
        // Alternate which server goes first.
        const order = round % 2 === 0 ? servers : [...servers].reverse();
        for (const server of order) {
          const rate = await measure(server, n, messages, publishers, pipeline, datasize);
          const key = `${server.name}:${n}`;
          results.set(key, [...(results.get(key) ?? []), rate]);
          console.error(`round ${round + 1}: ${server.name} ${n} subscribers: ${formatCount(rate)} PUBLISH/s`);
        }
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  const rows = counts.map((n) => {
    const redis = median(results.get(`redis:${n}`) ?? []);
    const nodis = median(results.get(`nodis:${n}`) ?? []);
    return [String(n), formatCount(redis), formatCount(nodis), formatCount(nodis * n), formatRatio(nodis / redis)];
  });
  console.log(markdownTable(['subscribers', 'redis PUBLISH/s', 'nodis PUBLISH/s', 'nodis msgs delivered/s', 'nodis/redis'], rows));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
