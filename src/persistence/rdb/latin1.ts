/**
 * Buffer <-> latin1 string copies (one char per byte, binary safe) through Node's native
 * latin1Slice / latin1Write, which Node's type declarations do not list.
 */
type Latin1Buffer = Buffer & {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number, length: number): number;
};

/** The bytes b[start, end) as a latin1 string. */
export function latin1Slice(b: Buffer, start: number, end: number): string {
  return (b as Latin1Buffer).latin1Slice(start, end);
}

/** Below this length a JS loop beats the native call's fixed cost. */
const NATIVE_WRITE_MIN = 48;

/** Writes the first `length` chars of s at b[offset]. */
export function latin1Write(b: Buffer, s: string, offset: number, length: number): void {
  if (length < NATIVE_WRITE_MIN) {
    for (let i = 0; i < length; i++) b[offset + i] = s.charCodeAt(i);
  } else {
    (b as Latin1Buffer).latin1Write(s, offset, length);
  }
}
