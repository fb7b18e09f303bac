import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pathMatcher } from '../../../electron/engine/sources/file/path-matcher.js';
import { expandHome } from '../../../electron/engine/paths.js';
import { resolveSourcePaths } from '../../../electron/engine/config/relative-paths.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-pm-'));
mkdirSync(join(root, 'logs', 'sub'), { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('pathMatcher', () => {
  it('a single file: watches its folder, matches only it, and says its absence is an error', () => {
    const m = pathMatcher(join(root, 'logs', 'app.log'));
    expect(m).toMatchObject({ base: join(root, 'logs'), depth: 0, single: true, target: join(root, 'logs', 'app.log') });
    expect(m.matches(join(root, 'logs', 'app.log'))).toBe(true);
    expect(m.matches(join(root, 'logs', 'app.log.1'))).toBe(false);
  });

  it('a glob: watches from the first folder with a wildcard; `*` stays in one folder, `**` descends', () => {
    const one = pathMatcher(join(root, 'logs', '*.log'));
    expect(one).toMatchObject({ base: join(root, 'logs'), depth: 0, single: false, target: null });
    expect(one.matches(join(root, 'logs', 'a.log'))).toBe(true);
    expect(one.matches(join(root, 'logs', 'sub', 'a.log'))).toBe(false);
    const deep = pathMatcher(join(root, 'logs', '**', '*.log'));
    expect(deep.depth).toBeUndefined();
    expect(deep.matches(join(root, 'logs', 'sub', 'a.log'))).toBe(true);
    expect(deep.matches(join(root, 'logs', 'a.log'))).toBe(true);
    expect(deep.matches(join(root, 'logs', 'sub', 'a.txt'))).toBe(false);
    // include narrows a glob's matches by name too (it was ignored: skip.txt was read).
    const named = pathMatcher(join(root, 'logs', '**'), { include: '*.log' });
    expect(named.matches(join(root, 'logs', 'sub', 'keep.log'))).toBe(true);
    expect(named.matches(join(root, 'logs', 'sub', 'skip.txt'))).toBe(false);
  });

  it('a folder: its files (matching include), recursively when asked', () => {
    const flat = pathMatcher(join(root, 'logs'), { include: '*.log' });
    expect(flat).toMatchObject({ base: join(root, 'logs'), depth: 0, single: false, target: null });
    expect(flat.matches(join(root, 'logs', 'x.log'))).toBe(true);
    expect(flat.matches(join(root, 'logs', 'x.txt'))).toBe(false);
    expect(flat.matches(join(root, 'logs', 'sub', 'x.log'))).toBe(false);
    const rec = pathMatcher(join(root, 'logs'), { recursive: true });
    expect(rec.matches(join(root, 'logs', 'sub', 'x.txt'))).toBe(true);
  });

  it('a folder that does not exist yet is a folder when spelled so (trailing slash, include, recursive)', () => {
    expect(pathMatcher(join(root, 'later') + '/').single).toBe(false);
    expect(pathMatcher(join(root, 'later'), { include: '*.log' }).single).toBe(false);
    expect(pathMatcher(join(root, 'later')).single).toBe(true);
  });

  it('`~` is the home folder, for a file, a glob and a folder (os.homedir(): HOME here)', () => {
    const home = process.env.HOME;
    process.env.HOME = root;
    try {
      expect(pathMatcher('~/logs/app.log')).toMatchObject({ base: join(root, 'logs'), target: join(root, 'logs', 'app.log') });
      expect(pathMatcher('~/logs/*.log').base).toBe(join(root, 'logs'));
      expect(pathMatcher('~/logs')).toMatchObject({ base: join(root, 'logs'), single: false });
      // Only a leading `~` alone or before a separator: `~user` and `a~b` are names.
      expect(pathMatcher(join(root, 'a~b.log')).target).toBe(join(root, 'a~b.log'));
    } finally {
      process.env.HOME = home;
    }
  });

  it('`~name/` is user name\'s home, as a shell reads it, from the system\'s user list; an unknown name stays a name', () => {
    const passwd = join(root, 'passwd');
    writeFileSync(passwd, `root:x:0:0:root:/root:/bin/bash\nops:x:1000:1000:Ops,,,:${join(root, 'ops-home')}:/bin/sh\n`);
    expect(expandHome('~ops/logs/app.log', passwd)).toBe(join(root, 'ops-home', 'logs', 'app.log'));
    expect(expandHome('~ops', passwd)).toBe(join(root, 'ops-home'));
    expect(expandHome('~nosuch/app.log', passwd)).toBe('~nosuch/app.log');
    expect(expandHome('~opsx/app.log', passwd)).toBe('~opsx/app.log');
    // This machine's own list, through the file source's matcher and the config's relative paths.
    expect(pathMatcher('~root/logs/*.log').base).toBe('/root/logs');
    expect(resolveSourcePaths([{ name: 'a', type: 'file', path: '~root/app.log' }], root)[0]).toMatchObject({ path: '~root/app.log' });
    expect(resolveSourcePaths([{ name: 'a', type: 'file', path: '~nosuch/app.log' }], root)[0]).toMatchObject({ path: join(root, '~nosuch', 'app.log') });
  });

  it('a path that exists as written is taken as written, glob characters and all', () => {
    const odd = join(root, 'logs [old]');
    mkdirSync(odd, { recursive: true });
    writeFileSync(join(odd, 'app{1}.log'), '');
    const m = pathMatcher(join(odd, 'app{1}.log'));
    expect(m).toMatchObject({ single: true, target: join(odd, 'app{1}.log') });
    expect(pathMatcher(odd)).toMatchObject({ base: odd, single: false, target: null });
    // Not there as written: a glob.
    expect(pathMatcher(join(root, 'logs', 'app[12].log')).matches(join(root, 'logs', 'app1.log'))).toBe(true);
  });
});
