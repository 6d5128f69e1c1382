/**
 * INFO persistence, AOF part, with Redis 7.0's names: the aof_* fields every server prints, and
 * the ones it prints only while the AOF is enabled (aof_current_size ... aof_delayed_fsync).
 */
import type { Server } from '../../server/server';
import { addInfoLines, setInfoField } from '../../server/info';
import type { Aof } from './aof';

export function installAofInfo(server: Server, aof: Aof): void {
  const flag = (b: boolean): number => (b ? 1 : 0);
  setInfoField(server, 'aof_enabled', () => flag(aof.state !== 'off'));
  setInfoField(server, 'aof_rewrite_in_progress', () => flag(aof.rewrite !== null));
  setInfoField(server, 'aof_rewrite_scheduled', () => flag(aof.rewriteScheduled));
  setInfoField(server, 'aof_last_rewrite_time_sec', () => aof.lastRewriteSeconds);
  setInfoField(server, 'aof_current_rewrite_time_sec', () =>
    aof.rewrite === null ? -1 : Math.floor((Date.now() - aof.rewrite.startedAt) / 1000),
  );
  setInfoField(server, 'aof_last_bgrewrite_status', () => aof.lastRewriteStatus);
  setInfoField(server, 'aof_rewrites', () => aof.rewrites);
  setInfoField(server, 'aof_rewrites_consecutive_failures', () => aof.consecutiveFailures);
  setInfoField(server, 'aof_last_write_status', () => (aof.writer.healthy ? 'ok' : 'err'));
  addInfoLines(server, 'persistence', () => {
    if (aof.state === 'off') return '';
    const w = aof.writer;
    return (
      `aof_current_size:${w.currentSize}\r\n` +
      `aof_base_size:${aof.rewriteBaseSize}\r\n` +
      `aof_pending_rewrite:${flag(aof.rewriteScheduled)}\r\n` +
      `aof_buffer_length:${w.pendingBytes}\r\n` +
      `aof_pending_bio_fsync:${w.backgroundFsyncs}\r\n` +
      `aof_delayed_fsync:${w.delayedFsyncs}\r\n`
    );
  });
}
