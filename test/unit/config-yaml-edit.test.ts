// Edits from the app change vigil.yml where the value changed: the user's comments, quoting,
// key order and shared anchors stay.
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { setInPlace } from '../../electron/engine/config/yaml-edit.js';

function edit(text: string, path: (string | number)[], value: unknown): { text: string; value: unknown } {
  const doc = YAML.parseDocument(text);
  setInPlace(doc, path, value);
  const out = doc.toString();
  return { text: out, value: YAML.parse(out, { merge: true }) };
}

describe('setInPlace', () => {
  it('a detector toggled keeps the comments, flow style and order of the others', () => {
    const text = `sources:
  - name: b
    detectors:
      # keep silence on for b
      silence: { minMs: 120000 } # two minutes
      burst: false
`;
    const r = edit(text, ['sources', 0, 'detectors'], { silence: { minMs: 120000 }, burst: false, traceback: false });
    expect(r.text).toBe(`sources:
  - name: b
    detectors:
      # keep silence on for b
      silence: { minMs: 120000 } # two minutes
      burst: false
      traceback: false
`);
    const back = edit(r.text, ['sources', 0, 'detectors'], { silence: { minMs: 60000 }, burst: true });
    expect(back.text).toBe(`sources:
  - name: b
    detectors:
      # keep silence on for b
      silence: { minMs: 60000 } # two minutes
      burst: true
`);
  });

  it('a source sharing an anchor stays linked to it: what differs is written over a merge of it', () => {
    const text = `x-det: &det
  burst: false
  templateSurge: false
sources:
  - name: a
    detectors: *det
  - name: b
    detectors: *det
`;
    const same = edit(text, ['sources', 0, 'detectors'], { burst: false, templateSurge: false });
    expect(same.text).toBe(text);
    const r = edit(text, ['sources', 0, 'detectors'], { burst: false, templateSurge: false, traceback: false });
    expect(r.text).toBe(`x-det: &det
  burst: false
  templateSurge: false
sources:
  - name: a
    detectors:
      <<: *det
      traceback: false
  - name: b
    detectors: *det
`);
    expect((r.value as { sources: { detectors: unknown }[] }).sources.map((s) => s.detectors)).toEqual([
      { burst: false, templateSurge: false, traceback: false },
      { burst: false, templateSurge: false },
    ]);
    // A key the anchor gives, taken away: the merge cannot say that, so the value is written out.
    const dropped = edit(text, ['sources', 0, 'detectors'], { burst: false });
    expect((dropped.value as { sources: { detectors: unknown }[] }).sources[0]!.detectors).toEqual({ burst: false });
    expect(dropped.text).toContain('  - name: b\n    detectors: *det\n');
  });

  it('rules are matched by name: a rule removed takes its comments along, the others keep theirs and their quoting', () => {
    const text = `rules:
  # page me for payments
  - name: pay
    regex: 'payment .* failed'
    severity: high # was medium
  # the old one
  - name: old
    regex: boom
  - name: disk
    regex: "No space left"
`;
    const r = edit(text, ['rules'], [
      { name: 'pay', regex: 'payment .* failed', severity: 'critical' },
      { name: 'disk', regex: 'No space left' },
      { name: 'new', regex: 'kaboom' },
    ]);
    expect(r.text).toBe(`rules:
  # page me for payments
  - name: pay
    regex: 'payment .* failed'
    severity: critical # was medium
  - name: disk
    regex: "No space left"
  - name: new
    regex: kaboom
`);
  });

  it('a value of another type is replaced; a key not in the value any more is removed', () => {
    const r = edit(`a:\n  n: 1 # count\n  s: 'x'\n  gone: true\n`, ['a'], { n: '1', s: 'y' });
    expect(r.value).toEqual({ a: { n: '1', s: 'y' } });
    expect(r.text).toBe(`a:\n  n: "1" # count\n  s: 'y'\n`);
  });

  it('an anchored value edited for one item: the others that named it keep what it held, written out', () => {
    const text = `sources:
  - name: a
    detectors: &quiet { burst: false }
  - name: b
    detectors: *quiet
  - name: c
    detectors:
      <<: *quiet
      silence: false
channels:
  - name: h1
    timeout: &t 30s
  - name: h2
    timeout: *t
`;
    const r = edit(text, ['sources', 0, 'detectors'], { burst: false, newTemplate: false });
    expect(r.value).toMatchObject({
      sources: [
        { name: 'a', detectors: { burst: false, newTemplate: false } },
        { name: 'b', detectors: { burst: false } },
        { name: 'c', detectors: { burst: false, silence: false } },
      ],
      channels: [{ timeout: '30s' }, { timeout: '30s' }],
    });
    const t = edit(text, ['channels', 0], { name: 'h1', timeout: '10s' });
    expect(t.value).toMatchObject({ channels: [{ name: 'h1', timeout: '10s' }, { name: 'h2', timeout: '30s' }] });
    // Not changed: still shared.
    expect(edit(text, ['channels', 0], { name: 'h1', timeout: '30s' }).text).toBe(text);
  });
});
