/**
 * Keyspace notification scripts against redis-server, byte for byte: a writer connection runs
 * commands while a subscriber connection (PSUBSCRIBE `__key*__:*`, one pattern so the pmessage
 * order is Redis's own) collects the events. After every step a connection of its own publishes
 * a marker on a channel the pattern matches, and the pmessages each server sent before the marker
 * are compared as one list, so a missing, extra or misordered event names the step that caused it.
 */
import { expect, test } from 'vitest';
import type { CompatPair } from './harness';
import { withMirrored, type MirroredConnection } from './mirrored';
import type { RawConnection } from '../helpers/raw-connection';

/**
 * A step: a command for the writer (argv), a command whose reply is not compared, a command on
 * another client (`client` 2 and up; `send` leaves the reply unread, for blocking commands),
 * reading that client's pending reply, or a pause (for expiry).
 */
export type EventStep =
  | string[]
  | { argv: string[]; compare: false }
  | { client: number; argv: string[] }
  | { client: number; send: string[] }
  | { client: number; read: string }
  | { sleep: number };

const MARKER_CHANNEL = '__key__:step-end';
const BLOCK_SETTLE_MS = 50;

const show = (b: Buffer): string => JSON.stringify(b.toString('latin1'));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The pmessages a server pushed before the step marker. */
async function eventsUntilMarker(conn: RawConnection): Promise<string[]> {
  const events: string[] = [];
  for (;;) {
    const message = show(await conn.readReply());
    if (message.includes(MARKER_CHANNEL)) return events;
    events.push(message);
  }
}

function describeStep(step: EventStep): string {
  if (Array.isArray(step)) return step.join(' ');
  if ('sleep' in step) return `sleep ${step.sleep}`;
  if ('read' in step) return `client ${step.client} reads ${step.read}`;
  if ('send' in step) return `client ${step.client} sends ${step.send.join(' ')}`;
  return `${'client' in step ? `client ${step.client}: ` : ''}${step.argv.join(' ')}`;
}

async function runStep(step: EventStep, conns: MirroredConnection[]): Promise<void> {
  const writer = conns[0];
  if (Array.isArray(step)) await writer.call(step);
  else if ('sleep' in step) await sleep(step.sleep);
  else if ('read' in step) await conns[step.client].read(step.read);
  else if ('send' in step) {
    conns[step.client].send(step.send);
    await sleep(BLOCK_SETTLE_MS);
  } else if ('client' in step) await conns[step.client].call(step.argv);
  else await writer.call(step.argv, false);
}

/** Number of connections a script needs: writer, subscriber and the extra clients it names. */
function connectionsFor(steps: EventStep[]): number {
  let count = 2;
  for (const step of steps) if (!Array.isArray(step) && 'client' in step) count = Math.max(count, step.client + 1);
  return count;
}

/**
 * Runs `steps` with notify-keyspace-events set to `flags` on both servers and compares the
 * events of every step. The subscriber speaks RESP `resp`.
 */
export async function expectSameEvents(pair: CompatPair, flags: string, steps: EventStep[], resp: 2 | 3 = 2): Promise<void> {
  // One more connection publishes the step markers: the writer's own would be queued by MULTI.
  await withMirrored(pair, connectionsFor(steps) + 1, async (...conns) => {
    const [writer, subscriber] = conns;
    const marker = conns[conns.length - 1];
    await writer.call(['CONFIG', 'SET', 'notify-keyspace-events', flags]);
    if (resp === 3) await subscriber.call(['HELLO', '3'], false);
    await subscriber.call(['PSUBSCRIBE', '__key*__:*']);
    try {
      for (const step of steps) {
        await runStep(step, conns);
        await marker.call(['PUBLISH', MARKER_CHANNEL, 'end']);
        const [fromRedis, fromNodis] = await Promise.all([
          eventsUntilMarker(subscriber.redis),
          eventsUntilMarker(subscriber.nodis),
        ]);
        expect(fromNodis.join('\n'), `events of: ${describeStep(step)}`.slice(0, 300)).toBe(fromRedis.join('\n'));
      }
    } finally {
      await writer.call(['CONFIG', 'SET', 'notify-keyspace-events', ''], false);
    }
  });
}

/** Server setup for scripts that use DEBUG (SET-ACTIVE-EXPIRE), on both servers. */
export const DEBUG_ENABLED = {
  nodis: { config: { 'enable-debug-command': 'local' } },
  redisDirectives: ['--enable-debug-command', 'local'],
};

/**
 * `steps` with active expiry off, so a key set to expire in the past is deleted by the next
 * command that reads it on both servers, not by whichever server's expiry cycle happens to run
 * before the step ends. Needs DEBUG_ENABLED.
 */
export function withoutActiveExpiry(steps: EventStep[]): EventStep[] {
  return [['DEBUG', 'SET-ACTIVE-EXPIRE', '0'], ...steps, ['DEBUG', 'SET-ACTIVE-EXPIRE', '1']];
}

/** Flag sets every script runs with: all classes (A), and all with key misses (m) and new keys (n). */
const SCRIPT_FLAG_SETS = ['KEA', 'KEAmn'];

/** Tests comparing the events of a script, once per flag set. */
export function eventScript(pair: CompatPair, name: string, steps: EventStep[], flagSets = SCRIPT_FLAG_SETS): void {
  for (const flags of flagSets) {
    test(`${name} (${flags})`, async () => {
      await expectSameEvents(pair, flags, steps);
    });
  }
}
