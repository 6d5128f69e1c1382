/**
 * redis-server's command line (server.c main): `[config-file] [--directive value ...] [-]`.
 * Each `--name` starts a config line and the arguments after it, up to the next `--name`, are its
 * values (quoted as sdscatrepr does); the lines are appended after the file and standard input,
 * so flags override the file. `-` as the first or last argument reads the configuration from
 * standard input.
 */
import * as path from 'node:path';
import { splitInlineArgs } from '../protocol/inline-args';
import { quoteRepr } from './values';

export interface CommandLine {
  /** Absolute path of the configuration file, or null. */
  configFile: string | null;
  fromStdin: boolean;
  /** The flags as configuration lines. */
  options: string;
}

/** Command-line arguments as latin1 text of their UTF-8 bytes, the form every config value has. */
export function argToLatin1(arg: string): string {
  return Buffer.from(arg, 'utf8').toString('latin1');
}

export function parseCommandLine(rawArgs: readonly string[], cwd = process.cwd()): CommandLine {
  const args = rawArgs.map(argToLatin1);
  let configFile: string | null = null;
  let fromStdin = false;
  let options = '';
  let j = 0;
  if (args.length > 0 && !args[0].startsWith('-')) {
    configFile = path.resolve(cwd, args[0]);
    j = 1;
  }
  // False right after a bare `--name`: the next argument is its value even if it starts with "--".
  let lastNameHasValue = true;
  for (; j < args.length; j++) {
    const arg = args[j];
    const last = j === args.length - 1;
    if (arg === '-' && (j === 0 || last)) {
      fromStdin = true;
    } else if (lastNameHasValue && arg.startsWith('--')) {
      if (options !== '') options += '\n';
      options += arg.slice(2) + ' ';
      if (splitInlineArgs(arg)?.length === 1) {
        lastNameHasValue = false;
        // `--save` followed by another flag or nothing means `save ""`, as before Redis 7.0.1.
        if (arg.toLowerCase() === '--save' && (last || args[j + 1].startsWith('--'))) {
          options += '""';
          lastNameHasValue = true;
        }
      } else {
        lastNameHasValue = true;
      }
    } else {
      options += quoteRepr(arg) + ' ';
      lastNameHasValue = true;
    }
  }
  return { configFile, fromStdin, options };
}

/** The whole configuration text: file, then standard input, then the flags. */
export function configText(fileText: string, stdinText: string, options: string): string {
  return `${fileText}${stdinText}\n${options}`;
}
