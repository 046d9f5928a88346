// The one streaming helper: a callback subscription as an async iterable with cancellation, and an
// in-process hub built on it. Browser-safe (no Node imports), so any layer can use it.
//
//   for await (const e of service.lifecycle.stream({ signal })) { … }   // ends when signal aborts
//
// Events published while the consumer is busy are queued, in order. A consumer that falls more than
// `limit` events behind is told so (the iterator throws DjpError('unavailable')) instead of the
// queue growing without bound or events silently going missing.
import type { DjpApi, RunEvent, Unsubscribe } from './contract.js';
import { DjpError } from './errors.js';

export interface StreamOptions<T> {
  /** Ends the iteration (cleanly: the loop just stops) and releases the subscription. */
  signal?: AbortSignal;
  /** Only events for which this is true are delivered. */
  filter?: (event: T) => boolean;
  /** The iteration ends after delivering an event for which this is true (e.g. run.done). */
  until?: (event: T) => boolean;
  /** Most events queued for a slow consumer before the iterator fails. Default 10 000. */
  limit?: number;
}

/**
 * Turns `start(push)` — which begins delivering events to `push` and returns how to stop — into an
 * async iterable. The subscription begins when iteration begins and is released exactly once: when
 * the signal aborts, `until` matches, the consumer breaks out of its loop, or `start` fails.
 */
/** An async iterable of events with what a transport needs before it answers: whether the subscription started, and how much is queued. */
export interface EventStream<T> extends AsyncIterableIterator<T> {
  /**
   * Begins the subscription (if iteration has not) and resolves once it is in place — with the events
   * it delivered at once (a replay) already queued — or rejects with why it could not start (e.g.
   * not_found), so a transport can answer with an error before it sends anything.
   */
  readonly ready: Promise<void>;
  /** Events queued, not yet taken. */
  readonly buffered: number;
}

export function iterate<T>(start: (push: (event: T) => void) => Unsubscribe | Promise<Unsubscribe>, opts: StreamOptions<T> = {}): EventStream<T> {
  const limit = opts.limit ?? 10_000;
  const queue: T[] = [];
  let waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  let stop: Unsubscribe | null = null;
  let started = false;
  let ended = false;
  let failure: unknown = null;
  let endAfterQueue = false;

  const safely = (s: Unsubscribe | null) => {
    try {
      s?.();
    } catch {
      /* the source is gone already */
    }
  };
  const release = () => {
    const s = stop;
    stop = null;
    safely(s);
  };
  const finish = (error: unknown = null) => {
    if (ended) return;
    ended = true;
    failure = error;
    opts.signal?.removeEventListener('abort', onAbort);
    release();
    const w = waiting;
    waiting = null;
    if (w) {
      if (error) w.reject(error);
      else w.resolve({ value: undefined, done: true });
    }
  };
  const onAbort = () => {
    queue.length = 0;
    finish();
  };
  const push = (event: T) => {
    if (ended || endAfterQueue) return;
    if (opts.filter && !opts.filter(event)) return;
    const last = !!opts.until?.(event);
    if (waiting) {
      const w = waiting;
      waiting = null;
      w.resolve({ value: event, done: false });
    } else if (queue.length >= limit) {
      queue.length = 0;
      finish(new DjpError('unavailable', `the event stream's consumer fell more than ${limit} events behind`));
      return;
    } else {
      queue.push(event);
    }
    if (last) {
      endAfterQueue = true;
      release();
      if (!queue.length) finish();
    }
  };
  let startError: unknown = null;
  let starting: Promise<void> = Promise.resolve();
  const begin = () => {
    if (started) return;
    started = true;
    if (opts.signal?.aborted) return finish();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    starting = Promise.resolve()
      .then(() => start(push))
      .then(
        (s) => {
          // Ended (or reached `until`) while starting: release at once.
          if (ended || endAfterQueue) safely(s);
          else stop = s;
        },
        (e: unknown) => {
          startError = e ?? new Error('the subscription failed');
          finish(startError);
        },
      );
  };

  const it: EventStream<T> = {
    [Symbol.asyncIterator]() {
      return it;
    },
    get ready(): Promise<void> {
      begin();
      return starting.then(() => {
        if (startError) throw startError;
      });
    },
    get buffered(): number {
      return queue.length;
    },
    next(): Promise<IteratorResult<T>> {
      begin();
      if (queue.length) {
        const value = queue.shift() as T;
        if (endAfterQueue && !queue.length) finish();
        return Promise.resolve({ value, done: false });
      }
      if (ended) return failure ? Promise.reject(failure) : Promise.resolve({ value: undefined, done: true });
      if (waiting) return Promise.reject(new Error('iterate(): next() called again before the previous call resolved'));
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
    return(): Promise<IteratorResult<T>> {
      queue.length = 0;
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
  };
  return it;
}

/** The events that end a run's stream. */
export function isFinalRunEvent(e: RunEvent): boolean {
  return e.type === 'run.done' || e.type === 'run.error';
}

/**
 * A run's events (DjpApi.subscribe) as an EventStream: those after `afterSeq` replayed, then live
 * ones; it ends after run.done or run.error, when `signal` aborts, or when the consumer stops, and
 * the subscription is released exactly once. SSE (server/http/sse.ts) and the desktop's subscribe
 * channel (main/ipc.ts) both carry it.
 */
export function runEvents(api: Pick<DjpApi, 'subscribe'>, runId: string, opts: { afterSeq?: number; signal?: AbortSignal; limit?: number } = {}): EventStream<RunEvent> {
  return iterate<RunEvent>((push) => api.subscribe(runId, push, opts.afterSeq), {
    until: isFinalRunEvent,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
  });
}

/**
 * An in-process publish/subscribe hub: `publish` delivers synchronously to every listener, in
 * subscription order; a listener that throws is reported to `onListenerError` and never stops the
 * publisher or the other listeners. `stream()` is the async-iterable way to subscribe.
 */
export class EventHub<T> {
  private readonly listeners = new Set<(event: T) => void>();
  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  publish(event: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }

  subscribe(listener: (event: T) => void): Unsubscribe {
    const own = (e: T) => listener(e);
    this.listeners.add(own);
    return () => void this.listeners.delete(own);
  }

  stream(opts: StreamOptions<T> = {}): EventStream<T> {
    return iterate((push) => this.subscribe(push), opts);
  }

  /** Live subscribers (tests, diagnostics). */
  get size(): number {
    return this.listeners.size;
  }
}
