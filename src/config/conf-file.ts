/**
 * Reading a configuration the way redis-server does (config.c loadServerConfigFromString): the
 * text is split into lines, each trimmed; blank lines and `#` comments are skipped; a line is split
 * like an inline command (quotes and escapes); the first word names a directive (any case) and the
 * rest are its arguments. A multi-argument directive given one argument splits it again
 * (`save "900 1 300 10"`), repeated `save` lines add up, and `include path` reads another file in
 * place. The first bad line stops everything with Redis's FATAL CONFIG FILE ERROR text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitInlineArgs } from '../protocol/inline-args';
import { globMatch } from '../keyspace/glob';
import { NODIS_VERSION } from '../server/version';
import type { Config } from './config';
import { DEPRECATED_DIRECTIVES, findDirective } from './directives';
import { ConfigError, accumulateSave, strerror } from './values';

/** A configuration error that stops start-up; `format()` is what redis-server prints on stderr. */
export class FatalConfigError extends Error {
  constructor(
    readonly reason: string,
    readonly lineNumber: number | null = null,
    readonly line: string | null = null,
  ) {
    super(reason);
  }

  format(): string {
    let text = `\n*** FATAL CONFIG FILE ERROR (Redis ${NODIS_VERSION}) ***\n`;
    if (this.lineNumber !== null) {
      text += `Reading the configuration file, at line ${this.lineNumber}\n>>> '${this.line}'\n`;
    }
    return text + `${this.reason}\n`;
  }
}

/** A configuration file that cannot be read; redis-server logs this and exits with status 1. */
export class ConfigFileOpenError extends Error {
  constructor(file: string, cause: unknown) {
    super(`Fatal error, can't open config file '${file}': ${strerror(cause)}`);
  }
}

/** State shared by one configuration and the files it includes. */
export interface LoadState {
  /** Directives whose repeated lines accumulate, already seen once (their default is dropped). */
  accumulated: Set<string>;
  includeDepth: number;
}

export function newLoadState(): LoadState {
  return { accumulated: new Set(), includeDepth: 0 };
}

const MAX_INCLUDE_DEPTH = 32;

/** Applies every line of a configuration text to `config`; throws FatalConfigError on the first bad one. */
export function loadConfigFromString(config: Config, text: string, state: LoadState = newLoadState()): void {
  const lines = text === '' ? [] : text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '' || line[0] === '#') continue;
    try {
      loadLine(config, line, state);
    } catch (e) {
      if (e instanceof LineError) throw new FatalConfigError(e.message, i + 1, e.shownLine ?? line);
      throw e;
    }
  }
}

/** A bad line; `shownLine` replaces the line in the message when it holds a secret. */
class LineError extends Error {
  constructor(
    reason: string,
    readonly shownLine: string | null = null,
  ) {
    super(reason);
  }
}

function loadLine(config: Config, line: string, state: LoadState): void {
  const argv = splitInlineArgs(line);
  if (argv === null) throw new LineError('Unbalanced quotes in configuration line');
  if (argv.length === 0) return;
  const name = argv[0].toLowerCase();
  const d = findDirective(name);
  if (d) {
    // A password never reaches the screen, even on a bad line.
    const shown = d.sensitive ? `${argv[0]} (redacted)` : null;
    if (!d.multiArg && argv.length !== 2) throw new LineError('wrong number of arguments', shown);
    const args = d.multiArg && argv.length === 2 && argv[1] !== '' ? (splitInlineArgs(argv[1]) ?? []) : argv.slice(1);
    let value: string;
    try {
      value = config.normalize(d, args);
    } catch (e) {
      throw e instanceof ConfigError ? new LineError(e.message, shown) : e;
    }
    if (d.accumulates) {
      if (state.accumulated.has(d.name)) value = accumulateSave(config.valueOf(d), value);
      state.accumulated.add(d.name);
    }
    config.setNormalized(d, value);
  } else if (DEPRECATED_DIRECTIVES.includes(name) && argv.length === 2) {
    return;
  } else if (name === 'include' && argv.length === 2) {
    if (state.includeDepth >= MAX_INCLUDE_DEPTH) throw new LineError('include nesting is too deep (an include loop?)');
    state.includeDepth++;
    try {
      loadConfigFromString(config, readConfigFile(argv[1]), state);
    } finally {
      state.includeDepth--;
    }
  } else {
    throw new LineError('Bad directive or wrong number of arguments');
  }
}

/**
 * The text of a configuration file, as bytes in latin1 (so any byte survives). A name with a
 * wildcard (`include /etc/nodis/conf.d/*.conf`) reads every matching file in name order, and
 * nothing when none match; only the file name part may hold wildcards.
 */
export function readConfigFile(file: string): string {
  if (!/[*?[]/.test(file)) {
    try {
      return fs.readFileSync(file, 'latin1');
    } catch (e) {
      throw new ConfigFileOpenError(file, e);
    }
  }
  const dir = path.dirname(file);
  const pattern = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return '';
  }
  let text = '';
  for (const name of names.sort()) {
    // As glob(3): a leading dot must be matched explicitly.
    if (name.startsWith('.') && !pattern.startsWith('.')) continue;
    if (!globMatch(pattern, name)) continue;
    const full = path.join(dir, name);
    try {
      text += fs.readFileSync(full, 'latin1');
    } catch (e) {
      throw new ConfigFileOpenError(full, e);
    }
  }
  return text;
}

/** Checks made once everything is loaded: the log file must be writable. */
export function checkLoadedConfig(config: Config): void {
  const logfile = config.get('logfile');
  if (logfile === '') return;
  try {
    fs.closeSync(fs.openSync(logfile, 'a'));
  } catch (e) {
    throw new FatalConfigError(`Can't open the log file: ${strerror(e)}`);
  }
}
