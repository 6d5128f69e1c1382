/**
 * Writing a new AOF base file from the dataset: what Redis's forked child does in
 * rewriteAppendOnlyFileBackground, done here without a fork. A KeyspaceSnapshot gives the dataset
 * as of the start while clients keep being served; it is written one slice per event-loop turn to
 * temp-rewriteaof-bg-<pid>.aof in `dir`, then fsynced on the thread pool. The caller (aof.ts)
 * installs the finished file as the new base (rename, manifest) in backgroundRewriteDoneHandler's
 * way. Writes made during the rewrite go to the new incr file the caller opened at the start, so
 * base + incr is the dataset at every moment.
 *
 * At start-up the same job runs to completion at once (writeNow), to create the first base.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../../server/server';
import { KeyspaceSnapshot } from '../snapshot';
import { entryMetaFor } from '../rdb-file';
import type { EntryMeta } from '../rdb/writer';
import { createBaseFormat, type BaseFormat } from './base-format';
import { errnoText } from './aof-files';
import { SnapshotFileJob, removeQuietly } from '../snapshot-file-job';

export type RewriteOutcome = 'ok' | 'err';

export class AofRewrite extends SnapshotFileJob {
  /** When the rewrite started (ms since the epoch), for aof_current_rewrite_time_sec. */
  readonly startedAt = Date.now();
  readonly tempName: string;
  readonly format: BaseFormat;

  constructor(
    server: Server,
    background: boolean,
    private readonly onDone: (outcome: RewriteOutcome) => void = () => undefined,
  ) {
    const tempName = background ? `temp-rewriteaof-bg-${process.pid}.aof` : `temp-rewriteaof-${process.pid}.aof`;
    super(server, path.join(server.config.get('dir'), tempName));
    this.tempName = tempName;
    this.format = createBaseFormat(server, (chunk) => this.chunks.push(chunk));
  }

  /**
   * Takes the point-in-time view now and writes it in slices; onDone reports the outcome (also a
   * failure to create the file, after the caller has replied, as a forked child's would be).
   */
  start(): void {
    try {
      this.open();
    } catch (e) {
      this.phase = 'writing';
      this.timer = setImmediate(() => this.fail((e as Error).message));
      return;
    }
    this.startSlices();
  }

  /** Writes the whole base now (start-up); throws with Redis's message on failure. */
  writeNow(): void {
    this.open();
    this.snapshot!.finish();
    this.guard(() => this.format.finish());
    this.guard(() => this.flush());
    if (this.failure === null) this.guard(() => fs.fsyncSync(this.fd!));
    this.stopWriting();
    this.closeFile();
    this.phase = 'over';
    if (this.failure !== null) {
      removeQuietly(this.tempPath);
      throw new Error(this.writeError(this.failure));
    }
  }

  private open(): void {
    try {
      this.fd = fs.openSync(this.tempPath, 'w', 0o644);
    } catch (e) {
      throw new Error(`Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): ${errnoText(e)}`);
    }
    const format = this.format;
    format.begin();
    const server = this.server;
    const saved: EntryMeta = {};
    this.snapshot = new KeyspaceSnapshot(server.keyspace, {
      beginDb: (dbIndex, keyCount, expiresCount) => this.guard(() => format.beginDb(dbIndex, keyCount, expiresCount)),
      entry: (key, value, expireAtMs, meta) => this.guard(() => format.entry(key, value, expireAtMs, entryMetaFor(server, meta, saved))),
    });
  }

  protected finishEncoding(): void {
    this.format.finish();
  }

  protected writeError(error: unknown): string {
    return `Write error writing append only file on disk: ${errnoText(error)}`;
  }

  protected failed(): void {
    this.onDone('err');
  }

  protected completed(): void {
    this.phase = 'over';
    this.server.log.notice(`Successfully created the temporary AOF base file ${this.tempName}`);
    this.onDone('ok');
  }
}

export { removeQuietly } from '../snapshot-file-job';
