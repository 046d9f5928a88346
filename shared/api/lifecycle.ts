// Run lifecycle events: what the service announces about runs as a whole, on one in-process stream
// (DjpService.lifecycle, an EventHub — see shared/api/stream.ts) that SSE, notifications, batches
// and the desktop subscribe to. Unlike RunEvent (one run's progress, with seq), these are cross-run:
//   run.accepted          startRun/replayRun accepted the request and assigned the id
//   run.started           the pipeline began (its run.started RunEvent)
//   run.finished          the run ended: saved (status), or failed (status 'error'); interrupted when cancelled
//   run.pending_approval  right after run.finished when the run waits for a human decision
//   run.decided           an approval decision was recorded
//   batch.finished        a batch this process ran has worked through its rows (or stopped); no run_id
// Per run the order is accepted → started → finished (→ pending_approval → decided); a run that fails
// before its pipeline starts goes accepted → finished. Browser-safe: zod only.
import * as z from 'zod';
import { PublishStatus } from './artifact.js';

const Base = { run_id: z.string(), at: z.string() };

export const LifecycleEvent = z.discriminatedUnion('type', [
  z.object({ ...Base, type: z.literal('run.accepted'), by: z.string(), replay_of: z.string().nullable() }),
  z.object({ ...Base, type: z.literal('run.started') }),
  z.object({
    ...Base,
    type: z.literal('run.finished'),
    /** The artifact's status, or 'error' when the run failed and left no artifact. */
    status: z.union([PublishStatus, z.literal('error')]),
    /** Why the run stopped early (cancelled, shutdown), else null. */
    interrupted: z.string().nullable(),
    /** Where the artifact was saved (null on error). */
    location: z.string().nullable(),
    /** Set when the artifact went to the outbox or fallback folder instead of the store. */
    outbox: z.object({ path: z.string(), reason: z.string() }).nullable(),
    /** The (redacted) error message when status is 'error'. */
    error: z.string().nullable(),
  }),
  z.object({ ...Base, type: z.literal('run.pending_approval'), task: z.string() }),
  z.object({
    ...Base,
    type: z.literal('run.decided'),
    decision: z.enum(['approved', 'rejected']),
    by: z.string(),
    reason: z.string().nullable(),
  }),
  z.object({
    type: z.literal('batch.finished'),
    at: z.string(),
    batch_id: z.string(),
    name: z.string(),
    rows: z.number().int(),
    /** Rows per status (done, failed, interrupted, pending …), merged from every worker. */
    counts: z.record(z.string(), z.number().int()),
    spent_usd: z.number(),
    /** Every row done (false: rows failed or were not run, e.g. a stop or the budget). */
    complete: z.boolean(),
    by: z.string(),
  }),
]);
export type LifecycleEvent = z.infer<typeof LifecycleEvent>;
export type LifecycleEventType = LifecycleEvent['type'];
