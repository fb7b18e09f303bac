import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../electron/engine/config/config-file.js';
import { ConfiguredDecoders } from '../../electron/engine/decode/user-formats.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const yamlBlocks = (file: string) => [...readFileSync(join(repo, file), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe('documented examples work as documented', () => {
  it('docs/formats.md: the user format compiles and decodes its sample line', () => {
    const block = yamlBlocks('docs/formats.md').find((b) => b.startsWith('formats:'))!;
    const formats = YAML.parse(block).formats as { samples: string[] }[];
    expect(ConfiguredDecoders.check({ formats })).toEqual([]);
    const d = new ConfiguredDecoders(formats).create({ format: 'myapp' });
    const line = formats[0]!.samples[0]!;
    const out = [...d.push({ text: line, bytes: null, flags: 0, lineNo: 1, startOffset: 0, endOffset: line.length + 1, readAt: Date.now() }), ...d.flush()];
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ format: 'myapp', level: 'info', message: 'connected', fields: expect.objectContaining({ component: 'db' }) });
    expect(out[0]!.ts).toBe(new Date(2026, 10, 21, 10, 0, 0).getTime());
  });

  it('README.md: the config example is valid', () => {
    const block = yamlBlocks('README.md').find((b) => b.startsWith('sources:'))!;
    const r = parseConfig(block);
    expect(r.ok ? 'valid' : r.errors).toBe('valid');
  });

  it('README.md: the store bounds example is valid', () => {
    const block = yamlBlocks('README.md').find((b) => b.startsWith('store:'))!;
    const r = parseConfig(block);
    expect(r.ok ? r.config.store : r.errors).toEqual({ maxSize: '4GiB', keepFree: '2GiB', maxAge: '30d' });
  });

  it('docs/sources.md: the file and Docker examples are valid, also with every commented option switched on', () => {
    const [files, docker] = yamlBlocks('docs/sources.md');
    const both = files! + docker!;
    const valid = (text: string) => {
      const r = parseConfig(text);
      return r.ok ? 'valid' : r.errors;
    };
    expect(valid(both)).toBe('valid');
    const switchedOn = both.replace(/^(\s*)# (\w+:)/gm, '$1$2');
    expect(switchedOn).toContain('recursive: true');
    expect(valid(switchedOn)).toBe('valid');
  });

  it('docs/formats.md lists every built-in format, with its kind', () => {
    const doc = readFileSync(join(repo, 'docs/formats.md'), 'utf8');
    const dir = join(repo, 'resources', 'formats');
    const defs = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { name: string; kind: string });
    expect(defs.length).toBeGreaterThan(30);
    const missing = defs.filter((d) => !new RegExp(`^\\| \`${d.name}\` \\| .* \\| ${d.kind} \\|$`, 'm').test(doc)).map((d) => d.name);
    expect(missing).toEqual([]);
  });
});
