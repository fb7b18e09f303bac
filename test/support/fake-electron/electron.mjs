// FAKE ELECTRON: the Electron binary cannot be downloaded here. This module stands in for
// 'electron' (see hooks.mjs) so the real dist/electron/main.js runs under Node, with the
// real engine, store and files; what Electron itself would do (draw a window, show a toast)
// is recorded in `globalThis.fakeElectron` for run-main.mjs to report.
import { EventEmitter } from 'node:events';
import { format } from 'node:url';


const F = (globalThis.fakeElectron ??= { handlers: new Map(), windows: [], notifications: [], trays: [], dialogs: [], exitCode: undefined, paths: {}, onExit: null });

// A packaged app: its resources folder (extra resources, app.asar) as the test laid it out.
if (process.env.FAKE_ELECTRON_RESOURCES) process.resourcesPath = process.env.FAKE_ELECTRON_RESOURCES;

class App extends EventEmitter {
  isPackaged = !!process.env.FAKE_ELECTRON_RESOURCES;
  #ready = null;
  requestSingleInstanceLock() {
    return process.env.FAKE_ELECTRON_LOCK !== 'taken';
  }
  whenReady() {
    return (this.#ready ??= new Promise((r) => setTimeout(() => (this.emit('ready'), r()), 10)));
  }
  setPath(name, p) {
    F.paths[name] = p;
  }
  getPath(name) {
    return F.paths[name] ?? process.env.FAKE_ELECTRON_USER_DATA;
  }
  getAppPath() {
    return process.cwd();
  }
  quit() {
    const e = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('before-quit', e);
    if (!e.defaultPrevented) this.exit(0);
  }
  exit(code = 0) {
    if (F.exitCode !== undefined) return;
    F.exitCode = code;
    F.onExit?.(code);
  }
}
export const app = new App();
export const dialog = { showErrorBox: (title, content) => F.dialogs.push({ title, content }) };
export const ipcMain = {
  handle(ch, fn) {
    if (F.handlers.has(ch)) throw new Error(`Attempted to register a second handler for '${ch}'`);
    F.handlers.set(ch, fn);
  },
  removeHandler: (ch) => F.handlers.delete(ch),
};
class WebContents extends EventEmitter {
  mainFrame = { url: '' };
  sent = [];
  isDestroyed = () => false;
  send(ch, payload) {
    this.sent.push(ch);
  }
  setWindowOpenHandler() {}
}
export class BrowserWindow extends EventEmitter {
  webContents = new WebContents();
  visible = false;
  constructor(options) {
    super();
    this.options = options;
    // What the window's first calls would find.
    this.handlersAtOpen = F.handlers.size;
    F.windows.push(this);
  }
  loadFile(p) {
    // As Electron does: url.format, which leaves [ ] ~ % as they are, then the URL parser (see electron/main/sender.ts).
    this.webContents.mainFrame.url = new URL(format({ protocol: 'file', slashes: true, pathname: p })).href;
    queueMicrotask(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {}
  isDestroyed() {
    return false;
  }
  close() {
    const e = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    this.emit('close', e);
    if (!e.defaultPrevented) this.visible = false;
  }
}
export const session = { defaultSession: { setPermissionRequestHandler() {}, setPermissionCheckHandler() {} } };
export const shell = { openExternal: async () => undefined };
export const nativeImage = { createFromPath: (p) => ({ path: p }) };
export class Tray extends EventEmitter {
  constructor(image) {
    super();
    this.image = image;
    this.destroyed = false;
    F.trays.push(this);
  }
  setImage(i) {
    this.image = i;
  }
  setToolTip(t) {
    this.tooltip = t;
  }
  setTitle() {}
  setContextMenu(m) {
    this.menu = m;
  }
  destroy() {
    this.destroyed = true;
  }
}
export const Menu = { buildFromTemplate: (t) => t };
export class Notification extends EventEmitter {
  static isSupported = () => true;
  constructor(options) {
    super();
    this.options = options;
    F.notifications.push(new WeakRef(this));
  }
  show() {
    setTimeout(() => this.emit('show'), 5);
  }
}
export const safeStorage = { isEncryptionAvailable: () => false, encryptString: (s) => Buffer.from(s), decryptString: (b) => b.toString() };
export const contextBridge = {};
export const ipcRenderer = {};
export default { app, dialog, ipcMain, BrowserWindow, session, shell, nativeImage, Tray, Menu, Notification, safeStorage, contextBridge, ipcRenderer };
