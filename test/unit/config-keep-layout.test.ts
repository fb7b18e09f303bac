// keepLayout: an edit made on the parsed vigil.yml changes only its own lines of the user's text.
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { keepLayout } from '../../electron/engine/config/keep-layout.js';

function edit(text: string, fn: (doc: YAML.Document) => void): string {
  const doc = YAML.parseDocument(text);
  fn(doc);
  return keepLayout(text, YAML.parseDocument(text).toString(), doc.toString());
}

describe('keepLayout', () => {
  it('a file with CRLF line ends keeps them, every line (the edit wrote LF lines among them)', () => {
    const text = 'sources:\r\n  - name: app     # the API\r\n    type: file\r\n    path: /tmp/app.log\r\n';
    const out = edit(text, (d) => d.setIn(['sources', 0, 'enabled'], false));
    expect(out).toBe('sources:\r\n  - name: app     # the API\r\n    type: file\r\n    path: /tmp/app.log\r\n    enabled: false\r\n');
  });

  it('flow maps, anchors and merges elsewhere stay as written; what is asked is there', () => {
    const text = 'common: &c { burst: true,  silence: false }   # shared\nsources:\n  - { name: a, type: file, path: /a, detectors: *c }\n  - name: b\n    type: file\n    path: /b\n';
    const out = edit(text, (d) => d.setIn(['sources', 1, 'enabled'], false));
    expect(out.split('\n').slice(0, 3)).toEqual(text.split('\n').slice(0, 3));
    expect(YAML.parse(out, { merge: true }).sources[1]).toEqual({ name: 'b', type: 'file', path: '/b', enabled: false });
  });

  it('a file without a newline at its end, edited: valid, holding what was asked, and still without one', () => {
    const text = 'sources:\n  - name: a   # x\n    type: file\n    path: /a';
    const out = edit(text, (d) => d.setIn(['sources', 0, 'enabled'], false));
    expect(out).toBe(text + '\n    enabled: false');
    expect(YAML.parse(out).sources[0]).toEqual({ name: 'a', type: 'file', path: '/a', enabled: false });
    const crlf = edit('sources:\r\n  - name: a   # x\r\n    path: /a', (d) => d.setIn(['sources', 0, 'enabled'], false));
    expect(crlf).toBe('sources:\r\n  - name: a   # x\r\n    path: /a\r\n    enabled: false');
  });

  it("a list at its key's own indent (`sources:` then `- name:`): an added key and an added item take the user's indent, and the rest stays as written", () => {
    const text = 'detection:\n  learningMs:     600000      # aligned too\n\n\nsources:\n- name: a     # the API\n  type: file\n  path: /a\n';
    const enabled = edit(text, (d) => d.setIn(['sources', 0, 'enabled'], false));
    expect(enabled).toBe(text + '  enabled: false\n');
    const added = edit(text, (d) => (d.get('sources') as YAML.YAMLSeq).add(d.createNode({ name: 'b', type: 'file', path: '/b' })));
    expect(added).toBe(text + '- name: b\n  type: file\n  path: /b\n');
  });

  it('lines the library writes otherwise in more than spaces (an anchor with a comment) stay as the user wrote them when the edit is elsewhere', () => {
    const text = 'x-defaults: &filedefaults   # anchor\n  type: file\nsources:\n  - <<: *filedefaults\n    name: a\n    path: /a\n';
    const out = edit(text, (d) => d.setIn(['sources', 0, 'enabled'], false));
    expect(out).toBe(text + '    enabled: false\n');
  });
});
