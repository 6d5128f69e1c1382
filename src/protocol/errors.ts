/**
 * An argument as C's "%.<max>s" prints it inside an error: cut at the first NUL byte (Redis's
 * strings are C strings there) and at max bytes.
 */
export function cText(s: string, max: number): string {
  const nul = s.indexOf('\0');
  return (nul < 0 ? s : s.slice(0, nul)).slice(0, max);
}

/** Error replies that many commands share, to the letter as Redis 7.0 sends them. */
export const Errors = {
  syntax: 'ERR syntax error',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  noSuchKey: 'ERR no such key',
  dbIndexOutOfRange: 'ERR DB index is out of range',
  invalidDbIndex: 'ERR invalid DB index',
  overflow: 'ERR increment or decrement would overflow',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  noAuth: 'NOAUTH Authentication required.',
  invalidExpire: (command: string): string => `ERR invalid expire time in '${command}' command`,
  wrongArgs: (command: string): string => `ERR wrong number of arguments for '${command}' command`,
  unknownSubcommand: (sub: string, command: string): string =>
    `ERR unknown subcommand '${cText(sub, 128)}'. Try ${command.toUpperCase()} HELP.`,
} as const;
