// The public HTTP API: the server's own routes (health, readiness, the OpenAPI document, whoami) plus
// one route per operation of the table in shared/api/operations.ts — method, path, body/query and
// status come from the table entry, validation from its argument schemas. The same routes drive
// dispatch and /openapi.json, so the published document lists exactly the routes that exist.
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import {
  DjpError,
  Identity,
  decodeHeaderValue,
  OPERATIONS,
  RunRequest,
  StartRunRequest,
  parseOrInvalid,
  invokeOperation,
  parseArg,
  type ArgDef,
  type OperationDef,
  type OperationTable,
  type CallContext,
  type RawFile,
} from '../../shared/api/index.js';
import { checkServerRequest } from './request-checks.js';
import { parseAfterSeq, streamEvents } from './sse.js';
import type { DrainableApi } from './types.js';

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

/** What a handler returns; `undefined` when it wrote the response itself (SSE). `file`: sent as bytes. */
export type RouteResult = { status: number; body?: unknown; headers?: Record<string, string>; file?: RawFile } | undefined;

/** A raw (non-JSON) request body: read as bytes up to a limit (413 beyond it, while it streams in). */
export interface RawBodyDef {
  /** The environment variable setting the limit (named in the 413), and its default. */
  limitEnv: string;
  defaultLimit: number;
  /** The field a 413 names. */
  field: string;
}

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
  /** The body is raw bytes, not JSON (an upload). */
  raw?: RawBodyDef;
  /** Request headers carrying arguments: header name (lower case) → argument; each is required. */
  headers?: Readonly<Record<string, string>>;
  response: { status: number; description: string; schema?: z.ZodType; sse?: boolean; file?: boolean };
  /** Documented error responses beyond the ones every route of its kind has, by status. */
  errors?: Readonly<Record<number, string>>;
  /** The table operation this route carries (absent for the server's own routes). */
  operation?: { name: string; def: OperationDef };
  handle(ctx: RouteContext): Promise<RouteResult>;
}

/** Who calls, for the service: the verified identity and the peer address (quotas key on it under DJP_AUTH=none). */
function callContext(ctx: RouteContext): CallContext {
  const peer = ctx.req.socket.remoteAddress;
  return { identity: identity(ctx), ...(peer ? { client: peer } : {}) };
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

/** The server's own routes: not operations of the service. */
export const SERVER_ROUTES: Route[] = [
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
    path: '/api/whoami',
    summary: 'The verified identity of the caller (what new runs will record).',
    tag: 'service',
    auth: true,
    response: { status: 200, description: 'identity', schema: Identity },
    async handle(ctx) {
      return { status: 200, body: identity(ctx) };
    },
  },
];

/** The argument an HTTP request carries in its body or query string, if any. */
function carriedArg(def: OperationDef, name: string | undefined): ArgDef | undefined {
  return name ? def.args.find((a) => a.name === name) : undefined;
}

function responseSchema(def: OperationDef): z.ZodType | undefined {
  return def.http?.respond?.schema ?? def.stream ?? def.result ?? undefined;
}

/**
 * One operation of the table as a route: arguments from the path, body or query, checked against the
 * table's schemas; the service call; the table's status (and Location for a run it started).
 * Throws at start when the entry cannot be carried (a path parameter or argument with no place).
 */
export function operationRoute(name: string, def: OperationDef): Route {
  const h = def.http;
  if (!h) throw new Error(`operation ${name} has no HTTP route (${def.noHttp ?? 'no reason given'})`);
  const body = carriedArg(def, h.body ?? h.raw?.arg);
  const query = carriedArg(def, h.query);
  const headerArgs = Object.entries(h.headers ?? {}).map(([arg, header]) => {
    const a = carriedArg(def, arg);
    if (!a) throw new Error(`operation ${name}: header argument ${arg} is not one of its arguments`);
    return { arg: a, header: header.toLowerCase() };
  });
  if (h.body && h.raw) throw new Error(`operation ${name}: a body is either JSON (body) or raw bytes (raw), not both`);
  // A raw body is not JSON, so the JSON content-type rule cannot stop a cross-site form from sending
  // one; a custom header can (a form cannot set headers; a cross-site fetch with one needs a preflight).
  if (h.raw && headerArgs.length === 0) throw new Error(`operation ${name}: a raw body needs a custom request header (http.headers)`);
  if ((h.body || h.raw) && !body) throw new Error(`operation ${name}: body argument ${h.body ?? h.raw?.arg} is not one of its arguments`);
  if (h.query && !query) throw new Error(`operation ${name}: query argument ${h.query} is not one of its arguments`);
  for (const m of h.path.matchAll(/:([a-zA-Z]+)/g)) {
    if (!def.args.some((a) => a.name === m[1])) throw new Error(`operation ${name}: path parameter :${m[1]} is not one of its arguments`);
  }
  for (const a of def.args) {
    if (a !== body && a !== query && !headerArgs.some((x) => x.arg === a) && !h.path.includes(`:${a.name}`)) throw new Error(`operation ${name}: argument ${a.name} is carried neither in the path, the body nor the query`);
  }
  const schema = responseSchema(def);
  return {
    method: h.method,
    path: h.path,
    summary: def.summary,
    tag: def.tag,
    auth: true,
    ...(body && !h.raw ? { body: body.schema, ...(body.optional ? { bodyOptional: true } : {}) } : {}),
    ...(h.raw ? { raw: { limitEnv: h.raw.limitEnv, defaultLimit: h.raw.defaultLimit, field: h.raw.field } } : {}),
    ...(headerArgs.length ? { headers: Object.fromEntries(headerArgs.map((x) => [x.header, x.arg.name])) } : {}),
    ...(query ? { query: query.schema } : {}),
    response: { status: h.status, description: h.description, ...(schema ? { schema } : {}), ...(def.stream ? { sse: true } : {}), ...(h.file ? { file: true } : {}) },
    ...(h.errors ? { errors: h.errors } : {}),
    operation: { name, def },
    async handle(ctx) {
      if (h.startsRun) notDraining(ctx);
      // The body/query argument was checked by validateInput; path arguments are checked here.
      const fromHeader = (a: ArgDef): unknown => {
        const x = headerArgs.find((y) => y.arg === a);
        const v = x ? ctx.req.headers[x.header] : undefined;
        return typeof v === 'string' ? decodeHeaderValue(v) : undefined;
      };
      const args = def.args.map((a, i) =>
        a === body || a === query ? ctx.body : parseArg(name, i, a, headerArgs.some((x) => x.arg === a) ? fromHeader(a) : ctx.params[a.name]),
      );
      // Server-side paths in a run request are refused unless under DJP_SERVER_DATA_DIR.
      def.args.forEach((a, i) => {
        if (a.schema === StartRunRequest || a.schema === RunRequest) args[i] = checkServerRequest(args[i] as RunRequest, ctx.dataDir);
      });
      if (def.stream) {
        await streamEvents(ctx.api, args[0] as string, parseAfterSeq(ctx.req, ctx.url), ctx.req, ctx.res, ctx.heartbeatMs);
        return undefined;
      }
      const result = await invokeOperation(ctx.api, name, def, args, def.context ? callContext(ctx) : undefined);
      const out = h.respond ? h.respond.value(result, args) : result;
      if (h.file) return { status: h.status, file: out as RawFile };
      return {
        status: h.status,
        ...(out === undefined ? {} : { body: out }),
        ...(h.startsRun ? { headers: { location: `/api/runs/${(result as { id: string }).id}` } } : {}),
      };
    },
  };
}

/** The server's own routes plus one per operation of the table that has an HTTP route. */
export function buildRoutes(operations: OperationTable = OPERATIONS): Route[] {
  return [...SERVER_ROUTES, ...Object.entries(operations).flatMap(([name, def]) => (def.http ? [operationRoute(name, def)] : []))];
}

/** The routes of the product's operation table. */
export const ROUTES: Route[] = buildRoutes();

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const re = new RegExp(
    '^' +
      route.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-zA-Z]+)/g, (_m, n: string) => {
        names.push(n);
        return '([^/]+)';
      }) +
      '$',
  );
  return { route, re, names };
}

export type Match = { route: Route; params: Record<string, string> } | { allowed: string[] } | null;
/** Finds the route for a method and path; `{allowed}` when the path exists under other methods. */
export type Router = (method: string, pathname: string) => Match;

/** A router over routes; a duplicate method + path fails here, at start. */
export function createRouter(routes: Route[]): Router {
  const seen = new Set<string>();
  for (const r of routes) {
    const k = `${r.method} ${r.path.replace(/:[a-zA-Z]+/g, ':')}`;
    if (seen.has(k)) throw new Error(`two routes for ${r.method} ${r.path}`);
    seen.add(k);
  }
  const compiled = routes.map(compile);
  return (method, pathname) => {
    const allowed: string[] = [];
    for (const c of compiled) {
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
  };
}

/** Validates body or query against the route's schema; DjpError('invalid') naming the field. A raw body passes as read. */
export function validateInput(route: Route, body: unknown, url: URL): unknown {
  if (route.raw) return body;
  if (route.query) {
    return parseOrInvalid(route.query, queryObject(url));
  }
  if (route.body) {
    if (body === undefined) {
      if (!route.bodyOptional) throw new DjpError('invalid', 'request body is required (JSON)');
      body = {};
    }
    return parseOrInvalid(route.body, body);
  }
  return undefined;
}
