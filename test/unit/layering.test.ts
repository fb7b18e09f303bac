import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLayering } from '../../scripts/layering.ts';
import { tempDir } from '../support/tmp.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function tree(files: Record<string, string>): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

describe('layering check', () => {
  it('passes on this repository', () => {
    expect(checkLayering(repo)).toEqual([]);
  });

  it.each([
    ['electron/engine/x.ts', "import { app } from 'electron';"],
    ['electron/server/x.ts', "import type { BrowserWindow } from 'electron';"],
    ['electron/cli/x.ts', "const e = require('electron');"],
    ['shared/x.ts', "import { readFileSync } from 'node:fs';"],
    ['shared/x.ts', "import React from 'react';"],
    ['renderer/x.tsx', "import { ipcRenderer } from 'electron';"],
    ['renderer/x.ts', "import { join } from 'path';"],
    ['renderer/x.ts', "import { Engine } from '../electron/engine/engine.js';"],
    ['electron/engine/x.ts', "import { show } from '../main/window.js';"],
    ['electron/preload/x.ts', "import { z } from 'zod';"],
  ])('fails when %s has %s', (file, line) => {
    const root = tree({ [file]: `// header\n${line}\n` });
    const v = checkLayering(root);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ file, line: 2 });
  });

  it('allows what each folder may import', () => {
    const root = tree({
      'electron/main/a.ts': "import { app } from 'electron';\nimport { Engine } from '../engine/engine.js';",
      'electron/engine/b.ts': "import { readFile } from 'node:fs/promises';\nimport type { LogEvent } from '../../shared/types.js';",
      'shared/c.ts': "import { z } from 'zod';\nimport { d } from './d.js';",
      'renderer/d.tsx': "import { create } from 'zustand';\nimport type { Calls } from '../shared/contract.js';",
      'electron/preload/e.ts': "import { contextBridge } from 'electron';\nimport { CALL_NAME_LIST } from '../../shared/contract-names.js';",
    });
    expect(checkLayering(root)).toEqual([]);
  });
});
