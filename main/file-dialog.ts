// The desktop's open-file dialog for attachments (the bridge's pickFiles capability): main shows the
// native dialog, reads the chosen files and hands their bytes to the renderer, which uploads them
// through the same uploadAttachment operation as the browser. Plain Node: main.ts passes Electron's
// dialog and ipcMain; tests pass fakes. The service still sniffs and limits every file.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DjpError, type BridgeResult, type PickedFile } from '../shared/api/index.js';
import { attachmentLimits, mb } from '../shared/attachments/limits.js';
import { IPC_CHANNELS } from './channels.js';
import type { IpcEventLike, IpcMainLike } from './ipc.js';
import { toBridgeError } from './ipc.js';

/** The extensions the attachment store accepts (shared/attachments/sniff.ts decides from the bytes). */
export const ATTACHMENT_EXTENSIONS = ['md', 'markdown', 'txt', 'pdf', 'csv', 'json'];

/** The part of Electron's dialog.showOpenDialog the handler uses. */
export type ShowOpenDialog = (options: {
  title: string;
  properties: Array<'openFile' | 'multiSelections'>;
  filters: Array<{ name: string; extensions: string[] }>;
}) => Promise<{ canceled: boolean; filePaths: string[] }>;

export interface FileDialogOptions {
  showOpenDialog: ShowOpenDialog;
  /** Largest file read (DJP_ATTACHMENT_MAX_BYTES, as the service limits uploads). */
  maxBytes?: number;
  isTrusted?: (event: IpcEventLike) => boolean;
}

/** Opens the dialog and reads the chosen files; too_large naming the file before reading one over the limit. */
export async function pickFiles(opts: FileDialogOptions): Promise<PickedFile[]> {
  const max = opts.maxBytes ?? attachmentLimits().fileBytes;
  const r = await opts.showOpenDialog({
    title: 'Attach files',
    properties: ['openFile', 'multiSelections'],
    filters: [{ name: 'Documents (.md, .txt, .pdf, .csv, .json)', extensions: ATTACHMENT_EXTENSIONS }],
  });
  if (r.canceled) return [];
  const out: PickedFile[] = [];
  for (const path of r.filePaths) {
    const name = basename(path);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (e) {
      throw new DjpError('invalid', `${name}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'file');
    }
    if (size > max) throw new DjpError('too_large', `${name}: ${mb(size)} is over the per-file limit of ${mb(max)} (DJP_ATTACHMENT_MAX_BYTES)`, 'file');
    out.push({ name, data: new Uint8Array(await readFile(path)) });
  }
  return out;
}

/** Registers djp:pickFiles; returns a function removing it. */
export function registerFileDialog(ipcMain: IpcMainLike, opts: FileDialogOptions): () => void {
  ipcMain.handle(IPC_CHANNELS.pickFiles, async (event): Promise<BridgeResult> => {
    if (opts.isTrusted && !opts.isTrusted(event)) return { ok: false, error: { code: 'forbidden', message: 'This window may not open the file dialog' } };
    try {
      return { ok: true, value: await pickFiles(opts) };
    } catch (e) {
      return { ok: false, error: toBridgeError(e) };
    }
  });
  return () => ipcMain.removeHandler(IPC_CHANNELS.pickFiles);
}
