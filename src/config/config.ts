/**
 * The live configuration: current values of every directive in the table, kept as the text Redis
 * prints in CONFIG GET, with validation by type and listeners that apply a change at runtime.
 */
import { DIRECTIVES, findDirective, type Directive } from './directives';
import { ConfigError, checkBounds, parseBool, parseEnum, parseLongLong, parseMemoryBytes } from './values';

export { ConfigError } from './values';
export { parseInteger, parseMemory } from './values';

/**
 * Told of every change after it is stored. A listener may refuse a value by throwing a
 * ConfigError: the change is then rolled back (see setMany).
 */
export type ConfigListener = (name: string, value: string) => void;

export class Config {
  private values = new Map<string, string>();
  private listeners: ConfigListener[] = [];
  /** Parsed values of numeric directives read since the last change (see getNumber). */
  private readonly numbers = new Map<string, number>();

  constructor() {
    for (const d of DIRECTIVES) if (!d.currentDefault) this.values.set(d.name, d.defaultValue);
  }

  /** Current value as text. Throws for a name that is not a directive (a programming error). */
  get(name: string): string {
    const v = this.values.get(name);
    if (v !== undefined) return v;
    const d = findDirective(name);
    if (!d) throw new Error(`no such config directive: ${name}`);
    return this.valueOf(d);
  }

  /** Current value of a directive (its default while never set). */
  valueOf(d: Directive): string {
    return this.values.get(d.name) ?? d.currentDefault?.() ?? d.defaultValue;
  }

  /**
   * A numeric directive's value. Commands read some on every call (encoding limits such as
   * hash-max-listpack-entries), so parsed values are kept until the next change.
   */
  getNumber(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = Number(this.get(name));
      // Only stored values: a directive without one has a default computed on each read.
      if (this.values.has(name)) this.numbers.set(name, n);
    }
    return n;
  }

  getBool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  onChange(listener: ConfigListener): void {
    this.listeners.push(listener);
  }

  /**
   * Validates the arguments of a directive and returns its normalized text; throws ConfigError
   * with Redis's reason. Multi-argument directives get their arguments already split.
   */
  normalize(d: Directive, args: string[]): string {
    if (!d.multiArg && args.length !== 1) throw new ConfigError('wrong number of arguments');
    const value = d.parse ? d.parse(args, this.valueOf(d)) : normalizeByType(d, args);
    if (d.clamp) return String(Math.min(d.clamp[1], Math.max(d.clamp[0], Number(value))));
    return value;
  }

  /** Sets a directive from already validated text and tells the listeners. */
  setNormalized(d: Directive, value: string): void {
    this.setMany([[d, value]]);
  }

  /**
   * Sets several validated values at once: all of them or none. If a listener refuses one, every
   * value goes back to what it was (and listeners hear about the restore), then the error is thrown.
   */
  setMany(changes: [Directive, string][]): void {
    const previous = changes.map(([d]) => [d, this.values.get(d.name)] as const);
    this.numbers.clear();
    try {
      for (const [d, value] of changes) this.values.set(d.name, value);
      for (const [d, value] of changes) {
        try {
          for (const listener of this.listeners) listener(d.name, value);
        } catch (e) {
          if (e instanceof ConfigError) e.directive ??= d.name;
          throw e;
        }
      }
    } catch (e) {
      this.numbers.clear();
      for (const [d, old] of [...previous].reverse()) {
        if (old === undefined) this.values.delete(d.name);
        else this.values.set(d.name, old);
      }
      for (const [d] of previous) {
        for (const listener of this.listeners) {
          try {
            listener(d.name, this.valueOf(d));
          } catch {
            // Restoring a value that was accepted before cannot be refused.
          }
        }
      }
      throw e;
    }
  }

  /** Validates and sets; throws ConfigError on a bad value or unknown name. */
  set(name: string, args: string[]): void {
    const d = findDirective(name);
    if (!d) throw new ConfigError('Bad directive or wrong number of arguments');
    this.setNormalized(d, this.normalize(d, args));
  }

  /** Directive names and values, in table order. */
  entries(): [Directive, string][] {
    return DIRECTIVES.map((d) => [d, this.valueOf(d)]);
  }
}

function bigintOf(n: number | bigint | undefined, fallback: bigint): bigint {
  return n === undefined ? fallback : BigInt(n);
}

function normalizeByType(d: Directive, args: string[]): string {
  const text = args[0];
  switch (d.type) {
    case 'bool':
      return parseBool(text);
    case 'enum':
      return parseEnum(text, d.values ?? []);
    case 'int':
    case 'memory': {
      const n = d.type === 'memory' ? parseMemoryBytes(text) : parseLongLong(text);
      if (n === null) {
        throw new ConfigError(d.type === 'memory' ? 'argument must be a memory value' : "argument couldn't be parsed into an integer");
      }
      return checkBounds(n, bigintOf(d.min, -(2n ** 63n)), bigintOf(d.max, 2n ** 64n - 1n));
    }
    case 'save':
    case 'bind':
    case 'list':
      return args.join(' ');
    default:
      return text;
  }
}
