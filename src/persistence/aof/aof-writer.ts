/**
 * Appends propagated writes to the current incr file (feedAppendOnlyFile + flushAppendOnlyFile).
 *
 * Commands collect in a buffer, with a SELECT whenever the database changes. The buffer is
 * written once per event-loop turn, before any reply leaves: the writer is a reply gate that
 * holds replies while it has unwritten commands, writes them (and fsyncs under appendfsync
 * always) and then releases the replies. A client therefore never sees the acknowledgement of
 * a write that is not in the file (nor, with always, not on disk). Under everysec a timer
 * fsyncs once a second on the thread pool, as Redis's background fsync.
 *
 * A failed write keeps the commands in the buffer and marks the AOF in error (writes are then
 * refused with MISCONF) until a retry succeeds; with appendfsync always the process exits, as
 * Redis does, because replies cannot be withheld forever.
 */
import * as fs from 'node:fs';
import type { Server } from '../../server/server';
import type { PropagationSink } from '../../server/dispatcher';
import { encodeCommand, selectCommand, timestampAnnotation } from './aof-format';
import { errnoText } from './aof-files';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

/** At most one "Error writing to the AOF file" line per this many ms (AOF_WRITE_LOG_ERROR_RATE). */
const WRITE_ERROR_LOG_INTERVAL = 30_000;

export class AofWriter implements PropagationSink {
  private fd = -1;
  private file = '';
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private flushScheduled = false;
  private selectedDb = -1;
  private lastTimestamp = 0;
  /** Bytes written to the current incr file (aof_last_incr_size). */
  incrSize = 0;
  /** Bytes of the base plus all incr files (aof_current_size). */
  currentSize = 0;
  /** currentSize when the last fsync started (aof_fsync_offset). */
  private fsyncedSize = 0;
  private fsyncInFlight = false;
  lastFsyncAt = Date.now();
  /** errno name of the last failed write or fsync, null while fine. */
  writeError: string | null = null;
  fsyncError: string | null = null;
  private lastErrorLogAt = 0;
  /** Writes delayed because a background fsync was running (aof_delayed_fsync, always 0 here). */
  readonly delayedFsyncs = 0;
  /** False while fsyncs are skipped (no-appendfsync-on-rewrite during a rewrite or BGSAVE). */
  fsyncAllowed: () => boolean = () => true;

  constructor(private readonly server: Server) {}

  get isOpen(): boolean {
    return this.fd >= 0;
  }

  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  get policy(): FsyncPolicy {
    return this.server.config.get('appendfsync') as FsyncPolicy;
  }

  /** "ok" unless the last write or background fsync failed (INFO aof_last_write_status). */
  get healthy(): boolean {
    return this.writeError === null && this.fsyncError === null;
  }

  get errorText(): string {
    return errnoText({ code: this.writeError ?? this.fsyncError ?? 'EIO' });
  }

  /** Opens `file` for appending; the next command starts with a SELECT. */
  open(file: string): void {
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o644);
    this.fd = fd;
    this.file = file;
    this.selectedDb = -1;
    this.incrSize = fs.fstatSync(fd).size;
  }

  /**
   * Moves appending to a new file (a rewrite started): what is buffered goes to the old file,
   * which is fsynced and closed in the background (aof_background_fsync_and_close).
   */
  switchTo(file: string): void {
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_TRUNC | fs.constants.O_CREAT, 0o644);
    this.flush();
    // What the old file could not take (a write error) is in the new base: written to the new
    // file as well, it would be replayed twice.
    this.buffer = [];
    this.bufferedBytes = 0;
    const old = this.fd;
    if (old >= 0) this.closeInBackground(old, this.policy !== 'no');
    this.fd = fd;
    this.file = file;
    this.selectedDb = -1;
    this.incrSize = 0;
    this.fsyncedSize = this.currentSize;
    this.lastFsyncAt = Date.now();
  }

  /** Flushes, fsyncs and closes (stopAppendOnly, shutdown); returns the fsync error, if any. */
  close(): unknown {
    if (this.fd < 0) return null;
    this.flush();
    let error: unknown = null;
    try {
      fs.fdatasyncSync(this.fd);
    } catch (e) {
      error = e;
    }
    fs.closeSync(this.fd);
    this.fd = -1;
    this.buffer = [];
    this.bufferedBytes = 0;
    this.selectedDb = -1;
    this.incrSize = 0;
    this.writeError = null;
    this.fsyncError = null;
    return error;
  }

  /** The open file was renamed (the temporary incr file joined the manifest). */
  renamed(file: string): void {
    this.file = file;
  }

  /** The next command starts with a SELECT (after a rewrite, as Redis resets aof_selected_db). */
  forceSelect(): void {
    this.selectedDb = -1;
  }

  propagate(dbIndex: number, argv: string[]): void {
    if (this.fd < 0) return;
    let text = '';
    if (this.server.config.getBool('aof-timestamp-enabled')) {
      const now = Math.floor(Date.now() / 1000);
      if (now > this.lastTimestamp) {
        this.lastTimestamp = now;
        text += timestampAnnotation(now);
      }
    }
    if (dbIndex !== this.selectedDb) {
      text += selectCommand(dbIndex);
      this.selectedDb = dbIndex;
    }
    text += encodeCommand(argv);
    this.buffer.push(text);
    this.bufferedBytes += text.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
        this.server.flushPendingReplies();
      });
    }
  }

  /** The reply gate: replies wait while commands they may acknowledge are not written yet. */
  readonly gate = (): boolean => this.bufferedBytes === 0 || this.writeError !== null;

  /**
   * Writes the buffer (and fsyncs it under appendfsync always). On failure the unwritten part
   * stays buffered for the next try.
   */
  flush(): void {
    if (this.bufferedBytes === 0 || this.fd < 0) return;
    const data = Buffer.from(this.buffer.length === 1 ? this.buffer[0] : this.buffer.join(''), 'latin1');
    this.buffer = [];
    this.bufferedBytes = 0;
    let written = 0;
    try {
      while (written < data.length) written += fs.writeSync(this.fd, data, written);
    } catch (e) {
      this.writeFailed(e as NodeJS.ErrnoException, data, written);
      return;
    }
    this.incrSize += written;
    this.currentSize += written;
    if (this.writeError !== null) {
      this.server.log.warning('AOF write error looks solved, Redis can write again.');
      this.writeError = null;
    }
    if (this.policy === 'always' && this.fsyncAllowed()) this.fsyncNow();
  }

  private writeFailed(error: NodeJS.ErrnoException, data: Buffer, written: number): void {
    const now = Date.now();
    const canLog = now - this.lastErrorLogAt > WRITE_ERROR_LOG_INTERVAL;
    if (canLog) this.lastErrorLogAt = now;
    if (written > 0) {
      if (canLog) this.server.log.warning(`Short write while writing to the AOF file: (nwritten=${written}, expected=${data.length})`);
      // Undo the short write so that the file never ends in half a command.
      try {
        fs.ftruncateSync(this.fd, this.incrSize);
        written = 0;
      } catch (e) {
        if (canLog) {
          this.server.log.warning(
            'Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ' +
              `ftruncate: ${errnoText(e)}`,
          );
        }
      }
    } else if (canLog) {
      this.server.log.warning(`Error writing to the AOF file: ${errnoText(error)}`);
    }
    if (this.policy === 'always') {
      this.server.log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
      process.exit(1);
    }
    this.writeError = error.code ?? 'EIO';
    this.incrSize += written;
    this.currentSize += written;
    this.buffer = [data.subarray(written).toString('latin1')];
    this.bufferedBytes = data.length - written;
  }

  private fsyncNow(): void {
    try {
      fs.fdatasyncSync(this.fd);
      this.fsyncedSize = this.currentSize;
      this.lastFsyncAt = Date.now();
    } catch (e) {
      this.server.log.warning(
        `Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${errnoText(e)}. Exiting...`,
      );
      process.exit(1);
    }
  }

  /**
   * Called every cron tick: retries a failed write, and under everysec starts a background
   * fsync once a second when something was written since the last one.
   */
  tick(): void {
    if (this.fd < 0) return;
    if (this.writeError !== null) {
      this.flush();
      if (this.writeError === null) this.server.flushPendingReplies();
    }
    if (this.policy !== 'everysec' || this.fsyncInFlight || !this.fsyncAllowed()) return;
    if (this.fsyncedSize === this.currentSize || Date.now() - this.lastFsyncAt < 1000) return;
    const fd = this.fd;
    const target = this.currentSize;
    this.fsyncInFlight = true;
    this.lastFsyncAt = Date.now();
    fs.fdatasync(fd, (e) => {
      this.fsyncInFlight = false;
      if (fd !== this.fd) return;
      // As Redis's bio thread: EBADF and EINVAL (a file that cannot be synced) are not errors.
      if (e && e.code !== 'EBADF' && e.code !== 'EINVAL') {
        if (this.fsyncError === null) this.server.log.warning(`Fail to fsync the AOF file: ${errnoText(e)}`);
        this.fsyncError = e.code ?? 'EIO';
        return;
      }
      this.fsyncError = null;
      this.fsyncedSize = Math.max(this.fsyncedSize, target);
    });
  }

  /** Whether a background fsync is running (aof_pending_bio_fsync). */
  get backgroundFsyncs(): number {
    return this.fsyncInFlight ? 1 : 0;
  }

  private closeInBackground(fd: number, sync: boolean): void {
    const close = (): void => fs.close(fd, () => undefined);
    if (sync) fs.fdatasync(fd, close);
    else close();
  }

  get path(): string {
    return this.file;
  }
}
