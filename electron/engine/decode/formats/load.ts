import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFormat, FormatError, type CompiledFormat } from './compile.js';

// Loads the built-in format definitions (resources/formats/*.json) and the user's own
// (config `formats:`), compiling each. A definition that does not compile is reported with
// its name and the reason and left out; the others still load.

export interface LoadedFormats {
  formats: CompiledFormat[];
  /** `index`: which of the user formats (in the order given), for a user format's error. */
  errors: { format: string; reason: string; index?: number }[];
}

export interface LoadOptions {
  /** Folder of built-in definitions; found next to the code by default. */
  dir?: string;
}

/** Finds resources/formats walking up from this module (source tree, bundle, or packaged app). */
export function builtinFormatsDir(): string | null {
  const env = process.env.VIGIL_FORMATS_DIR;
  if (env && existsSync(env)) return env;
  let d = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 8; k++) {
    const candidate = join(d, 'resources', 'formats');
    if (existsSync(candidate)) return candidate;
    const up = resolve(d, '..');
    if (up === d) break;
    d = up;
  }
  return null;
}

export function loadFormats(userFormats: unknown[] = [], opts: LoadOptions = {}): LoadedFormats {
  const errors: LoadedFormats['errors'] = [];
  const byName = new Map<string, CompiledFormat>();
  const dir = opts.dir ?? builtinFormatsDir();
  if (!dir) {
    errors.push({ format: '(built-in)', reason: 'the folder resources/formats was not found; only user formats and the generic fallback are available' });
  } else {
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    } catch (e) {
      errors.push({ format: '(built-in)', reason: `cannot read ${dir}: ${(e as Error).message}` });
    }
    for (const file of files) {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      } catch (e) {
        errors.push({ format: file, reason: `not valid JSON: ${(e as Error).message}` });
        continue;
      }
      add(raw, byName, errors);
    }
  }
  // User formats come last: one with a built-in's name replaces it.
  const users = new Set<string>();
  (userFormats ?? []).forEach((raw, index) => {
    const name = (raw as { name?: unknown } | null)?.name;
    // Two of the config's own with one name: the second replaced the first, silently.
    if (typeof name === 'string' && users.has(name)) {
      errors.push({ format: name, reason: `duplicates the format name "${name}" (an earlier entry of formats: has it)`, index });
      return;
    }
    if (typeof name === 'string') users.add(name);
    add(raw, byName, errors, index);
  });
  return { formats: [...byName.values()], errors };
}

/** `index`: a user format's place in the config's list (undefined: built in). */
function add(raw: unknown, byName: Map<string, CompiledFormat>, errors: LoadedFormats['errors'], index?: number): void {
  const at = index === undefined ? {} : { index };
  try {
    const f = compileFormat(raw, { user: index !== undefined });
    byName.set(f.name, f);
  } catch (e) {
    if (e instanceof FormatError) errors.push({ format: e.format, reason: e.reason, ...at });
    else errors.push({ format: '?', reason: (e as Error).message, ...at });
  }
}
