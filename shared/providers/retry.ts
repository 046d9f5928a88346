// Retries one model call: backoff with jitter on 429/5xx/connection errors, honouring Retry-After,
// bounded by attempt count and total time; each attempt has its own timeout via AbortSignal and is
// recorded as an Attempt (shared/api/artifact.ts). An attempt's clock starts when its HTTP request is
// sent (request-sent.ts), so its latency is the provider's, not our process warming up.
import type { Attempt } from '../api/index.js';
import { ProviderCallError } from './errors.js';
import { watchRequestSent } from './request-sent.js';

export interface RetryOptions {
  /** Most attempts in all (first try included). */
  maxAttempts?: number;
  /** Budget for all attempts and waits together, in ms. The per-attempt timeout is what is left. */
  totalTimeoutMs: number;
  /** Upper bound for one attempt (defaults to the total budget). */
  attemptTimeoutMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Cancels everything (user cancel, shutdown). */
  signal?: AbortSignal;
  onAttempt?: (attempt: Attempt) => void;
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type RetryResult<T> = (
  | { ok: true; value: T; attempts: Attempt[] }
  | { ok: false; outcome: 'error' | 'timeout' | 'cancelled'; error: ProviderCallError; attempts: Attempt[] }
) & {
  /** The whole call, retries and their waits included: from the first attempt's request being sent
   *  (else from the start) to the end. What a draft, judge pass or synthesis records as latency_ms. */
  latencyMs: number;
};

export const DEFAULT_MAX_ATTEMPTS = 4;

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function backoffMs(attempt: number, base: number, max: number, random: () => number): number {
  const exp = Math.min(max, base * 2 ** (attempt - 1));
  return Math.round(exp * (0.5 + random() * 0.5)); // "equal jitter"
}

export async function withRetry<T>(call: (signal: AbortSignal) => Promise<T>, opts: RetryOptions): Promise<RetryResult<T>> {
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const sleep = opts.sleep ?? defaultSleep;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const base = opts.baseDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 20_000;
  const start = now();
  const deadline = start + opts.totalTimeoutMs;
  const attempts: Attempt[] = [];
  let firstSent: number | null = null;
  const latencyMs = (end = now()) => end - (firstSent ?? start);

  for (let n = 1; ; n++) {
    if (opts.signal?.aborted) {
      const err = new ProviderCallError('cancelled', 'cancelled');
      return { ok: false, outcome: 'cancelled', error: err, attempts, latencyMs: latencyMs() };
    }
    const attemptStart = now();
    let sentAt = (): number => attemptStart;
    const remaining = deadline - attemptStart;
    const timeoutMs = Math.max(1, Math.min(remaining, opts.attemptTimeoutMs ?? remaining));
    const ctl = new AbortController();
    let why: 'timeout' | 'cancelled' | null = null;
    const timer = setTimeout(() => {
      why = 'timeout';
      ctl.abort(new ProviderCallError(`timed out after ${Math.round(timeoutMs)} ms`, 'timeout'));
    }, timeoutMs);
    const onCancel = () => {
      why = 'cancelled';
      ctl.abort(new ProviderCallError('cancelled', 'cancelled'));
    };
    opts.signal?.addEventListener('abort', onCancel, { once: true });
    let err: ProviderCallError;
    try {
      // Race the call against our own abort so a call that ignores its signal still ends on time.
      const { watch, result } = watchRequestSent(now, () => call(ctl.signal));
      sentAt = () => watch.sentAt ?? attemptStart;
      const value = await Promise.race([
        result,
        new Promise<never>((_, reject) => ctl.signal.addEventListener('abort', () => reject(ctl.signal.reason), { once: true })),
      ]);
      const at = sentAt();
      const end = now(); // one reading: a single attempt's latency and the call's are the same number
      if (n === 1) firstSent = at;
      const a: Attempt = { n, started_at: new Date(at).toISOString(), latency_ms: end - at, outcome: 'ok', http_status: null, error: null, retry_after_ms: null };
      attempts.push(a);
      opts.onAttempt?.(a);
      return { ok: true, value, attempts, latencyMs: latencyMs(end) };
    } catch (e) {
      err =
        why === 'timeout'
          ? new ProviderCallError(`timed out after ${Math.round(timeoutMs)} ms`, 'timeout', null, null, { cause: e })
          : why === 'cancelled'
            ? new ProviderCallError('cancelled', 'cancelled', null, null, { cause: e })
            : e instanceof ProviderCallError
              ? e
              : new ProviderCallError(e instanceof Error ? e.message : String(e), 'other', null, null, { cause: e });
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onCancel);
    }

    const outcome: 'error' | 'timeout' | 'cancelled' = err.kind === 'timeout' ? 'timeout' : err.kind === 'cancelled' ? 'cancelled' : 'error';
    let wait: number | null = null;
    let giveUp: string | null = null;
    if (outcome === 'error' && err.retryable) {
      if (n >= maxAttempts) giveUp = `gave up after ${n} attempts`;
      else {
        wait = err.retryAfterMs ?? backoffMs(n, base, maxDelay, random);
        if (now() + wait >= deadline) {
          giveUp = `retry wait of ${Math.round(wait)} ms would pass the ${opts.totalTimeoutMs} ms budget`;
          wait = null;
        }
      }
    }
    const at = sentAt();
    if (n === 1) firstSent = at;
    const a: Attempt = {
      n,
      started_at: new Date(at).toISOString(),
      latency_ms: now() - at,
      outcome,
      http_status: err.status,
      error: err.message,
      retry_after_ms: wait,
    };
    attempts.push(a);
    opts.onAttempt?.(a);
    if (wait === null) {
      const finalErr = giveUp ? new ProviderCallError(`${err.message} (${giveUp})`, err.kind, err.status, err.retryAfterMs, { cause: err }) : err;
      return { ok: false, outcome, error: finalErr, attempts, latencyMs: latencyMs() };
    }
    await sleep(wait, opts.signal);
  }
}
