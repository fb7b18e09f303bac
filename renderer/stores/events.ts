import { create } from 'zustand';
import { levelRank, type Level, type LogEvent, type TailPage } from '../../shared/types.js';
import { matchesSearch, parseSearch } from '../../shared/search.js';
import { api } from './api-context.js';

const KEEP = 2000;
/**
 * Lines shown at most when paging back: past this, the newest are let go (a "Newer lines"
 * button brings the view back to the newest). Every page was kept: at 20,000 lines a click
 * took 3 s, a keystroke 1.8 s, and the page's memory grew without end.
 */
export const MAX_SHOWN = 4000;
/** Lines a search shows per page; older pages are asked for. */
const PAGE = 500;
/** Pages one "older" asks for at most while they hold nothing (each looks at a bounded number of records). */
const EMPTY_PAGES = 8;

/** What the live view shows: every line, or those of one source, of a level and up, with a word in their message. */
export interface LineFilter {
  search: string;
  minLevel: Level | '';
  /** A source's name; '' for all. */
  source: string;
}

interface EventsState {
  lines: LogEvent[];
  paused: boolean;
  /** Lines that arrived while paused and pass the filter. */
  missed: number;
  /** Lines the UI was not sent arrived while paused under a filter: some may pass it (missed is then a lower bound). */
  missedMore: boolean;
  filter: LineFilter;
  /** Where older lines go on (see TailPage.before); null: the store's oldest line is shown. */
  before: number | null;
  /** A page is being asked for. */
  loading: boolean;
  /** Lines kept as new ones arrive: more once older pages were asked for. */
  keep: number;
  /** Paged back past MAX_SHOWN: the id of the last line shown, newer ones let go (new lines are counted, not shown). Null: the newest line is shown. */
  after: number | null;
  /** Why the last page asked for did not come (the store refused the search); null when it came. */
  error: string | null;
  load(): Promise<void>;
  /** Asks the store for older lines (of the filter) and puts them before the others. */
  older(): Promise<void>;
  setFilter(filter: LineFilter): Promise<void>;
  append(events: LogEvent[]): void;
  /** A burst the engine did not send line by line: `count` lines before the next batch. */
  skipped(count: number): void;
  setPaused(paused: boolean): void;
  /** The link to the engine is back: reload what may have been missed, unless the view is held. */
  reconnected(): void;
}

function request(f: LineFilter, beforeId?: number) {
  return {
    limit: PAGE,
    ...(f.search.trim() ? { search: f.search.trim() } : {}),
    ...(f.minLevel ? { minLevel: f.minLevel } : {}),
    ...(f.source ? { source: f.source } : {}),
    ...(beforeId ? { beforeId } : {}),
  };
}

/** A page of the filter's lines before `beforeId` (newest first), looking on past pages that hold none, up to EMPTY_PAGES. */
async function pageOf(f: LineFilter, beforeId?: number): Promise<TailPage> {
  let page = await api().call('events.tail', request(f, beforeId));
  for (let k = 1; page.events.length === 0 && page.before !== null && k < EMPTY_PAGES; k++) {
    page = await api().call('events.tail', request(f, page.before));
  }
  return page;
}

/** Whether a line the engine just stored passes the filter (as the store's search does: words in the message, -words not, ignoring case). */
export function matches(e: LogEvent, f: LineFilter): boolean {
  if (f.minLevel && levelRank(e.level) < levelRank(f.minLevel)) return false;
  if (f.source && e.source !== f.source) return false;
  return matchesSearch(e.message, termsOf(f.search));
}

let parsed: { q: string; terms: ReturnType<typeof parseSearch> } = { q: '', terms: parseSearch('') };
/** The search's terms, parsed once per search (matches runs for every new line). */
function termsOf(q: string) {
  if (parsed.q !== q) parsed = { q, terms: parseSearch(q) };
  return parsed.terms;
}

/** Loads of the view asked for so far: a page answers only if no load was asked for after it. */
let loads = 0;
/** Older lines are being asked for. */
let paging = false;

/**
 * The live tail: loaded from the store at start, then fed by `events.appended`. With a
 * filter, the store is searched (newest first, a page at a time) and new lines that pass
 * are appended.
 */
export const useEvents = create<EventsState>((set, get) => ({
  lines: [],
  paused: false,
  missed: 0,
  missedMore: false,
  filter: { search: '', minLevel: '', source: '' },
  before: null,
  loading: false,
  keep: KEEP,
  after: null,
  error: null,
  async load() {
    const f = get().filter;
    const mine = ++loads;
    set({ loading: true, error: null });
    try {
      // A filter's first pages may hold nothing while older records match: pageOf looks on a little.
      const page = await pageOf(f);
      // The filter changed, or the view was loaded again, meanwhile: that load answers.
      if (get().filter !== f || mine !== loads) return;
      // Lines that arrived while the page was asked for (a search looks back through several
      // pages) were appended meanwhile: they stay, after the page's newest.
      const newest = page.events.at(-1)?.id ?? 0;
      const meanwhile = get().lines.filter((e) => e.id > newest && matches(e, f));
      const all = meanwhile.length ? page.events.concat(meanwhile) : page.events;
      const lines = all.length > KEEP ? all.slice(-KEEP) : all;
      // Lines let go from the top are older again.
      set({ lines, before: lines === all ? page.before : lines[0]!.id, missed: 0, missedMore: false, keep: KEEP, after: null });
    } catch (err) {
      // Said, not shown as "No stored line matches." (a wrong answer).
      if (mine === loads) set({ error: (err as Error).message });
    } finally {
      if (mine === loads) set({ loading: false });
    }
  },
  async older() {
    const f = get().filter;
    const before = get().before;
    if (before === null || get().loading) return;
    const mine = loads;
    const top = get().lines[0]?.id;
    paging = true;
    set({ loading: true });
    try {
      const page = await pageOf(f, before);
      // Loaded again meanwhile (Resume, a burst, a reconnect), or lines let go from the top
      // after all (past MAX_SHOWN): the page goes on from lines no longer shown, and put before
      // those shown it left a hole no "Older lines" would fill.
      if (get().filter !== f || mine !== loads || get().lines[0]?.id !== top) return;
      const have = get().lines;
      const firstId = have[0]?.id ?? Infinity;
      const lines = page.events.filter((e) => e.id < firstId).concat(have);
      if (lines.length > MAX_SHOWN) {
        const kept = lines.slice(0, MAX_SHOWN);
        set({ lines: kept, before: page.before, keep: MAX_SHOWN, after: kept[kept.length - 1]!.id });
      } else set({ lines, before: page.before, keep: Math.max(KEEP, Math.min(MAX_SHOWN, lines.length + KEEP)) });
    } catch (err) {
      if (mine === loads) set({ error: (err as Error).message });
    } finally {
      paging = false;
      if (mine === loads) set({ loading: false });
    }
  },
  async setFilter(filter) {
    set({ filter, lines: [], before: null });
    await get().load();
  },
  append(events) {
    if (get().paused || get().after !== null) {
      // Counted as shown once resumed: "Errors and up" counted every line.
      const f = get().filter;
      set({ missed: get().missed + events.filter((e) => matches(e, f)).length });
      return;
    }
    const lastId = get().lines.at(-1)?.id ?? 0;
    const f = get().filter;
    const fresh = events.filter((e) => e.id > lastId && matches(e, f));
    if (!fresh.length) return;
    const lines = get().lines.concat(fresh);
    // While older lines are asked for, the top stays (up to MAX_SHOWN): the page goes before it.
    const keep = paging ? Math.max(get().keep, MAX_SHOWN) : get().keep;
    if (lines.length > keep) {
      const kept = lines.slice(-keep);
      // Lines dropped from the top are older again.
      set({ lines: kept, before: kept[0]!.id });
    } else {
      set({ lines });
    }
  },
  skipped(count) {
    if (get().paused || get().after !== null) {
      const f = get().filter;
      if (f.search || f.minLevel || f.source) set({ missedMore: true });
      else set({ missed: get().missed + count });
      return;
    }
    // The lines between what is shown and the next batch are in the store only: show the
    // newest from there, so the view has no hole ("Older lines" goes back through them).
    void get().load();
  },
  reconnected() {
    // Paused, or paged back: the view stays where the person left it. Lines may have arrived
    // while the link was down: "new lines" says so, and resuming shows the newest.
    if (get().paused || get().after !== null) set({ missedMore: true });
    else void get().load();
  },
  setPaused(paused) {
    set({ paused });
    if (!paused) void get().load();
  },
}));
