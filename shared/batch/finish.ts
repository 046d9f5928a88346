// "The batch finished", said once. Several workers may finish rows of one batch (job-engine shards,
// or a server and a later `djp batch --resume`); each merges every worker's results when its own rows
// are done, and announces (the batch_finished notification, docs/NOTIFICATIONS.md) only when
//   1. no row is left pending or running — the whole batch, not just this worker's shard, is done; and
//   2. its create-only marker batches/<id>/finished/<state>.json is the one written: <state> is a digest
//      of every row's attempt, status and run, so two workers seeing the same final state announce it
//      once between them, and a later --retry-failed round that changes the results announces again.
// A marker write that fails for another reason than "exists" announces anyway: a second message is
// better than none.
import { createHash } from 'node:crypto';
import { StorageError } from '../storage/backend.js';
import type { MergedRow } from './results.js';
import type { BatchStore } from './store.js';

/** Rows no worker has finished yet (pending, or claimed and running). */
export const rowsLeft = (rows: readonly MergedRow[]): number => rows.filter((r) => r.status === 'pending' || r.status === 'running').length;

/** The digest naming one final state of a batch (every row's attempt, status and run id). */
export function finishState(rows: readonly MergedRow[]): string {
  return createHash('sha256')
    .update(JSON.stringify(rows.map((r) => [r.key, r.attempt, r.status, r.run_id])))
    .digest('hex')
    .slice(0, 32);
}

/**
 * True when this worker should announce the batch as finished (see above). `stopped`: this worker was
 * stopped with rows of its own left (a server draining): it announces the stop, once per state, even
 * though rows are left.
 */
export async function claimFinished(store: BatchStore, batchId: string, rows: readonly MergedRow[], worker: string, opts: { stopped?: boolean } = {}): Promise<boolean> {
  if (rowsLeft(rows) > 0 && !opts.stopped) return false;
  try {
    return await store.markFinished(batchId, finishState(rows), { worker, at: new Date().toISOString(), rows: rows.length, left: rowsLeft(rows) });
  } catch (e) {
    if (e instanceof StorageError && e.kind === 'conflict') return false;
    return true;
  }
}
