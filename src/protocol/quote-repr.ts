/**
 * Quotes bytes as Redis's sdscatrepr does: in double quotes, with C escapes for quotes, backslash
 * and control characters and \xHH for other non-printable bytes. Used by MONITOR, CONFIG REWRITE
 * and command-line echoes.
 */
export function quoteRepr(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const code = value.charCodeAt(i);
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (code < 32 || code > 126) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}
