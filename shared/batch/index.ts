// Batches: many tasks from a CSV/JSONL/TXT file, run through the same service, resumable, and split
// across workers by the job engine's own task index (Cloud Run Jobs, AWS Batch, Kubernetes Indexed
// Jobs) — never a scheduler of our own. See docs/BATCH.md.
import { createHash } from 'node:crypto';
import type { RunRequest } from '../api/index.js';
import { newRunId } from '../artifacts/ids.js';
import { planRows, type PlannedRow, type TaskRenderer } from './plan.js';
import { BatchInputError, formatFromName, parseBatchSource, type BatchFormat } from './source.js';
import { BATCH_ID_PATTERN, BatchManifest } from './store.js';

export * from './source.js';
export * from './plan.js';
export * from './shard.js';
export * from './store.js';
export * from './runner.js';
export * from './results.js';
export * from './manager.js';
export * from './finish.js';

export interface PrepareBatchOptions {
  /** The file name (format from its extension unless `format` is given). */
  name: string;
  format?: BatchFormat;
  request: Omit<RunRequest, 'task'>;
  budget_usd?: number | null;
  run_budget_usd?: number | null;
  /** Given, or derived from the content when the batch is sharded (every worker must agree), else a new ULID. */
  batchId?: string;
  sharded?: boolean;
  createdBy: string;
  render?: TaskRenderer;
  template?: { id: string; version: number | null } | null;
}

export function prepareBatch(source: string, opts: PrepareBatchOptions): { manifest: BatchManifest; rows: PlannedRow[] } {
  const format = opts.format ?? formatFromName(opts.name);
  const rows = planRows(parseBatchSource(source, format), opts.template ? { templated: true } : opts.render ? { render: opts.render } : {});
  const sha256 = createHash('sha256').update(source).digest('hex');
  const budget = opts.budget_usd ?? null;
  const runBudget = opts.run_budget_usd ?? null;
  if (opts.batchId !== undefined && !BATCH_ID_PATTERN.test(opts.batchId)) throw new BatchInputError(`--batch-id: letters, digits, ".", "_" and "-", at most 64, starting with a letter or digit (got "${opts.batchId}")`);
  // Sharded workers each start from the same file and options, so they derive the same id.
  const derived = () => `b-${createHash('sha256').update(JSON.stringify([sha256, opts.request, budget, runBudget, opts.template ?? null])).digest('hex').slice(0, 24)}`;
  const id = opts.batchId ?? (opts.sharded ? derived() : newRunId());
  const manifest = BatchManifest.parse({
    schema_version: 1,
    id,
    created_at: new Date().toISOString(),
    created_by: opts.createdBy,
    source: { name: opts.name.split(/[\\/]/).pop() ?? opts.name, format, sha256, bytes: Buffer.byteLength(source), rows: rows.length },
    request: opts.request,
    template: opts.template ?? null,
    budget_usd: budget,
    run_budget_usd: runBudget,
    keys: rows.map((r) => r.key),
  });
  return { manifest, rows };
}

/** The planned rows of a stored batch (resume without the file), checked against the manifest. */
export function rowsOfStoredBatch(manifest: BatchManifest, source: string, render?: TaskRenderer): PlannedRow[] {
  const sha = createHash('sha256').update(source).digest('hex');
  if (sha !== manifest.source.sha256) throw new BatchInputError(`batch ${manifest.id}: its stored source does not match the manifest (sha256 ${sha.slice(0, 12)}… ≠ ${manifest.source.sha256.slice(0, 12)}…)`);
  return planRows(parseBatchSource(source, manifest.source.format), manifest.template ? { templated: true } : render ? { render } : {});
}
