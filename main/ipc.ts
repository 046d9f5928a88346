// The desktop transport, main-process side: maps the preload bridge's IPC calls onto DjpApi.
// Plain Node (no Electron import): main.ts passes Electron's ipcMain; tests pass a fake.
//   djp:call      (op, args)               → {ok:true,value} | {ok:false,error}; never rejects
//   djp:subscribe (subId, runId, afterSeq) → same envelope; events go to the caller's webContents
//   djp:unsubscribe (subId)                 stops one subscription (all stop when the window goes)
//   djp:keys      (action, provider?, key?) keychain form (only when a KeyManager is given)
// Operations and their argument checks come from the operation table (shared/api/operations.ts):
// arguments are checked against its zod schemas before the service sees them, so a bad call from
// the renderer gets {code:'invalid', field} like a 400 from the HTTP server.
import {
  DjpError,
  OPERATIONS,
  callOperations,
  invokeOperation,
  isDjpError,
  parseArgs,
  runEvents,
  type BridgeError,
  type BridgeResult,
  type CallContext,
  type DjpApi,
  type Identity,
  type KeychainProvider,
  type KeyManager,
  type OperationTable,
} from '../shared/api/index.js';
import { redactSecrets } from '../shared/guardrails/redaction.js';
import { IPC_CHANNELS, type SubscriptionMessage } from './channels.js';

/** The part of Electron's WebContents the transport uses. */
export interface SenderLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

/** The part of Electron's IpcMainInvokeEvent / IpcMainEvent the transport uses. */
export interface IpcEventLike {
  readonly sender: SenderLike;
}

/** The part of Electron's ipcMain the transport uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
  removeHandler(channel: string): void;
  removeAllListeners(channel: string): unknown;
}

/** Keychain key management (shared/api/bridge.ts; main/secrets.ts implements it). */
export type { KeyManager };

export interface IpcOptions {
  /** Who runs things: the OS user for the desktop app. */
  identity: Identity;
  keys?: KeyManager;
  /** Refuses calls from frames that are not the app's own page (main.ts checks the URL). */
  isTrusted?: (event: IpcEventLike) => boolean;
  /** The operations djp:call carries (default: shared/api OPERATIONS); tests add fixture operations. */
  operations?: OperationTable;
}

export function toBridgeError(e: unknown): BridgeError {
  if (isDjpError(e)) {
    const err = e as DjpError;
    return { code: err.code ?? 'internal', message: redactSecrets(err.message), ...(err.field ? { field: err.field } : {}) };
  }
  const message = redactSecrets(e instanceof Error ? e.message : String(e));
  return { code: 'internal', message: message || 'internal error' };
}

async function envelope(fn: () => Promise<unknown> | unknown): Promise<BridgeResult> {
  try {
    const value = await fn();
    return value === undefined ? { ok: true } : { ok: true, value };
  } catch (e) {
    return { ok: false, error: toBridgeError(e) };
  }
}

// --- the operation table --------------------------------------------------------------------------
// Which operations djp:call carries and how their arguments are checked come from the table
// (shared/api/operations.ts): the call operations, each argument checked against its schema.

/** One bridge call → one DjpApi call. Resolves with an envelope; never rejects. */
export function createCallHandler(api: object, identity: Identity, operations: OperationTable = OPERATIONS): (op: unknown, args: unknown) => Promise<BridgeResult> {
  const ctx: CallContext = { identity };
  const names = callOperations(operations) as string[];
  return (op, rawArgs) =>
    envelope(async () => {
      if (typeof op !== 'string' || !names.includes(op)) throw new DjpError('invalid', `unknown operation ${JSON.stringify(String(op)).slice(0, 80)}; expected one of ${names.join(', ')}`, 'op');
      const def = operations[op]!;
      return invokeOperation(api, op, def, parseArgs(op, def, rawArgs), ctx);
    });
}

/** A key-management call from the Settings form → KeyManager. Never rejects; never echoes a key. */
export function createKeysHandler(keys: KeyManager | undefined): (action: unknown, provider: unknown, key: unknown) => Promise<BridgeResult> {
  return (action, provider, key) =>
    envelope(async () => {
      if (!keys) throw new DjpError('unavailable', 'Key management is not available in this build of the desktop app', 'action');
      switch (action) {
        case 'list':
          return keys.list();
        case 'set':
          // KeyManager.set validates provider and key (field errors never contain the key).
          return keys.set(provider as KeychainProvider, key as string);
        case 'delete':
          return keys.delete(provider as KeychainProvider);
        default:
          throw new DjpError('invalid', 'action must be one of list, set, delete', 'action');
      }
    });
}

export interface IpcRegistration {
  /** Live subscriptions (for tests and diagnostics). */
  subscriptions(): number;
  /** Stops every subscription and removes the handlers. */
  dispose(): void;
}

/** Registers the bridge's channels on ipcMain. */
export function registerIpc(ipcMain: IpcMainLike, api: DjpApi, opts: IpcOptions): IpcRegistration {
  const call = createCallHandler(api, opts.identity, opts.operations);
  const keys = createKeysHandler(opts.keys);
  const forbidden: BridgeResult = { ok: false, error: { code: 'forbidden', message: 'This window may not call the DJP Workflow API' } };
  const trusted = (event: IpcEventLike) => !opts.isTrusted || opts.isTrusted(event);

  // One subscription per (window, subId): the run's events through runEvents (shared/api/stream.ts),
  // ended by aborting it — on unsubscribe, when the window goes away, or on dispose.
  const subs = new Map<string, AbortController>();
  const watched = new Set<number>();
  const keyOf = (sender: SenderLike, subId: string) => `${sender.id}\u0000${subId}`;

  function send(sender: SenderLike, subId: string, msg: SubscriptionMessage) {
    if (!sender.isDestroyed()) sender.send(IPC_CHANNELS.event, subId, msg);
  }
  function end(k: string) {
    const sub = subs.get(k);
    if (!sub) return;
    subs.delete(k);
    sub.abort();
  }
  function watch(sender: SenderLike) {
    if (watched.has(sender.id)) return;
    watched.add(sender.id);
    sender.once('destroyed', () => {
      watched.delete(sender.id);
      const prefix = `${sender.id}\u0000`;
      for (const k of [...subs.keys()]) if (k.startsWith(prefix)) end(k);
    });
  }

  ipcMain.handle(IPC_CHANNELS.call, (event, op, args) => (trusted(event) ? call(op, args) : forbidden));
  ipcMain.handle(IPC_CHANNELS.keys, (event, action, provider, key) => (trusted(event) ? keys(action, provider, key) : forbidden));

  ipcMain.handle(IPC_CHANNELS.subscribe, (event, subId, runId, afterSeq) => {
    if (!trusted(event)) return forbidden;
    return envelope(async () => {
      if (typeof subId !== 'string' || !subId || subId.length > 100) throw new DjpError('invalid', 'subscription id must be a non-empty string', 'subId');
      // The run id is checked as the table checks it for HTTP and djp:call (RunId, shared/api/ids.ts).
      const [id] = parseArgs('subscribe', OPERATIONS.subscribe, [runId]) as [string];
      if (afterSeq !== null && afterSeq !== undefined && !(Number.isInteger(afterSeq) && (afterSeq as number) >= -1))
        throw new DjpError('invalid', 'afterSeq must be null or a whole number', 'afterSeq');
      const sender = event.sender;
      const k = keyOf(sender, subId);
      if (subs.has(k)) throw new DjpError('conflict', 'subscription id already in use', 'subId');
      const stop = new AbortController();
      subs.set(k, stop);
      watch(sender);
      const events = runEvents(api, id, { ...(typeof afterSeq === 'number' ? { afterSeq } : {}), signal: stop.signal });
      try {
        await events.ready; // not_found and the core's own errors answer this call
      } catch (e) {
        if (subs.get(k) === stop) subs.delete(k);
        throw e;
      }
      void (async () => {
        let error: BridgeError | null = null;
        try {
          for await (const e of events) send(sender, subId, { type: 'event', event: e });
        } catch (e) {
          error = toBridgeError(e);
        }
        // Ended by the run (run.done / run.error) or a failure: tell the window. Ended by the window
        // (unsubscribe, destroyed) or dispose: it is not listening any more.
        if (!stop.signal.aborted) send(sender, subId, { type: 'end', error });
        if (subs.get(k) === stop) subs.delete(k);
      })();
      return undefined;
    });
  });

  ipcMain.on(IPC_CHANNELS.unsubscribe, (event, subId) => {
    if (typeof subId === 'string') end(keyOf(event.sender, subId));
  });

  return {
    subscriptions: () => subs.size,
    dispose() {
      for (const k of [...subs.keys()]) end(k);
      ipcMain.removeHandler(IPC_CHANNELS.call);
      ipcMain.removeHandler(IPC_CHANNELS.keys);
      ipcMain.removeHandler(IPC_CHANNELS.subscribe);
      ipcMain.removeAllListeners(IPC_CHANNELS.unsubscribe);
    },
  };
}
