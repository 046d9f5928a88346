// The desktop's file dialog for attachments (main/file-dialog.ts), under plain Node (here, not in main/: it drives the renderer's bridge client too): a fake Electron
// dialog returns real temp files; the bytes travel main → fake IPC (structured clone, as Electron's)
// → preload bridge → the renderer's bridge client, and are then uploaded through the REAL desktop
// service (the same uploadAttachment operation as the browser), which stores them content-addressed.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBridgeClient } from '../../renderer/src/api/bridge.js';
import { createDesktopService } from '../../main/desktop-service.js';
import { registerFileDialog, type ShowOpenDialog } from '../../main/file-dialog.js';
import { registerIpc } from '../../main/ipc.js';
import { createPreloadBridge } from '../../main/preload-bridge.js';
import { createFakeIpc } from '../../main/test-support/fake-ipc.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'djp-file-dialog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function setup(answer: { canceled: boolean; filePaths: string[] }, opts: { maxBytes?: number; trusted?: boolean } = {}) {
  const asked: Array<Parameters<ShowOpenDialog>[0]> = [];
  const ipc = createFakeIpc();
  const { service } = createDesktopService({ userDataDir: path.join(dir, 'user'), env: {} });
  const reg = registerIpc(ipc.ipcMain, service, { identity: { user: 'desk', source: 'local' } });
  const stop = registerFileDialog(ipc.ipcMain, {
    showOpenDialog: async (o) => (asked.push(o), answer),
    ...(opts.maxBytes ? { maxBytes: opts.maxBytes } : {}),
    ...(opts.trusted === false ? { isTrusted: () => false } : {}),
  });
  const client = createBridgeClient(createPreloadBridge(ipc.createSender().ipcRenderer));
  return { client, asked, dispose: () => (stop(), reg.dispose()) };
}

describe('pickFiles: the native open-file dialog, over the bridge', () => {
  it('reads the chosen files in main; the renderer uploads their bytes through the same operation', async () => {
    const notes = path.join(dir, 'notes.md');
    const pdf = path.join(dir, 'Übersicht.pdf');
    await writeFile(notes, '# Notes\n\nThe quay is 40 m long.\n');
    await writeFile(pdf, '%PDF-1.4\n%…\n');
    const s = setup({ canceled: false, filePaths: [notes, pdf] });
    try {
      expect(typeof s.client.pickFiles).toBe('function');
      const files = await s.client.pickFiles!();
      expect(s.asked).toEqual([{ title: 'Attach files', properties: ['openFile', 'multiSelections'], filters: [{ name: 'Documents (.md, .txt, .pdf, .csv, .json)', extensions: ['md', 'markdown', 'txt', 'pdf', 'csv', 'json'] }] }]);
      expect(files.map((f) => [f.name, f.data instanceof Uint8Array, f.data.byteLength])).toEqual([
        ['notes.md', true, 32],
        ['Übersicht.pdf', true, Buffer.byteLength('%PDF-1.4\n%…\n')],
      ]);
      const up = await s.client.uploadAttachment(files[0]!.name, files[0]!.data);
      expect(up).toMatchObject({ name: 'notes.md', media_type: 'text/markdown', sha256: createHash('sha256').update(files[0]!.data).digest('hex'), outbox: false });
      const back = await s.client.getAttachment(up.id);
      expect(Buffer.from(back.data).toString()).toBe('# Notes\n\nThe quay is 40 m long.\n');
      expect(back).toMatchObject({ filename: 'notes.md', content_type: 'text/markdown; charset=utf-8' });
    } finally {
      s.dispose();
    }
  });

  it('a cancelled dialog gives no files; a file over the limit is refused before it is read, naming it', async () => {
    const cancelled = setup({ canceled: true, filePaths: [] });
    try {
      expect(await cancelled.client.pickFiles!()).toEqual([]);
    } finally {
      cancelled.dispose();
    }
    const big = path.join(dir, 'big.txt');
    await writeFile(big, Buffer.alloc(2048, 'a'));
    const s = setup({ canceled: false, filePaths: [big] }, { maxBytes: 1024 });
    try {
      await expect(s.client.pickFiles!()).rejects.toMatchObject({ code: 'too_large', field: 'file', message: expect.stringContaining('big.txt: 2048 bytes is over the per-file limit of 1024 bytes (DJP_ATTACHMENT_MAX_BYTES)') });
    } finally {
      s.dispose();
    }
    const gone = setup({ canceled: false, filePaths: [path.join(dir, 'vanished.md')] });
    try {
      await expect(gone.client.pickFiles!()).rejects.toMatchObject({ code: 'invalid', field: 'file', message: 'vanished.md: cannot be read (ENOENT)' });
    } finally {
      gone.dispose();
    }
  });

  it('a window that is not the app page may not open it', async () => {
    const s = setup({ canceled: false, filePaths: [] }, { trusted: false });
    try {
      await expect(s.client.pickFiles!()).rejects.toMatchObject({ code: 'forbidden' });
    } finally {
      s.dispose();
    }
  });
});
