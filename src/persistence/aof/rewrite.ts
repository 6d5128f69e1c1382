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
import { performance } from 'node:perf_hooks';
import type { Server } from '../../server/server';
import { KeyspaceSnapshot } from '../snapshot';
import { persistenceOf } from '../persistence-state';
import { entryMetaFor } from '../rdb-file';
import type { EntryMeta } from '../rdb/writer';
import { createBaseFormat, type BaseFormat } from './base-format';
import { errnoText } from './aof-files';

export type RewriteOutcome = 'ok' | 'err';

export class AofRewrite {
  /** When the rewrite started (ms since the epoch), for aof_current_rewrite_time_sec. */
  readonly startedAt = Date.now();
  readonly tempName: string;
  readonly tempPath: string;
  readonly format: BaseFormat;
  private fd: number | null = null;
  private snapshot: KeyspaceSnapshot | null = null;
  private chunks: Buffer[] = [];
  private timer: NodeJS.Immediate | null = null;
  private phase: 'idle' | 'writing' | 'syncing' | 'over' = 'idle';
  /** The first error met while writing (entries are also written from inside commands). */
  private failure: unknown = null;

  constructor(
    private readonly server: Server,
    background: boolean,
    private readonly onDone: (outcome: RewriteOutcome) => void = () => undefined,
  ) {
    this.tempName = background ? `temp-rewriteaof-bg-${process.pid}.aof` : `temp-rewriteaof-${process.pid}.aof`;
    this.tempPath = path.join(server.config.get('dir'), this.tempName);
    this.format = createBaseFormat(server, (chunk) => this.chunks.push(chunk));
  }

  get inProgress(): boolean {
    return this.phase === 'writing' || this.phase === 'syncing';
  }

  /**
   * Takes the point-in-time view now and writes it in slices; onDone reports the outcome (also a
   * failure to create the file, after the caller has replied, as a forked child's would be).
   */
  start(): void {
    this.phase = 'writing';
    try {
      this.open();
    } catch (e) {
      this.timer = setImmediate(() => this.fail((e as Error).message));
      return;
    }
    this.timer = setImmediate(() => this.slice());
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
      throw new Error(`Write error writing append only file on disk: ${errnoText(this.failure)}`);
    }
  }

  /** Stops the rewrite (appendonly no, shutdown): the temporary file is removed. */
  abort(): void {
    if (this.phase === 'over') return;
    const syncing = this.phase === 'syncing';
    this.phase = 'over';
    this.stopWriting();
    // While an fsync is pending the descriptor stays open (its number must not be reused under
    // it); the fsync callback closes it.
    if (!syncing) this.closeFile();
    removeQuietly(this.tempPath);
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
    // A failure while a command preserves a key must not fail the command: it is kept and
    // reported by the next slice.
    this.snapshot = new KeyspaceSnapshot(server.keyspace, {
      beginDb: (dbIndex, keyCount, expiresCount) => this.guard(() => format.beginDb(dbIndex, keyCount, expiresCount)),
      entry: (key, value, expireAtMs, meta) => this.guard(() => format.entry(key, value, expireAtMs, entryMetaFor(server, meta, saved))),
    });
  }

  private slice(): void {
    this.timer = null;
    const { maxKeys, maxMs } = persistenceOf(this.server).slice;
    let finished = false;
    if (this.failure === null) {
      finished = this.snapshot!.step({ maxKeys, deadline: performance.now() + maxMs });
      if (finished) this.guard(() => this.format.finish());
    }
    if (this.failure === null) this.guard(() => this.flush());
    if (this.failure !== null) return this.fail(`Write error writing append only file on disk: ${errnoText(this.failure)}`);
    if (!finished) {
      this.timer = setImmediate(() => this.slice());
      return;
    }
    this.stopWriting();
    this.phase = 'syncing';
    fs.fsync(this.fd!, (error) => this.synced(error));
  }

  private synced(error: NodeJS.ErrnoException | null): void {
    if (this.phase === 'over') {
      this.closeFile();
      return;
    }
    if (error) return this.fail(`Write error writing append only file on disk: ${errnoText(error)}`);
    try {
      this.closeFile();
    } catch (e) {
      return this.fail(`Write error writing append only file on disk: ${errnoText(e)}`);
    }
    this.phase = 'over';
    this.server.log.notice(`Successfully created the temporary AOF base file ${this.tempName}`);
    this.onDone('ok');
  }

  private fail(message: string): void {
    this.server.log.warning(message);
    this.phase = 'over';
    this.stopWriting();
    try {
      this.closeFile();
    } catch {
      // The descriptor is gone either way.
    }
    removeQuietly(this.tempPath);
    this.onDone('err');
  }

  private guard(work: () => void): void {
    if (this.failure !== null) return;
    try {
      work();
    } catch (e) {
      this.failure = e ?? new Error('unknown error');
    }
  }

  /** Writes what the format produced since the last slice. */
  private flush(): void {
    if (this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [];
    let offset = 0;
    while (offset < data.length) offset += fs.writeSync(this.fd!, data, offset, data.length - offset);
  }

  private stopWriting(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = null;
    this.snapshot?.close();
    this.chunks = [];
  }

  private closeFile(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    fs.closeSync(fd);
  }
}

export function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // Already gone.
  }
}
