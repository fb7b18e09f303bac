import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDecoderFactory, loadFormats } from '../../../electron/engine/decode/index.js';
import type { DecodedRecord, DecoderOptions, SourceLine, StreamDecoder } from '../../../electron/engine/decode/types.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const FIXTURES = resolve(REPO, 'test', 'fixtures', 'formats');
export const FORMATS_DIR = resolve(REPO, 'resources', 'formats');

const loaded = loadFormats([], { dir: FORMATS_DIR });
export const loadErrors = loaded.errors;
export const formats = loaded.formats;
export const factory = createDecoderFactory(formats);

/** SourceLines for a text, as the file source would read them (CR stripped, offsets in bytes). */
export function toLines(text: string, readAt = 0): SourceLine[] {
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  let off = 0;
  return parts.map((raw, i) => {
    const t = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const len = Buffer.byteLength(raw) + 1;
    const line: SourceLine = { text: t, bytes: null, flags: 0, lineNo: i + 1, startOffset: off, endOffset: off + len, readAt };
    off += len;
    return line;
  });
}

export function decodeAll(d: StreamDecoder, lines: SourceLine[]): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  for (const l of lines) out.push(...d.push(l));
  out.push(...d.flush());
  return out;
}

/** Text decoded by the built-in formats, as a file modified in 2024 (the year of times written without one). */
export function decodeText(text: string, opts: DecoderOptions = {}): { records: DecodedRecord[]; decoder: StreamDecoder } {
  const decoder = factory.create({ fileMtimeMs: Date.UTC(2024, 5, 1), ...opts });
  const records = decodeAll(decoder, toLines(text));
  return { records, decoder };
}

export function decodeFixture(name: string, opts: DecoderOptions = {}): { records: DecodedRecord[]; decoder: StreamDecoder } {
  return decodeText(readFileSync(resolve(FIXTURES, name), 'utf8'), opts);
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** An ISO string for a local time (times written without a zone are read as local): tests hold in any TZ. */
export const local = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0) => new Date(y, mo - 1, d, h, mi, s, ms).toISOString();

/** A fixture and what decoding it must give (see formatCases). */
export interface FormatCase {
  file: string;
  format: string;
  records: number;
  first: { ts: string | null; level: string | null; levelText?: string | null; message: string };
  second?: { ts?: string | null; level?: string | null; levelText?: string | null; message?: string };
  /** The level of every record, in order. */
  levels?: (string | null)[];
}

/** One test per fixture: the format detected, every record of it, the first records' time, level and message. */
export function formatCases(cases: FormatCase[]): void {
  for (const c of cases) {
    it(`${c.file} decodes as ${c.format}`, () => {
      const { records, decoder } = decodeFixture(c.file);
      expect(decoder.describe().format).toBe(c.format);
      expect(records).toHaveLength(c.records);
      expect(records.every((r) => r.format === c.format)).toBe(true);
      const r = records[0]!;
      expect(iso(r.ts)).toBe(c.first.ts);
      expect(r.level).toBe(c.first.level);
      if (c.first.levelText !== undefined) expect(r.levelText).toBe(c.first.levelText);
      expect(r.message).toBe(c.first.message);
      if (c.levels) expect(records.map((x) => x.level)).toEqual(c.levels);
      if (c.second) {
        const s = records[1]!;
        if (c.second.ts !== undefined) expect(iso(s.ts)).toBe(c.second.ts);
        if (c.second.level !== undefined) expect(s.level).toBe(c.second.level);
        if (c.second.levelText !== undefined) expect(s.levelText).toBe(c.second.levelText);
        if (c.second.message !== undefined) expect(s.message).toBe(c.second.message);
      }
    });
  }
}
