/**
 * The longest round trip of one command sent again and again, one at a time, while something
 * else loads a server: the pause a client would have seen. It runs in a worker thread, so that
 * the benchmark's own work (encoding millions of requests) does not delay the probe's replies.
 * Between two calls it waits `gapMs`, so that it costs the server little; a pause that starts
 * in a gap is seen less that part of the gap.
 *
 * A long round trip is either the server busy (a long task, a GC pause) or the server waiting
 * for a CPU other processes hold. With the server's pid, the probe also reads the CPU time its
 * main thread used during the slowest call (Linux /proc, 10 ms ticks): close to the round trip
 * when the server was busy, much less when it was starved.
 *
 *   const probe = startProbe(port, ['PING'], serverPid);
 *   ... load ...
 *   const { maxMs, calls } = await probe.stop();
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { RespClient } from './resp-client';

export interface ProbeResult {
  /** The longest round trip, in ms. */
  maxMs: number;
  /** CPU time of the server's main thread during that round trip, in ms (NaN when unknown). */
  serverCpuMsAtMax: number;
  calls: number;
  /** Error replies (they are counted, not fatal). */
  errors: number;
}

interface ProbeData {
  port: number;
  /** The server's pid (its main thread's id), or null. */
  pid: number | null;
  argv: string[];
  gapMs: number;
}

export interface Probe {
  stop(): Promise<ProbeResult>;
}

export function startProbe(port: number, argv: string[], pid: number | null = null, gapMs = 5): Probe {
  const worker = new Worker(__filename, { workerData: { port, pid, argv, gapMs } satisfies ProbeData });
  const result = new Promise<ProbeResult>((resolve, reject) => {
    worker.once('message', (m: ProbeResult) => resolve(m));
    worker.once('error', reject);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      const r = await result;
      await worker.terminate();
      return r;
    },
  };
}

/** USER_HZ, the unit of /proc times: 100 on Linux everywhere. */
const CLOCK_TICKS = os.platform() === 'linux' ? 100 : NaN;

/** CPU time (user + system) a thread has used, in ms, from /proc; NaN when unavailable. */
function threadCpuMs(pid: number | null): number {
  if (pid === null) return NaN;
  try {
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    const fields = fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'latin1').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}


async function probeLoop(data: ProbeData): Promise<void> {
  const client = await RespClient.connect(data.port);
  let stopping = false;
  parentPort!.once('message', () => (stopping = true));
  const result: ProbeResult = { maxMs: 0, serverCpuMsAtMax: NaN, calls: 0, errors: 0 };
  while (!stopping) {
    const cpuBefore = threadCpuMs(data.pid);
    const start = performance.now();
    const reply = await client.call(...data.argv);
    const ms = performance.now() - start;
    if (ms > result.maxMs) {
      result.maxMs = ms;
      result.serverCpuMsAtMax = threadCpuMs(data.pid) - cpuBefore;
    }
    result.calls++;
    if (reply instanceof Error) result.errors++;
    await new Promise((r) => setTimeout(r, data.gapMs));
  }
  client.close();
  parentPort!.postMessage(result);
}

if (!isMainThread && (workerData as ProbeData | undefined)?.argv) void probeLoop(workerData as ProbeData);
