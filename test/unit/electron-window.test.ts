import { describe, expect, it, vi } from 'vitest';

// FAKE ELECTRON: the Electron binary cannot be downloaded here, so this replaces the
// 'electron' module with a recorder and checks what createMainWindow asks of it.
const fake = vi.hoisted(() => ({
  options: null as null | { webPreferences: Record<string, unknown> },
  request: null as null | ((wc: unknown, perm: string, cb: (ok: boolean) => void) => void),
  check: null as null | ((wc: unknown, perm: string) => boolean),
}));
vi.mock('electron', () => {
  class BrowserWindow {
    webContents = { setWindowOpenHandler: () => undefined, on: () => undefined };
    constructor(o: { webPreferences: Record<string, unknown> }) {
      fake.options = o;
    }
    once() {}
    loadFile() {
      return Promise.resolve();
    }
  }
  return {
    BrowserWindow,
    shell: { openExternal: () => Promise.resolve() },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof fake.request) => (fake.request = h),
        setPermissionCheckHandler: (h: typeof fake.check) => (fake.check = h),
      },
    },
  };
});

import { createMainWindow } from '../../electron/main/window.js';

describe('the main window (fake Electron: binary unavailable here)', () => {
  it('is locked down, and grants no permission but writing to the clipboard', () => {
    createMainWindow('/app/dist', '/app/icon.png');
    expect(fake.options!.webPreferences).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true, webviewTag: false });
    const asked = (perm: string) => {
      let granted: boolean | null = null;
      fake.request!({}, perm, (ok) => (granted = ok));
      return granted;
    };
    expect(asked('clipboard-sanitized-write')).toBe(true);
    expect(fake.check!({}, 'clipboard-sanitized-write')).toBe(true);
    for (const perm of ['clipboard-read', 'media', 'geolocation', 'notifications', 'openExternal']) {
      expect(asked(perm)).toBe(false);
      expect(fake.check!({}, perm)).toBe(false);
    }
  });
});
