/**
 * Micro-benchmark cases for the list commands, run by micro.ts (`node dist/bench/micro.js list`),
 * at two levels, on lists in the default node size (list-max-listpack-size -2):
 * - listCases: the data-structure side of each command, that is the quicklist operation plus the
 *   reply it makes (the strings a read returns are written out, as the command does);
 * - listCommandCases: the whole command run in-process by the dispatcher (lookups, the reply,
 *   statistics, memory accounting), without sockets.
 *
 * Pushes start a new list every 100k elements; pops start again from a copy of a 100k-element
 * list (the commands push one element back for each pop instead); reads and LSET use a
 * 10k-element list; LINSERT starts each batch from a copy of a 1k-element list. Elements are
 * 10-byte flat strings, as a request brings them.
 */
import { ReplyWriter } from '../src/protocol/reply-writer';
import { Quicklist } from '../src/types/quicklist';
import { Server } from '../src/server/server';
import { configFrom } from '../src/index';

export interface ListCase {
  group: string;
  name: string;
  fn: () => void;
}

/** `count` distinct 10-byte elements, sliced from one buffer as the request parser makes them. */
function listElements(count: number): string[] {
  const text = Array.from({ length: count }, (_, i) => `e:${String(i).padStart(8, '0')}`).join('');
  const bytes = Buffer.from(text, 'latin1');
  return Array.from({ length: count }, (_, i) => bytes.toString('latin1', i * 10, i * 10 + 10));
}

export function listCases(batch: number): ListCase[] {
  const w = new ReplyWriter(() => undefined);
  const elements = listElements(1 << 14);
  let at = 0;
  const nextElement = () => elements[(at = (at + 1) & (elements.length - 1))];
  const build = (length: number) => Quicklist.from(Array.from({ length }, nextElement));
  const LARGE = 100_000;
  const popSource = build(LARGE);
  const readList = build(10_000);
  // Random indexes fixed in advance, so that the timing is of the list only.
  const indexes = Array.from({ length: 1 << 16 }, () => Math.floor(Math.random() * readList.length));
  let probe = 0;
  const nextIndex = () => indexes[(probe = (probe + 1) & 0xffff)];
  const pivots = Array.from({ length: 1000 }, nextElement);
  const insertSource = Quicklist.from(pivots);
  let pushed = new Quicklist();
  let popped = popSource.clone();

  const pushCase = (head: boolean) => () => {
    for (let i = 0; i < batch; i++) {
      if (pushed.length >= LARGE) pushed = new Quicklist();
      if (head) pushed.pushHead(nextElement());
      else pushed.pushTail(nextElement());
      w.integer(pushed.length);
    }
    w.out.take();
  };
  const popCase = (head: boolean) => () => {
    for (let i = 0; i < batch; i++) {
      if (popped.length === 0) popped = popSource.clone();
      w.bulk((head ? popped.popHead() : popped.popTail())!);
    }
    w.out.take();
  };
  const rangeCase = (stop: number) => () => {
    for (let i = 0; i < batch; i++) {
      w.bulkArray(readList.range(0, stop));
      w.out.take();
    }
  };
  const group = 'list (quicklist + reply)';
  return [
    { group, name: 'LPUSH, 10 bytes', fn: pushCase(true) },
    { group, name: 'RPUSH, 10 bytes', fn: pushCase(false) },
    { group, name: 'LPOP', fn: popCase(true) },
    { group, name: 'RPOP', fn: popCase(false) },
    {
      group,
      name: 'RPUSH 5 elements into a new list (per list)',
      fn: () => {
        for (let i = 0; i < batch; i++) {
          const list = new Quicklist();
          const argv = ['RPUSH', 'key', nextElement(), nextElement(), nextElement(), nextElement(), nextElement()];
          list.pushAll(argv, 2, false);
          w.integer(list.length);
        }
        w.out.take();
      },
    },
    {
      group,
      name: 'LINDEX, random index of 10k',
      fn: () => {
        for (let i = 0; i < batch; i++) w.bulk(readList.get(nextIndex())!);
        w.out.take();
      },
    },
    { group, name: 'LRANGE 0 99', fn: rangeCase(99) },
    { group, name: 'LRANGE 0 299', fn: rangeCase(299) },
    {
      group,
      name: 'LSET, random index of 10k',
      fn: () => {
        for (let i = 0; i < batch; i++) {
          readList.set(nextIndex(), nextElement());
          w.ok();
        }
        w.out.take();
      },
    },
    {
      group,
      name: 'LINSERT BEFORE a random pivot of 1k',
      fn: () => {
        const list = insertSource.clone();
        for (let i = 0; i < batch; i++) {
          list.insert(pivots[nextIndex() % pivots.length], nextElement(), false);
          w.integer(list.length);
        }
        w.out.take();
      },
    },
  ];
}

/** The commands themselves, run in-process through the dispatcher. */
export function listCommandCases(batch: number): ListCase[] {
  const server = new Server({ config: configFrom({ loglevel: 'warning' }) });
  const c = server.addClient(null);
  const elements = listElements(1 << 14);
  let at = 0;
  const nextElement = () => elements[(at = (at + 1) & (elements.length - 1))];
  const run = (argv: string[]) => server.dispatcher.execute(c, argv);
  for (let i = 0; i < 100_000; i++) run(['RPUSH', 'queue', nextElement()]);
  for (let i = 0; i < 10_000; i++) run(['RPUSH', 'read', nextElement()]);
  c.reply.out.take();
  let pushes = 0;
  let probe = 0;
  const nextIndex = () => String((probe = (probe + 7919) % 10_000));
  const batches = (command: (i: number) => void) => () => {
    for (let i = 0; i < batch; i++) command(i);
    c.reply.out.take();
  };
  const push = (name: string) =>
    batches(() => {
      if (++pushes % 100_000 === 0) run(['DEL', 'pushed']);
      run([name, 'pushed', nextElement()]);
    });
  // A pop, and a push at the other end so that the list keeps its length.
  const pop = (name: string, refill: string) =>
    batches(() => {
      run([name, 'queue']);
      run([refill, 'queue', nextElement()]);
    });
  let smallLists = 0;
  const other = server.addClient(null);
  server.dispatcher.execute(other, ['SELECT', '1']);
  const group = 'list commands (in-process)';
  return [
    { group, name: 'LPUSH', fn: push('LPUSH') },
    { group, name: 'RPUSH', fn: push('RPUSH') },
    { group, name: 'LPOP + RPUSH', fn: pop('LPOP', 'RPUSH') },
    { group, name: 'RPOP + LPUSH', fn: pop('RPOP', 'LPUSH') },
    {
      group,
      name: 'RPUSH key with 5 elements (new keys)',
      fn: () => {
        // Each batch makes `batch` new lists in database 1; every 20 batches they are deleted.
        if (++smallLists % 20 === 0) server.dispatcher.execute(other, ['FLUSHDB']);
        for (let i = 0; i < batch; i++) {
          const argv = ['RPUSH', `small:${smallLists % 20}:${i}`];
          for (let j = 0; j < 5; j++) argv.push(nextElement());
          server.dispatcher.execute(other, argv);
        }
        other.reply.out.take();
      },
    },
    { group, name: 'LINDEX, 10k elements', fn: batches(() => run(['LINDEX', 'read', nextIndex()])) },
    {
      group,
      name: 'LRANGE 0 99',
      fn: () => {
        for (let i = 0; i < batch; i++) {
          run(['LRANGE', 'read', '0', '99']);
          c.reply.out.take();
        }
      },
    },
    { group, name: 'LSET, 10k elements', fn: batches(() => run(['LSET', 'read', nextIndex(), nextElement()])) },
  ];
}
