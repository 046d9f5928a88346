// When a model call's HTTP request actually went out. Node's fetch (undici, which every SDK here calls)
// publishes 'undici:client:sendHeaders' on diagnostics_channel once the request's headers are written
// to the socket; that is where a call's recorded latency starts (issue 16 item 7), so it leaves out the
// client-side set-up a first call in a fresh process pays: the SDK building its client and request,
// fetch loading undici, undici compiling its HTTP parser. The event is published in the async context
// of the fetch() that made the request, so an AsyncLocalStorage per attempt tells whose request it was.
// A call that sends nothing over HTTP (the offline provider, a connection that never opened) keeps the
// attempt's own start.
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';

export interface RequestWatch {
  /** The clock of the attempt (withRetry's `now`), read when the first request of the attempt is sent. */
  readonly now: () => number;
  /** When the attempt's first HTTP request was sent, on that clock; null until then. */
  sentAt: number | null;
}

const current = new AsyncLocalStorage<RequestWatch>();
let subscribed = false;

function onSendHeaders(): void {
  const w = current.getStore();
  if (w && w.sentAt === null) w.sentAt = w.now();
}

/** Runs `fn` (one attempt of a call) and notes in the returned watch when its first request is sent. */
export function watchRequestSent<T>(now: () => number, fn: () => T): { watch: RequestWatch; result: T } {
  if (!subscribed) {
    subscribed = true;
    subscribe('undici:client:sendHeaders', onSendHeaders);
  }
  const watch: RequestWatch = { now, sentAt: null };
  return { watch, result: current.run(watch, fn) };
}
