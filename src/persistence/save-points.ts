/**
 * Save points, `save <seconds> <changes> [<seconds> <changes> ...]`: as in Redis's serverCron, a
 * BGSAVE starts once at least <changes> writes were made and more than <seconds> passed since the
 * last successful save. After a failed background save the next try waits
 * CONFIG_BGSAVE_RETRY_DELAY (5 s). A BGSAVE scheduled while another background job ran (BGSAVE
 * SCHEDULE, BGSAVE inside a transaction) starts here too, once that job is over.
 */
import type { Server } from '../server/server';
import { persistenceOf } from './persistence-state';
import { startBackgroundSave } from './background-save';

export interface SavePoint {
  seconds: number;
  changes: number;
}

/** The pairs of a `save` value as CONFIG GET shows it ("3600 1 300 100"); "" gives none. */
export function parseSavePoints(value: string): SavePoint[] {
  const parts = value.split(' ').filter(Boolean).map(Number);
  const points: SavePoint[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) points.push({ seconds: parts[i], changes: parts[i + 1] });
  return points;
}

/** The first save point reached by `changes` writes made `elapsedSeconds` after the last save. */
export function reachedSavePoint(points: SavePoint[], changes: number, elapsedSeconds: number): SavePoint | null {
  for (const point of points) {
    if (changes >= point.changes && elapsedSeconds > point.seconds) return point;
  }
  return null;
}

/** Called from the server cron: starts a BGSAVE when a save point is reached or one is scheduled. */
export function runSavePoints(server: Server): void {
  const state = persistenceOf(server);
  if (state.current !== null || state.otherJobActive()) return;
  if (!state.mayStartAutomaticSave()) return;
  const point = reachedSavePoint(
    parseSavePoints(server.config.get('save')),
    state.changesSinceLastSave(),
    state.nowSeconds() - state.lastSave,
  );
  if (point !== null) {
    server.log.notice(`${point.changes} changes in ${point.seconds} seconds. Saving...`);
    startBackgroundSave(server);
  } else if (state.bgsaveScheduled) {
    state.bgsaveScheduled = false;
    startBackgroundSave(server);
  }
}
