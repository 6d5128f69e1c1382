/**
 * Parses one RESP2/RESP3 reply into plain data, for tests that compare replies structurally
 * (e.g. when the order of some elements is unspecified): bulk strings become latin1 strings,
 * integers numbers, nulls null, arrays arrays; the other types are tagged objects.
 */
import type { RawConnection } from './raw-connection';
export type RespValue =
  | string
  | number
  | boolean
  | null
  | RespValue[]
  | { status: string }
  | { error: string }
  | { map: [RespValue, RespValue][] }
  | { set: RespValue[] }
  | { push: RespValue[] }
  | { double: string }
  | { bignum: string }
  | { verbatim: string; format: string };

export function parseReply(buf: Buffer): RespValue {
  const [value, end] = parseAt(buf, 0);
  if (end !== buf.length) throw new Error(`trailing bytes after reply: ${JSON.stringify(buf.toString('latin1', end))}`);
  return value;
}

function parseAt(buf: Buffer, pos: number): [RespValue, number] {
  const type = String.fromCharCode(buf[pos]);
  const cr = buf.indexOf('\r\n', pos, 'latin1');
  const head = buf.toString('latin1', pos + 1, cr);
  let next = cr + 2;
  const items = (count: number): RespValue[] => {
    const out: RespValue[] = [];
    for (let i = 0; i < count; i++) {
      const [v, n] = parseAt(buf, next);
      out.push(v);
      next = n;
    }
    return out;
  };
  switch (type) {
    case '+':
      return [{ status: head }, next];
    case '-':
      return [{ error: head }, next];
    case ':':
      return [Number(head), next];
    case '_':
      return [null, next];
    case ',':
      return [{ double: head }, next];
    case '(':
      return [{ bignum: head }, next];
    case '#':
      return [head === 't', next];
    case '$':
    case '=': {
      const len = Number(head);
      if (len < 0) return [null, next];
      const text = buf.toString('latin1', next, next + len);
      next += len + 2;
      return type === '$' ? [text, next] : [{ verbatim: text.slice(4), format: text.slice(0, 3) }, next];
    }
    case '*': {
      const count = Number(head);
      return count < 0 ? [null, next] : [items(count), next];
    }
    case '~':
      return [{ set: items(Number(head)) }, next];
    case '>':
      return [{ push: items(Number(head)) }, next];
    case '%': {
      const flat = items(Number(head) * 2);
      const pairs: [RespValue, RespValue][] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
      return [{ map: pairs }, next];
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(buf.toString('latin1', pos, pos + 40))}`);
  }
}

/** The text of a bulk or verbatim string reply (INFO, CLIENT LIST). */
export function textOf(value: RespValue): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'verbatim' in value) return value.verbatim;
  throw new Error(`not a string reply: ${JSON.stringify(value)}`);
}

/** Sends one command on a raw connection and returns its reply, parsed. */
export async function callParsed(conn: RawConnection, ...argv: string[]): Promise<RespValue> {
  conn.send(argv);
  return parseReply(await conn.readReply());
}
