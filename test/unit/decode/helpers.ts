import { readFileSync } from 'node:fs';
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

export function decodeFixture(name: string, opts: DecoderOptions = {}): { records: DecodedRecord[]; decoder: StreamDecoder } {
  const decoder = factory.create({ fileMtimeMs: Date.UTC(2024, 5, 1), ...opts });
  const records = decodeAll(decoder, toLines(readFileSync(resolve(FIXTURES, name), 'utf8')));
  return { records, decoder };
}

export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
