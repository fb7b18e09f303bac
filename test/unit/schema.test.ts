import { describe, expect, it } from 'vitest';
import { validateRequest } from '../../shared/contract.js';
import { VigilConfig, configErrors } from '../../shared/schema.js';

describe('contract validation', () => {
  it('refuses an unknown call', () => {
    const r = validateRequest('fs.readFile', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
  });
  it('refuses a bad payload and names the key', () => {
    const r = validateRequest('sources.add', { name: 'x', type: 'file' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('path');
  });
  it('refuses extra keys on strict requests', () => {
    const r = validateRequest('sources.remove', { name: 'x', evil: true });
    expect(r.ok).toBe(false);
  });
  it('accepts a good payload and applies defaults', () => {
    const r = validateRequest('events.tail', {});
    expect(r).toEqual({ ok: true, name: 'events.tail', value: { limit: 200 } });
  });
});

describe('config schema', () => {
  it('names the key and the reason for a bad source', () => {
    const r = VigilConfig.safeParse({ sources: [{ name: 'a', type: 'file', path: '/x', start: 'middle' }] });
    expect(r.success).toBe(false);
    if (!r.success) {
      const errs = configErrors(r.error);
      expect(errs[0]!.key).toBe('sources.0.start');
    }
  });
  it('refuses duplicate source names', () => {
    const r = VigilConfig.safeParse({
      sources: [
        { name: 'a', type: 'file', path: '/x' },
        { name: 'a', type: 'file', path: '/y' },
      ],
    });
    expect(r.success).toBe(false);
    if (!r.success) expect(configErrors(r.error)[0]).toMatchObject({ key: 'sources.1.name' });
  });
  it('takes names in any script, and still refuses punctuation that is not a name', () => {
    for (const name of ['журнал', 'données du serveur', '日志-1', 'app_2.log']) {
      expect(VigilConfig.safeParse({ sources: [{ name, type: 'file', path: '/x' }] }).success, name).toBe(true);
    }
    for (const name of [' leading space', 'a/b', 'a;b', 'x\ny', '']) {
      expect(VigilConfig.safeParse({ sources: [{ name, type: 'file', path: '/x' }] }).success, name).toBe(false);
    }
  });
  it('fills defaults for missing lists', () => {
    expect(VigilConfig.parse({})).toMatchObject({ sources: [], channels: [], rules: [] });
  });
});
