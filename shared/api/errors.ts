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

/** Turns a zod error into a DjpError('invalid') naming the first offending field. */
export function invalidFromZod(issues: ReadonlyArray<ZodIssueLike>): DjpError {
  const first = reportable(issues[0]);
  const field = first && first.path.length ? first.path.map(String).join('.') : undefined;
  const message = first ? `${field ? `${field}: ` : ''}${first.message}` : 'invalid request';
  return new DjpError('invalid', message, field);
}
