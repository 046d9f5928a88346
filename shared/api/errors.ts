// Errors every layer can throw and every transport can map. Browser-safe.

export const ERROR_CODES = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_type: 415,
  budget_exceeded: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class DjpError extends Error {
  override readonly name = 'DjpError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The request field at fault, when there is one (e.g. "max_tokens"). */
    readonly field?: string,
    options?: { cause?: unknown; retryAfterS?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.retryAfterS !== undefined) this.retryAfterS = options.retryAfterS;
  }
  /** rate_limited: seconds until trying again can succeed (HTTP Retry-After). */
  readonly retryAfterS?: number;
  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }
  toJSON(): { error: { code: ErrorCode; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

export function isDjpError(e: unknown): e is DjpError {
  return e instanceof DjpError || (typeof e === 'object' && e !== null && (e as { name?: string }).name === 'DjpError');
}

type ZodIssueLike = { path: PropertyKey[]; message: string; code?: string; errors?: ReadonlyArray<ReadonlyArray<ZodIssueLike>> };

/**
 * The issue to report. A value that matches no option of a union (e.g. a run request with or without
 * a template) is reported by the option it came closest to — the one with the fewest issues, the
 * first on a tie — so the error still names the field at fault instead of "Invalid input".
 */
function reportable(issue: ZodIssueLike | undefined): ZodIssueLike | undefined {
  if (!issue || issue.code !== 'invalid_union' || !issue.errors?.length) return issue;
  const branch = issue.errors.reduce((best, b) => (b.length && (!best.length || b.length < best.length) ? b : best), [] as ReadonlyArray<ZodIssueLike>);
  const inner = reportable(branch[0]);
  return inner ? { ...inner, path: [...issue.path, ...inner.path] } : issue;
}

/**
 * How a zod error is reported when it is not a request object's own field (the default: the first
 * offending field, e.g. `debaters.0.provider: …`, is both the message prefix and the field).
 * - `field`: the DjpError's field — a scalar argument (`id`), or the request field a nested value or
 *   file came in (`policy_content`, `redaction_rules`); the issue's path goes into the message.
 * - `label`: what the message starts with instead of the field (`pricing file ./prices.json`).
 * - `prefix`: a path the value sits at inside a larger request (`['template']`).
 * - `indexes: 'brackets'`: array positions written `rules[0].pattern` (a file format's own errors
 *   use that style) instead of `debaters.0.provider`.
 */
export interface ZodReportOptions {
  field?: string;
  label?: string;
  prefix?: readonly PropertyKey[];
  indexes?: 'dots' | 'brackets';
}

const joinPath = (path: readonly PropertyKey[], indexes: ZodReportOptions['indexes']): string =>
  indexes === 'brackets' ? path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('') : path.map(String).join('.');

/** The one zod → DjpError conversion: DjpError('invalid') naming the first offending field. */
export function invalidFromZod(issues: ReadonlyArray<ZodIssueLike>, opts: ZodReportOptions = {}): DjpError {
  const first = reportable(issues[0]);
  const path = joinPath([...(opts.prefix ?? []), ...(first?.path ?? [])], opts.indexes);
  const text = first?.message ?? 'invalid request';
  if (opts.field === undefined && opts.label === undefined) return new DjpError('invalid', `${path ? `${path}: ` : ''}${text}`, path || undefined);
  const label = opts.label ?? opts.field;
  return new DjpError('invalid', `${label}: ${path ? `${path}: ` : ''}${text}`, opts.field ?? (path || undefined));
}

type SafeParser<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<ZodIssueLike> } } };

/** Parses `value` with a zod schema, or throws invalidFromZod's DjpError (CLI exit 2, HTTP 400, IPC `{code:'invalid', field}`). */
export function parseOrInvalid<T>(schema: SafeParser<T>, value: unknown, opts?: ZodReportOptions): T {
  const r = schema.safeParse(value);
  if (!r.success) throw invalidFromZod(r.error.issues, opts);
  return r.data;
}
