// FAKE ELECTRON: runs the real dist/electron/main.js in this process with 'electron' faked
// (node --import ./register.mjs run-main.mjs MAIN_JS), driven by its parent over IPC: each
// message { id, op, ... } is answered { id, ... }; the app's exit is told as { exit: code,
// dialogs } (the error boxes it showed).
import { pathToFileURL } from 'node:url';

const { app } = await import('electron');
/** What the fake records (electron.mjs). */
const F = globalThis.fakeElectron;
F.onExit = (code) => {
  process.send?.({ exit: code, dialogs: F.dialogs });
  setTimeout(() => process.exit(code), 50);
};

function state() {
  return {
    handlers: F.handlers.size,
    windows: F.windows.map((w) => ({ visible: w.visible, sent: w.webContents.sent, handlersAtOpen: w.handlersAtOpen })),
    trays: F.trays.map((t) => ({ image: t.image?.path ?? null, tooltip: t.tooltip ?? null, destroyed: t.destroyed })),
    dialogs: F.dialogs,
    notifications: F.notifications.map((r) => (r.deref() ? r.deref().options.title : null)),
    userData: app.getPath('userData'),
    exitCode: F.exitCode,
  };
}

async function call(name, req) {
  const h = F.handlers.get(`vigil:call:${name}`);
  if (!h) return { noHandler: true };
  const frame = F.windows[0]?.webContents.mainFrame ?? null;
  return { answer: await h({ senderFrame: frame, sender: { mainFrame: frame } }, req ?? {}) };
}

process.on('message', async (m) => {
  let out = {};
  try {
    if (m.op === 'state') out = state();
    else if (m.op === 'call') out = await call(m.name, m.req);
    else if (m.op === 'emit') app.emit(m.event, {}, [], process.cwd());
    else if (m.op === 'quit') app.quit();
    else if (m.op === 'close-window') F.windows[0]?.close();
    else if (m.op === 'gc') {
      for (let i = 0; i < 5; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 10));
      }
    } else if (m.op === 'toast-close') {
      // What Windows sends when a toast times out into the Action Center (it can still be clicked there).
      F.notifications[m.index]?.deref()?.emit('close');
    } else if (m.op === 'click') {
      const n = F.notifications[m.index]?.deref();
      if (n) n.emit('click');
      out = { clicked: !!n };
    }
  } catch (err) {
    out = { error: String(err?.stack ?? err) };
  }
  process.send({ id: m.id, ...out });
});

// Early events (a second launch while the store opens) are sent before the import, by flag.
if (process.env.FAKE_ELECTRON_EARLY) {
  void app.whenReady().then(() => app.emit(process.env.FAKE_ELECTRON_EARLY, {}, [], process.cwd()));
}
await import(pathToFileURL(process.argv[2]).href);
process.send({ loaded: true });
