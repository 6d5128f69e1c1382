/**
 * Splits a line into arguments the way Redis's sdssplitargs does, for inline requests and
 * redis.conf lines: spaces separate arguments; "double quotes" understand \n \r \t \b \a \\ \"
 * and \xHH; 'single quotes' understand only \'. A closing quote must be followed by a space or the
 * end of the line. Returns null for unbalanced quotes.
 */
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t' || ch === '\v' || ch === '\f';
}

function isHex(ch: string | undefined): boolean {
  return ch !== undefined && /^[0-9a-fA-F]$/.test(ch);
}

export function splitInlineArgs(line: string): string[] | null {
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return args;
    let current = '';
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      const ch = line[i];
      if (inDouble) {
        if (i >= n) return null;
        if (ch === '\\' && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          current += String.fromCharCode(parseInt(line.substr(i + 2, 2), 16));
          i += 3;
        } else if (ch === '\\' && i + 1 < n) {
          i++;
          current += ESCAPES[line[i]] ?? line[i];
        } else if (ch === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          i++;
          break;
        } else {
          current += ch;
        }
      } else if (inSingle) {
        if (i >= n) return null;
        if (ch === '\\' && line[i + 1] === "'") {
          i++;
          current += "'";
        } else if (ch === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          i++;
          break;
        } else {
          current += ch;
        }
      } else {
        if (i >= n || isSpace(ch)) break;
        if (ch === '"') inDouble = true;
        else if (ch === "'") inSingle = true;
        else current += ch;
      }
      i++;
    }
    args.push(current);
  }
}
