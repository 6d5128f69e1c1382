/**
 * Commands as the AOF stores them: RESP multibulk (catAppendOnlyGenericCommand), arguments as
 * the client sent them (latin1 strings, one char per byte), plus the "#TS:<unix time>" annotation
 * lines written when aof-timestamp-enabled is on.
 */

/** One command as "*<argc>\r\n$<len>\r\n<arg>\r\n..." text (latin1). */
export function encodeCommand(argv: readonly string[]): string {
  let out = `*${argv.length}\r\n`;
  for (const arg of argv) out += `$${arg.length}\r\n${arg}\r\n`;
  return out;
}

export function selectCommand(dbIndex: number): string {
  return encodeCommand(['SELECT', String(dbIndex)]);
}

export function timestampAnnotation(unixSeconds: number): string {
  return `#TS:${unixSeconds}\r\n`;
}
