import { describe, expect, test } from 'vitest';
import {
  DEFAULT_NODE_FLAGS, hasExplicitHeapLimit, heapLimitMb, heapLimitSetLine, heapTooSmallLine, planHeap, relaunchNodeArgs,
  type HeapSituation,
} from '../../src/memory/node-flags';

const MB = 1024 * 1024;
const GB = 1024 * MB;

describe('heapLimitMb', () => {
  test('maxmemory * 1.5 + 512 MB, rounded up to a whole MB', () => {
    expect(heapLimitMb(100 * MB, 24 * GB)).toBe(662);
    expect(heapLimitMb(4 * GB, 24 * GB)).toBe(6656);
    expect(heapLimitMb(1, 24 * GB)).toBe(513);
    expect(heapLimitMb(3 * MB + 1, 24 * GB)).toBe(517);
  });

  test('does not depend on the RAM when maxmemory is set (even above it)', () => {
    expect(heapLimitMb(64 * GB, 1 * GB)).toBe(98816);
  });

  test('maxmemory 0 (no limit): 3/4 of the RAM', () => {
    expect(heapLimitMb(0, 24 * GB)).toBe(18432);
    expect(heapLimitMb(0, 1 * GB + 1)).toBe(768);
    expect(heapLimitMb(0, 0)).toBe(0);
  });
});

describe('hasExplicitHeapLimit', () => {
  test('in the node flags, with dashes or underscores, with = or a separate value', () => {
    expect(hasExplicitHeapLimit(['--max-old-space-size=8000'], undefined)).toBe(true);
    expect(hasExplicitHeapLimit(['--max_old_space_size=8000'], undefined)).toBe(true);
    expect(hasExplicitHeapLimit(['--max-old-space-size', '8000'], undefined)).toBe(true);
  });

  test('in NODE_OPTIONS among other options', () => {
    expect(hasExplicitHeapLimit([], '--enable-source-maps  --max-old-space-size=8000')).toBe(true);
  });

  test('other flags, similar names and empty options do not count', () => {
    expect(hasExplicitHeapLimit(DEFAULT_NODE_FLAGS, '')).toBe(false);
    expect(hasExplicitHeapLimit(['--max-semi-space-size=2', '--max-old-space-size-x=3'], '--inspect')).toBe(false);
    expect(hasExplicitHeapLimit([], undefined)).toBe(false);
  });
});

describe('relaunchNodeArgs', () => {
  test('keeps the current flags, adds the missing defaults and the heap limit last', () => {
    expect(relaunchNodeArgs([], 6656)).toEqual([...DEFAULT_NODE_FLAGS, '--max-old-space-size=6656']);
    expect(relaunchNodeArgs(['--cpu-prof'], 100)).toEqual(['--cpu-prof', ...DEFAULT_NODE_FLAGS, '--max-old-space-size=100']);
  });

  test('a default flag already given, with its own value or spelling, is not repeated', () => {
    expect(relaunchNodeArgs(['--max-semi-space-size=2'], 7000)).toEqual(['--max-semi-space-size=2', '--max-old-space-size=7000']);
    expect(relaunchNodeArgs(['--max_semi_space_size=8'], 7000)).toEqual(['--max_semi_space_size=8', '--max-old-space-size=7000']);
  });
});

describe('planHeap', () => {
  const base: HeapSituation = {
    maxmemory: 4 * GB,
    totalMemory: 24 * GB,
    currentLimitBytes: 4102 * MB,
    execArgv: ['--max-semi-space-size=2'],
    nodeOptions: undefined,
    relaunchDisabled: false,
    relaunched: false,
  };

  test('relaunches when the current limit is below the wanted one', () => {
    expect(planHeap(base)).toEqual({
      action: 'relaunch',
      limitMb: 6656,
      currentMb: 4102,
      nodeArgs: ['--max-semi-space-size=2', '--max-old-space-size=6656'],
    });
    expect(planHeap({ ...base, maxmemory: 0 })).toMatchObject({ action: 'relaunch', limitMb: 18432 });
  });

  test('does nothing when the current limit is enough, never lowering it', () => {
    expect(planHeap({ ...base, maxmemory: 100 * MB })).toEqual({ action: 'none', limitMb: 662, currentMb: 4102 });
    expect(planHeap({ ...base, currentLimitBytes: 6656 * MB })).toMatchObject({ action: 'none' });
    // The relaunched process: V8 adds the young generation to the old-space size asked for.
    expect(planHeap({ ...base, currentLimitBytes: 6662 * MB, relaunched: true })).toMatchObject({ action: 'none' });
  });

  test('warns instead when a relaunch is disabled, already done, or the flag was given', () => {
    expect(planHeap({ ...base, relaunchDisabled: true })).toEqual({
      action: 'warn', limitMb: 6656, currentMb: 4102, because: 'NODIS_NO_RELAUNCH=1',
    });
    expect(planHeap({ ...base, relaunched: true })).toMatchObject({ action: 'warn', because: 'already restarted once with a larger heap' });
    expect(planHeap({ ...base, nodeOptions: '--max-old-space-size=4000' })).toMatchObject({
      action: 'warn', because: '--max-old-space-size given',
    });
    expect(planHeap({ ...base, execArgv: ['--max-old-space-size=4000'] })).toMatchObject({ action: 'warn' });
  });
});

describe('log lines', () => {
  test('the limit set by a relaunch', () => {
    expect(heapLimitSetLine(6656, 4 * GB)).toBe('Heap limit set to 6656 MB (maxmemory 4294967296)');
    expect(heapLimitSetLine(18432, 0)).toBe('Heap limit set to 18432 MB (maxmemory 0, no limit: 75% of RAM)');
  });

  test('a limit left too small', () => {
    expect(heapTooSmallLine({ limitMb: 6656, currentMb: 4102, because: 'NODIS_NO_RELAUNCH=1' }, 4 * GB)).toBe(
      'Heap limit is 4102 MB, below the 6656 MB wanted (maxmemory 4294967296), and the server was not restarted ' +
        'with a larger one (NODIS_NO_RELAUNCH=1): it may run out of heap before reaching maxmemory',
    );
  });
});
