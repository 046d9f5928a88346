// RunSummary (what history lists) and the index entry stored beside each artifact.
import * as z from 'zod';
import { RunSummary, type RunArtifact } from '../api/index.js';
import { providersOf } from './layout.js';

export const SUMMARY_TASK_CHARS = 200;

/** The index entry: the run's summary, plus the full task when the summary had to cut it (for `q`). */
export const IndexEntry = RunSummary.extend({
  v: z.literal(1),
  task_full: z.string().optional(),
});
export type IndexEntry = z.infer<typeof IndexEntry>;

export function summarize(artifact: RunArtifact): RunSummary {
  const { publish } = artifact;
  return {
    id: artifact.id,
    created_at: artifact.created_at,
    task: artifact.task.slice(0, SUMMARY_TASK_CHARS),
    status: artifact.status,
    winner: publish.provider && publish.model ? { provider: publish.provider, model: publish.model } : null,
    providers: providersOf(artifact),
    cost_usd: artifact.cost.total.usd,
    duration_ms: artifact.timings_ms.total,
  };
}

export function toIndexEntry(artifact: RunArtifact): IndexEntry {
  const summary = summarize(artifact);
  return {
    v: 1,
    ...summary,
    ...(artifact.task.length > summary.task.length ? { task_full: artifact.task } : {}),
  };
}

export function fromIndexEntry(entry: IndexEntry): RunSummary {
  const { v: _v, task_full: _t, ...summary } = entry;
  return summary;
}
