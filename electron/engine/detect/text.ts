/** The first line of `s`, cut to `max` characters. */
export function firstLine(s: string, max: number): string {
  const nl = s.indexOf('\n');
  const line = nl >= 0 ? s.slice(0, nl) : s;
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
