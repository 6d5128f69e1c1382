/**
 * Pub/sub against redis-server, byte for byte: subscription confirmations, messages, patterns,
 * shard channels, the RESP2 subscribed-mode restrictions, RESP3 push frames, PUBSUB
 * introspection and RESET.
 */
import { test } from 'vitest';
import { compatScript as compat, describeCompat } from './harness';
import { withMirrored } from './mirrored';

describeCompat('compat: pub/sub', (pair) => {
  compat(pair, 'subscribe confirmations, duplicates and unsubscribing everything', () => [
    ['UNSUBSCRIBE'],
    ['PUNSUBSCRIBE'],
    ['SUNSUBSCRIBE'],
    ['SUBSCRIBE', 'a'],
    ['SUBSCRIBE', 'a'],
    ['PSUBSCRIBE', 'news.*'],
    ['SSUBSCRIBE', 's1'],
    ['UNSUBSCRIBE', 'never-subscribed'],
    ['UNSUBSCRIBE', 'a'],
    ['PUNSUBSCRIBE', 'news.*', 'other'],
    ['SUNSUBSCRIBE', 's1'],
    ['UNSUBSCRIBE'],
    ['SUBSCRIBE', '\x00bin\xff'],
    ['UNSUBSCRIBE', '\x00bin\xff'],
  ]);

  test('multi-channel subscribe replies one confirmation per channel', async () => {
    await pair.expectSame([{ raw: '*4\r\n$9\r\nSUBSCRIBE\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nx\r\n', replies: 3 }]);
    await pair.expectSame([{ raw: '*3\r\n$10\r\nSSUBSCRIBE\r\n$1\r\np\r\n$1\r\nq\r\n', replies: 2 }]);
  });

  compat(pair, 'arity errors', () => [
    ['SUBSCRIBE'],
    ['PSUBSCRIBE'],
    ['SSUBSCRIBE'],
    ['PUBLISH', 'a'],
    ['SPUBLISH', 'a', 'b', 'c'],
    ['PUBSUB'],
    ['PUBSUB', 'NOPE'],
    ['PUBSUB', 'NUMPAT', 'x'],
    ['PUBSUB', 'CHANNELS', 'a', 'b'],
    ['PUBSUB', 'SHARDCHANNELS', 'a', 'b'],
    ['PUBSUB', 'HELP'],
  ]);

  test('RESP2: a subscribed client may only run the subscribe family, PING, QUIT and RESET', async () => {
    await pair.expectSame([
      ['SUBSCRIBE', 'a'],
      ['GET', 'k'],
      ['CLIENT', 'INFO'],
      ['PUBLISH', 'a', 'm'],
      ['PING'],
      ['PING', 'hello'],
      ['PSUBSCRIBE', 'x*'],
      ['UNSUBSCRIBE'],
      ['GET', 'k'],
      ['PUNSUBSCRIBE'],
      ['GET', 'k'],
      ['SSUBSCRIBE', 's'],
      ['SET', 'k', 'v'],
      ['RESET'],
      ['GET', 'k'],
    ]);
  });

  test('RESP3: push frames, and every command stays allowed', async () => {
    await pair.expectSame(
      [['SUBSCRIBE', 'a'], ['PSUBSCRIBE', 'a*'], ['SET', 'k', 'v'], ['GET', 'k'], ['PING'], ['UNSUBSCRIBE', 'a'], ['PUNSUBSCRIBE']],
      { resp: 3 },
    );
  });

  // Redis walks its pattern dict in a per-process hash order, so a client with several matching
  // patterns gets its pmessages in an order that differs between servers: one pattern per client.
  for (const resp of [2, 3] as const) {
    test(`messages reach channel, pattern and shard subscribers (RESP${resp})`, async () => {
      await withMirrored(
        pair,
        4,
        async (publisher, channels, pattern, catchAll) => {
          await channels.call(['SUBSCRIBE', 'news.tech', 'news.art']);
          await channels.read();
          await pattern.call(['PSUBSCRIBE', 'n?ws.[st]ech']);
          await pattern.call(['SSUBSCRIBE', 'news.tech']);
          await catchAll.call(['PSUBSCRIBE', '*']);
          await publisher.call(['PUBLISH', 'news.tech', 'hello']);
          await channels.read('message');
          await pattern.read('pmessage');
          await catchAll.read('pmessage for *');
          await publisher.call(['PUBLISH', 'nobody', '']);
          await catchAll.read('pmessage for * of an empty message');
          await publisher.call(['SPUBLISH', 'news.tech', '\x00bin\xff\r\n']);
          await pattern.read('smessage');
          await publisher.call(['SPUBLISH', 'news.art', 'x']);
          await publisher.call(['PUBSUB', 'NUMSUB', 'news.tech', 'news.art', 'none']);
          await publisher.call(['PUBSUB', 'NUMSUB']);
          await publisher.call(['PUBSUB', 'NUMPAT']);
          await publisher.call(['PUBSUB', 'SHARDNUMSUB', 'news.tech', 'none']);
          await publisher.call(['PUBSUB', 'SHARDCHANNELS']);
          await publisher.call(['PUBSUB', 'SHARDCHANNELS', 'x*']);
          await publisher.call(['PUBSUB', 'CHANNELS', 'news.t*']);
          await publisher.call(['PUBSUB', 'CHANNELS', 'none*']);
          await channels.call(['UNSUBSCRIBE', 'news.tech']);
          await publisher.call(['PUBLISH', 'news.tech', 'again']);
          await pattern.read('pmessage after the channel subscriber left');
          await catchAll.read('pmessage for * after the channel subscriber left');
          await channels.expectNothingWithin(50);
          await pattern.call(['RESET']);
          await publisher.call(['PUBLISH', 'news.tech', 'after reset']);
          await catchAll.read('pmessage for * after reset');
          await publisher.call(['PUBSUB', 'NUMPAT']);
          await publisher.call(['PUBSUB', 'SHARDNUMSUB', 'news.tech']);
        },
        resp,
      );
    });
  }

  test('a subscriber that disconnects stops counting', async () => {
    await withMirrored(pair, 2, async (publisher, subscriber) => {
      await subscriber.call(['SUBSCRIBE', 'gone']);
      subscriber.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await publisher.call(['PUBLISH', 'gone', 'x']);
      await publisher.call(['PUBSUB', 'NUMSUB', 'gone']);
    });
  });

  for (const resp of [2, 3] as const) {
    test(`pushes are sent under CLIENT REPLY OFF, other replies are not (RESP${resp})`, async () => {
      await withMirrored(
        pair,
        2,
        async (publisher, subscriber) => {
          subscriber.send(['CLIENT', 'REPLY', 'OFF']);
          subscriber.send(['SUBSCRIBE', 'c']);
          await subscriber.read('subscribe confirmation');
          await publisher.call(['PUBLISH', 'c', 'delivered']);
          await subscriber.read('message');
          await subscriber.call(['UNSUBSCRIBE']);
          subscriber.send(['GET', 'no-reply']);
          await subscriber.call(['CLIENT', 'REPLY', 'ON']);
        },
        resp,
      );
    });
  }

  test('a subscription made inside MULTI takes effect at EXEC', async () => {
    await withMirrored(pair, 2, async (publisher, subscriber) => {
      await subscriber.call(['MULTI']);
      await subscriber.call(['SUBSCRIBE', 'q']);
      await subscriber.call(['EXEC']);
      await publisher.call(['PUBLISH', 'q', 'm']);
      await subscriber.read('message');
      await subscriber.call(['GET', 'k']);
    });
  });
});
