// A provider-neutral error for one failed model call attempt. Each provider maps its SDK's errors
// onto this so that retry.ts can decide without knowing any SDK.
import { redactSecrets } from '../guardrails/redaction.js';

export type CallErrorKind = 'http' | 'connection' | 'timeout' | 'cancelled' | 'malformed' | 'other';

export class ProviderCallError extends Error {
  override readonly name = 'ProviderCallError';
  constructor(
    message: string,
    readonly kind: CallErrorKind,
    /** HTTP status when the server answered with an error. */
    readonly status: number | null = null,
    /** Wait the server asked for (Retry-After / retry-after-ms), in ms. */
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(redactSecrets(message), options);
  }

  /** 429, 408, 409, 5xx and connection failures are worth another try; the rest are not. */
  get retryable(): boolean {
    if (this.kind === 'connection') return true;
    if (this.kind === 'http' && this.status !== null) {
      return this.status === 429 || this.status === 408 || this.status === 409 || this.status >= 500;
    }
    return false;
  }
}

interface HeaderLike {
  get(name: string): string | null;
}

/** Parses retry-after-ms, then Retry-After (seconds or an HTTP date). Null when absent/unparseable. */
export function parseRetryAfter(headers: HeaderLike | null | undefined, now: number = Date.now()): number | null {
  if (!headers || typeof headers.get !== 'function') return null;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const v = Number(ms);
    if (Number.isFinite(v) && v >= 0) return v;
  }
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return null;
  const secs = Number(ra);
  if (Number.isFinite(secs)) return secs >= 0 ? secs * 1000 : null;
  const date = Date.parse(ra);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return null;
}

/** The fields both official SDKs put on their APIError classes. */
interface SdkErrorShape {
  status?: unknown;
  headers?: unknown;
  message?: unknown;
  /** Anthropic: the body's error.message. */
  apiMessage?: unknown;
  /** OpenAI: the body's `error` object; Anthropic: the whole body ({type:'error', error:{type, message}}). */
  error?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

/**
 * "STATUS message", the status said once and the message taken out of the error body. The SDKs'
 * own message is "STATUS " + body.message, or "STATUS " + the whole body as JSON when the message sits
 * one level down (Anthropic's {type:'error', error:{message}}).
 */
export function apiErrorText(s: SdkErrorShape, status: number | null): string {
  const body = typeof s.error === 'object' && s.error !== null ? (s.error as { message?: unknown; error?: { message?: unknown } }) : null;
  let text = str(s.apiMessage) ?? str(body?.error?.message) ?? str(body?.message) ?? str(s.error) ?? str(s.message) ?? '';
  if (status !== null) text = text.replace(new RegExp(`^${status}\\b\\s*`), '').trim();
  if (status === null) return text || 'unknown error';
  return text && !/^status code \(no body\)$/.test(text) ? `${status} ${text}` : `HTTP ${status}`;
}

export interface SdkErrorClasses {
  APIError: abstract new (...args: never[]) => Error;
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
  APIUserAbortError: abstract new (...args: never[]) => Error;
}

/**
 * Maps an SDK error onto ProviderCallError. `abortKind` says why our own signal fired, when it did
 * (the SDK reports both as a user abort).
 */
export function fromSdkError(e: unknown, sdk: SdkErrorClasses, abortKind: 'timeout' | 'cancelled' | null): ProviderCallError {
  if (e instanceof ProviderCallError) return e;
  if (abortKind) return new ProviderCallError(abortKind === 'timeout' ? 'timed out' : 'cancelled', abortKind, null, null, { cause: e });
  if (e instanceof sdk.APIUserAbortError) return new ProviderCallError('cancelled', 'cancelled', null, null, { cause: e });
  if (e instanceof sdk.APIConnectionTimeoutError) return new ProviderCallError('request timed out', 'timeout', null, null, { cause: e });
  if (e instanceof sdk.APIConnectionError) {
    const cause = (e as { cause?: { message?: string } }).cause;
    return new ProviderCallError(`connection error${cause?.message ? `: ${cause.message}` : ''}`, 'connection', null, null, { cause: e });
  }
  if (e instanceof sdk.APIError) {
    const s = e as SdkErrorShape;
    const status = typeof s.status === 'number' ? s.status : null;
    const headers = s.headers as HeaderLike | undefined;
    return new ProviderCallError(apiErrorText(s, status).slice(0, 500), status === null ? 'other' : 'http', status, parseRetryAfter(headers), { cause: e });
  }
  if (e instanceof SyntaxError) return new ProviderCallError(`malformed response: ${e.message}`, 'malformed', null, null, { cause: e });
  const msg = e instanceof Error ? e.message : String(e);
  if (/JSON|Unexpected token|parse/i.test(msg)) return new ProviderCallError(`malformed response: ${msg}`, 'malformed', null, null, { cause: e });
  return new ProviderCallError(msg.slice(0, 500), 'other', null, null, { cause: e });
}
