// Electron preload (sandboxed, context-isolated): exposes window.djp — DjpBridge — to the renderer.
// Bundled by esbuild into dist/main/preload.cjs (a sandboxed preload must be one CommonJS file that
// requires only 'electron'). The logic lives in preload-bridge.ts, tested under plain Node.
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadBridge } from './preload-bridge.js';

contextBridge.exposeInMainWorld('djp', createPreloadBridge(ipcRenderer));
