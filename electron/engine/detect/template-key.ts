import type { StoredRecord } from '../pipeline/types.js';

// The key a detector groups records by: the mined template id when the miner gave one,
// else a hash of the message with its numbers masked (so `took 12 ms` and `took 15 ms`
// share a key even without a miner).

const VARIABLE = /0x[0-9a-f]+|[0-9a-f]*\d[0-9a-f:.\-]*/gi;

export function templateKey(r: Pick<StoredRecord, 'templateId' | 'message'>): string {
  if (r.templateId !== null && r.templateId !== undefined) return `t${r.templateId}`;
  const first = r.message.length > 300 ? r.message.slice(0, 300) : r.message;
  const nl = first.indexOf('\n');
  return `h${fnv1a((nl >= 0 ? first.slice(0, nl) : first).replace(VARIABLE, '#'))}`;
}

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
