// HTTP + Server-Sent Events transport for the web build. Routes (server/http, issue 5):
//   POST /api/runs → 202 {id}            GET /api/runs/:id/events (SSE, data = RunEvent, id = seq)
//   GET /api/runs/:id                   GET /api/runs?q=&status=&provider=&from=&to=&cursor=&limit=
//   DELETE /api/runs/:id                POST /api/runs/:id/approve|reject|cancel|replay
//   GET /api/providers                  POST /api/cost/projection          GET /api/info
// Errors come back as {error:{code,message,field}} and are rethrown as DjpError.
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
import { codeForStatus, djpErrorFromBody, isTerminalEvent, type DjpClient, type SubscribeOptions, type Unsubscribe } from './client.js';
import { decode } from './decode.js';

/** The EventSource constructor (injectable for tests). */
export type EventSourceCtor = new (url: string) => EventSourceLike;
export interface EventSourceLike {
  readonly readyState: number;
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
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

export function createHttpClient(options: HttpClientOptions = {}): DjpClient {
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const ES = options.EventSource ?? (globalThis.EventSource as unknown as EventSourceCtor | undefined);

  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch (e) {
      throw new DjpError('unavailable', `Could not reach the server (${e instanceof Error ? e.message : String(e)})`);
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

  const runPath = (id: string) => `/api/runs/${encodeURIComponent(id)}`;

  return {
    transport: 'http',
    async startRun(request: RunRequest) {
      return decode(StartedRun, await call('POST', '/api/runs', request), 'started run');
    },
    subscribe(runId: string, listener: (event: RunEvent) => void, opts: SubscribeOptions = {}): Unsubscribe {
      if (!ES) {
        opts.onError?.(new DjpError('unavailable', 'This browser cannot receive live events (no EventSource).'));
        return () => {};
      }
      let lastSeq = opts.afterSeq ?? -1;
      const qs = opts.afterSeq !== undefined ? `?after=${opts.afterSeq}` : '';
      const source = new ES(`${base}${runPath(runId)}/events${qs}`);
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
      source.onerror = () => {
        if (closed) return;
        // EventSource retries by itself (sending Last-Event-ID); only a CLOSED source is final,
        // e.g. the server answered 404 for an unknown run.
        if (source.readyState === CLOSED) {
          closed = true;
          opts.onError?.(new DjpError('unavailable', 'The live event stream for this run closed before the run finished'));
        }
      };
      return stop;
    },
    async cancelRun(runId: string) {
      await call('POST', `${runPath(runId)}/cancel`, {});
    },
    async getRun(runId: string) {
      return decode(RunArtifact, await call('GET', runPath(runId)), 'run');
    },
    async listRuns(query: ListRunsQuery) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
      const qs = params.toString();
      return decode(RunPage, await call('GET', `/api/runs${qs ? `?${qs}` : ''}`), 'run list');
    },
    async deleteRun(runId: string) {
      await call('DELETE', runPath(runId));
    },
    async approveRun(runId: string, decision: Decision) {
      return decode(RunArtifact, await call('POST', `${runPath(runId)}/approve`, decision), 'run');
    },
    async rejectRun(runId: string, decision: Decision) {
      return decode(RunArtifact, await call('POST', `${runPath(runId)}/reject`, decision), 'run');
    },
    async replayRun(runId: string) {
      return decode(StartedRun, await call('POST', `${runPath(runId)}/replay`, {}), 'started run');
    },
    async listProviders() {
      const body = await call('GET', '/api/providers');
      // Accept either a bare array or {providers:[…]}.
      const list = Array.isArray(body) ? body : (body as { providers?: unknown } | undefined)?.providers;
      return decode(z.array(ProviderStatus), list, 'provider list');
    },
    async projectCost(request: RunRequest) {
      return decode(CostProjection, await call('POST', '/api/cost/projection', request), 'cost projection');
    },
    async info() {
      return decode(ServiceInfo, await call('GET', '/api/info'), 'service info');
    },
  };
}
