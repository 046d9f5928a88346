// Batches: upload a CSV/JSONL/TXT file of tasks (or a template's variables per row), check it and see
// its projected cost, start it, watch every row's progress, download the results. The batch runs in
// the server (or the desktop's main process) with its own run slots, so it never takes the capacity
// of interactive runs; its runs appear in History like any other.
import { TableWrap } from '../components/TableWrap.js';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { BatchDetail, BatchInfo, CreateBatchRequest } from '../../../shared/api/index.js';
import { errorMessage } from '../api/client.js';
import { useApp, useLoad } from '../context.js';
import { ErrorAlert, Loading } from '../components/Status.js';
import { downloadExported } from '../lib/exportRun.js';
import { formatTime, formatUsd } from '../lib/format.js';
import { href, navigate, useRoute } from '../router.js';

const DONE = new Set(['published', 'advisory_only', 'pending_approval']);

function formatOf(name: string): 'csv' | 'jsonl' | 'txt' | null {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return ext === 'csv' ? 'csv' : ext === 'jsonl' || ext === 'ndjson' ? 'jsonl' : ext === 'txt' ? 'txt' : null;
}

function countsText(b: BatchInfo): string {
  return Object.entries(b.counts)
    .map(([k, v]) => `${v} ${k.replace('_', ' ')}`)
    .join(' · ');
}

export default function BatchScreen() {
  const { params } = useRoute();
  const id = params.get('id');
  return id ? <BatchView key={id} id={id} /> : <BatchHome />;
}

function BatchHome() {
  const { client } = useApp();
  const list = useLoad(() => client.listBatches(), [client]);
  return (
    <div className="screen">
      <h2 tabIndex={-1}>Batch</h2>
      <NewBatch onStarted={(b) => navigate('/batch', { id: b.id })} />
      <section aria-label="Batches" className="card">
        <div className="row spread">
          <h3>Batches</h3>
          <button type="button" onClick={list.reload}>
            Refresh
          </button>
        </div>
        {list.loading && <Loading>Loading batches…</Loading>}
        {list.error && <ErrorAlert>Could not load batches: {list.error}</ErrorAlert>}
        {list.data && list.data.length === 0 && <p className="muted">No batches yet: upload a file above to start one.</p>}
        {list.data && list.data.length > 0 && (
          <TableWrap label="Batch list">
            <table>
              <thead>
                <tr>
                  <th scope="col">Batch</th>
                  <th scope="col">Created</th>
                  <th scope="col">Rows</th>
                  <th scope="col">Progress</th>
                  <th scope="col">Spent</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((b) => (
                  <tr key={b.id} data-batch={b.id}>
                    <td>
                      <a href={href('/batch', { id: b.id })}>{b.name}</a> <span className="muted small">{b.id}</span>
                    </td>
                    <td>{formatTime(b.created_at)}</td>
                    <td>{b.rows}</td>
                    <td>
                      {b.complete ? 'complete' : b.running ? 'running' : 'incomplete'} — {countsText(b)}
                    </td>
                    <td>{formatUsd(b.spent_usd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </div>
  );
}

function NewBatch({ onStarted }: { onStarted: (b: BatchInfo) => void }) {
  const { client } = useApp();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [template, setTemplate] = useState('');
  const [budget, setBudget] = useState('');
  const [concurrency, setConcurrency] = useState('4');
  const [check, setCheck] = useState<BatchInfo | null>(null);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const request = (dryRun: boolean): CreateBatchRequest | null => {
    if (!file) {
      setError({ message: 'Choose a CSV, JSONL or TXT file first.', field: 'source' });
      return null;
    }
    const format = formatOf(file.name);
    if (!format) {
      setError({ message: `${file.name}: use a .csv, .jsonl or .txt file.`, field: 'source' });
      return null;
    }
    const req: CreateBatchRequest = { source: file.text, name: file.name, format, concurrency: Number(concurrency), dry_run: dryRun };
    if (template.trim()) req.template = { id: template.trim() };
    if (budget.trim()) req.budget_usd = Number(budget);
    return req;
  };

  const send = async (dryRun: boolean) => {
    setError(null);
    const req = request(dryRun);
    if (!req) return;
    setBusy(true);
    try {
      const b = await client.createBatch(req);
      if (dryRun) setCheck(b);
      else onStarted(b);
    } catch (e) {
      const field = (e as { field?: string }).field;
      setError({ message: errorMessage(e), ...(field ? { field } : {}) });
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void send(false);
  };
  const fieldError = (f: string) => (error?.field === f || (f === 'source' && error && !['budget_usd', 'concurrency', 'template'].includes(error.field ?? '')) ? error.message : null);

  return (
    <form className="card" aria-label="New batch" onSubmit={onSubmit} noValidate>
      <h3>New batch</h3>
      <p className="muted small">
        CSV with a <code>task</code> column, JSONL with <code>{'{"task": …}'}</code> per line, or TXT with one task per line. With a template, each row's columns are its variables. Every row
        is checked before anything runs.
      </p>
      <label>
        File
        <input
          type="file"
          accept=".csv,.jsonl,.ndjson,.txt"
          aria-describedby={fieldError('source') ? 'batch-source-error' : undefined}
          aria-invalid={fieldError('source') ? true : undefined}
          onChange={(e) => {
            const f = e.target.files?.[0];
            setCheck(null);
            setError(null);
            if (!f) return setFile(null);
            void f.text().then((text) => setFile({ name: f.name, text }));
          }}
        />
      </label>
      {fieldError('source') && (
        <p id="batch-source-error" className="error" role="alert">
          {fieldError('source')}
        </p>
      )}
      <div className="row">
        <label>
          Template (optional)
          <input value={template} onChange={(e) => setTemplate(e.target.value)} placeholder="e.g. incident-postmortem" aria-invalid={error?.field === 'template' ? true : undefined} />
        </label>
        <label>
          Budget for the whole batch (USD, optional)
          <input inputMode="decimal" value={budget} onChange={(e) => setBudget(e.target.value)} aria-invalid={error?.field === 'budget_usd' ? true : undefined} aria-describedby={error?.field === 'budget_usd' ? 'batch-budget-error' : undefined} />
        </label>
        <label>
          Runs at once
          <input type="number" min={1} max={16} value={concurrency} onChange={(e) => setConcurrency(e.target.value)} aria-invalid={error?.field === 'concurrency' ? true : undefined} />
        </label>
      </div>
      {error && error.field && ['budget_usd', 'concurrency', 'template'].includes(error.field) && (
        <p id="batch-budget-error" className="error" role="alert">
          {error.message}
        </p>
      )}
      {check && (
        <p role="status" data-testid="batch-check">
          {check.rows} row(s) checked · projected ≤ {check.projected_usd === null ? 'unpriced' : formatUsd(check.projected_usd)}
        </p>
      )}
      <div className="row">
        <button type="button" onClick={() => void send(true)} disabled={busy}>
          Check and project cost
        </button>
        <button type="submit" className="primary" disabled={busy}>
          Start batch
        </button>
      </div>
    </form>
  );
}

function BatchView({ id }: { id: string }) {
  const { client } = useApp();
  const [batch, setBatch] = useState<BatchDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = () => {
      client.getBatch(id).then(
        (b) => {
          if (!live) return;
          setBatch(b);
          setError(null);
          if (!b.complete && (b.running || Object.keys(b.counts).some((k) => k === 'running' || k === 'pending'))) timer = setTimeout(poll, 1500);
        },
        (e: unknown) => {
          if (!live) return;
          setError(errorMessage(e));
          timer = setTimeout(poll, 5000);
        },
      );
    };
    poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, id]);

  const download = async (format: 'csv' | 'jsonl') => downloadExported(await client.getBatchResults(id, { format }));

  const finished = batch ? batch.row_results.filter((r) => DONE.has(r.status) || r.status === 'failed' || r.status === 'none').length : 0;
  return (
    <div className="screen">
      <p>
        <a href="#/batch">← All batches</a>
      </p>
      <h2 ref={heading} tabIndex={-1}>
        Batch {batch?.name ?? id}
      </h2>
      {error && <ErrorAlert>Could not load the batch: {error}</ErrorAlert>}
      {!batch && !error && <Loading>Loading the batch…</Loading>}
      {batch && (
        <>
          <p role="status" aria-live="polite" data-testid="batch-progress">
            {batch.complete ? 'Complete' : batch.running ? 'Running' : 'Incomplete'}: {finished} of {batch.rows} row(s) finished · {countsText(batch)} · spent {formatUsd(batch.spent_usd)}
          </p>
          <progress max={batch.rows} value={finished} aria-label="Rows finished" />
          <div className="row">
            <button type="button" onClick={() => void download('csv')}>
              Download results (CSV)
            </button>
            <button type="button" onClick={() => void download('jsonl')}>
              Download results (JSONL)
            </button>
          </div>
          <TableWrap label="Rows">
            <table>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Key</th>
                  <th scope="col">Status</th>
                  <th scope="col">Published model</th>
                  <th scope="col">Score</th>
                  <th scope="col">Cost</th>
                  <th scope="col">Run</th>
                </tr>
              </thead>
              <tbody>
                {batch.row_results.map((r) => (
                  <tr key={r.key} data-row={r.key}>
                    <td>{r.row}</td>
                    <td>{r.key}</td>
                    <td>
                      {r.status.replace('_', ' ')}
                      {r.error && <span className="muted small"> — {r.error}</span>}
                    </td>
                    <td>{r.published_model ?? '—'}</td>
                    <td>{r.score ?? '—'}</td>
                    <td>{r.cost_usd === null ? '—' : formatUsd(r.cost_usd)}</td>
                    <td>{r.run_id ? <a href={`#/runs/${r.run_id}`}>open</a> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </>
      )}
    </div>
  );
}
