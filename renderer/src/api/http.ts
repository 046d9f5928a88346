// HTTP + Server-Sent Events transport for the web build. Each operation's method and path come from
// the operation table (shared/api/operations.ts): `:name` path segments from the argument of that
// name, its `body` argument as JSON, its `query` argument as the query string. The streaming
// operation (subscribe) is an EventSource on its path (data = RunEvent, id = seq).
// Errors come back as {error:{code,message,field}} and are rethrown as DjpError.
import {
  DjpError,
  OPERATIONS,
  RunEvent,
  encodeHeaderValue,
  fileNameFromDisposition,
  type OperationTable,
} from '../../../shared/api/index.js';
import { codeForStatus, djpErrorFromBody, isTerminalEvent, operationClient, type DjpClient, type Invoke, type SubscribeOptions, type Unsubscribe } from './client.js';

/** The EventSource constructor (injectable for tests). */
export type EventSourceCtor = new (url: string) => EventSourceLike;
export interface EventSourceLike {
  readonly readyState: number;
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onopen?: ((ev: Event) => void) | null;
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  close(): void;
}

export interface HttpClientOptions {
  /** Origin + path prefix of the server; '' = same origin (the server serves this UI). */
  baseUrl?: string;
  fetch?: typeof fetch;
  EventSource?: EventSourceCtor;
}

const EVENT_TYPES = RunEvent.options.map((o) => o.shape.type.value);
const CLOSED = 2;

/** Carries the operations of a table over HTTP: one request per call, as the table's route says. */
export function createHttpInvoke(table: OperationTable, options: HttpClientOptions = {}): Invoke {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input: Parameters<typeof fetch>[0], init?: RequestInit) => globalThis.fetch(input, init));

  /** One request. `raw`: the body is these bytes (an upload); `file`: the answer is a file (bytes). */
  async function call(method: string, path: string, body?: unknown, opts: { raw?: Uint8Array; headers?: Record<string, string>; file?: boolean } = {}): Promise<unknown> {
    let res: Response;
    try {
      const headers: Record<string, string> = { accept: opts.file ? '*/*' : 'application/json', ...opts.headers };
      if (opts.raw) headers['content-type'] = 'application/octet-stream';
      else if (body !== undefined) headers['content-type'] = 'application/json';
      res = await doFetch(`${base}${path}`, {
        method,
        headers,
        body: opts.raw ? (opts.raw as NonNullable<RequestInit['body']>) : body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch (e) {
      throw new DjpError('unavailable', `Could not reach the server (${e instanceof Error ? e.message : String(e)})`);
    }
    if (opts.file && res.ok) {
      return {
        filename: fileNameFromDisposition(res.headers.get('content-disposition')) ?? 'download',
        content_type: res.headers.get('content-type') ?? 'application/octet-stream',
        data: new Uint8Array(await res.arrayBuffer()),
      };
    }
    const text = await res.text();
    let json: unknown = undefined;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        if (res.ok) throw new DjpError('internal', `The server answered ${method} ${path} with something that is not JSON`);
      }
    }
    if (!res.ok) {
      throw (
        djpErrorFromBody(json, res.status) ??
        new DjpError(codeForStatus(res.status), `The server answered ${res.status} ${res.statusText || ''} to ${method} ${path}`.trim())
      );
    }
    return json;
  }

  return async (name, args) => {
    const def = table[name];
    const h = def?.http;
    if (!def || !h) throw new DjpError('internal', `operation ${name} has no HTTP route`);
    const arg = (argName: string): unknown => args[def.args.findIndex((a) => a.name === argName)];
    let path = h.path.replace(/:([a-zA-Z]+)/g, (_m, n: string) => encodeURIComponent(String(arg(n))));
    if (h.query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries((arg(h.query) ?? {}) as Record<string, unknown>)) if (v !== undefined && v !== '') params.set(k, String(v));
      const qs = params.toString();
      if (qs) path += `?${qs}`;
    }
    const headers: Record<string, string> = {};
    for (const [a, header] of Object.entries(h.headers ?? {})) {
      const v = arg(a);
      if (v !== undefined && v !== null) headers[header] = encodeHeaderValue(String(v));
    }
    if (h.raw) {
      const bytes = arg(h.raw.arg);
      if (!(bytes instanceof Uint8Array)) throw new DjpError('invalid', `${h.raw.arg}: must be the file bytes (a Uint8Array)`, h.raw.arg);
      return call(h.method, path, undefined, { raw: bytes, headers, file: h.file === true });
    }
    // A POST with no body argument still sends {} (declared JSON, as the server's CSRF rule wants).
    const body = h.body ? arg(h.body) : h.method === 'POST' ? {} : undefined;
    const out = await call(h.method, path, body, { headers, file: h.file === true });
    if (h.wrappedAs && !Array.isArray(out) && out && typeof out === 'object') return (out as Record<string, unknown>)[h.wrappedAs];
    return out;
  };
}

export function createHttpClient(options: HttpClientOptions = {}): DjpClient {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  const ES = options.EventSource ?? (globalThis.EventSource as unknown as EventSourceCtor | undefined);
  const eventsPath = (id: string) => OPERATIONS.subscribe.http.path.replace(':id', encodeURIComponent(id));

  return {
    transport: 'http',
    ...operationClient(OPERATIONS, createHttpInvoke(OPERATIONS, options)),
    subscribe(runId: string, listener: (event: RunEvent) => void, opts: SubscribeOptions = {}): Unsubscribe {
      if (!ES) {
        opts.onError?.(new DjpError('unavailable', 'This browser cannot receive live events (no EventSource).'));
        return () => {};
      }
      let lastSeq = opts.afterSeq ?? -1;
      const qs = opts.afterSeq !== undefined ? `?after=${opts.afterSeq}` : '';
      const source = new ES(`${base}${eventsPath(runId)}${qs}`);
      let closed = false;
      const stop = () => {
        closed = true;
        source.close();
      };
      const onData = (ev: MessageEvent) => {
        if (closed) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(String(ev.data));
        } catch {
          return; // comments/keep-alives or non-JSON frames are not events
        }
        const result = RunEvent.safeParse(parsed);
        if (!result.success) return;
        const event = result.data;
        if (event.seq <= lastSeq) return; // a reconnect may resend what we already have
        lastSeq = event.seq;
        listener(event);
        if (isTerminalEvent(event)) stop();
      };
      source.onmessage = onData;
      for (const type of EVENT_TYPES) source.addEventListener(type, onData);
      // A dropped connection: EventSource reconnects by itself, sending Last-Event-ID (= the seq of
      // the last event), so the server resumes after it; say so meanwhile, and when it is back.
      let lost = false;
      source.onopen = () => {
        if (closed || !lost) return;
        lost = false;
        opts.onConnection?.('back');
      };
      source.onerror = () => {
        if (closed) return;
        if (source.readyState !== CLOSED && !lost) {
          lost = true;
          opts.onConnection?.('lost');
        }
        // EventSource retries by itself (sending Last-Event-ID); only a CLOSED source is final,
        // e.g. the server answered 404 for an unknown run.
        if (source.readyState === CLOSED) {
          closed = true;
          opts.onError?.(new DjpError('unavailable', 'The live event stream for this run closed before the run finished'));
        }
      };
      return stop;
    },
  };
}
