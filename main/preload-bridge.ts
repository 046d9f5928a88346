// The preload side of the desktop transport: DjpBridge (shared/api/bridge.ts) over ipcRenderer.
// No Electron import, so tests drive it with a fake ipcRenderer; preload.ts passes the real one.
// Only type imports from shared/api: the preload is bundled into one sandbox-safe CommonJS file.
import type { BridgeError, BridgeOperation, BridgeResult, DjpBridge, DjpKeysBridge, KeychainProvider } from '../shared/api/bridge.js';
import { IPC_CHANNELS, type SubscriptionMessage } from './channels.js';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

function asResult(value: unknown, what: string): BridgeResult {
  if (value && typeof value === 'object' && typeof (value as { ok?: unknown }).ok === 'boolean') return value as BridgeResult;
  return { ok: false, error: { code: 'internal', message: `The desktop app returned no result for ${what}` } };
}

async function invoke(ipc: IpcRendererLike, what: string, channel: string, ...args: unknown[]): Promise<BridgeResult> {
  try {
    return asResult(await ipc.invoke(channel, ...args), what);
  } catch (e) {
    // ipcRenderer.invoke rejects only when main has no handler or the window is going away.
    return { ok: false, error: { code: 'unavailable', message: `The desktop app did not answer ${what}: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

export function createPreloadBridge(ipc: IpcRendererLike): DjpBridge {
  type Handlers = { onEvent: (event: unknown) => void; onEnd: (error: BridgeError | null) => void };
  const subs = new Map<string, Handlers>();
  let next = 0;

  ipc.on(IPC_CHANNELS.event, (_event, subId, message) => {
    const h = typeof subId === 'string' ? subs.get(subId) : undefined;
    if (!h || !message || typeof message !== 'object') return;
    const m = message as SubscriptionMessage;
    if (m.type === 'event') h.onEvent(m.event);
    else if (m.type === 'end') {
      subs.delete(subId as string);
      h.onEnd(m.error ?? null);
    }
  });

  const keys: DjpKeysBridge = {
    list: () => invoke(ipc, 'keys.list', IPC_CHANNELS.keys, 'list'),
    set: (provider: KeychainProvider, key: string) => invoke(ipc, 'keys.set', IPC_CHANNELS.keys, 'set', provider, key),
    delete: (provider: KeychainProvider) => invoke(ipc, 'keys.delete', IPC_CHANNELS.keys, 'delete', provider),
  };

  return {
    version: 1,
    call: (op: BridgeOperation, args: unknown[]) => invoke(ipc, op, IPC_CHANNELS.call, op, args),
    subscribe(runId, afterSeq, onEvent, onEnd) {
      const subId = `s${++next}`;
      subs.set(subId, { onEvent, onEnd });
      void invoke(ipc, 'subscribe', IPC_CHANNELS.subscribe, subId, runId, afterSeq).then((r) => {
        if (r.ok) return;
        const h = subs.get(subId);
        if (!h) return;
        subs.delete(subId);
        h.onEnd(r.error);
      });
      return () => {
        if (!subs.delete(subId)) return;
        ipc.send(IPC_CHANNELS.unsubscribe, subId);
      };
    },
    keys,
    pickFiles: () => invoke(ipc, 'pickFiles', IPC_CHANNELS.pickFiles),
  };
}
