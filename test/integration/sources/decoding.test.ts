// What the app shows under a source's "decoding…": the formats its files are read with now,
// how many files each, and why (the detection's explanation), from the running decoders.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/engine.js';
import { tempDir, waitFor } from '../../support/tmp.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('sources.decoding', () => {
  it('a folder of two syslog files and a JSON one (logrus field names): one row per format, with its files and why it was chosen; a forced format says so', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const syslog = (host: string) =>
      Array.from({ length: 40 }, (_, i) => `Nov 21 10:00:${String(i).padStart(2, '0')} ${host} sshd[42]: Accepted publickey for deploy from 10.0.0.${i} port 22 ssh2`).join('\n') + '\n';
    writeFileSync(join(logs, 'auth.log'), syslog('web1'));
    writeFileSync(join(logs, 'auth2.log'), syslog('web2'));
    writeFileSync(join(logs, 'api.log'), Array.from({ length: 40 }, (_, i) => JSON.stringify({ time: '2026-11-21T10:00:00Z', level: 'info', msg: `request ${i}` })).join('\n') + '\n');
    writeFileSync(join(dir, 'forced.log'), syslog('web3'));
    writeFileSync(
      join(dir, 'vigil.yml'),
      `sources:\n  - name: logs\n    type: file\n    path: ${logs}\n    start: beginning\n  - name: forced\n    type: file\n    path: ${join(dir, 'forced.log')}\n    start: beginning\n    format: generic\nchannels: []\nrules: []\n`,
    );
    const engine = await Engine.start({ dataDir: dir, host: 'cli', log: () => undefined });
    cleanups.push(() => engine.close());
    const count = () => engine.store.db.prepare('SELECT count(*) FROM records').pluck().get() as number;
    await waitFor(() => count() === 160, { what: 'every line stored' });

    const rows = await engine.handlers['sources.decoding']({ name: 'logs' });
    expect(rows.map((r) => [r.format, r.streams, r.forced])).toEqual([
      ['syslog', 2, false],
      ['logrus-json', 1, false],
    ]);
    expect(rows[0]!.example).toMatch(/auth2?\.log$/);
    expect(rows[0]!.explanation).toMatch(/^detected syslog: it read 32 of 32 sample lines/);
    expect(rows[1]!.example).toBe(join(logs, 'api.log'));

    expect(await engine.handlers['sources.decoding']({ name: 'forced' })).toMatchObject([{ format: 'generic', streams: 1, forced: true }]);
    expect(await engine.handlers['sources.decoding']({ name: 'no-such-source' })).toEqual([]);

    // Forcing a format from the app: written to vigil.yml, and the source's files are read with it.
    const names = await engine.handlers['formats.list']({});
    expect(names).toEqual(expect.arrayContaining(['syslog', 'logrus-json', 'java-util-logging', 'generic']));
    const refused = await engine.handlers['sources.setFormat']({ name: 'logs', format: 'sysloog' });
    expect(refused).toEqual({ ok: false, errors: [{ key: 'sources.0.format', reason: '"sysloog" is not a known format (see formats.list)' }] });
    // A new source naming a format that does not exist is refused the same way, not added to be read with detection.
    const before = readFileSync(join(dir, 'vigil.yml'), 'utf8');
    expect(await engine.handlers['sources.add']({ name: 'typo', type: 'file', path: join(logs, 'api.log'), format: 'nginx_access' } as never)).toEqual({
      ok: false,
      errors: [{ key: 'sources.2.format', reason: '"nginx_access" is not a known format (see formats.list)' }],
    });
    expect(readFileSync(join(dir, 'vigil.yml'), 'utf8')).toBe(before);
    // So is the same typo written into the config by hand or sent whole from the Config view.
    expect(await engine.handlers['config.set']({ text: before.replace('format: generic', 'format: pythn') })).toEqual({
      ok: false,
      errors: [{ key: 'sources.1.format', reason: '"pythn" is not a known format (see formats.list)' }],
    });
    writeFileSync(join(dir, 'vigil.yml'), before.replace('format: generic', 'format: pythn'));
    await waitFor(async () => (await engine.handlers['config.get']({})).fileErrors.some((e) => e.key === 'sources.1.format'), { what: 'the hand edit refused' });
    writeFileSync(join(dir, 'vigil.yml'), before);
    await waitFor(async () => (await engine.handlers['config.get']({})).fileErrors.length === 0, { what: 'the file valid again' });
    expect(await engine.handlers['sources.setFormat']({ name: 'logs', format: 'syslog' })).toMatchObject({ ok: true });
    expect(readFileSync(join(dir, 'vigil.yml'), 'utf8')).toMatch(/name: logs\n(?:.*\n)*?\s+format: syslog\n/);
    await waitFor(async () => JSON.stringify((await engine.handlers['sources.decoding']({ name: 'logs' })).map((r) => [r.format, r.streams, r.forced])) === '[["syslog",3,true]]', {
      what: 'the three files read as syslog',
    });
    // And back to detection.
    expect(await engine.handlers['sources.setFormat']({ name: 'logs', format: null })).toMatchObject({ ok: true });
    expect(readFileSync(join(dir, 'vigil.yml'), 'utf8')).not.toMatch(/format: syslog/);
    await waitFor(async () => (await engine.handlers['sources.decoding']({ name: 'logs' })).every((r) => !r.forced), { what: 'detection again' });
    // Nothing was read twice meanwhile.
    expect(count()).toBe(160);
  });
});
