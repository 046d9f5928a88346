// Preload-bridge transport for the desktop app (Electron). The preload exposes `window.djp`, whose
// shape — DjpBridge in shared/api/bridge.ts — main/ and this file share:
//   call(op, args) → Promise<{ok:true,value} | {ok:false,error:{code,message,field?}}>  (never rejects)
//   subscribe(runId, afterSeq|null, onEvent, onEnd) → stop()
// The operations and their arguments are the operation table's (shared/api/operations.ts): DjpApi's
// without the CallContext, e.g. call('getRun', [id]). Everything coming back is checked against the
// table's result schemas (operationClient in ./client.ts), as for the HTTP transport. When the preload also offers `keys`
// (the OS keychain), the client gets `keys` (KeyManager) for the Settings form.
import * as z from 'zod';
import {
  DjpError,
  KEYCHAIN_PROVIDERS,
  OPERATIONS,
  RunEvent,
  type BridgeError,
  type BridgeOperation,
  type BridgeResult,
  type DjpBridge,
  type DjpKeysBridge,
  type KeychainProvider,
} from '../../../shared/api/index.js';
import { djpErrorFromBody, isTerminalEvent, operationClient, type DjpClient, type Invoke, type KeyManager, type SubscribeOptions, type Unsubscribe } from './client.js';
import { decode } from './decode.js';

export type { BridgeError, BridgeResult, DjpBridge };

declare global {
  interface Window {
    djp?: DjpBridge;
  }
}

/** The bridge the preload exposed, or null in a plain browser. */
export function detectBridge(win: { djp?: unknown } = globalThis as { djp?: unknown }): DjpBridge | null {
  const b = win.djp as Partial<DjpBridge> | undefined;
  return b && b.version === 1 && typeof b.call === 'function' && typeof b.subscribe === 'function' ? (b as DjpBridge) : null;
}

/** Opens a bridge envelope: the value, or the DjpError it carries. */
async function unwrap(what: string, send: () => Promise<BridgeResult>): Promise<unknown> {
  let result: BridgeResult;
  try {
    result = await send();
  } catch (e) {
    // A preload that rejects instead of returning an envelope: keep the words, lose nothing else.
    throw new DjpError('internal', e instanceof Error ? e.message : String(e));
  }
  if (!result || typeof result !== 'object') throw new DjpError('internal', `The desktop bridge returned no result for ${what}`);
  if (result.ok) return result.value;
  throw djpErrorFromBody({ error: result.error }) ?? new DjpError('internal', `The desktop bridge failed ${what}`);
}

const KeychainList = z.array(z.object({ provider: z.enum(KEYCHAIN_PROVIDERS), configured: z.boolean(), store: z.enum(['os_keychain', 'encrypted_file']).optional() }));

/** The keychain capability over `bridge.keys`; null when the preload has none (older preload). */
export function createBridgeKeys(keys: DjpKeysBridge | undefined): KeyManager | null {
  if (!keys || typeof keys.list !== 'function' || typeof keys.set !== 'function' || typeof keys.delete !== 'function') return null;
  return {
    async list() {
      return decode(KeychainList, await unwrap('keys.list', () => keys.list()), 'keychain status');
    },
    async set(provider: KeychainProvider, key: string) {
      await unwrap('keys.set', () => keys.set(provider, key));
    },
    async delete(provider: KeychainProvider) {
      await unwrap('keys.delete', () => keys.delete(provider));
    },
  };
}

/** Carries operations over the preload bridge's call(op, args): the envelope's value or its DjpError. */
export function createBridgeInvoke(bridge: DjpBridge): Invoke {
  return (op, args) => unwrap(op, () => bridge.call(op as BridgeOperation, args));
}

const PickedFiles = z.array(z.object({ name: z.string(), data: z.custom<Uint8Array>((v) => v instanceof Uint8Array, { error: 'must be bytes' }) }));

export function createBridgeClient(bridge: DjpBridge): DjpClient {
  const keys = createBridgeKeys(bridge.keys);
  const pick = bridge.pickFiles;
  const pickFiles = typeof pick === 'function' ? async () => decode(PickedFiles, await unwrap('pickFiles', () => pick.call(bridge)), 'picked files') : null;

  return {
    transport: 'bridge',
    ...(keys ? { keys } : {}),
    ...(pickFiles ? { pickFiles } : {}),
    ...operationClient(OPERATIONS, createBridgeInvoke(bridge)),
    subscribe(runId: string, listener: (event: RunEvent) => void, opts: SubscribeOptions = {}): Unsubscribe {
      let lastSeq = opts.afterSeq ?? -1;
      let done = false;
      let stop: (() => void) | null = null;
      const finish = () => {
        if (done) return;
        done = true;
        stop?.();
      };
      stop = bridge.subscribe(
        runId,
        opts.afterSeq ?? null,
        (raw) => {
          if (done) return;
          const parsed = RunEvent.safeParse(raw);
          if (!parsed.success || parsed.data.seq <= lastSeq) return;
          lastSeq = parsed.data.seq;
          listener(parsed.data);
          if (isTerminalEvent(parsed.data)) finish();
        },
        (error) => {
          if (done) return;
          done = true;
          if (error) opts.onError?.(djpErrorFromBody({ error }) ?? new DjpError('internal', 'The live event stream failed'));
        },
      );
      if (done) stop();
      return finish;
    },
  };
}
