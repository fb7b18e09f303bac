// The Electron shell, kept thin: single instance, a locked-down window, a tray, the IPC
// router, and the engine (the same one `vigil serve` and the CLI run) in this process.
import { app, BrowserWindow, dialog } from 'electron';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine/engine.js';
import { expandHome } from '../engine/paths.js';
import { explainStartError } from '../engine/start-error.js';
import { registerIpc } from './ipc-router.js';
import { ElectronToaster } from './electron-toaster.js';
import { safeStorageBox } from './secret-box.js';
import { VigilTray } from './tray.js';
import { createMainWindow } from './window.js';

const distDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const resources = app.isPackaged ? process.resourcesPath : join(distDir, '..', 'resources');
const rendererDir = join(distDir, 'renderer');
// Built-in log formats ship as extra resources (outside the asar archive) in a packaged app.
process.env.VIGIL_FORMATS_DIR ??= join(resources, 'formats');
// VIGIL_DATA_DIR chooses the data folder, as for `vigil serve`. As Electron's own folder
// too, so the single-instance lock is per data folder.
if (process.env.VIGIL_DATA_DIR) app.setPath('userData', resolve(expandHome(process.env.VIGIL_DATA_DIR)));
// Windows shows an app's toasts under the id its Start-menu shortcut carries: the installer
// gives it electron-builder.yml's appId.
if (process.platform === 'win32') app.setAppUserModelId('dev.vigil.app');

let engine: Engine | null = null;
let win: BrowserWindow | null = null;
let tray: VigilTray | null = null;
let unregister: (() => void) | null = null;
let quitting = false;
let closing: Promise<void> | null = null;

function show(): void {
  // Before the engine answers (a second launch, or macOS's dock click while a large store
  // opens), a window's first calls found no handler, and it stayed empty: start() opens it.
  // While quitting, a window would be one nobody answers.
  if (!unregister || quitting) return;
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

const dataDir = app.getPath('userData');

async function start(): Promise<void> {
  const secretBox = safeStorageBox();
  engine = await Engine.start({
    dataDir,
    host: 'electron',
    toaster: new ElectronToaster(join(resources, 'icons', 'icon.png')),
    ...(secretBox ? { secretBox } : {}),
  });
  const e = engine;
  unregister = registerIpc(e.handlers, (event, cb) => e.on(event, cb), () => win?.webContents ?? null, rendererDir);
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
    // A second Quit while stopping waits for the first: exiting now would cut the store's last write.
    if (closing) return e.preventDefault();
    if (!engine) return;
    // Stop cleanly: sources stop, everything accepted is written, then exit. The window and
    // the tray go at once; the rest takes a moment (requests out get a few seconds).
    e.preventDefault();
    quitting = true;
    const stopping = engine;
    engine = null;
    if (win && !win.isDestroyed()) win.hide();
    unregister?.();
    tray?.destroy();
    closing = stopping.close().finally(() => app.exit(0));
  });
  app.whenReady().then(start).catch((err: unknown) => {
    console.error('vigil: failed to start', err);
    // Said in a window too, as `vigil serve` says it: a desktop app's stderr is read by
    // nobody (another Vigil holding the store is the usual reason; its message says what to do).
    const said = explainStartError(err, { dataDir, dbPath: join(dataDir, 'vigil.db') });
    dialog.showErrorBox('Vigil could not start', said ? said.message : err instanceof Error ? err.message : String(err));
    app.exit(1);
  });
}
