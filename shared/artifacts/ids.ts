// Run ids: monotonic ULIDs — unique and time-sortable, even for many runs in the same millisecond.
import { monotonicFactory } from 'ulid';

const next = monotonicFactory();

export function newRunId(now: number = Date.now()): string {
  return next(now);
}

/** The one run-id pattern lives in shared/api/ids.ts. */
export { RUN_ID_RE, isRunId } from '../api/ids.js';
