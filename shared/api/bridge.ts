// The desktop preload bridge: the shape of `window.djp` that the Electron preload exposes
// (contextBridge.exposeInMainWorld('djp', bridge)) and the renderer's bridge transport consumes
// (renderer/src/api/bridge.ts). Here, in shared/api, so main/ and renderer/ type-check against one
// definition without importing each other. Browser-safe. The preload imports only types from here.
import { CALL_OPERATIONS, type CallOperation } from './operations.js';

/** The DjpApi operations carried as request/response calls: the table's call operations. */
export const BRIDGE_OPERATIONS: readonly CallOperation[] = CALL_OPERATIONS;
export type BridgeOperation = CallOperation;

/** DjpError.toJSON().error — what crosses IPC instead of a thrown error. */
export interface BridgeError {
  code: string;
  message: string;
  field?: string;
}

/** Every call resolves with an envelope and never rejects: Electron IPC flattens rejections to strings. */
export type BridgeResult = { ok: true; value?: unknown } | { ok: false; error: BridgeError };

export interface DjpBridge {
  version: 1;
  /**
   * One operation with its DjpApi arguments minus the CallContext (main sets the identity), e.g.
   * call('getRun', [id]), call('approveRun', [id, { reason }]). Values are plain JSON, and Uint8Array
   * for bytes (an upload's file, a download's data: structured clone keeps typed arrays).
   * Implemented in the preload as ipcRenderer.invoke('djp:call', op, args).
   */
  call(op: BridgeOperation, args: unknown[]): Promise<BridgeResult>;
  /**
   * Live events of one run (seq > afterSeq; all when null), in order, until run.done / run.error.
   * `onEnd(error)` fires once if the stream ends early (e.g. not_found). Returns a stop function.
   */
  subscribe(runId: string, afterSeq: number | null, onEvent: (event: unknown) => void, onEnd: (error: BridgeError | null) => void): () => void;
  /**
   * Provider API keys in the OS keychain (desktop only; absent in older preloads, so optional).
   * Keys go in and never come back out: the renderer only learns whether one is configured.
   */
  keys?: DjpKeysBridge;
  /**
   * The desktop's native open-file dialog (main owns it: main/file-dialog.ts), for attachments.
   * value: PickedFile[] — the chosen files read by main ([] when the dialog was cancelled); a file
   * over the size limit or unreadable fails with {code:'too_large'|'invalid', field:'file'} naming it.
   * Absent in older preloads and in the browser. Implemented as ipcRenderer.invoke('djp:pickFiles').
   */
  pickFiles?(): Promise<BridgeResult>;
}

/** A file the desktop's open-file dialog read: its name (last path segment) and its bytes. */
export interface PickedFile {
  name: string;
  data: Uint8Array;
}

/**
 * Provider API keys in the OS keychain — the one key-management interface: main/secrets.ts
 * implements it over keytar, main/ipc.ts carries it as djp:keys, the renderer's bridge client
 * offers it to the Settings form (DjpClient.keys). Keys go in and never come back: list() says
 * whether one is stored. Failures throw DjpError (code 'unavailable' when the keychain cannot be
 * reached; 'invalid' with field 'provider' or 'key'), never containing a key.
 */
export interface KeyManager {
  list(): Promise<KeychainStatus[]>;
  set(provider: KeychainProvider, key: string): Promise<void>;
  delete(provider: KeychainProvider): Promise<void>;
}

/** Providers whose API key the desktop app can keep in the OS keychain (account names in it). */
export const KEYCHAIN_PROVIDERS = ['openai', 'anthropic', 'google', 'openai_compatible'] as const;
export type KeychainProvider = (typeof KEYCHAIN_PROVIDERS)[number];

/** One row of keys.list(): whether the keychain holds a key for the provider; never the key. */
export interface KeychainStatus {
  provider: KeychainProvider;
  configured: boolean;
  /** Where keys are kept: the OS keychain (keytar), or — when it cannot be used — a file in the
   *  user-data folder encrypted with Electron's safeStorage. */
  store?: KeyStore;
}

export type KeyStore = 'os_keychain' | 'encrypted_file';

/**
 * The Settings keychain form's operations. Like call(), each resolves with an envelope and never
 * rejects. When the keychain is unavailable (no keytar, no Secret Service/D-Bus on Linux) the
 * envelope is {ok:false, error:{code:'unavailable', message}} saying so. Invalid input gives
 * {code:'invalid', field:'provider'|'key'}; the message never contains the key.
 * Implemented in the preload as ipcRenderer.invoke('djp:keys', action, provider?, key?).
 */
export interface DjpKeysBridge {
  /** value: KeychainStatus[] (one row per KEYCHAIN_PROVIDERS entry). */
  list(): Promise<BridgeResult>;
  /** Stores (or replaces) the provider's key. value: undefined. */
  set(provider: KeychainProvider, key: string): Promise<BridgeResult>;
  /** Removes the provider's key (no error when there was none). value: undefined. */
  delete(provider: KeychainProvider): Promise<BridgeResult>;
}
