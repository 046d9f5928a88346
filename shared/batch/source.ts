// Batch input files: CSV (header row), JSONL (one object per line) or TXT (one task per line),
// parsed into numbered rows. Row numbers are what a person sees in an editor: the CSV/JSONL/TXT line
// the row starts on (CSV's header is line 1, so its first row is line 2).
import { parse } from 'csv-parse/sync';
import { DjpError } from '../api/index.js';

export const BATCH_FORMATS = ['csv', 'jsonl', 'txt'] as const;
export type BatchFormat = (typeof BATCH_FORMATS)[number];

export interface BatchRow {
  /** 1-based line number of the row in its file. */
  n: number;
  fields: Record<string, unknown>;
}

/**
 * A problem with the input, named by row and column: a DjpError('invalid') whose field is the column
 * (else `source` for a row) — CLI exit 2, HTTP 400 — with the row and column kept for callers.
 */
export class BatchInputError extends DjpError {
  constructor(
    message: string,
    readonly row: number | null = null,
    readonly column: string | null = null,
  ) {
    super('invalid', row !== null ? `row ${row}${column ? `, column "${column}"` : ''}: ${message}` : message, column ?? (row !== null ? 'source' : undefined));
  }
}

/** The format from a file name (.csv, .jsonl/.ndjson, .txt), or an error naming the accepted ones. */
export function formatFromName(name: string): BatchFormat {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  if (ext === 'csv') return 'csv';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'txt') return 'txt';
  throw new BatchInputError(`cannot tell the format of "${name}": use a .csv, .jsonl or .txt file (or name the format)`);
}

export function parseBatchSource(text: string, format: BatchFormat): BatchRow[] {
  // One kind of line break: csv-parse counts CR and LF of a CRLF inside a quoted field as two lines.
  const body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (format === 'txt') return parseTxt(body);
  if (format === 'jsonl') return parseJsonl(body);
  return parseCsv(body);
}

function parseTxt(text: string): BatchRow[] {
  const rows: BatchRow[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() !== '') rows.push({ n: i + 1, fields: { task: line.trim() } });
  });
  return rows;
}

function parseJsonl(text: string): BatchRow[] {
  const rows: BatchRow[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new BatchInputError(`not valid JSON (${e instanceof Error ? e.message : String(e)})`, i + 1);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BatchInputError('each line must be a JSON object', i + 1);
    rows.push({ n: i + 1, fields: value as Record<string, unknown> });
  });
  return rows;
}

interface CsvRecord {
  record: Record<string, string>;
  info: { lines: number };
}

function parseCsv(text: string): BatchRow[] {
  let records: CsvRecord[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, info: true }) as CsvRecord[];
  } catch (e) {
    const err = e as { message?: string; lines?: number; code?: string };
    const line = typeof err.lines === 'number' ? err.lines : null;
    const msg = (err.message ?? String(e)).replace(/^Invalid Record Length: /, '');
    throw new BatchInputError(`not valid CSV (${msg})`, line);
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  if (header.some((h) => h === '')) throw new BatchInputError('the header row has an empty column name', 1);
  // info.lines is the line the record ENDS on; a quoted field may span lines, so count back.
  const newlines = (r: Record<string, string>) => Object.values(r).reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0);
  return records.map(({ record, info }) => ({ n: info.lines - newlines(record), fields: record }));
}
