// The one client interface the UI talks to. Its request/response methods are derived from the
// operation table (shared/api/operations.ts) — DjpApi's without the CallContext argument: the
// transport establishes who is calling (SSO headers on the web, the OS user on the desktop). Two
// transports implement it, each by one `invoke(operation, args)` that operationClient() below turns
// into the typed methods: HTTP + SSE (./http.ts) for the web build and the Electron preload bridge
// (./bridge.ts) for the desktop.
import {
  DjpError,
  ERROR_CODES,
  callOperations,
  type ClientMethods,
  type ClientMethodsOf,
  type ErrorCode,
  type KeyManager,
  type OperationTable,
  type PickedFile,
  type RunEvent,
} from '../../../shared/api/index.js';
import { decode } from './decode.js';

/** Keychain key management (the desktop's Settings form): the one interface, from shared/api/bridge.ts. */
export type { KeyManager };

/** Carries one operation over a transport; resolves with the raw (not yet checked) result. */
export type Invoke = (operation: string, args: unknown[]) => Promise<unknown>;

/**
 * The typed methods of a table's call operations over one transport: each method sends its
 * arguments as given and checks what comes back against the table's result schema, so a
 * server/UI version skew shows up as one clear error naming the field.
 */
export function operationClient<T extends OperationTable>(table: T, invoke: Invoke): ClientMethodsOf<T> {
  const methods: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of callOperations(table)) {
    const def = table[name]!;
    methods[name] = async (...args: unknown[]) => {
      const raw = await invoke(name, args);
      return def.result ? decode(def.result, raw, def.label) : undefined;
    };
  }
  return methods as unknown as ClientMethodsOf<T>;
}

export interface SubscribeOptions {
  /** Resume after this seq (events with seq > afterSeq are delivered). */
  afterSeq?: number;
  /** Called once when the stream fails for good (not on the normal end after run.done/run.error). */
  onError?: (error: DjpError) => void;
  /**
   * The live connection dropped and is being retried ('lost'; the transport resumes after the last
   * event it delivered — Last-Event-ID), or it is back ('back').
   */
  onConnection?: (state: 'lost' | 'back') => void;
}

export type Unsubscribe = () => void;

export interface DjpClient extends ClientMethods {
  /** Which transport this is ("http" or "bridge"); the UI shows desktop-only controls on "bridge". */
  readonly transport: 'http' | 'bridge';
  /** Delivers the run's events in seq order until run.done / run.error; returns a stop function. */
  subscribe(runId: string, listener: (event: RunEvent) => void, options?: SubscribeOptions): Unsubscribe;
  /** Keychain key management; present only when the desktop preload offers it. */
  readonly keys?: KeyManager;
  /** The desktop's native open-file dialog (attachments): the chosen files' names and bytes; [] when cancelled. Desktop only. */
  readonly pickFiles?: () => Promise<PickedFile[]>;
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
