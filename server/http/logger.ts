// Structured JSON logs (pino). Every string that reaches a log line goes through `redact` first
// (the guardrails redactor in the real server: secrets and personal data), and request logs carry
// method, route path, status, duration and request id — never bodies, query strings, headers, tokens
// or user emails.
import pino, { type Logger } from 'pino';

export type Redactor = (text: string) => string;

/** Fields the server itself fills with values it made (never user data): logged as they are. */
const PLAIN_KEYS = new Set(['url', 'route', 'method', 'req_id', 'run_id', 'status', 'auth', 'code', 'storage', 'version']);

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
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const redact = opts.redact ?? ((s: string) => s);
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
        level: (label) => ({ level: label }),
        log: (obj) => redactDeep(obj, redact) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          // Redact the message string too (formatters.log only sees the object).
          const redacted = args.map((a) => (typeof a === 'string' ? redact(a) : a)) as Parameters<typeof method>;
          method.apply(this, redacted);
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
