// Runtime folders decide imports (house rule 5). Each rule names a folder and what its
// files may not import; `checkLayering` returns every violation with file and line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

interface Rule {
  folder: string;
  why: string;
  forbids(spec: string, resolvedRel: string | null): boolean;
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isElectron = (s: string) => s === 'electron' || s.startsWith('electron/');
const isNode = (s: string) => s.startsWith('node:') || NODE_BUILTINS.has(s);
const inside = (rel: string | null, folder: string) => rel !== null && (rel === folder || rel.startsWith(folder + '/'));

const RULES: Rule[] = [
  {
    folder: 'shared',
    why: 'shared/ is seen by both sides: it imports only shared/ and the validator (zod)',
    forbids: (s, rel) => (rel === null ? s !== 'zod' && !s.startsWith('zod/') : !inside(rel, 'shared')),
  },
  ...['electron/engine', 'electron/server', 'electron/cli'].map((folder) => ({
    folder,
    why: `${folder}/ runs outside Electron too: it never imports electron, electron/main, electron/preload or renderer/`,
    forbids: (s: string, rel: string | null) =>
      isElectron(s) || inside(rel, 'electron/main') || inside(rel, 'electron/preload') || inside(rel, 'renderer'),
  })),
  {
    folder: 'renderer',
    why: 'renderer/ runs in a sandboxed page: no electron, no node:*, nothing from electron/',
    forbids: (s, rel) => isElectron(s) || isNode(s) || inside(rel, 'electron'),
  },
  {
    folder: 'electron/preload',
    why: 'the preload exposes the contract only: it imports electron and shared/contract-names only',
    forbids: (s, rel) => (rel === null ? s !== 'electron' : rel !== 'shared/contract-names.ts' && rel !== 'shared/contract-names.js'),
  },
];

const IMPORT_RE = /(?:^|[^\w$.])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|(?:^|[^\w$.])(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function* files(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(m?[jt]sx?)$/.test(e) && !e.endsWith('.d.ts')) yield p;
  }
}

export function checkLayering(root: string): Violation[] {
  const out: Violation[] = [];
  for (const rule of RULES) {
    for (const file of files(join(root, rule.folder))) {
      const relFile = relative(root, file).split(sep).join('/');
      // A file in a more specific folder is judged by that folder's rule only.
      const specific = RULES.filter((r) => inside(relFile, r.folder)).sort((a, b) => b.folder.length - a.folder.length)[0];
      if (specific !== rule) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT_RE)) {
        const spec = m[1] ?? m[2]!;
        const rel = spec.startsWith('.') ? relative(root, resolve(dirname(file), spec)).split(sep).join('/') : null;
        if (rule.forbids(spec, rel)) {
          const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0);
          out.push({ file: relFile, line, specifier: spec, rule: rule.why });
        }
      }
    }
  }
  return out;
}
