/**
 * What BGSAVE and the AOF rewrite share: a KeyspaceSnapshot written to a temporary file one slice
 * per event-loop turn (so clients are served between slices), then fsynced on the thread pool.
 * Subclasses say how entries are encoded (the snapshot's sink pushes bytes into `chunks`), what
 * to do with the finished file, and how a failure is reported.
 *
 * Entries are also written from inside commands (a key preserved just before it changes): a
 * failure there must not fail the command, so the first error is kept in `failure` and the job
 * fails at its next slice.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Server } from '../server/server';
import type { KeyspaceSnapshot } from './snapshot';
import { persistenceOf } from './persistence-state';

export type JobPhase = 'idle' | 'writing' | 'syncing' | 'over';

export abstract class SnapshotFileJob {
  protected fd: number | null = null;
  protected snapshot: KeyspaceSnapshot | null = null;
  /** Encoded bytes not yet written to the file. */
  protected chunks: Buffer[] = [];
  protected timer: NodeJS.Immediate | null = null;
  protected phase: JobPhase = 'idle';
  /** The first error met while encoding or writing. */
  protected failure: unknown = null;

  constructor(
    protected readonly server: Server,
    readonly tempPath: string,
  ) {}

  get inProgress(): boolean {
    return this.phase === 'writing' || this.phase === 'syncing';
  }

  /** Ends the encoding (EOF and checksum, ...) once the snapshot has written every entry. */
  protected abstract finishEncoding(): void;
  /** Formats a write error for the log, e.g. "Write error saving DB on disk: ...". */
  protected abstract writeError(error: unknown): string;
  /** The file is complete, fsynced and closed. */
  protected abstract completed(): void;
  /** The job failed: the message is logged and the temporary file removed already. */
  protected abstract failed(): void;

  /** Starts writing slices (after the subclass opened the file and made the snapshot). */
  protected startSlices(): void {
    this.phase = 'writing';
    this.timer = setImmediate(() => this.slice());
  }

  /** Stops the job (FLUSHALL, appendonly no, shutdown): the temporary file is removed. */
  abort(): void {
    if (this.phase === 'over') {
      if (this.timer) clearImmediate(this.timer);
      return;
    }
    const syncing = this.phase === 'syncing';
    this.phase = 'over';
    this.stopWriting();
    // While an fsync is pending the descriptor stays open (its number must not be reused under
    // it); the fsync callback closes it.
    if (!syncing) this.closeFile();
    removeQuietly(this.tempPath);
  }

  private slice(): void {
    this.timer = null;
    const { maxKeys, maxMs } = persistenceOf(this.server).slice;
    let finished = false;
    if (this.failure === null) {
      finished = this.snapshot!.step({ maxKeys, deadline: performance.now() + maxMs });
      if (finished) this.guard(() => this.finishEncoding());
    }
    this.guard(() => this.flush());
    if (this.failure !== null) return this.fail(this.writeError(this.failure));
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
    if (error) return this.fail(this.writeError(error));
    try {
      this.closeFile();
    } catch (e) {
      return this.fail(this.writeError(e));
    }
    this.completed();
  }

  /** Runs encoding or writing work, keeping the first error instead of throwing it. */
  protected guard(work: () => void): void {
    if (this.failure !== null) return;
    try {
      work();
    } catch (e) {
      this.failure = e ?? new Error('unknown error');
    }
  }

  /** Writes what was encoded since the last slice. */
  protected flush(): void {
    if (this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [];
    let offset = 0;
    while (offset < data.length) offset += fs.writeSync(this.fd!, data, offset, data.length - offset);
  }

  protected fail(message: string): void {
    this.server.log.warning(message);
    this.phase = 'over';
    this.stopWriting();
    try {
      this.closeFile();
    } catch {
      // The descriptor is gone either way.
    }
    removeQuietly(this.tempPath);
    this.failed();
  }

  protected stopWriting(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = null;
    this.snapshot?.close();
    this.chunks = [];
  }

  protected closeFile(): void {
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
