/**
 * Splits a byte stream of RESP2/RESP3 replies into whole replies, so tests can compare the exact
 * bytes of each reply. Returns the length of the first complete reply in buf, or -1 if incomplete.
 */
export function replyLength(buf: Buffer, start = 0): number {
  const end = skipReply(buf, start);
  return end < 0 ? -1 : end - start;
}

function lineEnd(buf: Buffer, pos: number): number {
  const cr = buf.indexOf('\r\n', pos, 'latin1');
  return cr < 0 ? -1 : cr;
}

function skipReply(buf: Buffer, pos: number): number {
  if (pos >= buf.length) return -1;
  const type = String.fromCharCode(buf[pos]);
  const cr = lineEnd(buf, pos + 1);
  if (cr < 0) return -1;
  const head = buf.toString('latin1', pos + 1, cr);
  let next = cr + 2;
  switch (type) {
    case '+': case '-': case ':': case '_': case ',': case '#': case '(':
      return next;
    case '$': case '=': case '!': {
      const len = Number(head);
      if (len < 0) return next;
      return next + len + 2 <= buf.length ? next + len + 2 : -1;
    }
    case '*': case '~': case '>': case '%': case '|': {
      let count = Number(head);
      if (count < 0) return next;
      if (type === '%' || type === '|') count *= 2;
      for (let i = 0; i < count; i++) {
        next = skipReply(buf, next);
        if (next < 0) return -1;
      }
      if (type === '|') return skipReply(buf, next);
      return next;
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(buf.toString('latin1', pos, pos + 40))}`);
  }
}
