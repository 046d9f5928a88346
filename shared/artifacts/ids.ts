// Run ids: monotonic ULIDs — unique and time-sortable, even for many runs in the same millisecond.
import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

export function newRunId(now: number = Date.now()): string {
  return next(now);
}

export const RUN_ID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isRunId(s: string): boolean {
  return RUN_ID_RE.test(s);
}
