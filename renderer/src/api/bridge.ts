// Preload-bridge transport for the desktop app (Electron). The desktop issue's preload script
// exposes `window.djp` with contextBridge.exposeInMainWorld('djp', bridge), where `bridge` has
// exactly this shape:
//
//   interface DjpBridge {
//     version: 1;
//     // One request/response operation of the DjpApi contract, by name, with its arguments minus
//     // the CallContext (main sets the identity). Implemented as ipcRenderer.invoke('djp:call', op, args).
//     // It must RESOLVE with a result envelope and never reject, because Electron IPC flattens
//     // rejections to strings and the error code would be lost:
//     //   { ok: true, value }  or  { ok: false, error: { code, message, field? } }   (DjpError.toJSON().error)
//     call(op: CallOperation, args: unknown[]): Promise<BridgeResult>;
//     // Live events of one run (seq > afterSeq, or all when afterSeq is null), delivered in order
//     // until run.done / run.error; `onEnd` fires once when the stream ends early with an error.
//     // Returns a function that stops delivery (main unsubscribes from the core).
//     subscribe(runId: string, afterSeq: number | null, onEvent: (event: unknown) => void,
//               onEnd: (error: BridgeError | null) => void): () => void;
//   }
//
// Arguments per op (same order as DjpApi without ctx): startRun(request), cancelRun(id), getRun(id),
// listRuns(query), deleteRun(id), approveRun(id, decision), rejectRun(id, decision), replayRun(id),
// listProviders(), projectCost(request), info(). Values are plain JSON (structured-clone safe).
// Everything coming back is checked against the shared/api schemas here, like the HTTP transport.
import { z } from 'zod';
import {
  CostProjection,
  DjpError,
  ProviderStatus,
  RunArtifact,
  RunEvent,
  RunPage,
  ServiceInfo,
  StartedRun,
  type Decision,
  type ListRunsQuery,
  type RunRequest,
} from '../../../shared/api/index.js';
import { djpErrorFromBody, isTerminalEvent, type CallOperation, type DjpClient, type SubscribeOptions, type Unsubscribe } from './client.js';
import { decode } from './decode.js';

export interface BridgeError {
  code: string;
  message: string;
  field?: string;
}
export type BridgeResult = { ok: true; value?: unknown } | { ok: false; error: BridgeError };

export interface DjpBridge {
  version: 1;
  call(op: CallOperation, args: unknown[]): Promise<BridgeResult>;
  subscribe(runId: string, afterSeq: number | null, onEvent: (event: unknown) => void, onEnd: (error: BridgeError | null) => void): () => void;
}

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

export function createBridgeClient(bridge: DjpBridge): DjpClient {
  async function call(op: CallOperation, args: unknown[]): Promise<unknown> {
    let result: BridgeResult;
    try {
      result = await bridge.call(op, args);
    } catch (e) {
      // A preload that rejects instead of returning an envelope: keep the words, lose nothing else.
      throw new DjpError('internal', e instanceof Error ? e.message : String(e));
    }
    if (!result || typeof result !== 'object') throw new DjpError('internal', `The desktop bridge returned no result for ${op}`);
    if (result.ok) return result.value;
    throw djpErrorFromBody({ error: result.error }) ?? new DjpError('internal', `The desktop bridge failed ${op}`);
  }

  return {
    transport: 'bridge',
    async startRun(request: RunRequest) {
      return decode(StartedRun, await call('startRun', [request]), 'started run');
    },
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
    async cancelRun(runId: string) {
      await call('cancelRun', [runId]);
    },
    async getRun(runId: string) {
      return decode(RunArtifact, await call('getRun', [runId]), 'run');
    },
    async listRuns(query: ListRunsQuery) {
      return decode(RunPage, await call('listRuns', [query]), 'run list');
    },
    async deleteRun(runId: string) {
      await call('deleteRun', [runId]);
    },
    async approveRun(runId: string, decision: Decision) {
      return decode(RunArtifact, await call('approveRun', [runId, decision]), 'run');
    },
    async rejectRun(runId: string, decision: Decision) {
      return decode(RunArtifact, await call('rejectRun', [runId, decision]), 'run');
    },
    async replayRun(runId: string) {
      return decode(StartedRun, await call('replayRun', [runId]), 'started run');
    },
    async listProviders() {
      return decode(z.array(ProviderStatus), await call('listProviders', []), 'provider list');
    },
    async projectCost(request: RunRequest) {
      return decode(CostProjection, await call('projectCost', [request]), 'cost projection');
    },
    async info() {
      return decode(ServiceInfo, await call('info', []), 'service info');
    },
  };
}
