// Run ids: the one pattern every layer checks against. Browser-safe: zod only.
import * as z from 'zod';

/** A run id is a ULID: 26 characters of Crockford base32 (no I, L, O, U). */
export const RUN_ID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isRunId(s: unknown): s is string {
  return typeof s === 'string' && RUN_ID_RE.test(s);
}

/** A run id argument. Errors read `"<value>" is not a run id (…)`; transports prefix the field name. */
export const RunId = z
  .string({ error: 'run id must be a string' })
  .regex(RUN_ID_RE, { error: (iss) => `"${String(iss.input).slice(0, 40)}" is not a run id (a 26-character ULID)` });
