/**
 * BullMQ, which runs its queue operations as Lua scripts on the server, against Nodis and against
 * redis-server with the same scenario: 10,000 jobs processed by two workers with concurrency,
 * delayed jobs, retries with backoff, jobs that end up failed, QueueEvents, priorities and a job
 * scheduler (repeatable job). Both servers must end with the same counts.
 */
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { expect, test } from 'vitest';
import { describeNeedingRedis, startRedisServer } from '../compat/harness';
import { startNodis } from '../helpers/nodis';
import { waitFor, waitForAsync } from './wait';

const BULK_JOBS = 10_000;
const DELAYED_JOBS = 20;
const FLAKY_JOBS = 10;
const FAILING_JOBS = 5;

interface Outcome {
  counts: Record<string, number>;
  completedEvents: number;
  failedEvents: number;
  resultsOk: boolean;
  flakyAttempts: number[];
  failedReasons: string[];
  delayedNotEarly: boolean;
  priorityOrder: number[];
  schedulerTicks: boolean;
}

async function processor(job: Job): Promise<number> {
  if (job.name === 'fail') throw new Error('always fails');
  if (job.name === 'flaky' && job.attemptsMade < 2) throw new Error(`flaky attempt ${job.attemptsMade + 1}`);
  if (job.name === 'delayed' && Date.now() < job.data.notBefore) throw new Error('ran before its delay');
  return (job.data.n ?? 0) * 2;
}

/** The whole scenario against one server; every wait is on a condition. */
async function runScenario(port: number): Promise<Outcome> {
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const name = `interop-${port}`;
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  const workers: Worker[] = [];
  try {
    await queue.waitUntilReady();
    await events.waitUntilReady();
    let completedEvents = 0;
    let failedEvents = 0;
    events.on('completed', () => completedEvents++);
    events.on('failed', () => failedEvents++);

    // Priorities first, with no worker running: one worker with concurrency 1 must take them by priority.
    const priorities = [5, 1, 3, 2, 4];
    await queue.addBulk(priorities.map((p) => ({ name: 'prio', data: { p }, opts: { priority: p } })));
    const priorityOrder: number[] = [];
    const prioWorker = new Worker(
      name,
      async (job) => {
        priorityOrder.push(job.data.p);
        return 0;
      },
      { connection, concurrency: 1 },
    );
    await waitFor(() => priorityOrder.length === priorities.length, 'the prioritized jobs', 20000);
    await prioWorker.close();

    for (let i = 0; i < BULK_JOBS; i += 1000) {
      const chunk = Array.from({ length: 1000 }, (_, j) => ({ name: 'bulk', data: { n: i + j } }));
      await queue.addBulk(chunk);
    }
    const notBefore = Date.now() + 300;
    for (let i = 0; i < DELAYED_JOBS; i++) await queue.add('delayed', { n: i, notBefore }, { delay: 300 });
    for (let i = 0; i < FLAKY_JOBS; i++) {
      await queue.add('flaky', { n: i }, { attempts: 3, backoff: { type: 'fixed', delay: 20 } });
    }
    for (let i = 0; i < FAILING_JOBS; i++) {
      await queue.add('fail', { n: i }, { attempts: 2, backoff: { type: 'exponential', delay: 20 } });
    }
    await queue.upsertJobScheduler('ticker', { every: 150 }, { name: 'tick', data: { n: 0 } });

    for (let i = 0; i < 2; i++) workers.push(new Worker(name, processor, { connection, concurrency: 8 }));
    const expectedCompleted = priorities.length + BULK_JOBS + DELAYED_JOBS + FLAKY_JOBS;
    // Counts read from the server: stop when everything but the ticks is done and a few ticks ran.
    await waitForAsync(
      async () => (await queue.getCompletedCount()) >= expectedCompleted + 3 && (await queue.getFailedCount()) === FAILING_JOBS,
      'every job to finish',
      180000,
    );
    await queue.removeJobScheduler('ticker');
    await Promise.all(workers.map((w) => w.close()));
    workers.length = 0;

    const completedJobs = await queue.getCompleted(0, -1);
    const results = completedJobs.filter((j) => j.name === 'bulk');
    const flaky = completedJobs.filter((j) => j.name === 'flaky');
    const failedJobs = await queue.getFailed(0, -1);
    await waitFor(() => completedEvents >= expectedCompleted && failedEvents >= FAILING_JOBS, 'the QueueEvents', 30000);
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'wait');
    return {
      counts,
      completedEvents: Math.min(completedEvents, expectedCompleted),
      failedEvents,
      resultsOk: results.length === BULK_JOBS && results.every((j) => j.returnvalue === j.data.n * 2),
      flakyAttempts: flaky.map((j) => j.attemptsMade).sort(),
      failedReasons: failedJobs.map((j) => `${j.failedReason} after ${j.attemptsMade}`).sort(),
      delayedNotEarly: completedJobs.filter((j) => j.name === 'delayed').length === DELAYED_JOBS,
      priorityOrder,
      schedulerTicks: completedJobs.filter((j) => j.name === 'tick').length >= 3,
    };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

describeNeedingRedis('BullMQ against Nodis and redis-server')('BullMQ against Nodis and redis-server', () => {
  test('the same scenario ends with the same counts on both servers', { timeout: 400000 }, async () => {
    const redis = await startRedisServer();
    const nodis = await startNodis();
    try {
      const fromRedis = await runScenario(redis.port);
      const fromNodis = await runScenario(nodis.port);
      expect(fromRedis.resultsOk).toBe(true);
      expect(fromRedis.priorityOrder).toEqual([1, 2, 3, 4, 5]);
      expect(fromRedis.schedulerTicks).toBe(true);
      expect(fromNodis).toEqual(fromRedis);
    } finally {
      await Promise.all([redis.stop(), nodis.stop()]);
    }
  });
});
