/**
 * Starting the nodis-server bin again with a larger V8 heap (see node-flags.ts for the sizing):
 * the heap limit is fixed when V8 starts, and only the configuration says how large it must be.
 *
 * The first process stays as a thin parent: the child inherits its standard output and error (and
 * its standard input, or gets the configuration text the parent already read from it), the
 * parent forwards SIGINT, SIGTERM and SIGHUP and ends as the child ends (same exit status, or the
 * same signal). The child runs in a process group of its own so that a Ctrl-C in a terminal
 * reaches it once, through the parent, rather than twice (a second SIGINT means "exit now"). An
 * IPC channel between the two tells the child when the parent is gone (even killed with
 * SIGKILL): it then shuts down as on SIGTERM instead of running on unattended.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as v8 from 'node:v8';
import { NO_RELAUNCH_ENV, planHeap, type HeapPlan } from './node-flags';

/** Set in the child's environment to the heap limit it was given (MB): one relaunch at most. */
export const RELAUNCH_MARKER_ENV = 'NODIS_HEAP_RELAUNCHED';

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The heap limit this process was relaunched with (MB), or null; forgets the marker so that processes it starts do not inherit it. */
export function takeRelaunchMarker(): number | null {
  const value = process.env[RELAUNCH_MARKER_ENV];
  if (value === undefined) return null;
  delete process.env[RELAUNCH_MARKER_ENV];
  const mb = Number(value);
  return Number.isFinite(mb) ? mb : null;
}

/** planHeap() for this process. */
export function planHeapForThisProcess(maxmemory: number, relaunched: boolean): HeapPlan {
  return planHeap({
    maxmemory,
    totalMemory: os.totalmem(),
    currentLimitBytes: v8.getHeapStatistics().heap_size_limit,
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS,
    relaunchDisabled: process.env[NO_RELAUNCH_ENV] === '1',
    relaunched,
  });
}

export interface RelaunchOptions {
  nodeArgs: string[];
  limitMb: number;
  /** The script's own arguments, as given. */
  args: string[];
  /** Where the process started (before the configuration's `dir` changed it). */
  cwd: string;
  /** Configuration text the parent read from standard input, handed to the child's; null: inherit it. */
  stdinText: string | null;
}

/** Runs this script in a child node with `nodeArgs`; this process then exits as the child does. */
export function relaunch(options: RelaunchOptions): void {
  const child = spawn(process.execPath, [...options.nodeArgs, process.argv[1], ...options.args], {
    cwd: options.cwd,
    env: { ...process.env, [RELAUNCH_MARKER_ENV]: String(options.limitMb) },
    stdio: [options.stdinText === null ? 'inherit' : 'pipe', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  if (options.stdinText !== null) child.stdin!.end(options.stdinText, 'latin1');
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  child.on('error', (e) => {
    process.stderr.write(`Could not restart with a larger heap: ${e.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    // Die of the same signal, so that whoever waits for this process sees what happened.
    for (const s of FORWARDED_SIGNALS) process.off(s, forward);
    process.kill(process.pid, signal);
  });
}

/** In the relaunched child: shut down (as on SIGTERM) once the parent is gone. */
export function followParent(): void {
  if (!process.channel) return;
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // The channel must not keep the process alive by itself.
  process.channel.unref();
}
