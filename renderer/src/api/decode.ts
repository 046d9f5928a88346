// Checks what a transport received against the contract's schemas, so a server/UI version skew
// shows up as one clear error naming the field instead of a blank screen later.
import type * as z from 'zod';
import { DjpError } from '../../../shared/api/index.js';

export function decode<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const field = first && first.path.length ? first.path.map(String).join('.') : undefined;
  throw new DjpError(
    'internal',
    `The ${what} received does not match this version of the app${field ? ` (field ${field}: ${first?.message})` : ''}. Reload the page; if it persists, the server and UI versions differ.`,
    field,
  );
}
