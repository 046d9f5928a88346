// A fake `electron` module for running the compiled main process under plain Node. It records what
// main.ts asks of Electron (window options, loaded file, IPC handlers) and then plays the renderer:
// it calls the registered IPC handlers the way the preload would, and prints one JSON report line
// ("FAKE-ELECTRON-REPORT {...}") before exiting. Used by test/desktop/main-process.test.ts only.
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const report = { windows: [], handlers: [], events: [], calls: {}, navigation: {}, quit: 0 };
const handlers = new Map();
const listeners = new Map();

export const ipcMain = {
  handle(channel, fn) {
    if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    handlers.set(channel, fn);
    report.handlers.push(channel);
  },
  on(channel, fn) {
    listeners.set(channel, [...(listeners.get(channel) ?? []), fn]);
    report.handlers.push(`on:${channel}`);
    return ipcMain;
  },
  removeHandler(channel) {
    handlers.delete(channel);
  },
  removeAllListeners(channel) {
    listeners.delete(channel);
    return ipcMain;
  },
};

class FakeApp extends EventEmitter {
  requestSingleInstanceLock() {
    return true;
  }
  whenReady() {
    return Promise.resolve();
  }
  getPath(name) {
    if (name !== 'userData') throw new Error(`unexpected getPath(${name})`);
    return process.env.FAKE_USER_DATA;
  }
  getName() {
    return 'djp-workflow';
  }
  get isPackaged() {
    return false;
  }
  quit() {
    report.quit++;
  }
}
export const app = new FakeApp();
export const shell = { openExternal: async () => {} };
// The open-file dialog (attachments): records what main asked for and "chooses" FAKE_PICK_FILE.
export const dialog = {
  async showOpenDialog(...args) {
    const options = args[args.length - 1];
    report.dialog = { withWindow: args.length === 2, options };
    return process.env.FAKE_PICK_FILE ? { canceled: false, filePaths: [process.env.FAKE_PICK_FILE] } : { canceled: true, filePaths: [] };
  },
};
// No OS encryption under plain Node: the keychain's encrypted-file fallback must refuse (never plain text).
export const safeStorage = {
  isEncryptionAvailable: () => false,
  encryptString: () => {
    throw new Error('fake safeStorage: encryption unavailable');
  },
  decryptString: () => {
    throw new Error('fake safeStorage: encryption unavailable');
  },
};
export const session = {
  defaultSession: {
    setPermissionRequestHandler(fn) {
      report.permissionRequestHandler = fn;
    },
    setPermissionCheckHandler(fn) {
      report.permissionCheckHandler = fn;
    },
  },
};

let nextId = 1;
class FakeWebContents extends EventEmitter {
  constructor() {
    super();
    this.id = nextId++;
    this.sent = [];
    this.destroyed = false;
  }
  send(channel, ...args) {
    this.sent.push([channel, structuredClone(args)]);
  }
  isDestroyed() {
    return this.destroyed;
  }
  setWindowOpenHandler(fn) {
    this.windowOpenHandler = fn;
  }
}

const windows = [];
export class BrowserWindow extends EventEmitter {
  static getAllWindows() {
    return windows;
  }
  static getFocusedWindow() {
    return windows[0] ?? null;
  }
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents();
    app.emit('web-contents-created', {}, this.webContents);
    windows.push(this);
  }
  async loadFile(file) {
    report.windows.push({
      webPreferences: this.options.webPreferences,
      preloadExists: existsSync(this.options.webPreferences.preload),
      loadFile: file,
      fileExists: existsSync(file),
      html: existsSync(file) ? readFileSync(file, 'utf8') : null,
    });
    this.emit('ready-to-show');
    setImmediate(() => drive(this, file).catch((e) => finish({ error: String(e && e.stack ? e.stack : e) })));
  }
  show() {}
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {}
}

function finish(extra = {}) {
  process.stdout.write(`FAKE-ELECTRON-REPORT ${JSON.stringify({ ...report, ...extra })}\n`);
  process.exit(0);
}

async function invoke(win, frameUrl, channel, ...args) {
  const h = handlers.get(channel);
  if (!h) throw new Error(`no handler for ${channel}`);
  return structuredClone(await h({ sender: win.webContents, senderFrame: { url: frameUrl } }, ...structuredClone(args)));
}

async function drive(win, file) {
  const page = `${pathToFileURL(file).href}#/`;
  const c = report.calls;
  c.info = await invoke(win, page, 'djp:call', 'info', []);
  c.providers = await invoke(win, page, 'djp:call', 'listProviders', []);
  c.keys = await invoke(win, page, 'djp:keys', 'list');
  c.invalid = await invoke(win, page, 'djp:call', 'startRun', [{ task: '' }]);
  c.untrusted = await invoke(win, 'https://evil.example/#/', 'djp:call', 'info', []);
  c.picked = await invoke(win, page, 'djp:pickFiles');
  if (c.picked.ok && c.picked.value?.[0]) c.picked = { ok: true, value: c.picked.value.map((f) => ({ name: f.name, bytes: f.data.byteLength, isBytes: f.data instanceof Uint8Array })) };
  c.pickUntrusted = await invoke(win, 'https://evil.example/#/', 'djp:pickFiles');
  c.started = await invoke(win, page, 'djp:call', 'startRun', [{ task: 'Name a prime number.' }]);
  const id = c.started.value.id;
  c.subscribed = await invoke(win, page, 'djp:subscribe', 's1', id, null);
  const t0 = Date.now();
  while (!win.webContents.sent.some(([, a]) => a[0] === 's1' && a[1].type === 'end')) {
    if (Date.now() - t0 > 30_000) throw new Error('run did not finish');
    await new Promise((r) => setTimeout(r, 20));
  }
  report.events = win.webContents.sent.filter(([ch, a]) => ch === 'djp:event' && a[0] === 's1').map(([, a]) => (a[1].type === 'event' ? a[1].event.type : `end:${a[1].error}`));
  c.run = await invoke(win, page, 'djp:call', 'getRun', [id]);

  // Navigation guards.
  let prevented = 0;
  const ev = { preventDefault: () => prevented++ };
  win.webContents.emit('will-navigate', ev, 'https://evil.example/');
  report.navigation.externalPrevented = prevented === 1;
  win.webContents.emit('will-navigate', ev, `${pathToFileURL(file).href}#/history`);
  report.navigation.internalAllowed = prevented === 1;
  report.navigation.windowOpen = win.webContents.windowOpenHandler({ url: 'https://example.com/' });

  // <webview> refused; permissions denied (request and check).
  let webviewPrevented = 0;
  win.webContents.emit('will-attach-webview', { preventDefault: () => webviewPrevented++ }, {}, {});
  const granted = [];
  for (const p of ['media', 'notifications', 'geolocation', 'openExternal']) report.permissionRequestHandler?.(win.webContents, p, (ok) => granted.push(ok));
  report.security = {
    webviewPrevented: webviewPrevented === 1,
    permissionRequests: granted,
    permissionCheck: report.permissionCheckHandler ? report.permissionCheckHandler(win.webContents, 'media', 'file://', {}) : 'no handler',
  };
  delete report.permissionRequestHandler;
  delete report.permissionCheckHandler;
  finish();
}
