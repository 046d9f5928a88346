// `djp batch FILE`: many tasks from a CSV (a `task` column), JSONL (objects with `task`) or TXT (one
// task per line) file, every row validated before anything runs, the whole batch's projected cost
// checked against --budget_usd, rows run --concurrency at a time through the same service as
// `djp run`, saved to RUNS_DIR, resumable (`--resume BATCH_ID`), and split across the workers of a
// Cloud Run Job, an AWS Batch array job or a Kubernetes Indexed Job by their own task index.
// `djp batch status ID` and `djp batch results ID --out FILE` merge what every worker saved.
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import {
  BatchBudgetError,
  BatchInputError,
  BatchStore,
  BATCH_FORMATS,
  batchStatus,
  mergeResults,
  claimFinished,
  prepareBatch,
  projectBatch,
  resolveShard,
  resultsCsv,
  resultsJsonl,
  rowsOfStoredBatch,
  runBatchRows,
  selectShard,
  type BatchFormat,
  type BatchManifest,
  type BatchProgress,
  type MergedRow,
  type RowResult,
} from '../../shared/batch/index.js';
import { getStorageBackend } from '../../shared/storage/index.js';
import { StorageError } from '../../shared/storage/backend.js';
import { addRequestOptions, requestFromFlags, settleNotifications, type RunFlags } from './run.js';
import { CliError, cliRunService, fmtScore, localIdentity, printJson } from './cli-service.js';

interface BatchFlags extends RunFlags {
  format?: string;
  concurrency?: number;
  run_budget_usd?: number;
  out?: string;
  resume?: string;
  retryFailed?: boolean;
  shard?: string;
  shards?: number;
  batchId?: string;
  prepare?: boolean;
  template?: string;
  template_version?: number;
}

const int = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < min || n > max) throw new InvalidArgumentError(`--${name} must be a whole number from ${min} to ${max} (got "${v}")`);
  return n;
};
const usd = (name: string) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`--${name} must be a positive number of US dollars (got "${v}")`);
  return n;
};

function batchStore(): BatchStore {
  return new BatchStore(getStorageBackend(process.env.RUNS_DIR, process.env));
}

function asCliError(e: unknown): unknown {
  if (e instanceof BatchInputError) return new CliError(e.message, 2);
  if (e instanceof BatchBudgetError) return new CliError(e.message, 1);
  if (e instanceof StorageError && e.kind === 'not_found') return new CliError(`${e.message} (no such batch in ${process.env.RUNS_DIR ?? 'runs'})`, 2);
  return e;
}

function outFormat(path: string, given?: string): 'csv' | 'jsonl' {
  const f = given ?? (/\.jsonl?$/i.test(path) ? 'jsonl' : /\.csv$/i.test(path) ? 'csv' : undefined);
  if (f !== 'csv' && f !== 'jsonl') throw new CliError(`--out: name a .csv or .jsonl file (got "${path}")`, 2);
  return f;
}

async function merged(store: BatchStore, manifest: BatchManifest, rowNumbers = new Map<string, number>()): Promise<MergedRow[]> {
  return mergeResults(manifest, rowNumbers, await store.states(manifest.id));
}

function writeResults(path: string, rows: MergedRow[]): void {
  writeFileSync(path, outFormat(path) === 'csv' ? resultsCsv(rows) : resultsJsonl(rows));
}

const money = (x: number) => `$${x.toFixed(4)}`;

/** A progress bar on a TTY (redrawn in place), else nothing until each row ends (one line each). */
function progressPrinter(quiet: boolean): { update: (p: BatchProgress) => void; end: () => void } {
  const err = process.stderr;
  const tty = err.isTTY === true;
  const started = Date.now();
  let lastDraw = 0;
  const draw = (p: BatchProgress, force = false) => {
    if (!tty || (!force && Date.now() - lastDraw < 100)) return;
    lastDraw = Date.now();
    const width = 24;
    const filled = p.total ? Math.round((p.finished / p.total) * width) : width;
    const ran = p.finished - p.skipped;
    const eta = ran > 0 && p.finished < p.total ? Math.round((((Date.now() - started) / ran) * (p.total - p.finished)) / 1000) : null;
    err.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.finished}/${p.total} done · ${p.failed} failed · ${p.running} running · ${money(p.spent_usd)} spent${eta !== null ? ` · ETA ${eta >= 60 ? `${Math.floor(eta / 60)}m${eta % 60}s` : `${eta}s`}` : ''}`);
  };
  const line = (r: RowResult) => `row ${r.row} (${r.key}): ${r.status}${r.published_model ? ` ${r.published_model}` : ''}${r.score !== null ? ` ${fmtScore(r.score)}/10` : ''}${r.cost_usd !== null ? ` ${money(r.cost_usd)}` : ''}${r.run_id ? ` run ${r.run_id}` : ''}${r.error ? ` — ${r.error}` : ''}`;
  return {
    update(p) {
      if (quiet) return;
      if (p.last && (!tty || p.last.status === 'failed')) {
        if (tty) err.write('\r\x1b[K');
        err.write(`${line(p.last)}\n`);
      }
      draw(p, p.last !== null);
    },
    end() {
      if (tty && !quiet) err.write('\n');
    },
  };
}

async function runCommand(file: string | undefined, flags: BatchFlags): Promise<void> {
  const store = batchStore();
  const shard = resolveShard(process.env, { ...(flags.shard !== undefined ? { shard: flags.shard } : {}), ...(flags.shards !== undefined ? { shards: flags.shards } : {}) });
  const identity = localIdentity();
  // Rows that end pending approval (or failed, per DJP_NOTIFY_EVENTS) notify like single runs.
  const { service: svc, notifications } = cliRunService();
  let manifest: BatchManifest;
  let rows;
  let planned: Awaited<ReturnType<typeof projectBatch>> | null = null;
  if (flags.resume) {
    if (file) throw new CliError('give either FILE or --resume BATCH_ID, not both', 2);
    manifest = await store.manifest(flags.resume);
    rows = rowsOfStoredBatch(manifest, await store.source(manifest));
  } else {
    if (!file) throw new CliError('name a batch file (CSV, JSONL or TXT), or --resume BATCH_ID', 2);
    if (flags.template_version !== undefined && !flags.template) throw new CliError('--template_version needs --template ID', 2);
    if (flags.format !== undefined && !(BATCH_FORMATS as readonly string[]).includes(flags.format)) throw new CliError(`--format must be one of ${BATCH_FORMATS.join(', ')} (got "${flags.format}")`, 2);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 2);
    }
    // --budget_usd is the whole batch's budget here; --run_budget_usd caps each run.
    const { task: _task, budget_usd: _b, ...request } = requestFromFlags({ ...flags, task: '' });
    const prepared = prepareBatch(text, {
      name: file,
      ...(flags.format ? { format: flags.format as BatchFormat } : {}),
      request,
      budget_usd: flags.budget_usd ?? null,
      run_budget_usd: flags.run_budget_usd ?? null,
      ...(flags.batchId ?? process.env.DJP_BATCH_ID ? { batchId: flags.batchId ?? process.env.DJP_BATCH_ID } : {}),
      sharded: shard.count > 1,
      createdBy: identity.identity.user,
      ...(flags.template ? { template: { id: flags.template, version: flags.template_version ?? null } } : {}),
    });
    // Every row checked (templated rows' variables too) and the budget checked before anything is stored.
    planned = await projectBatch(svc, prepared.manifest, selectShard(prepared.rows, shard));
    const joined = await store.createOrJoin(prepared.manifest, text);
    manifest = joined.manifest;
    if (!joined.created && manifest.source.sha256 !== prepared.manifest.source.sha256) {
      throw new CliError(`batch ${manifest.id} already exists with another file (${manifest.source.name}); pick another --batch-id`, 2);
    }
    rows = prepared.rows;
  }
  const mine = selectShard(rows, shard);
  const say = (s: string) => {
    if (!flags.quiet) process.stderr.write(`${s}\n`);
  };
  planned ??= await projectBatch(svc, manifest, mine);
  say(
    `djp: batch ${manifest.id} — ${mine.length} of ${rows.length} row(s)${shard.count > 1 ? ` (shard ${shard.index}/${shard.count}, ${shard.source})` : ''}, concurrency ${flags.concurrency ?? 4}` +
      `; projected ≤ ${planned.total_usd === null ? 'unpriced' : money(planned.total_usd)}${manifest.budget_usd !== null ? ` (budget $${manifest.budget_usd})` : ''}`,
  );
  if (flags.prepare) {
    // Validated, projected and stored: job workers run it with `djp batch --resume ID` (docs/BATCH.md).
    if (flags.json) printJson({ batch: manifest.id, rows: rows.length, projected_usd: planned.total_usd });
    else process.stdout.write(`batch:    ${manifest.id} (${rows.length} rows, projected ≤ ${planned.total_usd === null ? 'unpriced' : money(planned.total_usd)})\nrun it:   djp batch --resume ${manifest.id}   (each job worker; its task index picks its shard)\n`);
    return;
  }
  const ac = new AbortController();
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(130);
    say('\ndjp: stopping — no new rows start; runs in flight are saved as interrupted (Ctrl-C again to quit at once)');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  const printer = progressPrinter(flags.quiet === true);
  const worker = `${hostname()}:${process.pid}${shard.count > 1 ? `:shard${shard.index}` : ''}`;
  let results: RowResult[];
  try {
    results = await runBatchRows(svc, store, manifest, planned.rows, identity, {
      concurrency: flags.concurrency ?? 4,
      retryFailed: flags.retryFailed === true,
      worker,
      signal: ac.signal,
      onProgress: printer.update,
    });
  } finally {
    printer.end();
    process.off('SIGINT', onSigint);
  }
  const all = await merged(store, manifest, new Map(rows.map((r) => [r.key, r.n])));
  const status = batchStatus(manifest, all);
  // batch_finished (DJP_NOTIFY_EVENTS): said by the worker that finds the whole batch done, once
  // between all of them (shared/batch/finish.ts); a worker stopped by Ctrl-C says nothing.
  if (notifications && !ac.signal.aborted && (await claimFinished(store, manifest.id, all, worker))) {
    notifications.handle({ type: 'batch.finished', at: new Date().toISOString(), batch_id: manifest.id, name: manifest.source.name, rows: status.rows, counts: status.counts, spent_usd: status.spent_usd, complete: status.complete, by: identity.identity.user });
  }
  await settleNotifications(notifications, flags);
  if (flags.out) writeResults(flags.out, all);
  const counts = Object.entries(status.counts).map(([k, v]) => `${v} ${k}`).join(', ');
  const notDone = results.filter((r) => !['published', 'advisory_only', 'pending_approval'].includes(r.status)).length;
  if (flags.json) printJson({ batch: status, rows: results });
  else process.stdout.write(`batch:    ${manifest.id}\nrows:     ${status.rows} (${counts})\nthis run: ${results.length} row(s), ${notDone} not done\nspent:    ${money(status.spent_usd)}${status.unpriced_rows ? ` (+${status.unpriced_rows} unpriced)` : ''}\n${flags.out ? `results:  ${flags.out}\n` : ''}${notDone ? `resume:   djp batch --resume ${manifest.id}${results.some((r) => r.status === 'failed' || r.status === 'none') ? ' --retry-failed' : ''}\n` : ''}`);
  if (ac.signal.aborted) process.exitCode = 130;
  else if (notDone) process.exitCode = 1;
}

export function register(program: Command): void {
  const batch = program
    .command('batch')
    .description('Run many tasks from a CSV/JSONL/TXT file; resumable; shards across Cloud Run Jobs, AWS Batch or Kubernetes Indexed Jobs')
    .argument('[file]', 'CSV with a task column, JSONL with {"task": …} per line, or TXT with one task per line')
    .option('--format <csv|jsonl|txt>', 'the file format (default: from the extension)')
    .option('--concurrency <n>', 'runs at once, 1–16 (default 4)', int('concurrency', 1, 16))
    .option('--run_budget_usd <usd>', 'budget of each run (as --budget_usd of djp run)', usd('run_budget_usd'))
    .option('--out <file.csv|file.jsonl>', 'write the results (row, key, run id, status, published model, score, cost, error)')
    .option('--resume <batch_id>', 'continue a batch from the store: rows with a saved run are skipped')
    .option('--retry-failed', 'with --resume: run failed rows again')
    .option('--shard <i/n>', 'run only shard i of n (0-based); job engines set it for you (docs/BATCH.md)')
    .option('--shards <n>', 'the shard count for AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX', int('shards', 1, 10_000))
    .option('--template <id>', "each row's columns are this template's variables (djp templates show ID); no task column needed")
    .option('--template_version <n>', 'that version of the template (default: the latest)', int('template_version', 1, 1_000_000))
    .option('--prepare', 'validate, project and store the batch, run nothing (then each job worker runs --resume ID)')
    .option('--batch-id <id>', 'name the batch (default: new id; sharded workers derive one from the file and options, or set DJP_BATCH_ID)');
  addRequestOptions(batch)
    .option('--json', 'print {batch, rows} as JSON on stdout')
    .option('--quiet', 'no progress on stderr');
  const budget = batch.options.find((o) => o.long === '--budget_usd');
  if (budget) budget.description = 'budget of the WHOLE batch: refused before the first call when the projection exceeds it; no new row starts once spend would pass it';
  batch.action(async (file: string | undefined, flags: BatchFlags) => {
    try {
      await runCommand(file, flags);
    } catch (e) {
      throw asCliError(e);
    }
  });

  batch
    .command('status')
    .description('Per-status counts and spend of a batch, merged from every worker')
    .argument('<batch_id>')
    .option('--json', 'print JSON')
    .action(async (id: string, own: { json?: boolean }) => {
      try {
        const flags = { json: own.json ?? (batch.opts() as { json?: boolean }).json };
        const store = batchStore();
        const manifest = await store.manifest(id);
        const status = batchStatus(manifest, await merged(store, manifest));
        if (flags.json) printJson(status);
        else process.stdout.write(`batch:    ${id} (${manifest.source.name}, ${manifest.source.rows} rows, created ${manifest.created_at} by ${manifest.created_by})\n${Object.entries(status.counts).map(([k, v]) => `  ${k.padEnd(17)} ${v}`).join('\n')}\nspent:    ${money(status.spent_usd)}\ncomplete: ${status.complete ? 'yes' : 'no'}\n`);
        if (!status.complete) process.exitCode = 1;
      } catch (e) {
        throw asCliError(e);
      }
    });

  batch
    .command('results')
    .description('Write the merged results of a batch (every worker) to a CSV or JSONL file')
    .argument('<batch_id>')
    .option('--out <file.csv|file.jsonl>', 'where to write (required)')
    .action(async (id: string, own: { out?: string }) => {
      try {
        // Commander may hand `--out` to the parent `batch` command, which has an --out of its own.
        const flags = { out: own.out ?? (batch.opts() as { out?: string }).out };
        if (!flags.out) throw new CliError('batch results: --out FILE (.csv or .jsonl) is required', 2);
        outFormat(flags.out);
        const store = batchStore();
        const manifest = await store.manifest(id);
        const rows = await merged(store, manifest);
        writeResults(flags.out, rows);
        process.stdout.write(`${rows.length} row(s) written to ${flags.out}\n`);
      } catch (e) {
        throw asCliError(e);
      }
    });
}
