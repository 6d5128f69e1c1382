/**
 * Logging through pino with Redis's levels (debug, verbose, notice, warning). Two line formats:
 * "legacy", Redis's own (`1234:M 27 Nov 2026 01:02:03.456 * Ready to accept connections tcp`),
 * and "json", pino's lines as they are.
 */
import * as fs from 'node:fs';
import pino from 'pino';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
export type LogFormat = 'legacy' | 'json';

const LEVELS = { debug: 20, verbose: 25, notice: 30, warning: 40 } as const;
const LEVEL_MARK: Record<number, string> = { 20: '.', 25: '-', 30: '*', 40: '#' };
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

export function legacyLine(pid: number, level: number, ms: number, message: string): string {
  return `${pid}:M ${redisTimestamp(ms)} ${LEVEL_MARK[level] ?? '*'} ${message}\n`;
}

export class Logger {
  private pino: pino.Logger<keyof typeof LEVELS>;
  private fileFd: number | null = null;

  constructor(private options: LogOptions) {
    this.pino = this.build();
  }

  private build(): pino.Logger<keyof typeof LEVELS> {
    const { format, file, sink } = this.options;
    if (file && this.fileFd === null) this.fileFd = fs.openSync(file, 'a');
    const emit = (line: string): void => {
      if (sink) sink(line);
      else if (this.fileFd !== null) fs.writeSync(this.fileFd, line);
      else process.stdout.write(line);
    };
    const destination = {
      write: (json: string): void => {
        if (format === 'json') return emit(json);
        const entry = JSON.parse(json) as { level: number; time: number; pid: number; msg: string };
        emit(legacyLine(entry.pid, entry.level, entry.time, entry.msg));
      },
    };
    return pino(
      {
        customLevels: LEVELS,
        useOnlyCustomLevels: true,
        level: this.options.level === 'nothing' ? 'silent' : this.options.level,
        base: { pid: process.pid },
      },
      destination,
    );
  }

  setLevel(level: LogLevel): void {
    this.options.level = level;
    this.pino.level = level === 'nothing' ? 'silent' : level;
  }

  setFormat(format: LogFormat): void {
    this.options.format = format;
    this.pino = this.build();
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

  close(): void {
    if (this.fileFd !== null) {
      fs.closeSync(this.fileFd);
      this.fileFd = null;
    }
  }
}
