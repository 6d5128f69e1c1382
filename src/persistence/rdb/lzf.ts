/**
 * LZF compression in liblzf's format (lzf_c.c / lzf_d.c, as bundled with Redis): what RDB files
 * use for strings, listpacks and compressed quicklist nodes.
 *
 * The stream is a series of runs: a control byte 000LLLLL starts L+1 literal bytes; LLLooooo
 * oooooooo (L = 1..6) or 111ooooo LLLLLLLL oooooooo copies a back-reference of length L+2 (with
 * the extra byte, 7+L+2) from offset o+1 behind the output position.
 *
 * The compressor follows liblzf's VERY_FAST variant (HLOG 16), so its output is what Redis writes
 * for the same input, apart from Redis's hash table being left uninitialised between calls.
 */
const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * The hash table, shared by every call: a slot holds `base + position`. Each call starts with a
 * new base above every value stored before, so stale slots read as "no match" without clearing
 * the 256 KB table for every small string.
 */
const table = new Int32Array(HSIZE);
let base = 0;

function idx(h: number): number {
  // ((h >> (3*8 - HLOG)) - h*5) & (HSIZE - 1), with h a 24-bit value.
  return ((h >>> 8) - Math.imul(h, 5)) & (HSIZE - 1);
}

/**
 * Compresses input[inStart, inStart + inLen) into out[0, outLen); returns the compressed length,
 * or 0 when it does not fit in outLen bytes (callers pass inLen - 4 to require a gain).
 */
export function lzfCompress(input: Uint8Array, inStart: number, inLen: number, out: Uint8Array, outLen: number): number {
  if (inLen === 0 || outLen === 0) return 0;
  if (base > 0x7fffffff - inLen - 2) {
    table.fill(0);
    base = 0;
  }
  const callBase = base + 1;
  base = callBase + inLen + 1;

  const inEnd = inStart + inLen;
  let ip = inStart;
  let op = 1; // start of a literal run: its control byte is out[op - lit - 1]
  let lit = 0;
  let hval = (input[ip] << 8) | input[ip + 1];

  while (ip < inEnd - 2) {
    hval = ((hval << 8) | input[ip + 2]) & 0xffffff;
    const slot = idx(hval);
    const stored = table[slot];
    table[slot] = callBase + (ip - inStart);
    const refPos = stored - callBase; // position in the input, or negative when stale/empty
    const ref = inStart + refPos;
    const off = ip - ref - 1;
    if (
      refPos > 0 &&
      off < MAX_OFF &&
      off >= 0 &&
      input[ref + 2] === input[ip + 2] &&
      input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1]
    ) {
      let len = 2;
      let maxlen = inEnd - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;

      if (op + 3 + 1 >= outLen) {
        if (op - (lit === 0 ? 1 : 0) + 3 + 1 >= outLen) return 0;
      }

      out[op - lit - 1] = lit - 1; // stop the literal run
      if (lit === 0) op--; // undo an empty run

      extend: {
        // liblzf first compares 16 bytes unrolled without looking at maxlen (a match may then
        // run up to the last input byte), then byte by byte up to maxlen.
        if (maxlen > 16) {
          for (let k = 0; k < 16; k++) {
            len++;
            if (input[ref + len] !== input[ip + len]) break extend;
          }
        }
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }

      len -= 2; // now the number of octets - 1
      ip++;

      if (len < 7) {
        out[op++] = (off >>> 8) + (len << 5);
      } else {
        out[op++] = (off >>> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;

      lit = 0;
      op++; // start a new run

      ip += len + 1;
      if (ip >= inEnd - 2) break;

      // VERY_FAST: hash the two positions before the new one.
      ip -= 2;
      hval = (input[ip] << 8) | input[ip + 1];
      hval = ((hval << 8) | input[ip + 2]) & 0xffffff;
      table[idx(hval)] = callBase + (ip - inStart);
      ip++;
      hval = ((hval << 8) | input[ip + 2]) & 0xffffff;
      table[idx(hval)] = callBase + (ip - inStart);
      ip++;
    } else {
      if (op >= outLen) return 0;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }

  if (op + 3 > outLen) return 0;

  while (ip < inEnd) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }

  out[op - lit - 1] = lit - 1; // end the run
  if (lit === 0) op--;
  return op;
}

/**
 * Decompresses input[inStart, inStart + inLen) into out[outStart, outStart + outLen); returns the
 * number of bytes produced, or -1 when the data is corrupt or does not fit (lzf_decompress's
 * EINVAL and E2BIG).
 */
export function lzfDecompress(
  input: Uint8Array,
  inStart: number,
  inLen: number,
  out: Uint8Array,
  outStart: number,
  outLen: number,
): number {
  let ip = inStart;
  const inEnd = inStart + inLen;
  let op = outStart;
  const outEnd = outStart + outLen;
  while (ip < inEnd) {
    let ctrl = input[ip++];
    if (ctrl < 1 << 5) {
      ctrl++; // literal run of ctrl bytes
      if (op + ctrl > outEnd || ip + ctrl > inEnd) return -1;
      for (let k = 0; k < ctrl; k++) out[op++] = input[ip++];
    } else {
      let len = ctrl >>> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= inEnd) return -1;
      if (len === 7) {
        len += input[ip++];
        if (ip >= inEnd) return -1;
      }
      ref -= input[ip++];
      len += 2;
      if (op + len > outEnd || ref < outStart) return -1;
      // Byte by byte: a reference may overlap the bytes it produces (runs).
      for (let k = 0; k < len; k++) out[op++] = out[ref++];
    }
  }
  return op - outStart;
}
