// Results of a batch: merged from every worker's records in the store, written as CSV or JSONL.
import { stringify } from 'csv-stringify/sync';
import type { BatchManifest, RowResult, RowState, RowStatus } from './store.js';

export const RESULT_COLUMNS = ['row', 'key', 'attempt', 'run_id', 'status', 'published_model', 'score', 'cost_usd', 'error', 'worker'] as const;

export interface MergedRow {
  row: number;
  key: string;
  attempt: number | null;
  run_id: string | null;
  /** 'pending' when no worker has finished it; 'running' when claimed without a result. */
  status: RowStatus | 'pending' | 'running';
  published_model: string | null;
  score: number | null;
  cost_usd: number | null;
  error: string | null;
  worker: string | null;
}

export interface BatchStatus {
  id: string;
  rows: number;
  counts: Record<string, number>;
  spent_usd: number;
  unpriced_rows: number;
  complete: boolean;
}

/** One row per manifest key, in file order, from the newest attempt's result. */
export function mergeResults(manifest: BatchManifest, rowNumbers: Map<string, number>, states: Map<string, RowState>): MergedRow[] {
  return manifest.keys.map((key, i) => {
    const st = states.get(key);
    const r: RowResult | null = st?.result ?? null;
    return {
      row: r?.row ?? rowNumbers.get(key) ?? i + 1,
      key,
      attempt: st?.attempt ?? null,
      run_id: r?.run_id ?? st?.claim?.run_id ?? null,
      status: r ? r.status : st?.claimed ? 'running' : 'pending',
      published_model: r?.published_model ?? null,
      score: r?.score ?? null,
      cost_usd: r?.cost_usd ?? null,
      error: r?.error ?? null,
      worker: r?.worker ?? st?.claim?.worker ?? null,
    };
  });
}

export function batchStatus(manifest: BatchManifest, merged: MergedRow[]): BatchStatus {
  const counts: Record<string, number> = {};
  let spent = 0;
  let unpriced = 0;
  for (const r of merged) {
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    if (r.cost_usd !== null) spent += r.cost_usd;
    else if (r.run_id) unpriced++;
  }
  const done = ['published', 'advisory_only', 'pending_approval'].reduce((n, s) => n + (counts[s] ?? 0), 0);
  return { id: manifest.id, rows: merged.length, counts, spent_usd: spent, unpriced_rows: unpriced, complete: done === merged.length };
}

export function resultsCsv(rows: MergedRow[]): string {
  return stringify(rows.map((r) => RESULT_COLUMNS.map((c) => r[c] ?? '')), { header: true, columns: [...RESULT_COLUMNS] });
}

export function resultsJsonl(rows: MergedRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}
