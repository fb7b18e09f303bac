// Binary files among logs. A folder source over /var/log meets systemd's journal files
// (/var/log/journal/**/*.journal), wtmp and btmp, lastlog, sysstat's data: read as text they
// are hundreds of thousands of garbage "lines" a file. lnav skips them; so does Vigil, and
// the source's status names each one it did not read, and why.

/** File types by their first bytes: a log is none of these. */
const MAGIC: [string, Buffer][] = [
  ['a systemd journal file', Buffer.from('LPKSHHRH')],
  ['an ELF executable or library', Buffer.from([0x7f, 0x45, 0x4c, 0x46])],
  ['a SQLite database', Buffer.from('SQLite format 3\0')],
  ['a PNG image', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
  ['a JPEG image', Buffer.from([0xff, 0xd8, 0xff])],
  ['a PDF document', Buffer.from('%PDF-')],
  ['a zip archive', Buffer.from([0x50, 0x4b, 0x03, 0x04])],
  ['a Mach-O executable', Buffer.from([0xcf, 0xfa, 0xed, 0xfe])],
  ['a Java class file', Buffer.from([0xca, 0xfe, 0xba, 0xbe])],
];

/**
 * Login accounting files (utmp records) and journal files by their names: lastlog is
 * sparse, often hundreds of GB of NULs where it starts, which no first bytes could judge,
 * and reading it would take hours.
 */
const BY_NAME: [RegExp, string][] = [
  [/^(?:lastlog|faillog|[bwu]tmpx?)(?:\.\d+|-\d{8})?(?:\.(?:gz|zst|xz|bz2))?$/, 'a login accounting file (utmp records)'],
  [/\.journal~?$/, 'a systemd journal file'],
];

/** Why a file named `name` (its base name) is not a text log, or null. */
export function binaryByName(name: string): string | null {
  for (const [re, what] of BY_NAME) if (re.test(name)) return `${what}, not a text log`;
  return null;
}

/** Fewer bytes than this say nothing either way (a log's first line is still being written). */
const MIN_LOOK = 64;

/**
 * Why `head` (a file's first bytes, uncompressed, not UTF-16) is not text, or null. Text is
 * what logs are made of: printable characters, tabs, line ends and terminal sequences. A
 * file whose first bytes hold more than 5% of other control bytes or NULs is binary (utmp
 * records are mostly NULs). NULs where the file starts are a hole a writer without O_APPEND
 * leaves after a truncation, not content: they are not looked at.
 */
export function binaryReason(head: Buffer): string | null {
  for (const [what, magic] of MAGIC) if (head.length >= magic.length && head.subarray(0, magic.length).equals(magic)) return `${what}, not a text log`;
  let from = 0;
  while (from < head.length && head[from] === 0) from++;
  const n = head.length - from;
  if (n < MIN_LOOK) return null;
  const share = controlShare(head.subarray(from));
  if (share <= 0.05 || textBeforeHole(head, from)) return null;
  return `binary content (${Math.round(share * 100)}% control bytes in its first ${n} bytes), not a text log`;
}

/**
 * Whole lines of text, then a run of NULs: a log a crash or a preallocating writer left
 * with a hole, not a binary file (utmp's first bytes are a record type, not a line).
 */
function textBeforeHole(head: Buffer, from: number): boolean {
  const hole = head.indexOf(NUL_RUN, from);
  if (hole <= from) return false;
  const text = head.subarray(from, hole);
  return text.includes(10) && controlShare(text) <= 0.05;
}

/** The share of `bytes` that are NUL or C0 controls but tab, LF, VT, FF, CR and ESC. */
function controlShare(bytes: Buffer): number {
  let control = 0;
  for (const c of bytes) if (c < 0x20 && c !== 9 && c !== 10 && c !== 11 && c !== 12 && c !== 13 && c !== 27) control++;
  return control / bytes.length;
}

const NUL_RUN = Buffer.alloc(32);
