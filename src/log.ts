/**
 * Logging through pino with Redis's levels (debug, verbose, notice, warning; "nothing" silences
 * it). Two line formats: "legacy", Redis's own (`1234:M 27 Nov 2026 01:02:03.456 * Ready to accept
 * connections tcp`, marks . - * # for the four levels), and "json", pino's lines with the level
 * by name: {"level":"notice","time":...,"pid":1234,"role":"M","msg":"..."}.
 */
import * as fs from 'node:fs';
import pino from 'pino';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
export type LogFormat = 'legacy' | 'json';

const LEVELS = { debug: 20, verbose: 25, notice: 30, warning: 40 } as const;
type PinoLevel = keyof typeof LEVELS;
const LEVEL_MARK: Record<string, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface LogOptions {
  level: LogLevel;
  /** File path; empty for standard output. */
  file: string;
  format: LogFormat;
  /** Where lines go instead of a file or stdout (tests). */
  sink?: (line: string) => void;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** A timestamp as Redis prints it: `27 Nov 2026 01:02:03.456` (local time). */
export function redisTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** One line in Redis's format; `role` is C while starting up and M (master) after. */
export function legacyLine(pid: number, level: string, ms: number, message: string, role = 'M'): string {
  return `${pid}:${role} ${redisTimestamp(ms)} ${LEVEL_MARK[level] ?? '*'} ${message}\n`;
}

interface JsonEntry {
  level: string;
  time: number;
  pid: number;
  role: string;
  msg: string;
}

export class Logger {
  private pino: pino.Logger<PinoLevel>;
  private fileFd: number | null = null;
  private closed = false;
  /** Redis's role letter in legacy lines: "C" before the server is initialized, then "M". */
  role = 'M';

  constructor(private options: LogOptions) {
    if (options.file && !options.sink) this.fileFd = fs.openSync(options.file, 'a');
    this.pino = this.build();
  }

  private emit(line: string): void {
    if (this.closed) return;
    if (this.options.sink) this.options.sink(line);
    else if (this.fileFd !== null) fs.writeSync(this.fileFd, line);
    else process.stdout.write(line);
  }

  private build(): pino.Logger<PinoLevel> {
    const destination = {
      write: (json: string): void => {
        if (this.options.format === 'json') return this.emit(json);
        const entry = JSON.parse(json) as JsonEntry;
        this.emit(legacyLine(entry.pid, entry.level, entry.time, entry.msg, entry.role));
      },
    };
    return pino<PinoLevel>(
      {
        customLevels: LEVELS,
        useOnlyCustomLevels: true,
        level: pinoLevel(this.options.level),
        base: { pid: process.pid },
        formatters: { level: (label) => ({ level: label }) },
        mixin: () => ({ role: this.role }),
      },
      destination,
    );
  }

  get level(): LogLevel {
    return this.options.level;
  }

  setLevel(level: LogLevel): void {
    this.options.level = level;
    this.pino.level = pinoLevel(level);
  }

  setFormat(format: LogFormat): void {
    this.options.format = format;
  }

  debug(message: string): void {
    this.pino.debug(message);
  }
  verbose(message: string): void {
    this.pino.verbose(message);
  }
  notice(message: string): void {
    this.pino.notice(message);
  }
  warning(message: string): void {
    this.pino.warning(message);
  }

  /** Closes the log file; later messages are dropped. */
  close(): void {
    this.closed = true;
    if (this.fileFd !== null) {
      fs.closeSync(this.fileFd);
      this.fileFd = null;
    }
  }
}

function pinoLevel(level: LogLevel): string {
  return level === 'nothing' ? 'silent' : level;
}
