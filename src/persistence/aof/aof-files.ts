/**
 * File-system steps of the AOF: where its files live, the manifest written atomically (temporary
 * file, fsync, rename, fsync of the directory, as persistAofManifest does), and sizes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from '../../server/server';
import { strerror } from '../../config/values';
import { fsyncDirectory } from '../rdb-file';
import { AofManifest } from './manifest';

/** The AOF directory: appenddirname inside dir. */
export function aofDirectory(server: Server): string {
  return path.join(server.config.get('dir'), server.config.get('appenddirname'));
}

/** errno texts strerror() in config/values.ts does not know, as C's strerror() words them. */
const MORE_ERRNO_TEXT: Record<string, string> = {
  EIO: 'Input/output error',
  EINVAL: 'Invalid argument',
  EBADF: 'Bad file descriptor',
  EFBIG: 'File too large',
  EDQUOT: 'Disk quota exceeded',
};

/** An fs error as C's strerror() words it. */
export function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return (code && MORE_ERRNO_TEXT[code]) ?? strerror(error);
}

export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Creates the AOF directory if missing; throws with Redis's message when it cannot. */
export function ensureAofDirectory(server: Server): string {
  const dir = aofDirectory(server);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error('Not a directory'), { code: 'ENOTDIR' });
  } catch (e) {
    throw new Error(`Can't open or create append-only dir ${server.config.get('appenddirname')}: ${errnoText(e)}`);
  }
  return dir;
}

/** Writes the manifest to a temporary file, fsyncs it and renames it over the manifest. */
export function persistManifest(dir: string, manifest: AofManifest): void {
  const temp = path.join(dir, manifest.tempManifestName);
  let fd = -1;
  try {
    fd = fs.openSync(temp, 'w', 0o644);
    fs.writeSync(fd, manifest.format(), null, 'latin1');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(temp, path.join(dir, manifest.manifestName));
    fsyncDirectory(dir);
  } catch (e) {
    if (fd >= 0) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw new Error(`Can't persist the AOF manifest file ${manifest.manifestName}: ${errnoText(e)}`);
  }
}

/**
 * The manifest on disk, or an empty one when the directory or the file does not exist (logged
 * as Redis does). A manifest that cannot be parsed throws ManifestError.
 */
export function readManifest(server: Server): AofManifest {
  const fileName = server.config.get('appendfilename');
  const dir = aofDirectory(server);
  const empty = new AofManifest(fileName);
  if (!isDirectory(dir)) {
    server.log.debug(`The AOF directory ${server.config.get('appenddirname')} doesn't exist`);
    return empty;
  }
  const file = path.join(dir, empty.manifestName);
  let text: string;
  try {
    text = fs.readFileSync(file, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      server.log.debug(`The AOF manifest file ${empty.manifestName} doesn't exist`);
      return empty;
    }
    throw new Error(`Fatal error: can't open the AOF manifest file ${file} for reading: ${errnoText(e)}`);
  }
  return AofManifest.parse(text, fileName);
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Deletes the history files and drops them from the manifest (aofDelHistoryFiles). */
export function deleteHistoryFiles(server: Server, manifest: AofManifest): void {
  if (manifest.history.length === 0 || server.config.getBool('aof-disable-auto-gc')) return;
  const dir = aofDirectory(server);
  for (const f of manifest.history) {
    server.log.notice(`Removing the history file ${f.name} in the background`);
    fs.rm(path.join(dir, f.name), { force: true }, () => undefined);
  }
  manifest.history = [];
  try {
    persistManifest(dir, manifest);
  } catch (e) {
    server.log.warning((e as Error).message);
  }
}
