// The public HTTP API: one table of routes, each mapped onto one DjpApi call. The same table drives
// dispatch and /openapi.json, so the published document lists exactly the routes that exist.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import {
  CostProjection,
  Decision,
  DjpError,
  Identity,
  ListRunsQuery,
  ProviderStatus,
  RejectDecision,
  RunArtifact,
  RunEvent,
  RunPage,
  RunRequest,
  ServiceInfo,
  StartedRun,
  invalidFromZod,
} from '../../shared/api/index.js';
import { checkServerRequest } from './request-checks.js';
import { parseAfterSeq, streamEvents } from './sse.js';
import type { DrainableApi } from './types.js';

export const RUN_ID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  identity: Identity | null;
  /** The body, already validated against the route's `body` schema. */
  body: unknown;
  api: DrainableApi;
  draining: () => boolean;
  heartbeatMs: number;
  dataDir: string | null;
  ready: () => Promise<void>;
  openapi: () => unknown;
}

/** What a handler returns; `undefined` when it wrote the response itself (SSE). */
export type RouteResult = { status: number; body?: unknown; headers?: Record<string, string> } | undefined;

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  summary: string;
  tag: 'runs' | 'service' | 'health';
  /** Needs a verified identity (every /api route). */
  auth: boolean;
  body?: z.ZodType;
  /** When the body may be omitted (defaults to {}). */
  bodyOptional?: boolean;
  query?: z.ZodType;
  response: { status: number; description: string; schema?: z.ZodType; sse?: boolean };
  handle(ctx: RouteContext): Promise<RouteResult>;
}

function runId(ctx: RouteContext): string {
  const id = ctx.params['id'] ?? '';
  if (!RUN_ID_RE.test(id)) throw new DjpError('invalid', `id: "${id.slice(0, 40)}" is not a run id (a 26-character ULID)`, 'id');
  return id;
}

function identity(ctx: RouteContext): Identity {
  if (!ctx.identity) throw new DjpError('unauthorized', 'not authenticated');
  return ctx.identity;
}

function notDraining(ctx: RouteContext): void {
  if (ctx.draining()) throw new DjpError('unavailable', 'the server is shutting down; no new runs are accepted');
}

/** URLSearchParams → plain object for the query schema; empty values are treated as absent. */
export function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (v !== '') out[k] = v;
  return out;
}

export const ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness: the process answers. No I/O.',
    tag: 'health',
    auth: false,
    response: { status: 200, description: 'alive', schema: z.object({ status: z.literal('ok') }) },
    async handle() {
      return { status: 200, body: { status: 'ok' } };
    },
  },
  {
    method: 'GET',
    path: '/readyz',
    summary: 'Readiness: the artifact store is reachable and the server is not draining.',
    tag: 'health',
    auth: false,
    response: { status: 200, description: 'ready (503 when not)', schema: z.object({ status: z.string(), reason: z.string().optional() }) },
    async handle(ctx) {
      if (ctx.draining()) return { status: 503, body: { status: 'draining' } };
      try {
        await ctx.ready();
        return { status: 200, body: { status: 'ready' } };
      } catch (e) {
        // The reason names the failure kind only; storage messages may carry bucket names or paths.
        const name = e instanceof Error ? e.name : 'Error';
        return { status: 503, body: { status: 'unavailable', reason: `artifact store unreachable (${name})` } };
      }
    },
  },
  {
    method: 'GET',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document.',
    tag: 'service',
    auth: false,
    response: { status: 200, description: 'OpenAPI document' },
    async handle(ctx) {
      return { status: 200, body: ctx.openapi() };
    },
  },
  {
    method: 'GET',
    path: '/api/info',
    summary: 'Version, storage location, outbox backlog and auth mode.',
    tag: 'service',
    auth: true,
    response: { status: 200, description: 'service info', schema: ServiceInfo },
    async handle(ctx) {
      return { status: 200, body: await ctx.api.info() };
    },
  },
  {
    method: 'GET',
    path: '/api/whoami',
    summary: 'The verified identity of the caller (what new runs will record).',
    tag: 'service',
    auth: true,
    response: { status: 200, description: 'identity', schema: Identity },
    async handle(ctx) {
      return { status: 200, body: identity(ctx) };
    },
  },
  {
    method: 'GET',
    path: '/api/providers',
    summary: 'Providers and models with their status (never a key).',
    tag: 'service',
    auth: true,
    response: { status: 200, description: 'providers', schema: z.array(ProviderStatus) },
    async handle(ctx) {
      return { status: 200, body: await ctx.api.listProviders() };
    },
  },
  {
    method: 'POST',
    path: '/api/cost/projection',
    summary: "Projects a run request's cost before running it.",
    tag: 'service',
    auth: true,
    body: RunRequest,
    response: { status: 200, description: 'projection', schema: CostProjection },
    async handle(ctx) {
      const request = checkServerRequest(ctx.body as RunRequest, ctx.dataDir);
      return { status: 200, body: await ctx.api.projectCost(request) };
    },
  },
  {
    method: 'POST',
    path: '/api/runs',
    summary: 'Starts a run in the background and returns its id at once.',
    tag: 'runs',
    auth: true,
    body: RunRequest,
    response: { status: 202, description: 'run started; follow /api/runs/{id}/events', schema: StartedRun },
    async handle(ctx) {
      notDraining(ctx);
      const request = checkServerRequest(ctx.body as RunRequest, ctx.dataDir);
      const started = await ctx.api.startRun(request, { identity: identity(ctx) });
      return { status: 202, body: started, headers: { location: `/api/runs/${started.id}` } };
    },
  },
  {
    method: 'GET',
    path: '/api/runs',
    summary: 'Lists and searches runs, newest first, a page at a time.',
    tag: 'runs',
    auth: true,
    query: ListRunsQuery,
    response: { status: 200, description: 'a page of runs', schema: RunPage },
    async handle(ctx) {
      return { status: 200, body: await ctx.api.listRuns(ctx.body as z.infer<typeof ListRunsQuery>) };
    },
  },
  {
    method: 'GET',
    path: '/api/runs/:id',
    summary: "A run's artifact.",
    tag: 'runs',
    auth: true,
    response: { status: 200, description: 'the run artifact', schema: RunArtifact },
    async handle(ctx) {
      return { status: 200, body: await ctx.api.getRun(runId(ctx)) };
    },
  },
  {
    method: 'DELETE',
    path: '/api/runs/:id',
    summary: 'Deletes a run.',
    tag: 'runs',
    auth: true,
    response: { status: 204, description: 'deleted' },
    async handle(ctx) {
      await ctx.api.deleteRun(runId(ctx), { identity: identity(ctx) });
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/api/runs/:id/events',
    summary:
      "The run's events as Server-Sent Events (event name = type, id = seq). Resume with Last-Event-ID or ?after=SEQ. Ends after run.done or run.error.",
    tag: 'runs',
    auth: true,
    response: { status: 200, description: 'text/event-stream of RunEvent', schema: RunEvent, sse: true },
    async handle(ctx) {
      const id = runId(ctx);
      const after = parseAfterSeq(ctx.req, ctx.url);
      await streamEvents(ctx.api, id, after, ctx.req, ctx.res, ctx.heartbeatMs);
      return undefined;
    },
  },
  {
    method: 'POST',
    path: '/api/runs/:id/approve',
    summary: 'Approves a run pending approval: its draft is published.',
    tag: 'runs',
    auth: true,
    body: Decision,
    bodyOptional: true,
    response: { status: 200, description: 'the updated artifact', schema: RunArtifact },
    async handle(ctx) {
      return { status: 200, body: await ctx.api.approveRun(runId(ctx), ctx.body as z.infer<typeof Decision>, { identity: identity(ctx) }) };
    },
  },
  {
    method: 'POST',
    path: '/api/runs/:id/reject',
    summary: 'Rejects a run pending approval (a reason is required).',
    tag: 'runs',
    auth: true,
    body: RejectDecision,
    response: { status: 200, description: 'the updated artifact', schema: RunArtifact },
    async handle(ctx) {
      return { status: 200, body: await ctx.api.rejectRun(runId(ctx), ctx.body as z.infer<typeof RejectDecision>, { identity: identity(ctx) }) };
    },
  },
  {
    method: 'POST',
    path: '/api/runs/:id/cancel',
    summary: 'Stops a running run; what exists is saved with `interrupted` set.',
    tag: 'runs',
    auth: true,
    response: { status: 202, description: 'cancellation requested', schema: StartedRun },
    async handle(ctx) {
      const id = runId(ctx);
      await ctx.api.cancelRun(id, { identity: identity(ctx) });
      return { status: 202, body: { id } };
    },
  },
  {
    method: 'POST',
    path: '/api/runs/:id/replay',
    summary: 'Starts a new run with the parameters of an old one.',
    tag: 'runs',
    auth: true,
    response: { status: 202, description: 'the new run', schema: StartedRun },
    async handle(ctx) {
      notDraining(ctx);
      const started = await ctx.api.replayRun(runId(ctx), { identity: identity(ctx) });
      return { status: 202, body: started, headers: { location: `/api/runs/${started.id}` } };
    },
  },
];

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

const COMPILED: Compiled[] = ROUTES.map((route) => {
  const names: string[] = [];
  const re = new RegExp(
    '^' +
      route.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-z]+)/g, (_m, n: string) => {
        names.push(n);
        return '([^/]+)';
      }) +
      '$',
  );
  return { route, re, names };
});

export type Match = { route: Route; params: Record<string, string> } | { allowed: string[] } | null;

/** Finds the route for a method and path; `{allowed}` when the path exists under other methods. */
export function matchRoute(method: string, pathname: string): Match {
  const allowed: string[] = [];
  for (const c of COMPILED) {
    const m = c.re.exec(pathname);
    if (!m) continue;
    const want = method === 'HEAD' ? 'GET' : method;
    if (c.route.method !== want) {
      allowed.push(c.route.method);
      continue;
    }
    const params: Record<string, string> = {};
    c.names.forEach((n, i) => {
      let v = m[i + 1] ?? '';
      try {
        v = decodeURIComponent(v);
      } catch {
        /* keep raw */
      }
      params[n] = v;
    });
    return { route: c.route, params };
  }
  return allowed.length ? { allowed } : null;
}

/** Validates body or query against the route's schema; DjpError('invalid') naming the field. */
export function validateInput(route: Route, body: unknown, url: URL): unknown {
  if (route.query) {
    const r = route.query.safeParse(queryObject(url));
    if (!r.success) throw invalidFromZod(r.error.issues);
    return r.data;
  }
  if (route.body) {
    if (body === undefined) {
      if (!route.bodyOptional) throw new DjpError('invalid', 'request body is required (JSON)');
      body = {};
    }
    const r = route.body.safeParse(body);
    if (!r.success) throw invalidFromZod(r.error.issues);
    return r.data;
  }
  return undefined;
}
