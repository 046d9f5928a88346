// A stand-in for Electron's IPC under plain Node: ipcMain (handle/on), a webContents-like sender per
// window and an ipcRenderer for the preload. Like Electron, every argument and result is copied with
// the structured-clone algorithm, messages are delivered asynchronously and in order, and invoke
// rejects when main has no handler or the handler throws.
import type { IpcEventLike, IpcMainLike, SenderLike } from '../ipc.js';
import type { IpcRendererLike } from '../preload-bridge.js';

type MainHandler = (event: IpcEventLike, ...args: unknown[]) => unknown;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

export interface FakeSender extends SenderLike {
  /** Every message main sent to this window (cloned), in order. */
  readonly sent: Array<{ channel: string; args: unknown[] }>;
  /** Closes the window: 'destroyed' listeners run, later sends throw like Electron's. */
  destroy(): void;
  /** The preload's ipcRenderer in this window. */
  readonly ipcRenderer: IpcRendererLike;
  /** Every invoke result main returned to this window (cloned). */
  readonly replies: unknown[];
}

export function createFakeIpc() {
  const handlers = new Map<string, MainHandler>();
  const listeners = new Map<string, MainHandler[]>();
  let nextId = 1;

  const ipcMain: IpcMainLike = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, listener);
    },
    on(channel, listener) {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
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

  function createSender(): FakeSender {
    const id = nextId++;
    const rendererListeners = new Map<string, RendererListener[]>();
    const destroyedListeners: Array<() => void> = [];
    let destroyed = false;
    const sent: FakeSender['sent'] = [];
    const replies: unknown[] = [];

    const sender: FakeSender = {
      id,
      sent,
      replies,
      send(channel, ...args) {
        if (destroyed) throw new Error('Object has been destroyed');
        const copy = structuredClone(args);
        sent.push({ channel, args: copy });
        queueMicrotask(() => {
          for (const fn of rendererListeners.get(channel) ?? []) fn({ sender: null }, ...copy);
        });
      },
      isDestroyed: () => destroyed,
      once(event, listener) {
        if (event === 'destroyed') destroyedListeners.push(listener);
        return sender;
      },
      destroy() {
        if (destroyed) return;
        destroyed = true;
        for (const fn of destroyedListeners.splice(0)) fn();
      },
      ipcRenderer: {
        async invoke(channel, ...args) {
          const h = handlers.get(channel);
          const copy = structuredClone(args);
          await Promise.resolve();
          if (!h) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
          let result: unknown;
          try {
            result = await h({ sender }, ...copy);
          } catch (e) {
            throw new Error(`Error invoking remote method '${channel}': ${String(e)}`);
          }
          const reply = structuredClone(result);
          replies.push(reply);
          return reply;
        },
        send(channel, ...args) {
          const copy = structuredClone(args);
          queueMicrotask(() => {
            for (const fn of listeners.get(channel) ?? []) fn({ sender }, ...copy);
          });
        },
        on(channel, listener) {
          rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), listener]);
          return sender.ipcRenderer;
        },
      },
    };
    return sender;
  }

  return { ipcMain, createSender, handlerCount: () => handlers.size };
}
