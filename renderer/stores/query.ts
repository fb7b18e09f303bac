import { create } from 'zustand';
import type { QueryResult } from '../../shared/types.js';
import { api } from './api-context.js';

interface QueryState {
  sql: string;
  result: QueryResult | null;
  /** The SQL the result (or error) is of: the box may hold other text since. */
  ran: string | null;
  error: string | null;
  running: boolean;
  setSql(sql: string): void;
  run(): Promise<void>;
}

export const useQuery = create<QueryState>((set, get) => ({
  sql: "SELECT time, source, level, message FROM events WHERE level IN ('error', 'critical', 'fatal') ORDER BY id DESC LIMIT 100",
  result: null,
  ran: null,
  error: null,
  running: false,
  setSql: (sql) => set({ sql }),
  async run() {
    // One at a time: a second run while the first is out would have its answer replaced by
    // the first's when that comes later (the table would show another query's rows).
    if (get().running) return;
    if (!get().sql.trim()) return set({ error: 'Write a query to run, such as SELECT * FROM events ORDER BY id DESC LIMIT 20.', result: null });
    const sql = get().sql;
    set({ running: true });
    try {
      set({ result: await api().call('query.run', { sql, limit: 1000 }), error: null, ran: sql });
    } catch (err) {
      set({ error: (err as Error).message, result: null, ran: sql });
    } finally {
      set({ running: false });
    }
  },
}));
