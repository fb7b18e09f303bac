// The Electron shell, kept thin: single instance, a locked-down window, a tray, the IPC
// router, and the engine (the same one `vigil serve` and the CLI run) in this process.
import { app, BrowserWindow, dialog } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Engine } from '../engine/engine.js';
import { registerIpc } from './ipc-router.js';
import { ElectronToaster } from './electron-toaster.js';
import { safeStorageBox } from './secret-box.js';
import { VigilTray } from './tray.js';
import { createMainWindow } from './window.js';

const distDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const resources = app.isPackaged ? process.resourcesPath : join(distDir, '..', 'resources');
const appUrlPrefix = pathToFileURL(join(distDir, 'renderer')).href + '/';
// Built-in log formats ship as extra resources (outside the asar archive) in a packaged app.
process.env.VIGIL_FORMATS_DIR ??= join(resources, 'formats');

let engine: Engine | null = null;
let win: BrowserWindow | null = null;
let tray: VigilTray | null = null;
let unregister: (() => void) | null = null;
let quitting = false;

function show(): void {
  if (!win || win.isDestroyed()) {
    win = createMainWindow(distDir, join(resources, 'icons', 'icon.png'));
    win.on('close', (e) => {
      // Closing the window keeps Vigil watching in the tray.
      if (!quitting) {
        e.preventDefault();
        win?.hide();
      }
    });
  }
  win.show();
  win.focus();
}

async function start(): Promise<void> {
  const secretBox = safeStorageBox();
  engine = await Engine.start({
    dataDir: app.getPath('userData'),
    host: 'electron',
    toaster: new ElectronToaster(join(resources, 'icons', 'icon.png')),
    ...(secretBox ? { secretBox } : {}),
  });
  const e = engine;
  unregister = registerIpc(e.handlers, (event, cb) => e.on(event, cb), () => win?.webContents ?? null, appUrlPrefix);
  // Opening an anomaly = the same event a toast click sends: the UI selects it.
  const openAnomaly = (anomalyId: number) => {
    show();
    e.events.emit('notify.toastClicked', { anomalyId });
  };
  tray = new VigilTray(join(resources, 'tray'), { show, openAnomaly, quit: () => app.quit() });
  e.on('tray.changed', (model) => tray?.update(model));
  tray.update(e.notifications.tray());
  // A toast click reaches the UI through the contract's event; bring the window up for it.
  e.on('notify.toastClicked', () => show());
  show();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => show());
  app.on('window-all-closed', () => {
    /* stay in the tray */
  });
  app.on('activate', () => show());
  app.on('before-quit', (e) => {
    if (!engine) return;
    // Stop cleanly: sources stop, everything accepted is written, then exit.
    e.preventDefault();
    quitting = true;
    const closing = engine;
    engine = null;
    unregister?.();
    tray?.destroy();
    void closing.close().finally(() => app.exit(0));
  });
  app.whenReady().then(start).catch((err: unknown) => {
    console.error('vigil: failed to start', err);
    // Said in a window too: a desktop app's stderr is read by nobody (another Vigil, `vigil
    // serve`, holding the store is the usual reason; its message says what to do).
    dialog.showErrorBox('Vigil could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });
}
