import { useState, type ClipboardEvent } from 'react';
import { RECORD_FLAGS } from '../../../shared/types.js';

/** Characters of a line shown until asked for the rest: a 200 KB line was a block some 34,000 px tall. */
export const SHOWN = 4000;

// Terminal sequences (colours, cursor moves, titles): the engine strips them from messages;
// a raw line keeps them, and showed `[31m` in the evidence.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

export function withoutAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ANSI, '') : text;
}

/**
 * A line's text as the views show it: terminal sequences out, the first SHOWN characters
 * with a button for the rest, and a mark when the source cut the line when it was stored
 * (longer than its maxLineBytes), so the rest is not taken for the whole.
 */
export function LineText({ text, flags, limit = SHOWN }: { text: string; flags?: number | undefined; limit?: number | undefined }) {
  const [whole, setWhole] = useState(false);
  const clean = withoutAnsi(text);
  const long = clean.length > limit;
  const cut = ((flags ?? 0) & RECORD_FLAGS.truncated) !== 0;
  // Sent to the view cut (a line of more than 256 KiB characters): the store has it whole.
  const viewCut = ((flags ?? 0) & RECORD_FLAGS.cutForView) !== 0;
  return (
    <>
      {long && !whole ? clean.slice(0, limit) : clean}
      {long && (
        <button className="link more" onClick={() => setWhole(!whole)}>
          {whole ? ' show less' : ` … ${(clean.length - limit).toLocaleString('en-US')} more characters`}
        </button>
      )}
      {viewCut && (!long || whole) && (
        <span className="cut" data-testid="line-view-cut" title="Longer than a view shows: the store has the whole line (the SQL view, vigil query).">
          {' '}[the rest is in the store: longer than a view shows]
        </span>
      )}
      {cut && (!long || whole) && (
        <span className="cut" data-testid="line-cut" title="The line was longer than the source's maxLineBytes: the rest was not stored.">
          {' '}[cut when stored: longer than the source's line limit]
        </span>
      )}
    </>
  );
}

/** The width of the time column for these times (a date before the time when not today), in characters. */
export function timeColumn(times: string[]): string {
  let n = 12;
  for (const t of times) if (t.length > n) n = t.length;
  return `${n + 1}ch`;
}

/**
 * Copying lines: one line of text per line, its cells separated by spaces (the cells are a
 * grid's: the browser put each on a line of its own). A selection within one line copies as
 * the browser does it.
 */
export function copyLines(e: ClipboardEvent<HTMLElement>): void {
  const sel = window.getSelection();
  if (!sel || sel.isCollapsed) return;
  const rows = [...e.currentTarget.querySelectorAll<HTMLElement>('.line')].filter((el) => sel.containsNode(el, true));
  if (rows.length < 2) return;
  const cell = (c: Element) =>
    c.classList.contains('msg')
      ? [...c.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('')
      : (c.textContent ?? '');
  // (A row's opened raw line, Live's, is not one of its cells.)
  const text = rows.map((r) => [...r.children].filter((c) => !c.classList.contains('raw')).map(cell).filter((t) => t !== '').join(' ')).join('\n');
  e.clipboardData.setData('text/plain', text);
  e.preventDefault();
}
