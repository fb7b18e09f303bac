/** The first line of `s`, cut to `max` characters (never inside a surrogate pair: half an emoji shows as "�"). */
export function firstLine(s: string, max: number): string {
  const nl = s.indexOf('\n');
  const line = nl >= 0 ? s.slice(0, nl) : s;
  if (line.length <= max) return line;
  let end = max - 1;
  const c = line.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${line.slice(0, end)}…`;
}
