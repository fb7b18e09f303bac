import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDecoderFactory, loadFormats } from '../../../electron/engine/decode/index.js';
import type { DecodedRecord, SourceLine } from '../../../electron/engine/decode/types.js';

// The Loghub-2k corpus lives in shared/ beside the repository (see shared/corpus/SOURCE.md:
// research use, cite Loghub, keep the license notice). Tests only read it.

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CORPUS_DIR = process.env.VIGIL_CORPUS_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'corpus', 'loghub-2k');

export const SYSTEMS = ['Apache', 'BGL', 'HDFS', 'HPC', 'Hadoop', 'HealthApp', 'Linux', 'OpenSSH', 'Proxifier', 'Spark', 'Zookeeper'] as const;
export type System = (typeof SYSTEMS)[number];

/** Outside CI a missing corpus skips with a note; in CI it is a failure, never a silent skip. */
export function corpusAvailable(): boolean {
  if (existsSync(CORPUS_DIR)) return true;
  if (process.env.CI) throw new Error(`the Loghub corpus is missing at ${CORPUS_DIR} (shared/ must sit beside the repository)`);
  console.warn(`skipping corpus tests: no corpus at ${CORPUS_DIR}`);
  return false;
}

export function logPath(system: System): string {
  return resolve(CORPUS_DIR, system, `${system}_2k.log`);
}

/** The raw lines, CR stripped (the files use CRLF, Proxifier LF). */
export function readLogLines(system: System): string[] {
  const text = readFileSync(logPath(system), 'utf8');
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** RFC 4180 CSV parser (quoted fields, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      i++;
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Rows of `<System>_2k.log_structured_corrected.csv` as objects keyed by the header. */
export function readStructured(system: System): Record<string, string>[] {
  const rows = parseCsv(readFileSync(resolve(CORPUS_DIR, system, `${system}_2k.log_structured_corrected.csv`), 'utf8'));
  const header = rows[0]!;
  return rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

export function normalizeTemplate(t: string): string {
  return t.replace(/\s+/g, ' ').trim();
}

/**
 * Grouping accuracy as Loghub defines it: a message counts when the set of messages in its
 * mined group equals the set in its ground-truth group.
 */
export function groupingAccuracy(mined: readonly (string | number)[], truth: readonly string[]): number {
  const minedGroups = new Map<string | number, number[]>();
  mined.forEach((m, i) => {
    const g = minedGroups.get(m);
    if (g) g.push(i);
    else minedGroups.set(m, [i]);
  });
  const truthSize = new Map<string, number>();
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  let correct = 0;
  for (const lines of minedGroups.values()) {
    const t = truth[lines[0]!]!;
    if (lines.every((i) => truth[i] === t) && truthSize.get(t) === lines.length) correct += lines.length;
  }
  return correct / truth.length;
}

/** Parsing accuracy: share of messages whose mined template equals the truth (whitespace normalized). */
export function parsingAccuracy(minedTemplates: readonly string[], truth: readonly string[]): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (normalizeTemplate(minedTemplates[i]!) === normalizeTemplate(truth[i]!)) ok++;
  return ok / truth.length;
}

const { formats } = loadFormats([], { dir: resolve(REPO_ROOT, 'resources', 'formats') });
const factory = createDecoderFactory(formats);

/** Decodes a system's raw log as the file source would feed it (file time 2025-01-01). */
export function decodeSystem(system: System): DecodedRecord[] {
  const d = factory.create({ fileMtimeMs: Date.UTC(2025, 0, 1) });
  const out: DecodedRecord[] = [];
  let off = 0;
  readLogLines(system).forEach((text, i) => {
    const line: SourceLine = { text, bytes: null, flags: 0, lineNo: i + 1, startOffset: off, endOffset: off + text.length + 2, readAt: 0 };
    off = line.endOffset;
    out.push(...d.push(line));
  });
  out.push(...d.flush());
  return out;
}

