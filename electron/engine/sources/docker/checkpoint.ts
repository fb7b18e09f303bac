// What is stored per container (in its `files` row's `cursor`, committed in the same
// transaction as the records): for each stream, the resume position and the last line
// number used, so numbering continues across restarts.
import { BEGINNING, comparePositions, shiftKey, sinceParam, type Position } from './position.js';

export type StreamName = 'stdout' | 'stderr';
export const STREAMS: readonly StreamName[] = ['stdout', 'stderr'];

export interface StreamCursor extends Position {
  /** Last line number handed to the store for this stream. */
  seq: number;
}

export type ContainerCursor = Record<StreamName, StreamCursor>;

/**
 * How far behind its sibling an idle stream may be carried along. stdout and stderr are
 * copied by two goroutines, so their file order can differ from their time order by a
 * hair; one second is far beyond that, and keeps a resume from rereading an idle
 * stream's whole history.
 */
const CARRY_MARGIN_MS = 1000;

export function cursorAt(p: Position): ContainerCursor {
  return { stdout: { ...p, seq: 0 }, stderr: { ...p, seq: 0 } };
}

export function parseContainerCursor(text: string | null): ContainerCursor | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<ContainerCursor>;
    const one = (s: Partial<StreamCursor> | undefined): StreamCursor => ({
      t: typeof s?.t === 'string' ? s.t : '',
      n: typeof s?.n === 'number' ? s.n : 0,
      seq: typeof s?.seq === 'number' ? s.seq : 0,
    });
    return { stdout: one(v.stdout), stderr: one(v.stderr) };
  } catch {
    return null;
  }
}

export function serializeCursor(c: ContainerCursor): string {
  return JSON.stringify(c);
}

/** The `since` for reopening both streams in one request: the earlier of the two. */
export function sinceFor(c: ContainerCursor): string {
  const first = comparePositions(c.stdout, c.stderr) <= 0 ? c.stdout : c.stderr;
  return first.t === '' ? '0' : sinceParam(first.t);
}

/**
 * Carries a stream that has nothing pending up to (just behind) its sibling, so that
 * a reopen asks Docker for little history. Only safe for a stream holding no lines.
 */
export function carryAlong(own: StreamCursor, sibling: Position): StreamCursor {
  if (!sibling.t) return own;
  const floor = shiftKey(sibling.t, -CARRY_MARGIN_MS);
  return own.t < floor ? { t: floor, n: 0, seq: own.seq } : own;
}

export { BEGINNING };
