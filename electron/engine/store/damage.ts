/**
 * A store SQLite found damaged (a page overwritten, a file cut short: a failing disk, a copy
 * taken mid-write). Nothing more can be written to it that touches the damage, and retrying
 * does not help: the user is told once, with what to do.
 */
export function isDamaged(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code.startsWith('SQLITE_CORRUPT');
}

/** What to do about a damaged store at `dbPath`, said the same wherever it shows. */
export function damageAdvice(dbPath: string): string {
  return (
    `stop Vigil, then \`vigil recover --db ${dbPath}\` copies all it can read into ${dbPath}.recovered, to put in its place; ` +
    `or move it away, and Vigil makes a new store (its sources start again from their \`start:\`)`
  );
}
