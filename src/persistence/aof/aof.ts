/**
 * The append-only file of one server, as Redis 7.0 runs it (aof.c): its state (off, waiting for
 * the first rewrite, on), the manifest, the writer that appends propagated writes, and rewrites
 * (BGREWRITEAOF, automatic ones on growth, the first base when the AOF is turned on).
 *
 * A rewrite opens a new incr file at once, so that the writes made while the new base is written
 * land after it; once the base is on disk it replaces the old base and incr files in the manifest
 * (written atomically) and the old files are deleted. Turning the AOF on at runtime writes to a
 * temporary incr file until the first base is ready, then renames it into the manifest.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../../server/server';
import { CommandFlag } from '../../commands/registry';
import { ConfigError } from '../../config/values';
import { persistenceOf } from '../persistence-state';
import { AofManifest } from './manifest';
import { AofWriter } from './aof-writer';
import { AofRewrite, removeQuietly, type RewriteOutcome } from './rewrite';
import { aofDirectory, deleteHistoryFiles, ensureAofDirectory, errnoText, fileSize, persistManifest } from './aof-files';
import { installAofInfo } from './aof-info';

export type AofState = 'off' | 'wait-rewrite' | 'on';

/** After this many failed rewrites in a row, automatic ones back off (AOF_REWRITE_LIMITE_THRESHOLD). */
const REWRITE_FAILURE_THRESHOLD = 3;
const REWRITE_MAX_DELAY_MINUTES = 60;

export class Aof {
  state: AofState = 'off';
  manifest: AofManifest;
  readonly writer: AofWriter;
  rewrite: AofRewrite | null = null;
  /** A rewrite to start as soon as no other background job runs (aof_rewrite_scheduled). */
  rewriteScheduled = false;
  /** Rewrites started since start-up (aof_rewrites). */
  rewrites = 0;
  consecutiveFailures = 0;
  /** Seconds the last rewrite took, -1 before the first (aof_last_rewrite_time_sec). */
  lastRewriteSeconds = -1;
  lastRewriteStatus: 'ok' | 'err' = 'ok';
  /** Size of the AOF after the last rewrite or load, the reference for automatic rewrites. */
  rewriteBaseSize = 0;
  private nextDelayMinutes = 0;
  private nextRewriteAt = 0;

  constructor(private readonly server: Server) {
    this.manifest = new AofManifest(server.config.get('appendfilename'));
    this.writer = new AofWriter(server);
    this.writer.fsyncAllowed = () =>
      !server.config.getBool('no-appendfsync-on-rewrite') || (this.rewrite === null && persistenceOf(server).current === null);
    server.replyGates.push(this.writer.gate);
    server.closeHooks.push(() => this.shutdown());
    server.cron.tasks.push(() => this.cron());
    server.dispatcher.guards.push((_c, spec) => this.refuseWrites(spec.flags, spec.fullName));
    server.config.onChange((name, value) => {
      if (name === 'appendonly') this.configure(value === 'yes');
    });
    persistenceOf(server).otherJobActive = () => this.rewrite !== null;
    installAofInfo(server, this);
  }

  get dir(): string {
    return aofDirectory(this.server);
  }

  /** MISCONF: writes (and PING) are refused while the AOF cannot be written. */
  private refuseWrites(flags: number, name: string): string | null {
    if (this.state === 'off' || this.writer.healthy) return null;
    if (!(flags & CommandFlag.Write) && name !== 'ping') return null;
    return `MISCONF Errors writing to the AOF file: ${this.writer.errorText}`;
  }

  /** CONFIG SET appendonly (updateAppendonly). */
  private configure(enabled: boolean): void {
    if (!enabled && this.state !== 'off') this.stop();
    else if (enabled && this.state === 'off' && !this.start()) throw new ConfigError('Unable to turn on AOF. Check server logs.');
  }

  /**
   * At start-up with appendonly yes, after loading (aofOpenIfNeededOnServerStart): with no base
   * and no incr file a base is written from the dataset now, then the last incr file (created if
   * needed) is opened for appending and the manifest saved. Throws when it cannot, which stops
   * start-up.
   */
  openOnStart(): void {
    const log = this.server.log;
    const dir = ensureAofDirectory(this.server);
    const manifest = this.manifest;
    const hadIncr = manifest.incrs.length > 0;
    if (manifest.empty) {
      const job = new AofRewrite(this.server, false);
      job.writeNow();
      const base = manifest.replaceBase(job.format.extension === 'rdb');
      this.installBase(job.tempPath, base.name);
      log.notice(`Creating AOF base file ${base.name} on server start`);
    }
    const incr = manifest.lastIncr();
    this.writer.open(path.join(dir, incr.name));
    persistManifest(dir, manifest);
    this.state = 'on';
    this.server.dispatcher.sinks.push(this.writer);
    this.measureFiles();
    log.notice(`${hadIncr ? 'Opening' : 'Creating'} AOF incr file ${incr.name} on server start`);
  }

  /** As Redis after loading the AOF: the size of all its files, and the base as the reference for growth. */
  measureFiles(): void {
    const dir = this.dir;
    const manifest = this.manifest;
    const baseSize = manifest.base ? fileSize(path.join(dir, manifest.base.name)) : 0;
    this.writer.currentSize = manifest.incrs.reduce((sum, f) => sum + fileSize(path.join(dir, f.name)), baseSize);
    this.rewriteBaseSize = baseSize;
  }

  /** Moves a finished base file from `dir` into the AOF directory under `name`. */
  private installBase(tempPath: string, name: string): void {
    try {
      fs.renameSync(tempPath, path.join(this.dir, name));
    } catch (e) {
      removeQuietly(tempPath);
      throw new Error(
        `Error trying to rename the temporary AOF base file ${path.basename(tempPath)} into ${name}: ${errnoText(e)}`,
      );
    }
  }

  /** startAppendOnly: turns the AOF on with a rewrite; false when it cannot start. */
  private start(): boolean {
    const log = this.server.log;
    this.state = 'wait-rewrite';
    this.server.dispatcher.sinks.push(this.writer);
    if (persistenceOf(this.server).current !== null) {
      this.rewriteScheduled = true;
      log.warning('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
      return true;
    }
    if (this.rewrite !== null) {
      log.warning('AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
      this.killRewrite();
    }
    if (!this.startRewrite()) {
      this.writer.close();
      removeQuietly(path.join(this.dir, this.manifest.tempIncrName));
      this.detach();
      log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
      return false;
    }
    return true;
  }

  /** stopAppendOnly: flush, fsync and close the incr file; a running rewrite is stopped. */
  private stop(): void {
    const error = this.writer.close();
    if (error !== null) this.server.log.warning(`Fail to fsync the AOF file: ${errnoText(error)}`);
    // Before detach(): a rewrite waited for by a turned-on AOF also drops its temporary incr file.
    this.killRewrite();
    this.detach();
    this.rewriteScheduled = false;
  }

  private detach(): void {
    this.state = 'off';
    const sinks = this.server.dispatcher.sinks;
    const at = sinks.indexOf(this.writer);
    if (at >= 0) sinks.splice(at, 1);
  }

  private killRewrite(): void {
    if (this.rewrite === null) return;
    this.server.log.notice('Killing running AOF rewrite');
    const job = this.rewrite;
    this.rewrite = null;
    job.abort();
    if (this.state === 'wait-rewrite') removeQuietly(path.join(this.dir, this.manifest.tempIncrName));
  }

  /** Why a rewrite cannot start now: one runs already, or a BGSAVE does ('busy'); null when it may. */
  canRewriteNow(): 'in-progress' | 'busy' | null {
    if (this.rewrite !== null) return 'in-progress';
    if (persistenceOf(this.server).current !== null) return 'busy';
    return null;
  }

  /**
   * rewriteAppendOnlyFileBackground: a new incr file takes the writes from now on, and the new
   * base is written in the background. False when it could not start (logged).
   */
  startRewrite(): boolean {
    const log = this.server.log;
    let dir: string;
    try {
      dir = ensureAofDirectory(this.server);
      this.writer.flush();
      this.openNewIncr(dir);
    } catch (e) {
      log.warning((e as Error).message);
      this.lastRewriteStatus = 'err';
      // Counted, so that a scheduled rewrite that keeps failing is retried less and less often.
      this.consecutiveFailures++;
      return false;
    }
    this.rewrites++;
    const job: AofRewrite = new AofRewrite(this.server, true, (outcome) => this.rewriteDone(job, outcome));
    job.start();
    this.rewrite = job;
    this.rewriteScheduled = false;
    log.notice('Background append only file rewriting started');
    return true;
  }

  /** openNewIncrAofForAppend: with the AOF on, appending moves to a new incr file. */
  private openNewIncr(dir: string): void {
    if (this.state === 'off') return;
    if (this.state === 'wait-rewrite') {
      const name = this.manifest.tempIncrName;
      this.switchWriter(path.join(dir, name), name);
      return;
    }
    const next = this.manifest.clone();
    const incr = next.addIncr();
    const file = path.join(dir, incr.name);
    // The file exists before the manifest names it, and the manifest before writes go to it.
    this.createEmpty(file, incr.name);
    persistManifest(dir, next);
    this.switchWriter(file, incr.name);
    this.manifest = next;
  }

  private createEmpty(file: string, name: string): void {
    try {
      fs.closeSync(fs.openSync(file, 'w', 0o644));
    } catch (e) {
      throw new Error(`Can't open the append-only file ${name}: ${errnoText(e)}`);
    }
  }

  private switchWriter(file: string, name: string): void {
    try {
      this.writer.switchTo(file);
    } catch (e) {
      throw new Error(`Can't open the append-only file ${name}: ${errnoText(e)}`);
    }
    this.server.log.notice(`Creating AOF incr file ${name} on background rewrite`);
  }

  /** backgroundRewriteDoneHandler. */
  private rewriteDone(job: AofRewrite, outcome: RewriteOutcome): void {
    if (this.rewrite !== job) return;
    this.rewrite = null;
    this.lastRewriteSeconds = Math.floor((Date.now() - job.startedAt) / 1000);
    const log = this.server.log;
    if (outcome === 'ok') {
      log.notice('Background AOF rewrite terminated with success');
      try {
        this.installRewrite(job);
        this.lastRewriteStatus = 'ok';
        this.consecutiveFailures = 0;
        log.notice('Background AOF rewrite finished successfully');
        if (this.state === 'wait-rewrite') this.state = 'on';
        return;
      } catch (e) {
        log.warning((e as Error).message);
      }
    } else {
      log.warning('Background AOF rewrite terminated with error');
    }
    this.lastRewriteStatus = 'err';
    this.consecutiveFailures++;
    if (this.state === 'wait-rewrite') {
      // The writes kept so far are covered by the next rewrite's snapshot.
      removeQuietly(path.join(this.dir, this.manifest.tempIncrName));
      this.rewriteScheduled = true;
    }
  }

  /** The finished base (and, when turning the AOF on, the temporary incr file) join the manifest. */
  private installRewrite(job: AofRewrite): void {
    const log = this.server.log;
    const dir = this.dir;
    const next = this.manifest.clone();
    const base = next.replaceBase(job.format.extension === 'rdb');
    this.installBase(job.tempPath, base.name);
    log.notice(`Successfully renamed the temporary AOF base file ${job.tempName} into ${base.name}`);
    const basePath = path.join(dir, base.name);
    if (this.state === 'wait-rewrite') {
      const incr = next.addIncr();
      try {
        fs.renameSync(path.join(dir, next.tempIncrName), path.join(dir, incr.name));
      } catch (e) {
        removeQuietly(basePath);
        throw new Error(`Error trying to rename the temporary AOF incr file ${next.tempIncrName} into ${incr.name}: ${errnoText(e)}`);
      }
      this.writer.renamed(path.join(dir, incr.name));
      log.notice(`Successfully renamed the temporary AOF incr file ${next.tempIncrName} into ${incr.name}`);
    }
    next.retireIncrs(this.writer.isOpen);
    try {
      persistManifest(dir, next);
    } catch (e) {
      removeQuietly(basePath);
      throw e;
    }
    this.manifest = next;
    if (this.writer.isOpen) {
      this.writer.forceSelect();
      this.writer.currentSize = fileSize(basePath) + this.writer.incrSize;
      this.rewriteBaseSize = this.writer.currentSize;
    }
    deleteHistoryFiles(this.server, this.manifest);
  }

  /** serverCron's AOF part: pending fsyncs and retries, scheduled and automatic rewrites. */
  private cron(): void {
    this.writer.tick();
    if (this.rewrite !== null || persistenceOf(this.server).current !== null) return;
    if (this.rewriteScheduled && !this.rewriteLimited()) {
      this.startRewrite();
      return;
    }
    const config = this.server.config;
    const percentage = config.getNumber('auto-aof-rewrite-percentage');
    if (this.state !== 'on' || percentage === 0) return;
    const size = this.writer.currentSize;
    if (size <= config.getNumber('auto-aof-rewrite-min-size')) return;
    const base = this.rewriteBaseSize || 1;
    const growth = Math.floor((size * 100) / base) - 100;
    if (growth >= percentage && !this.rewriteLimited()) {
      this.server.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
      this.startRewrite();
    }
  }

  /** After repeated failures, automatic rewrites wait 1, 2, 4 ... up to 60 minutes (aofRewriteLimited). */
  private rewriteLimited(): boolean {
    if (this.consecutiveFailures < REWRITE_FAILURE_THRESHOLD) {
      this.nextDelayMinutes = 0;
      this.nextRewriteAt = 0;
      return false;
    }
    const now = Date.now();
    if (this.nextRewriteAt !== 0) {
      if (now < this.nextRewriteAt) return true;
      this.nextRewriteAt = 0;
      return false;
    }
    this.nextDelayMinutes = Math.min(REWRITE_MAX_DELAY_MINUTES, this.nextDelayMinutes === 0 ? 1 : this.nextDelayMinutes * 2);
    this.nextRewriteAt = now + this.nextDelayMinutes * 60_000;
    this.server.log.warning(
      `Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.nextDelayMinutes} minutes`,
    );
    return true;
  }

  /** At close: a running rewrite is dropped, the incr file flushed and fsynced (prepareForShutdown). */
  private shutdown(): void {
    if (this.rewrite !== null) {
      this.server.log.warning('There is a child rewriting the AOF. Killing it!');
      this.killRewrite();
    }
    if (this.state === 'off') return;
    this.server.log.notice('Calling fsync() on the AOF file.');
    const error = this.writer.close();
    if (error !== null) this.server.log.warning(`Fail to fsync the AOF file: ${errnoText(error)}.`);
    this.detach();
  }
}

const instances = new WeakMap<Server, Aof>();

/** The server's AOF, created (and hooked into the server) on first use. */
export function aofOf(server: Server): Aof {
  let aof = instances.get(server);
  if (!aof) {
    aof = new Aof(server);
    instances.set(server, aof);
  }
  return aof;
}
