import { describe, expect, it } from 'vitest';
import { splitEntries } from '../../../renderer/features/sources/entries.js';
import { parseConfig } from '../../../electron/engine/config/config-file.js';

describe('the add-source form: comma-separated entries', () => {
  it('names and units split at commas, trimmed, empty ones dropped', () => {
    expect(splitEntries(' web, api ,,db ')).toEqual(['web', 'api', 'db']);
    expect(splitEntries('')).toEqual([]);
  });

  it('a /pattern/ is one entry, its commas and flags kept', () => {
    expect(splitEntries('/^web-\\d{1,3}$/')).toEqual(['/^web-\\d{1,3}$/']);
    expect(splitEntries('api, /^(api|web),?-\\d+$/i, db')).toEqual(['api', '/^(api|web),?-\\d+$/i', 'db']);
    expect(splitEntries('/a\\/b,c/, d')).toEqual(['/a\\/b,c/', 'd']);
    expect(splitEntries('/[/,]x/, y')).toEqual(['/[/,]x/', 'y']);
  });

  it('vigil.yml refuses half a pattern (its closing / lost) with the key; /web (Docker\'s own spelling of a name) passes', () => {
    const bad = parseConfig(`sources:\n  - { name: d, type: docker, containers: ['/^web-\\\\d{1'] }\n`);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatchObject({ key: 'sources.0.containers.0', reason: expect.stringContaining('closing /') });
    expect(parseConfig(`sources:\n  - { name: d, type: docker, containers: [/web, web] }\n`).ok).toBe(true);
  });
});
