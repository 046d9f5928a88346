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
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
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

/** Turns a zod error into a DjpError('invalid') naming the first offending field. */
export function invalidFromZod(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): DjpError {
  const first = issues[0];
  const field = first && first.path.length ? first.path.map(String).join('.') : undefined;
  const message = first ? `${field ? `${field}: ` : ''}${first.message}` : 'invalid request';
  return new DjpError('invalid', message, field);
}
