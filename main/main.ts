// Electron main process: one window over the built renderer, the real core behind IPC.
// Everything testable lives in plain-Node modules (desktop-service.ts, ipc.ts, secrets.ts,
// preload-bridge.ts); this file only wires them to Electron.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session, shell } from 'electron';
import { createDesktopService, localIdentity } from './desktop-service.js';
import { registerIpc, type IpcEventLike } from './ipc.js';
import { registerFileDialog } from './file-dialog.js';
import { createKeychain, encryptedFileStore } from './secrets.js';
import { autoUpdateSetting, startAutoUpdate } from './updates.js';
import { DESKTOP_PAGE, denyPermissionCheck, denyPermissionRequest, hardenWebContents } from './security.js';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/main
// The built renderer page with the desktop CSP (main/write-desktop-page.ts writes it at build time).
const rendererIndex = path.join(here, '..', 'renderer', DESKTOP_PAGE);
const preload = path.join(here, 'preload.cjs');
const rendererUrl = pathToFileURL(rendererIndex).href;

/** True for the app's own page (any #/route), false for anything else a frame could load. */
function isAppPage(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    u.hash = '';
    return u.href === rendererUrl;
  } catch {
    return false;
  }
}

let window: BrowserWindow | null = null;

function createWindow(): void {
  window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'DJP Workflow',
    show: false,
    // Auxclick off: a middle click cannot open a link in a new window behind the open handler's back.
    webPreferences: { preload, contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true, disableBlinkFeatures: 'Auxclick' },
  });
  window.once('ready-to-show', () => window?.show());
  // The app is one local page: no navigation away from it, links open in the user's browser.
  window.webContents.on('will-navigate', (e, url) => {
    if (!isAppPage(url)) e.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.on('closed', () => (window = null));
  void window.loadFile(rendererIndex);
}

function start(): void {
  // Every web contents the app creates refuses <webview>.
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));
  app.on('second-instance', () => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });

  void app.whenReady().then(() => {
    // Deny by default: the app asks for no permission (camera, notifications, openExternal …).
    session.defaultSession.setPermissionRequestHandler(denyPermissionRequest);
    session.defaultSession.setPermissionCheckHandler(denyPermissionCheck);
    // The OS keychain through keytar; when it cannot be used, a safeStorage-encrypted file in userData.
    const keychain = createKeychain({ fallback: () => encryptedFileStore(path.join(app.getPath('userData'), 'keys.enc.json'), safeStorage) });
    const { service, outboxSync } = createDesktopService({ userDataDir: app.getPath('userData'), secrets: keychain.secretSource() });
    registerIpc(ipcMain, service, {
      identity: localIdentity(),
      keys: keychain,
      isTrusted: (event: IpcEventLike) => isAppPage((event as { senderFrame?: { url?: string } | null }).senderFrame?.url),
    });
    // Attachments: the native open-file dialog, over the focused window (the bridge's pickFiles).
    registerFileDialog(ipcMain, {
      showOpenDialog: (o) => {
        const win = BrowserWindow.getFocusedWindow();
        return win ? dialog.showOpenDialog(win, o) : dialog.showOpenDialog(o);
      },
      isTrusted: (event: IpcEventLike) => isAppPage((event as { senderFrame?: { url?: string } | null }).senderFrame?.url),
    });

    let quitting = false;
    app.on('before-quit', (e) => {
      if (quitting || service.inFlight() === 0) return;
      // Let running runs finish (up to 5 s); the rest are saved as interrupted.
      e.preventDefault();
      quitting = true;
      void service
        .drain(5_000)
        .then(() => outboxSync?.stop())
        .finally(() => app.quit());
    });

    createWindow();
    // Off unless DJP_AUTO_UPDATE=1 or {"autoUpdate": true} in userData/settings.json (main/updates.ts).
    void startAutoUpdate({ setting: autoUpdateSetting(process.env, app.getPath('userData')), isPackaged: app.isPackaged });
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

// One instance: a second launch focuses the first window instead.
if (app.requestSingleInstanceLock()) start();
else app.quit();
