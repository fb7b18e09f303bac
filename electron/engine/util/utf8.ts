// Cutting bytes without splitting a UTF-8 character: a line stored cut at a byte limit
// must not turn into an "invalid UTF-8" one because of the cut.

/**
 * The end (<= `end`) at which cutting `buf[start, end)` leaves no broken UTF-8 sequence:
 * a truncated line must not turn into an "invalid UTF-8" one just because of the cut.
 */
export function utf8Boundary(buf: Buffer, start: number, end: number): number {
  // Walk back over at most 3 continuation bytes to the lead byte of the last sequence.
  let i = end - 1;
  let cont = 0;
  while (i >= start && cont < 3 && (buf[i]! & 0xc0) === 0x80) {
    i--;
    cont++;
  }
  if (i < start) return end;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return need > cont ? i : end;
}
