// Turns parsed rows into planned runs: every row checked before anything runs (task present and
// within the run request's limits, or template variables rendered), each with a stable key.
import { createHash } from 'node:crypto';
import { RunRequest } from '../api/index.js';
import { BatchInputError, type BatchRow } from './source.js';

/** A row key is used in storage keys: letters, digits, '.', '_', '-' (1–128). */
export const ROW_KEY_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

export interface PlannedRow {
  /** 1-based line of the row in its file. */
  n: number;
  /** The `key` or `id` column, else a hash of the row. */
  key: string;
  task: string;
  /** The row's fields (template variables when a template renders the task). */
  fields: Record<string, unknown>;
}

/**
 * Renders a row's task from its fields (templates). Throws a BatchInputError-compatible error naming
 * the variable; without a renderer the row needs a `task` column.
 */
export type TaskRenderer = (fields: Record<string, unknown>) => string;

const TASK_LIMIT = 50_000;

export function rowKey(fields: Record<string, unknown>, n: number): string {
  for (const col of ['key', 'id'] as const) {
    const v = fields[col];
    if (v === undefined || v === null || v === '') continue;
    const s = String(v).trim();
    if (!ROW_KEY_PATTERN.test(s)) throw new BatchInputError('a row key may hold only letters, digits, ".", "_" and "-" (at most 128)', n, col);
    return s;
  }
  // No key column: the row's content decides, so the same row keeps its key when the file is edited
  // around it (reordered, rows added).
  const canonical = JSON.stringify(Object.keys(fields).sort().map((k) => [k, fields[k]]));
  return `h-${createHash('sha256').update(canonical).digest('hex').slice(0, 20)}`;
}

/** The row's fields a template sees as its variables: all but the row key columns. */
export function templateVars(fields: Record<string, unknown>): Record<string, unknown> {
  const { key: _k, id: _i, ...vars } = fields;
  return vars;
}

/**
 * `templated`: each row's fields are a template's variables (checked when the batch is projected,
 * by the service that renders them); the task column is then not needed.
 */
export function planRows(rows: BatchRow[], opts: { render?: TaskRenderer; templated?: boolean } = {}): PlannedRow[] {
  if (rows.length === 0) throw new BatchInputError('the batch has no rows');
  const planned: PlannedRow[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    const key = rowKey(row.fields, row.n);
    const first = seen.get(key);
    if (first !== undefined) throw new BatchInputError(`the row key "${key}" is already used by row ${first}${key.startsWith('h-') ? ' (an identical row)' : ''}`, row.n, row.fields.key !== undefined ? 'key' : row.fields.id !== undefined ? 'id' : null);
    seen.set(key, row.n);
    if (opts.templated) {
      planned.push({ n: row.n, key, task: '', fields: row.fields });
      continue;
    }
    let task: string;
    if (opts.render) {
      try {
        task = opts.render(row.fields);
      } catch (e) {
        const err = e as { message?: string; field?: string };
        throw new BatchInputError(err.message ?? String(e), row.n, err.field ?? null);
      }
    } else {
      const v = row.fields.task;
      if (v === undefined) throw new BatchInputError('missing (each row needs a task, or use --template)', row.n, 'task');
      if (typeof v !== 'string') throw new BatchInputError('must be text', row.n, 'task');
      task = v;
    }
    const parsed = RunRequest.shape.task.safeParse(task);
    if (!parsed.success) throw new BatchInputError(task.trim() === '' ? 'must not be empty' : `is longer than ${TASK_LIMIT.toLocaleString('en')} characters`, row.n, opts.render ? null : 'task');
    planned.push({ n: row.n, key, task: parsed.data, fields: row.fields });
  }
  return planned;
}
