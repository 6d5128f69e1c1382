/**
 * Benchmarks that redis-benchmark has no -t name for: a command line of its own, run after a
 * set-up that loads the data it reads. Both servers get the same set-up.
 */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { RespConnection } from './resp-connection';

export interface CustomTest {
  /** What the table shows. */
  title: string;
  /** Loads the data the command needs, on the server at `port`. */
  setup(port: number): Promise<void>;
  /** The command for redis-benchmark; `__rand_int__` becomes a random number below -r. */
  command: string[];
}

/** Sends commands over one pipelined connection and waits for as many replies. */
async function pipeline(port: number, commands: string[][]): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let pending = commands.length;
  let lineStart = true;
  const done = new Promise<void>((resolve) => {
    // Every reply of ZADD/DEL/MSET is one line (":1\r\n", "+OK\r\n"), so counting line ends counts replies.
    socket.on('data', (chunk: Buffer) => {
      for (const byte of chunk) {
        if (byte === 10) {
          pending--;
          lineStart = true;
        } else lineStart = false;
      }
      if (pending <= 0 && lineStart) resolve();
    });
  });
  const encoded = commands.map((argv) => `*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
  for (let i = 0; i < encoded.length; i += 1000) socket.write(encoded.slice(i, i + 1000).join(''));
  await done;
  socket.destroy();
}

const ZSET_MEMBERS = 100_000;

/** Deletes a key (DEL replies one line, as pipeline() counts them). */
async function deleteKey(port: number, key: string): Promise<void> {
  await pipeline(port, [['DEL', key]]);
}

/** The script the evalsha test runs; redis-benchmark needs its SHA1 on the command line. */
const INCR_SCRIPT = "return redis.call('INCR', KEYS[1])";
const INCR_SCRIPT_SHA = createHash('sha1').update(INCR_SCRIPT).digest('hex');

/**
 * SCRIPT LOADs a script. A server without scripting replies an error: that is reported and the
 * benchmark goes on, so the test's cell shows the server's NOSCRIPT or unknown-command error.
 */
async function loadScript(port: number, script: string, sha: string): Promise<void> {
  const connection = await RespConnection.connect(port);
  try {
    const reply = await connection.call(['SCRIPT', 'LOAD', script]);
    if (reply !== `$40\r\n${sha}\r\n`) console.error(`SCRIPT LOAD on port ${port}: ${reply.trim()}`);
  } finally {
    connection.close();
  }
}

/** Keys key:000000000000 .. key:000000099999 (redis-benchmark's names for -r 100000, the default keyspace). */
const MGET_KEYS = 100_000;

export const CUSTOM_TESTS: Record<string, CustomTest> = {
  // redis-benchmark 7.0's -t mset writes 10 keys; this reads 10, all present (values of 16 bytes).
  mget: {
    title: 'MGET (10 keys)',
    async setup(port) {
      const commands: string[][] = [];
      for (let i = 0; i < MGET_KEYS; i += 100) {
        const argv = ['MSET'];
        for (let j = i; j < i + 100; j++) argv.push(`key:${String(j).padStart(12, '0')}`, 'v'.repeat(16));
        commands.push(argv);
      }
      await pipeline(port, commands);
    },
    command: ['MGET', ...Array.from({ length: 10 }, () => 'key:__rand_int__')],
  },
  zrangebyscore: {
    title: `ZRANGEBYSCORE (${ZSET_MEMBERS / 1000}k members, LIMIT 0 10)`,
    async setup(port) {
      const commands: string[][] = [['DEL', 'bench:zset']];
      for (let i = 0; i < ZSET_MEMBERS; i += 100) {
        const argv = ['ZADD', 'bench:zset'];
        for (let j = i; j < i + 100; j++) argv.push(String(j), `member:${j}`);
        commands.push(argv);
      }
      await pipeline(port, commands);
    },
    command: ['ZRANGEBYSCORE', 'bench:zset', '__rand_int__', '+inf', 'LIMIT', '0', '10'],
  },
  // redis-benchmark 7.0 has no -t xadd: auto IDs, two small fields, one stream growing.
  xadd: {
    title: 'XADD (auto ID, 2 fields)',
    setup: (port) => deleteKey(port, 'bench:stream'),
    command: ['XADD', 'bench:stream', '*', 'field', '__rand_int__', 'n', '1'],
  },
  // A cached script making one redis.call: the cost of EVALSHA's dispatch into Lua and back.
  evalsha: {
    title: 'EVALSHA (script INCR of a random key)',
    setup: (port) => loadScript(port, INCR_SCRIPT, INCR_SCRIPT_SHA),
    command: ['EVALSHA', INCR_SCRIPT_SHA, '1', 'key:__rand_int__'],
  },
};
