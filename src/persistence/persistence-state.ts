/**
 * What Redis keeps about saving (server.lastsave, lastbgsave_status, dirty, stat_rdb_saves...):
 * when the dataset was last saved, how the last background save went, how many changes were
 * made since, and the numbers INFO persistence reports. One per server.
 *
 * Times are unix seconds read from the server's clock, so tests with a ManualClock control them.
 */
import type { Server } from '../server/server';
import type { Client } from '../server/client';
import { CommandFlag, type CommandSpec } from '../commands/registry';
import { setInfoField, type InfoValue } from '../server/info';
import type { BackgroundSave } from './background-save';
import { lastRdbLoad } from './rdb-file';

/** Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed background save, wait this long to retry. */
export const BGSAVE_RETRY_DELAY_SECONDS = 5;

export class PersistenceState {
  /** LASTSAVE: the last successful save; start-up counts as one, as in Redis. */
  lastSave: number;
  lastBgsaveStatus: 'ok' | 'err' = 'ok';
  /** When the last background save was started (for the retry delay after a failure). */
  lastBgsaveTry = 0;
  /** How long the last background save took (rdb_last_bgsave_time_sec), -1 before the first. */
  lastBgsaveSeconds = -1;
  /** SAVE and BGSAVE runs since start-up (rdb_saves). */
  rdbSaves = 0;
  /** keyspace.dirty as of the last save: changes since = dirty - this. */
  dirtyAtLastSave = 0;
  /** A BGSAVE to start once no other background job runs (BGSAVE SCHEDULE). */
  bgsaveScheduled = false;
  /** The background save in progress. */
  current: BackgroundSave | null = null;
  /**
   * True while another background job runs that a BGSAVE must not overlap (an AOF rewrite):
   * BGSAVE is then refused, or scheduled with SCHEDULE. Set by that job's owner.
   */
  otherJobActive: () => boolean = () => false;
  /** How much of the snapshot one event-loop turn writes (tests shrink it to interleave writes). */
  readonly slice = { maxKeys: 5000, maxMs: 2 };

  constructor(private readonly server: Server) {
    this.lastSave = this.nowSeconds();
    this.dirtyAtLastSave = server.keyspace.dirty;
  }

  nowSeconds(): number {
    return Math.floor(this.server.clock.now() / 1000);
  }

  /** rdb_changes_since_last_save. */
  changesSinceLastSave(): number {
    return Math.max(0, this.server.keyspace.dirty - this.dirtyAtLastSave);
  }

  /** A save of the dataset as of keyspace.dirty = `dirtyAtSave` reached the disk. */
  recordSave(dirtyAtSave: number): void {
    this.lastSave = this.nowSeconds();
    this.dirtyAtLastSave = dirtyAtSave;
    this.lastBgsaveStatus = 'ok';
  }

  /** True when save points are configured (Redis's saveparamslen > 0). */
  savePointsSet(): boolean {
    return this.server.config.get('save') !== '';
  }

  /** Writes are refused with MISCONF: the last background save failed and save points are set. */
  writesDenied(): boolean {
    return (
      this.lastBgsaveStatus === 'err' &&
      this.server.config.getBool('stop-writes-on-bgsave-error') &&
      this.savePointsSet()
    );
  }

  /** A failed background save is retried (by save points or SCHEDULE) only after the delay. */
  mayStartAutomaticSave(): boolean {
    return this.lastBgsaveStatus === 'ok' || this.nowSeconds() - this.lastBgsaveTry > BGSAVE_RETRY_DELAY_SECONDS;
  }
}

const states = new WeakMap<Server, PersistenceState>();

export function persistenceOf(server: Server): PersistenceState {
  let state = states.get(server);
  if (!state) {
    state = new PersistenceState(server);
    states.set(server, state);
  }
  return state;
}

/** INFO persistence fields that describe saving, as Redis computes them. */
export function installPersistenceInfo(server: Server): void {
  const state = persistenceOf(server);
  const fields: Record<string, () => InfoValue> = {
    current_fork_perc: () => {
      const job = state.current;
      return job && job.keysTotal > 0 ? ((job.keysWritten / job.keysTotal) * 100).toFixed(2) : '0.00';
    },
    current_save_keys_processed: () => state.current?.keysWritten ?? 0,
    current_save_keys_total: () => state.current?.keysTotal ?? 0,
    rdb_changes_since_last_save: () => state.changesSinceLastSave(),
    rdb_bgsave_in_progress: () => (state.current ? 1 : 0),
    rdb_last_save_time: () => state.lastSave,
    rdb_last_bgsave_status: () => state.lastBgsaveStatus,
    rdb_last_bgsave_time_sec: () => state.lastBgsaveSeconds,
    rdb_current_bgsave_time_sec: () => (state.current ? state.nowSeconds() - state.current.startedAtSeconds : -1),
    rdb_saves: () => state.rdbSaves,
    rdb_last_load_keys_expired: () => lastRdbLoad(server).keysExpired,
    rdb_last_load_keys_loaded: () => lastRdbLoad(server).keysLoaded,
  };
  for (const [name, source] of Object.entries(fields)) setInfoField(server, name, source);
}

/** shared.bgsaveerr: the reply to writes (and PING) while the last background save failed. */
export const MISCONF_ERROR =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
  'Commands that may modify the data set are disabled, because this instance is configured to report ' +
  'errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check ' +
  'the Redis logs for details about the RDB error.';

/**
 * processCommand's disk-error check: with save points set and stop-writes-on-bgsave-error yes, a
 * failed background save makes write commands, and PING, fail with MISCONF until a save succeeds.
 */
export function misconfGuard(server: Server): (client: Client, spec: CommandSpec) => string | null {
  const state = persistenceOf(server);
  return (_client, spec) => {
    if (state.lastBgsaveStatus === 'ok') return null;
    if (!(spec.flags & CommandFlag.Write) && spec.fullName !== 'ping') return null;
    return state.writesDenied() ? MISCONF_ERROR : null;
  };
}
