// The one streaming helper: a callback subscription as an async iterable with cancellation, and an
// in-process hub built on it. Browser-safe (no Node imports), so any layer can use it.
//
//   for await (const e of service.lifecycle.stream({ signal })) { … }   // ends when signal aborts
//
// Events published while the consumer is busy are queued, in order. A consumer that falls more than
// `limit` events behind is told so (the iterator throws DjpError('unavailable')) instead of the
// queue growing without bound or events silently going missing.
import type { Unsubscribe } from './contract.js';
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
export function iterate<T>(start: (push: (event: T) => void) => Unsubscribe | Promise<Unsubscribe>, opts: StreamOptions<T> = {}): AsyncIterableIterator<T> {
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
  const begin = () => {
    if (started) return;
    started = true;
    if (opts.signal?.aborted) return finish();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    Promise.resolve()
      .then(() => start(push))
      .then(
        (s) => {
          // Ended (or reached `until`) while starting: release at once.
          if (ended || endAfterQueue) safely(s);
          else stop = s;
        },
        (e: unknown) => finish(e),
      );
  };

  const it: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]() {
      return it;
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

  stream(opts: StreamOptions<T> = {}): AsyncIterableIterator<T> {
    return iterate((push) => this.subscribe(push), opts);
  }

  /** Live subscribers (tests, diagnostics). */
  get size(): number {
    return this.listeners.size;
  }
}
