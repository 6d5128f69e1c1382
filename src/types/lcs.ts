/**
 * Longest common subsequence of two byte strings, by the dynamic programming table Redis's LCS
 * command builds, walked back the same way so that the matched ranges (IDX) come out in the
 * same order and with the same boundaries as Redis's.
 */

/** A run of consecutive matching bytes: a[aStart..aEnd] equals b[bStart..bEnd]. */
export interface LcsRange {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
  length: number;
}

export interface LcsResult {
  length: number;
  /** The subsequence itself (latin1), when asked for. */
  text: string | null;
  /** Matched ranges from the end of the strings to the start, when asked for. */
  ranges: LcsRange[];
}

export interface LcsOptions {
  /** Build the subsequence text. */
  text: boolean;
  /** Collect the matched ranges. */
  ranges: boolean;
  /** Only ranges at least this long (0: all). */
  minMatchLen: number;
}

/** Bytes of transient memory the table needs, as Redis computes it. */
export function lcsTableBytes(aLength: number, bLength: number): number {
  return (aLength + 1) * (bLength + 1) * 4;
}

/** Throws RangeError when the table cannot be allocated. */
export function computeLcs(a: Uint8Array, b: Uint8Array, options: LcsOptions): LcsResult {
  const alen = a.length;
  const blen = b.length;
  const width = blen + 1;
  // table[i * width + j] = length of the LCS of a[0..i-1] and b[0..j-1].
  const table = new Uint32Array((alen + 1) * width);
  for (let i = 1; i <= alen; i++) {
    const row = i * width;
    const above = row - width;
    const ai = a[i - 1];
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) table[row + j] = table[above + j - 1] + 1;
      else {
        const up = table[above + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const length = table[alen * width + blen];
  const result: LcsResult = { length, text: null, ranges: [] };
  if (!options.text && !options.ranges) return result;

  const text = options.text ? new Uint8Array(length) : null;
  let idx = length;
  // aStart === alen means "no range in progress".
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      if (text) text[idx - 1] = a[i - 1];
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        // Contiguous with the current range: extend it backwards.
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLength = aEnd - aStart + 1;
      if (options.ranges && (options.minMatchLen === 0 || matchLength >= options.minMatchLen)) {
        result.ranges.push({ aStart, aEnd, bStart, bEnd, length: matchLength });
      }
      aStart = alen;
    }
  }
  if (text) result.text = Buffer.from(text.buffer, text.byteOffset, text.length).toString('latin1');
  return result;
}
