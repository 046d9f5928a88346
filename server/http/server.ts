// createServer: node:http over the route table. Per request: request id, security headers, CORS,
// auth for /api routes (401 before anything is read or created), body limit and schema validation,
// the DjpApi call, error mapping, one structured log line. Everything else falls to the static UI.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DjpError, contentDisposition, type Identity } from '../../shared/api/index.js';
import { quotaKey } from '../../shared/quota/index.js';
import { DEFAULT_MAX_BODY_BYTES, rawBodyLimit, readJsonBody, readRawBody } from './body.js';
import { applyCors, crossSiteRefusal, setSecurityHeaders } from './headers.js';
import { traceFromHeaders } from './logger.js';
import { buildOpenApi } from './openapi.js';
import { sendError, sendJson } from './respond.js';
import { buildRoutes, createRouter, validateInput, type RouteContext } from './routes.js';
import { createStaticHandler } from './static.js';
import type { ServerOptions } from './types.js';

/** x-file-name → X-File-Name, for messages. */
const headerName = (h: string) => h.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

function parseUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

export interface DjpServer {
  readonly server: http.Server;
  /** Listens; resolves with the bound address (port 0 → an ephemeral port). */
  listen(port: number, host: string): Promise<AddressInfo>;
  /** True once shutdown() has begun: /readyz answers 503 and no new runs are accepted. */
  draining(): boolean;
  /**
   * Graceful stop: stop accepting connections, let in-flight runs finish up to the deadline
   * (api.drain saves what exists), then close every remaining connection.
   */
  shutdown(deadlineMs: number): Promise<void>;
}

export function createServer(opts: ServerOptions): DjpServer {
  const { api, auth, logger } = opts;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const env = opts.env ?? process.env;
  const cors = opts.corsOrigins ?? [];
  const serveStatic = createStaticHandler(opts.staticDir);
  const routes = buildRoutes(opts.operations);
  const matchRoute = createRouter(routes);
  let openapiDoc: unknown = null;
  let isDraining = false;
  let shuttingDown: Promise<void> | null = null;

  const baseCtx = {
    api,
    draining: () => isDraining,
    heartbeatMs: opts.heartbeatMs ?? 15_000,
    dataDir: opts.dataDir ?? null,
    ready: opts.ready ?? (async () => undefined),
    openapi: () => (openapiDoc ??= buildOpenApi(opts.version ?? '0.0.0', routes)),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<{ route: string; identity: Identity | null }> {
    const url = parseUrl(req.url);
    if (!url) throw new DjpError('invalid', 'malformed request URL');
    const pathname = url.pathname;
    const match = matchRoute(req.method ?? 'GET', pathname);
    if (match && 'allowed' in match) {
      throw Object.assign(new DjpError('invalid', `method ${req.method} is not allowed on ${pathname}`), { allowed: match.allowed });
    }
    if (!match) {
      // Static UI files are served without an identity, on purpose: they are the public build of the
      // renderer (the same bytes for everyone, no run data, no keys), and the SPA must load to show a
      // sign-in problem. Every byte of data comes from /api, which always authenticates. Under SSO the
      // proxy in front (ALB, IAP, Access, oauth2-proxy) already gates these paths too.
      if (pathname === '/api' || pathname.startsWith('/api/')) throw new DjpError('not_found', `no route ${req.method} ${pathname}`);
      if (!serveStatic(req, res, pathname)) throw new DjpError('not_found', `no route ${req.method} ${pathname}`);
      return { route: 'static', identity: null };
    }
    const { route, params } = match;
    const refusal = route.auth ? crossSiteRefusal(req, cors) : null;
    if (refusal) throw new DjpError('forbidden', refusal);
    // Authenticate before reading the body: an unauthenticated request creates nothing.
    const identity = route.auth ? await auth.authenticate(req) : null;
    // Arguments in headers (X-File-Name) are required: checked before a byte of the body is read.
    for (const [header, arg] of Object.entries(route.headers ?? {})) {
      if (typeof req.headers[header] !== 'string' || req.headers[header] === '') throw new DjpError('invalid', `${arg}: the ${headerName(header)} header is required`, arg);
    }
    const raw = route.raw
      ? await readRawBody(req, rawBodyLimit(env, route.raw.limitEnv, route.raw.defaultLimit), route.raw.limitEnv, route.raw.field)
      : route.body
        ? await readJsonBody(req, maxBody)
        : undefined;
    if (!route.body && !route.raw) req.resume();
    const body = validateInput(route, raw, url);
    const ctx: RouteContext = { ...baseCtx, req, res, url, params, identity, body };
    // Event streams are bounded per identity and in total (DJP_MAX_SSE_*): 429 before the stream opens.
    const releaseStream = route.response.sse && identity && opts.quotas ? opts.quotas.openStream(quotaKey({ identity, client: req.socket.remoteAddress ?? 'unknown' })) : null;
    let result: Awaited<ReturnType<typeof route.handle>>;
    try {
      result = await route.handle(ctx);
    } finally {
      releaseStream?.();
    }
    if (result) {
      if (result.file) {
        const f = result.file;
        res.writeHead(result.status, {
          'content-type': f.content_type,
          'content-length': f.data.byteLength,
          // Always a download, never rendered in this origin (X-Content-Type-Options: nosniff is set too).
          'content-disposition': contentDisposition(f.filename),
          'cache-control': 'no-store',
          ...result.headers,
        });
        res.end(f.data);
      } else if (result.body === undefined) {
        res.writeHead(result.status, { 'cache-control': 'no-store', ...result.headers });
        res.end();
      } else {
        sendJson(res, result.status, result.body, result.headers);
      }
    }
    return { route: `${route.method} ${route.path}`, identity };
  }

  const server = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    setSecurityHeaders(res);
    const trace = traceFromHeaders(req.headers);
    const log = (status: number, route: string, extra?: Record<string, unknown>): void => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { req_id: requestId, method: req.method, route, status, ms: Math.round(ms * 10) / 10, ...trace, ...extra };
      if (status >= 500) logger.error(line, 'request failed');
      else if (route === 'GET /healthz' || route === 'GET /readyz') logger.debug(line, 'request');
      else logger.info(line, 'request');
    };
    if (applyCors(req, res, cors)) {
      log(204, 'OPTIONS preflight');
      return;
    }
    handle(req, res).then(
      ({ route, identity }) => log(res.statusCode, route, identity ? { auth: identity.source } : undefined),
      (e: unknown) => {
        const allowed = (e as { allowed?: string[] }).allowed;
        if (allowed) {
          res.setHeader('allow', allowed.join(', '));
          sendJson(res, 405, { error: { code: 'invalid', message: (e as Error).message } });
          log(405, 'method not allowed');
          return;
        }
        // A 413 body is left unread: the connection closes after the answer instead of draining it.
        if ((e as DjpError).code === 'too_large' && !res.headersSent) res.setHeader('connection', 'close');
        const { status, internal } = sendError(res, e);
        // The route pattern when one matched; otherwise the raw path, which is user input, goes
        // under `path` (redacted like any other string), never under `route`.
        const pathname = parseUrl(req.url)?.pathname ?? '';
        const m = matchRoute(req.method ?? 'GET', pathname);
        const label = m && 'route' in m ? `${m.route.method} ${m.route.path}` : 'unmatched';
        const where = label === 'unmatched' ? { path: pathname.slice(0, 200) } : {};
        log(status, label, { ...where, ...(internal ? { err: e } : { code: (e as DjpError).code }) });
      },
    );
  });
  // Slow clients: headers within 30 s, the whole request (not the response: SSE streams stay open as
  // long as a run runs) within 2 minutes.
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
  server.keepAliveTimeout = 5_000;

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    draining: () => isDraining,
    shutdown(deadlineMs) {
      // A second call waits for the same shutdown (it used to resolve at once, mid-drain).
      return (shuttingDown ??= stop(deadlineMs));
    },
  };

  async function stop(deadlineMs: number): Promise<void> {
    isDraining = true;
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    const t0 = Date.now();
    logger.info({ in_flight: api.inFlight(), deadline_ms: deadlineMs }, 'shutting down: draining in-flight runs');
    await api.drain(deadlineMs);
    logger.info({ ms: Date.now() - t0, in_flight: api.inFlight() }, 'drained');
    // SSE streams of finished runs end by themselves; give them a moment, then close what is left.
    await Promise.race([closed, new Promise((r) => setTimeout(r, 500).unref())]);
    server.closeAllConnections();
    await closed;
  }
}
