// Structured JSON logs (pino). Every string that reaches a log line goes through `redact` first
// (the guardrails redactor in the real server: secrets and personal data), and request logs carry
// method, route path, status, duration and request id — never bodies, query strings, headers, tokens
// or user emails.
//
// Cloud log formats: next to pino's own `level` and `msg`, every line carries `severity` (upper-case,
// Cloud Logging's LogSeverity names) and `message` — the fields Cloud Logging (Cloud Run, GKE) reads
// from a JSON line on stdout, and what CloudWatch Logs Insights queries find without a parse step.
// A request's trace (W3C `traceparent`, else Google's `X-Cloud-Trace-Context`) is logged as `trace_id`
// / `span_id` / `trace_sampled`; with GOOGLE_CLOUD_PROJECT set it is also written under the
// `logging.googleapis.com/trace` / `spanId` / `trace_sampled` keys, so Cloud Logging groups the
// request's lines under the load balancer's trace.
import type { IncomingHttpHeaders } from 'node:http';
import pino, { type Logger } from 'pino';

export type Redactor = (text: string) => string;

/** Fields the server itself fills with values it made (never user data): logged as they are. */
const PLAIN_KEYS = new Set(['url', 'route', 'method', 'req_id', 'run_id', 'status', 'auth', 'code', 'storage', 'version', 'trace_id', 'span_id']);

/** pino level label → Cloud Logging LogSeverity (which CloudWatch users query as-is too). */
export const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

export interface TraceContext {
  /** 32 lower-case hex digits. */
  trace_id: string;
  /** 16 lower-case hex digits (X-Cloud-Trace-Context's decimal span id converted). */
  span_id?: string;
  trace_sampled?: boolean;
}

const TRACEPARENT_RE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const CLOUD_TRACE_RE = /^([0-9a-fA-F]{32})(?:\/(\d{1,20}))?(?:;o=([01]))?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

function one(v: string | string[] | undefined): string | undefined {
  return (Array.isArray(v) ? v[0] : v)?.trim();
}

/**
 * The request's trace from `traceparent` (W3C Trace Context, what Cloud Run, GKE load balancers,
 * ALB-fronted OpenTelemetry agents and most tracers send) or else `X-Cloud-Trace-Context`
 * (`TRACE_ID/SPAN_ID;o=1`, Google's older header). Invalid values are ignored (null): a client can
 * send anything, and nothing but hex digits ever reaches a log line from here.
 */
export function traceFromHeaders(headers: IncomingHttpHeaders): TraceContext | null {
  const tp = one(headers['traceparent'])?.toLowerCase();
  const m = tp ? TRACEPARENT_RE.exec(tp) : null;
  // Version ff is forbidden; future versions may append fields (allowed by the trailing group).
  if (m && m[1] !== 'ff' && m[2] !== ZERO_TRACE && m[3] !== ZERO_SPAN && (m[1] !== '00' || tp!.length === 55)) {
    return { trace_id: m[2]!, span_id: m[3]!, trace_sampled: (parseInt(m[4]!, 16) & 1) === 1 };
  }
  const ct = one(headers['x-cloud-trace-context']);
  const c = ct ? CLOUD_TRACE_RE.exec(ct) : null;
  if (c && c[1]!.toLowerCase() !== ZERO_TRACE) {
    const out: TraceContext = { trace_id: c[1]!.toLowerCase() };
    if (c[2]) {
      const span = BigInt(c[2]);
      if (span > 0n && span < 1n << 64n) out.span_id = span.toString(16).padStart(16, '0');
    }
    if (c[3] !== undefined) out.trace_sampled = c[3] === '1';
    return out;
  }
  return null;
}

/** The Cloud Logging special fields for a line carrying trace_id (only with a project id). */
function googleTraceFields(obj: Record<string, unknown>, project: string | undefined): Record<string, unknown> {
  const trace = obj['trace_id'];
  if (!project || typeof trace !== 'string' || !/^[0-9a-f]{32}$/.test(trace)) return {};
  const out: Record<string, unknown> = { 'logging.googleapis.com/trace': `projects/${project}/traces/${trace}` };
  if (typeof obj['span_id'] === 'string' && /^[0-9a-f]{16}$/.test(obj['span_id'])) out['logging.googleapis.com/spanId'] = obj['span_id'];
  if (typeof obj['trace_sampled'] === 'boolean') out['logging.googleapis.com/trace_sampled'] = obj['trace_sampled'];
  return out;
}

/** An Error as a plain object: its message and stack are not enumerable, so copying its entries
 *  (as redactDeep does for objects) would drop them and the line would say "[object Object]". */
function serializeError(e: Error, redact: Redactor): Record<string, unknown> {
  const code = (e as { code?: unknown }).code;
  return {
    type: e.name,
    message: redact(String(e.message)),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(e.stack ? { stack: redact(e.stack) } : {}),
  };
}

function redactDeep(value: unknown, redact: Redactor, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value, redact);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = PLAIN_KEYS.has(k) && typeof v !== 'object' ? v : redactDeep(v, redact, depth + 1);
  return out;
}

export interface LoggerOptions {
  level?: string;
  redact?: Redactor;
  /** Where lines go (default stdout). Tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
  /** GOOGLE_CLOUD_PROJECT: adds Cloud Logging's logging.googleapis.com/trace to lines with a trace. */
  gcpProject?: string | null;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const redact = opts.redact ?? ((s: string) => s);
  const project = opts.gcpProject?.trim() || undefined;
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: 'djp-server' },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      // Belt and braces: these never get logged even if someone passes them in.
      redact: {
        // `user` / `by`: who ran or decided a run (an email under SSO) — kept in artifacts, not in logs.
        paths: ['user', 'by', 'headers.authorization', 'headers.cookie', 'req.headers', '*.apiKey', '*.api_key', '*.token'],
        censor: '[redacted]',
      },
      formatters: {
        level: (label) => ({ level: label, severity: SEVERITY[label] ?? 'DEFAULT' }),
        log: (obj) => {
          const out = redactDeep(obj, redact) as Record<string, unknown>;
          return { ...out, ...googleTraceFields(out, project) };
        },
      },
      hooks: {
        logMethod(args, method) {
          // Redact the message string too (formatters.log only sees the object), and copy it to
          // `message` in the object so cloud log viewers show it (pino keeps its own `msg`).
          const redacted = args.map((a) => (typeof a === 'string' ? redact(a) : a));
          const first = redacted[0];
          if (typeof first === 'string') {
            redacted.unshift({ message: first });
          } else if (first instanceof Error) {
            redacted[0] = { err: first, message: typeof redacted[1] === 'string' ? redacted[1] : redact(first.message) };
          } else if (first !== null && typeof first === 'object') {
            const m = typeof redacted[1] === 'string' ? redacted[1] : (first as { err?: unknown }).err instanceof Error ? redact(((first as { err: Error }).err).message) : undefined;
            if (m !== undefined && !('message' in first)) redacted[0] = { ...(first as object), message: m };
          }
          method.apply(this, redacted as Parameters<typeof method>);
        },
      },
      serializers: {
        // formatters.log has already turned an Error into {type, message, code, stack}, redacted.
        err: (e: unknown) => (e instanceof Error ? serializeError(e, redact) : e),
      },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
