// Batches over the API: what a client sends to start one and what it reads back. Browser-safe (zod only).
import * as z from 'zod';
import { RunRequest } from './run-request.js';

/** A batch id: a ULID, a name given with --batch-id, or b-<hash> for sharded workers. */
export const BatchId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'not a batch id');

export const BATCH_FORMAT_NAMES = ['csv', 'jsonl', 'txt'] as const;
export const BATCH_ROW_STATUSES = ['published', 'advisory_only', 'pending_approval', 'none', 'failed', 'interrupted', 'not_started', 'running', 'pending'] as const;

/** At most this much batch input in one request (the server's body limit may be lower). */
export const MAX_BATCH_SOURCE_CHARS = 10_000_000;

export const CreateBatchRequest = z
  .object({
    /** The file's text: CSV with a header, JSONL, or TXT (one task per line). */
    source: z.string().min(1, 'source must not be empty').max(MAX_BATCH_SOURCE_CHARS, 'source is larger than 10,000,000 characters').optional(),
    /** Or the rows as objects (each with `task`, or a template's variables; `key`/`id` optional). */
    rows: z.array(z.record(z.string(), z.unknown())).min(1, 'rows must not be empty').max(100_000).optional(),
    format: z.enum(BATCH_FORMAT_NAMES).optional(),
    /** The file name, for the record (and the format when `format` is not given). */
    name: z.string().min(1).max(200).optional(),
    /** Run options applied to every row (as for POST /api/runs, without task). */
    options: RunRequest.omit({ task: true }).optional(),
    template: z.object({ id: z.string().min(1).max(100), version: z.number().int().min(1).optional() }).strict().optional(),
    /** The whole batch's budget: refused when its projection exceeds it; no new row once spend would pass it. */
    budget_usd: z.number().positive().optional(),
    run_budget_usd: z.number().positive().optional(),
    concurrency: z.number().int().min(1).max(16).optional(),
    /** Validate and project only: nothing is stored or run. */
    dry_run: z.boolean().optional(),
  })
  .strict()
  .refine((v) => (v.source === undefined) !== (v.rows === undefined), { message: 'give either source (the file text) or rows', path: ['source'] });
export type CreateBatchRequest = z.infer<typeof CreateBatchRequest>;

export const BatchInfo = z.object({
  id: z.string(),
  created_at: z.string(),
  created_by: z.string(),
  name: z.string(),
  format: z.enum(BATCH_FORMAT_NAMES),
  rows: z.number().int(),
  template: z.object({ id: z.string(), version: z.number().int().nullable() }).nullable(),
  budget_usd: z.number().nullable(),
  run_budget_usd: z.number().nullable(),
  /** Projected cost of all rows (null: a model is unpriced, or not known for a stored batch). */
  projected_usd: z.number().nullable(),
  counts: z.record(z.string(), z.number().int()),
  spent_usd: z.number(),
  complete: z.boolean(),
  /** This server is running rows of it now. */
  running: z.boolean(),
  /** A dry run: validated and projected, nothing stored. */
  dry_run: z.boolean(),
});
export type BatchInfo = z.infer<typeof BatchInfo>;

export const BatchRowInfo = z.object({
  row: z.number().int(),
  key: z.string(),
  attempt: z.number().int().nullable(),
  run_id: z.string().nullable(),
  status: z.enum(BATCH_ROW_STATUSES),
  published_model: z.string().nullable(),
  score: z.number().nullable(),
  cost_usd: z.number().nullable(),
  error: z.string().nullable(),
  worker: z.string().nullable(),
});
export type BatchRowInfo = z.infer<typeof BatchRowInfo>;

export const BatchDetail = BatchInfo.extend({ row_results: z.array(BatchRowInfo) });
export type BatchDetail = z.infer<typeof BatchDetail>;

export const BatchResultsQuery = z.object({ format: z.enum(['csv', 'jsonl']).default('csv') }).strict();
export type BatchResultsQuery = z.input<typeof BatchResultsQuery>;

/** A batch's results file as JSON (the IPC bridge and in-process callers): the bytes base64-encoded. */
export const BatchResultsFile = z.object({ format: z.enum(['csv', 'jsonl']), filename: z.string(), content_type: z.string(), base64: z.string() });
export type BatchResultsFile = z.infer<typeof BatchResultsFile>;
