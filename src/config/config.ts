/**
 * The live configuration: current values of every directive in the table, kept as the text Redis
 * prints in CONFIG GET, with validation by type and listeners that apply a change at runtime.
 */
import { DIRECTIVES, findDirective, type Directive } from './directives';

/** Parses "100", "1k" (1000), "1kb" (1024), "5mb", "2gb" as Redis's memtoull does; null if invalid. */
export function parseMemory(text: string): number | null {
  const m = /^(\d+)(k|kb|m|mb|g|gb|b)?$/i.exec(text);
  if (!m) return null;
  const units: Record<string, number> = { b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  const n = Number(m[1]) * (m[2] ? units[m[2].toLowerCase()] : 1);
  return Number.isSafeInteger(n) ? n : null;
}

/** Parses an integer as Redis's string2ll: optional '-', digits, no leading zeros or spaces. */
export function parseInteger(text: string): number | null {
  if (!/^(0|-?[1-9]\d*)$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

export type ConfigListener = (name: string, value: string) => void;

export class ConfigError extends Error {}

export class Config {
  private values = new Map<string, string>();
  private listeners: ConfigListener[] = [];

  constructor() {
    for (const d of DIRECTIVES) this.values.set(d.name, d.defaultValue);
  }

  /** Current value as text. Throws for a name that is not a directive (a programming error). */
  get(name: string): string {
    const v = this.values.get(name);
    if (v === undefined) {
      const d = findDirective(name);
      if (!d) throw new Error(`no such config directive: ${name}`);
      return this.values.get(d.name) ?? d.defaultValue;
    }
    return v;
  }

  getNumber(name: string): number {
    return Number(this.get(name));
  }

  getBool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  onChange(listener: ConfigListener): void {
    this.listeners.push(listener);
  }

  /** Validates args for a directive and returns its normalized text; throws ConfigError. */
  normalize(d: Directive, args: string[]): string {
    if (d.type === 'save') return normalizeSave(args);
    if (d.type === 'bind' || d.type === 'flags') return args.join(' ');
    if (args.length !== 1) throw new ConfigError('wrong number of arguments');
    const text = args[0];
    switch (d.type) {
      case 'bool': {
        const lower = text.toLowerCase();
        if (lower !== 'yes' && lower !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
        return lower;
      }
      case 'enum': {
        const lower = text.toLowerCase();
        if (!d.values!.includes(lower)) {
          throw new ConfigError(`argument(s) must be one of the following: ${d.values!.join(', ')}`);
        }
        return lower;
      }
      case 'int':
      case 'memory': {
        const n = d.type === 'memory' ? parseMemory(text) : parseInteger(text) ?? parseMemory(text);
        if (n === null) {
          throw new ConfigError(d.type === 'memory' ? 'argument must be a memory value' : "argument couldn't be parsed into an integer");
        }
        if ((d.min !== undefined && n < d.min) || (d.max !== undefined && n > d.max)) {
          throw new ConfigError(`argument must be between ${d.min} and ${d.max} inclusive`);
        }
        return String(n);
      }
      default:
        return text;
    }
  }

  /** Sets a directive from already validated text and tells the listeners. */
  setNormalized(d: Directive, value: string): void {
    this.values.set(d.name, value);
    for (const l of this.listeners) l(d.name, value);
  }

  /** Validates and sets; throws ConfigError on a bad value or unknown name. */
  set(name: string, args: string[]): void {
    const d = findDirective(name);
    if (!d) throw new ConfigError('Bad directive or wrong number of arguments');
    this.setNormalized(d, this.normalize(d, args));
  }

  /** Directive names and values, in table order. */
  entries(): [Directive, string][] {
    return DIRECTIVES.map((d) => [d, this.values.get(d.name) ?? d.defaultValue]);
  }
}

function normalizeSave(args: string[]): string {
  const joined = args.join(' ').trim();
  if (joined === '') return '';
  const parts = joined.split(/\s+/);
  if (parts.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
  for (const p of parts) if (parseInteger(p) === null || Number(p) < 0) throw new ConfigError('Invalid save parameters');
  return parts.join(' ');
}
