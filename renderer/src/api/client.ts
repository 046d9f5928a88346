// The one client interface the UI talks to. It mirrors the DjpApi contract (shared/api/contract.ts)
// without the CallContext argument — the transport establishes who is calling (SSO headers on the
// web, the OS user on the desktop). Two transports implement it: HTTP + SSE (./http.ts) for the web
// build and the Electron preload bridge (./bridge.ts) for the desktop.
import type {
  CostProjection,
  Decision,
  KeychainProvider,
  KeychainStatus,
  ListRunsQuery,
  ProviderStatus,
  RunArtifact,
  RunEvent,
  RunPage,
  RunRequest,
  ServiceInfo,
  StartedRun,
} from '../../../shared/api/index.js';
import { DjpError, ERROR_CODES, type ErrorCode } from '../../../shared/api/index.js';

export interface SubscribeOptions {
  /** Resume after this seq (events with seq > afterSeq are delivered). */
  afterSeq?: number;
  /** Called once when the stream fails for good (not on the normal end after run.done/run.error). */
  onError?: (error: DjpError) => void;
}

export type Unsubscribe = () => void;

/**
 * Provider API keys in the OS keychain — the desktop's Settings form. Only the bridge transport
 * has it (the web build's keys live in the server's environment). Keys go in and never come
 * back: list() says whether one is stored. Failures throw DjpError (code 'unavailable' when the
 * keychain cannot be reached; 'invalid' with field 'provider' or 'key'), never containing a key.
 */
export interface KeyManagement {
  list(): Promise<KeychainStatus[]>;
  set(provider: KeychainProvider, key: string): Promise<void>;
  delete(provider: KeychainProvider): Promise<void>;
}

export interface DjpClient {
  /** Which transport this is ("http" or "bridge"); the UI shows desktop-only controls on "bridge". */
  readonly transport: 'http' | 'bridge';
  startRun(request: RunRequest): Promise<StartedRun>;
  /** Delivers the run's events in seq order until run.done / run.error; returns a stop function. */
  subscribe(runId: string, listener: (event: RunEvent) => void, options?: SubscribeOptions): Unsubscribe;
  cancelRun(runId: string): Promise<void>;
  getRun(runId: string): Promise<RunArtifact>;
  listRuns(query: ListRunsQuery): Promise<RunPage>;
  deleteRun(runId: string): Promise<void>;
  approveRun(runId: string, decision: Decision): Promise<RunArtifact>;
  rejectRun(runId: string, decision: Decision): Promise<RunArtifact>;
  replayRun(runId: string): Promise<StartedRun>;
  listProviders(): Promise<ProviderStatus[]>;
  projectCost(request: RunRequest): Promise<CostProjection>;
  info(): Promise<ServiceInfo>;
  /** Keychain key management; present only when the desktop preload offers it. */
  readonly keys?: KeyManagement;
}

/** True when a run event ends the stream. */
export function isTerminalEvent(event: RunEvent): boolean {
  return event.type === 'run.done' || event.type === 'run.error';
}

/** Words a person can act on for any error a client call throws. */
export function errorMessage(error: unknown): string {
  if (error instanceof DjpError) {
    if (error.code === 'unavailable') return `${error.message} — check that the DJP server is running and reachable.`;
    if (error.code === 'unauthorized') return `${error.message} — sign in again (your session may have expired).`;
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Rebuilds a DjpError from the wire shape {error:{code,message,field}}; null when it is not one. */
export function djpErrorFromBody(body: unknown, fallbackStatus?: number): DjpError | null {
  if (typeof body !== 'object' || body === null) return null;
  const err = (body as { error?: unknown }).error;
  if (typeof err !== 'object' || err === null) return null;
  const { code, message, field } = err as { code?: unknown; message?: unknown; field?: unknown };
  if (typeof message !== 'string') return null;
  const known = typeof code === 'string' && isErrorCode(code) ? code : codeForStatus(fallbackStatus);
  return new DjpError(known, message, typeof field === 'string' ? field : undefined);
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

export function codeForStatus(status: number | undefined): ErrorCode {
  switch (status) {
    case 400:
      return 'invalid';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'too_large';
    case 422:
      return 'budget_exceeded';
    case 502:
    case 503:
    case 504:
      return 'unavailable';
    default:
      return 'internal';
  }
}
