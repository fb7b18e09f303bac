import { BrowserWindow, session, shell } from 'electron';
import { join } from 'node:path';

/** A locked-down window (Electron security checklist): isolated, sandboxed, no Node, no navigation. */
export function createMainWindow(distDir: string, iconPath: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 500,
    show: false,
    title: 'Vigil',
    backgroundColor: '#0b0f14',
    icon: iconPath,
    webPreferences: {
      preload: join(distDir, 'electron', 'preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  });
  const wc = win.webContents;
  // New windows are never opened; an http(s) link the user clicked opens in their browser.
  wc.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  wc.on('will-navigate', (e) => e.preventDefault());
  wc.on('will-redirect', (e) => e.preventDefault());
  wc.on('will-attach-webview', (e) => e.preventDefault());
  // Every permission is refused but writing text to the clipboard ("Copy as Markdown" of a
  // report); reading it stays refused.
  session.defaultSession.setPermissionRequestHandler((_wc, perm, cb) => cb(perm === 'clipboard-sanitized-write'));
  session.defaultSession.setPermissionCheckHandler((_wc, perm) => perm === 'clipboard-sanitized-write');
  win.once('ready-to-show', () => win.show());
  void win.loadFile(join(distDir, 'renderer', 'index.html'));
  return win;
}
