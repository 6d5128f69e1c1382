/**
 * A RESP3 value as plain JSON data, for replies kept as data (command metadata, tests):
 * a JS string is a bulk string, a number an integer, null a null; `{status}` a simple string,
 * `{error}` an error, `{set}` a set, `{map}` a map of pairs, `{double}` a double, arrays arrays.
 */
export type RespNode =
  | string
  | number
  | null
  | RespNode[]
  | { status: string }
  | { error: string }
  | { set: RespNode[] }
  | { map: [RespNode, RespNode][] }
  | { double: number };
