/**
 * MEMORY MALLOC-STATS. Redis prints jemalloc's statistics; Nodis's memory is V8's heap, so it
 * prints V8's statistics instead, framed the way jemalloc's report is ("___ Begin ... ___" to
 * "--- End ... ---"): the heap totals, the process figures, and one line per heap space.
 */
import * as v8 from 'node:v8';

/** A right-aligned table: the first column is the row name, then one column per field. */
function table(header: string[], rows: (string | number)[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: (string | number)[]): string =>
    '  ' + cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)];
}

export function heapStatsReport(): string {
  const heap = v8.getHeapStatistics() as unknown as Record<string, number>;
  const usage = process.memoryUsage() as unknown as Record<string, number>;
  const spaces = v8.getHeapSpaceStatistics();
  const gcExposed = typeof (globalThis as { gc?: unknown }).gc === 'function';
  const lines = [
    '___ Begin V8 heap statistics ___',
    `Version: "${process.versions.v8}" (Node.js ${process.version})`,
    'Run-time option settings',
    `  gc exposed (MEMORY PURGE collects garbage): ${gcExposed}`,
    'Heap totals (bytes)',
    ...Object.entries(heap).map(([name, value]) => `  ${name}: ${value}`),
    'Process (bytes)',
    ...Object.entries(usage).map(([name, value]) => `  ${name}: ${value}`),
    'Heap spaces (bytes)',
    ...table(
      ['space', 'size', 'used', 'available', 'physical'],
      spaces.map((s) => [s.space_name, s.space_size, s.space_used_size, s.space_available_size, s.physical_space_size]),
    ),
    '--- End V8 heap statistics ---',
  ];
  return lines.join('\n') + '\n';
}
