/**
 * Several clients at once against both servers: a MirroredConnection is one connection to
 * redis-server and one to Nodis that receive the same commands; every reply (or pushed message)
 * read from it is compared byte for byte. For scenarios that need more than one client
 * (pub/sub, WATCH, blocking reads).
 */
import { expect } from 'vitest';
import type { CompatPair } from './harness';
import { RawConnection } from '../helpers/raw-connection';

const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'));

export class MirroredConnection {
  private constructor(
    readonly redis: RawConnection,
    readonly nodis: RawConnection,
  ) {}

  static async open(pair: CompatPair, resp: 2 | 3 = 2): Promise<MirroredConnection> {
    const conn = new MirroredConnection(
      await RawConnection.connect(pair.redisPort),
      await RawConnection.connect(pair.nodisPort),
    );
    if (resp === 3) await conn.call(['HELLO', '3'], false);
    return conn;
  }

  /** Sends a command to both servers without reading. */
  send(argv: string[]): void {
    this.redis.send(argv);
    this.nodis.send(argv);
  }

  /** Reads the next reply or push from both and compares them (unless compare is false). */
  async read(label = 'next reply', compare = true): Promise<Buffer> {
    const [fromRedis, fromNodis] = await Promise.all([this.redis.readReply(), this.nodis.readReply()]);
    if (compare) expect(show(fromNodis), label).toBe(show(fromRedis));
    return fromRedis;
  }

  /** Sends a command and compares its reply. */
  async call(argv: string[], compare = true): Promise<Buffer> {
    this.send(argv);
    return this.read(`reply to ${argv.map((a) => JSON.stringify(a)).join(' ')}`.slice(0, 300), compare);
  }

  /** Checks that neither server has sent anything more within `ms`. */
  async expectNothingWithin(ms: number): Promise<void> {
    this.send(['PING', 'marker']);
    const [fromRedis, fromNodis] = await Promise.all([this.redis.readReply(ms + 1000), this.nodis.readReply(ms + 1000)]);
    expect(show(fromNodis), 'nothing pending before the marker').toBe(show(fromRedis));
  }

  /** Checks that neither server sends anything for `ms` (without sending anything itself). */
  async expectSilenceFor(ms: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    expect([this.redis.unreadBytes, this.nodis.unreadBytes], 'bytes received meanwhile').toEqual([0, 0]);
  }

  close(): void {
    this.redis.close();
    this.nodis.close();
  }
}

/** Opens `count` mirrored connections, runs `body`, and closes them. */
export async function withMirrored(
  pair: CompatPair,
  count: number,
  body: (...conns: MirroredConnection[]) => Promise<void>,
  resp: 2 | 3 = 2,
): Promise<void> {
  const conns: MirroredConnection[] = [];
  try {
    for (let i = 0; i < count; i++) conns.push(await MirroredConnection.open(pair, resp));
    await conns[0].call(['FLUSHALL']);
    await body(...conns);
  } finally {
    for (const c of conns) c.close();
  }
}
