/**
 * The multi-part AOF manifest of Redis 7.0 (aof.c): `<appenddirname>/<appendfilename>.manifest`
 * lists one BASE file (a snapshot, RDB or AOF commands), the INCR files written since (in sequence
 * order) and HISTORY files waiting to be deleted, one line each:
 *
 *   file appendonly.aof.1.base.rdb seq 1 type b
 *   file appendonly.aof.1.incr.aof seq 1 type i
 *
 * Lines are split like sdssplitargs (names needing it are quoted as sdscatrepr does); keys may
 * come in any order and unknown keys are ignored, as Redis does for forward compatibility.
 */
import { splitInlineArgs } from '../../protocol/inline-args';
import { quoteRepr } from '../../protocol/quote-repr';

export type AofFileType = 'b' | 'i' | 'h';

export interface AofFileInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

/** A manifest that cannot be used; `line` and `lineNumber` say where, as Redis's FATAL message. */
export class ManifestError extends Error {
  constructor(
    message: string,
    readonly lineNumber: number | null = null,
    readonly line: string | null = null,
  ) {
    super(message);
  }

  /** The lines Redis logs before exiting. */
  logLines(): string[] {
    const lines = ['\n*** FATAL AOF MANIFEST FILE ERROR ***\n'];
    if (this.line !== null) {
      lines.push(`Reading the manifest file, at line ${this.lineNumber}\n`, `>>> '${this.line}'\n`);
    }
    lines.push(`${this.message}\n`);
    return lines;
  }
}

/** Longest manifest line Redis reads (MANIFEST_MAX_LINE). */
const MAX_LINE = 1024;

export class AofManifest {
  base: AofFileInfo | null = null;
  incrs: AofFileInfo[] = [];
  history: AofFileInfo[] = [];
  baseSeq = 0;
  incrSeq = 0;

  /** Names derived from appendfilename: the base, incr, manifest and temporary files. */
  constructor(readonly fileName: string) {}

  get empty(): boolean {
    return this.base === null && this.incrs.length === 0;
  }

  get manifestName(): string {
    return `${this.fileName}.manifest`;
  }

  get tempManifestName(): string {
    return `temp-${this.fileName}.manifest`;
  }

  /** The incr file a rewrite started with the AOF off writes to until the base is ready. */
  get tempIncrName(): string {
    return `temp-${this.fileName}.incr`;
  }

  clone(): AofManifest {
    const copy = new AofManifest(this.fileName);
    copy.base = this.base && { ...this.base };
    copy.incrs = this.incrs.map((f) => ({ ...f }));
    copy.history = this.history.map((f) => ({ ...f }));
    copy.baseSeq = this.baseSeq;
    copy.incrSeq = this.incrSeq;
    return copy;
  }

  /** The incr file being appended to: the last one (created if there is none yet). */
  lastIncr(): AofFileInfo {
    return this.incrs[this.incrs.length - 1] ?? this.addIncr();
  }

  /** Adds a new incr file with the next sequence number (getNewIncrAofName). */
  addIncr(): AofFileInfo {
    const seq = ++this.incrSeq;
    const info: AofFileInfo = { name: `${this.fileName}.${seq}.incr.aof`, seq, type: 'i' };
    this.incrs.push(info);
    return info;
  }

  /** A new base file name; the previous base becomes history (getNewBaseFileNameAndMarkPreAsHistory). */
  replaceBase(rdb: boolean): AofFileInfo {
    if (this.base) this.history.push({ ...this.base, type: 'h' });
    const seq = ++this.baseSeq;
    this.base = { name: `${this.fileName}.${seq}.base.${rdb ? 'rdb' : 'aof'}`, seq, type: 'b' };
    return this.base;
  }

  /**
   * After a rewrite: every incr file but the one being written to (if any) is covered by the new
   * base and becomes history (markRewrittenIncrAofAsHistory).
   */
  retireIncrs(keepLast: boolean): void {
    const keep = keepLast ? this.incrs.slice(-1) : [];
    for (const f of this.incrs.slice(0, this.incrs.length - keep.length)) this.history.push({ ...f, type: 'h' });
    this.incrs = keep;
  }

  /** The file's text: base, then history, then incr files, as getAofManifestAsString writes it. */
  format(): string {
    let out = '';
    const line = (f: AofFileInfo): void => {
      out += `file ${needsRepr(f.name) ? quoteRepr(f.name) : f.name} seq ${f.seq} type ${f.type}\n`;
    };
    if (this.base) line(this.base);
    for (const f of this.history) line(f);
    for (const f of this.incrs) line(f);
    return out;
  }

  /** Parses a manifest's text as aofLoadManifestFromFile does; throws ManifestError. */
  static parse(text: string, fileName: string): AofManifest {
    const manifest = new AofManifest(fileName);
    let maxIncrSeq = 0;
    let lineNumber = 0;
    let offset = 0;
    while (offset < text.length) {
      const newline = text.indexOf('\n', offset);
      const end = newline < 0 ? text.length : newline + 1;
      const raw = text.slice(offset, end);
      offset = end;
      lineNumber++;
      if (raw.startsWith('#')) continue;
      if (newline < 0 || raw.length > MAX_LINE) throw new ManifestError('The AOF manifest file contains too long line');
      const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      const fail = (message: string): never => {
        throw new ManifestError(message, lineNumber, line);
      };
      if (line === '') fail('Invalid AOF manifest file format');
      const args = splitInlineArgs(line);
      if (args === null || args.length < 6 || args.length % 2 !== 0) fail('Invalid AOF manifest file format');
      let name = '';
      let seq = 0;
      let type = '';
      for (let i = 0; i < args!.length; i += 2) {
        const key = args![i].toLowerCase();
        const value = args![i + 1];
        if (key === 'file') {
          name = value;
          if (name.includes('/')) fail("File can't be a path, just a filename");
        } else if (key === 'seq') {
          seq = atoll(value);
        } else if (key === 'type') {
          type = value[0] ?? '';
        }
      }
      if (name === '' || seq === 0 || type === '') fail('Invalid AOF manifest file format');
      const info = { name, seq, type } as AofFileInfo;
      if (type === 'b') {
        if (manifest.base) fail('Found duplicate base file information');
        manifest.base = info;
        manifest.baseSeq = seq;
      } else if (type === 'h') {
        manifest.history.push(info);
      } else if (type === 'i') {
        if (seq <= maxIncrSeq) fail('Found a non-monotonic sequence number');
        manifest.incrs.push(info);
        manifest.incrSeq = seq;
        maxIncrSeq = seq;
      } else {
        fail('Unknown AOF file type');
      }
    }
    if (lineNumber === 0) throw new ManifestError('Found an empty AOF manifest');
    return manifest;
  }
}

/** C's atoll: leading blanks, a sign, digits; anything else ends the number (0 if none). */
function atoll(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** sdsneedsrepr: whether a name must be quoted to survive sdssplitargs. */
export function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // '\\', '"', control chars, non-printable and blanks (isprint/isspace in the C locale).
    if (c === 92 || c === 34 || c <= 32 || c >= 127) return true;
  }
  return false;
}
