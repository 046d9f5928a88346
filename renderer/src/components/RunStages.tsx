// Every stage of one run — drafts, judge scores, the published/advisory result, costs — used by
// the live Run screen and by a run opened from History.
import { useState } from 'react';
import type { RunArtifact } from '../../../shared/api/index.js';
import { download, runToJson, runToMarkdown } from '../lib/exportRun.js';
import { formatMs, formatUsd } from '../lib/format.js';
import { previewAnswer } from '../lib/streamPreview.js';
import { STATUS_LABEL, type DraftView, type RunView } from '../lib/runView.js';

const STATE_LABEL: Record<DraftView['state'], string> = { waiting: 'Waiting', streaming: 'Streaming…', done: 'Done', failed: 'Failed' };
const FAILED_LABEL: Record<string, string> = { failed: 'Failed', timeout: 'Failed: timed out', cancelled: 'Failed: cancelled', skipped: 'Failed: skipped' };
const RESULT_HEADING: Record<string, string> = {
  published: 'Published',
  advisory_only: 'Advisory only — not published',
  pending_approval: 'Pending approval — not published yet',
  none: 'Nothing published',
};
const PHASE_LABEL: Record<RunView['phase'], string> = {
  connecting: 'Connecting…',
  debate: 'Debate: drafts are being written',
  judge: 'Judge: scoring the drafts',
  publish: 'Publishing',
  done: 'Finished',
  error: 'Stopped',
};

export function RunProgress({ view }: { view: RunView }) {
  const running = view.phase !== 'done' && view.phase !== 'error';
  return (
    <div className="run-progress" role="status" aria-live="polite" data-phase={view.phase}>
      {running && <span className="spinner" aria-hidden="true" />}
      <strong>{PHASE_LABEL[view.phase]}</strong>
      {view.status && view.phase === 'done' && <span className={`badge status-${view.status}`}>{STATUS_LABEL[view.status]}</span>}
      {view.projected_usd !== null && <span className="muted">projected {formatUsd(view.projected_usd)}</span>}
    </div>
  );
}

export function DraftColumns({ view }: { view: RunView }) {
  if (!view.drafts.length) return view.phase === 'connecting' ? <p className="muted">Waiting for the run to start…</p> : null;
  return (
    <section aria-label="Drafts" className="drafts">
      {view.drafts.map((d) => (
        <article key={d.id} className={`draft draft-${d.state}`} aria-label={`Draft ${d.id} ${d.provider}/${d.model}`} data-draft={d.id} data-state={d.state}>
          <header>
            <span className="draft-title">
              {d.id} · {d.provider}/{d.model}
            </span>
            <span className={`badge state-${d.state}`} data-testid="draft-state">
              {d.state === 'streaming' && <span className="spinner small" aria-hidden="true" />}
              {d.state === 'failed' && d.status ? (FAILED_LABEL[d.status] ?? STATE_LABEL.failed) : STATE_LABEL[d.state]}
            </span>
          </header>
          {d.state === 'failed' && (
            <p className="error" role="alert">
              {d.status && d.status !== 'failed' && d.error !== d.status ? `${d.status}: ` : ''}
              {d.error}
            </p>
          )}
          <div className="draft-text" aria-live={d.state === 'streaming' ? 'off' : undefined}>
            {(d.fromStream ? previewAnswer(d.text) : d.text) ||
              (d.state === 'waiting' ? <span className="muted">Not started yet</span> : d.state === 'streaming' ? <span className="muted">Writing…</span> : null)}
          </div>
          <footer className="muted small">
            {d.usage ? `${d.usage.input_tokens} in / ${d.usage.output_tokens} out tokens` : 'tokens —'} · {formatMs(d.latency_ms)}
            {d.cost_usd !== null && ` · ${formatUsd(d.cost_usd)}`}
            {d.attempts > 1 && ` · ${d.attempts} attempts`}
          </footer>
        </article>
      ))}
    </section>
  );
}

export function ScoresTable({ view }: { view: RunView }) {
  const judging = view.phase === 'judge';
  if (!view.scores.length && !view.judgePasses.length) return null;
  const model = (id: string) => view.drafts.find((d) => d.id === id);
  return (
    <section aria-label="Judge scores" className="card">
      <h3>
        Judge {view.judgeModel ? `(${view.judgeModel.provider}/${view.judgeModel.model})` : ''}
        {judging && <span className="spinner small" aria-label="Judging" />}
      </h3>
      {view.judgePasses
        .filter((p) => p.status !== 'ok' && p.status !== 'running')
        .map((p) => (
          <p key={p.pass} className="error">
            Judge pass {p.pass} {p.status}
            {p.error ? `: ${p.error}` : ''}
          </p>
        ))}
      {view.scores.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Draft</th>
                <th scope="col">Model</th>
                <th scope="col">Status</th>
                <th scope="col">Score /10</th>
                <th scope="col">Task fit /4</th>
                <th scope="col">Support /4</th>
                <th scope="col">Clarity /2</th>
                <th scope="col">Reasons</th>
              </tr>
            </thead>
            <tbody>
              {view.scores.map((s) => {
                const d = model(s.draft_id);
                return (
                  <tr key={s.draft_id} className={view.publish?.draft_id === s.draft_id ? 'winner' : undefined}>
                    <td>{s.draft_id}</td>
                    <td>{d ? `${d.provider}/${d.model}` : '—'}</td>
                    <td>{s.status}</td>
                    <td>{s.score ?? '—'}</td>
                    <td>{s.subscores?.task_fit ?? '—'}</td>
                    <td>{s.subscores?.support ?? '—'}</td>
                    <td>{s.subscores?.clarity ?? '—'}</td>
                    <td className="reasons">{s.reasons}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function PublishPanel({ view, artifact }: { view: RunView; artifact: RunArtifact | null }) {
  const [copied, setCopied] = useState<string | null>(null);
  const p = view.publish;
  if (!p) return null;
  const advisory = p.status !== 'published';
  const text = p.text ?? (artifact ? (artifact.drafts.find((d) => d.id === artifact.judge.ranking[0])?.answer ?? '') : '');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Copy failed: the browser blocked clipboard access. Select the text and copy it instead.');
    }
  };
  return (
    <section aria-label="Result" className={`card publish ${advisory ? 'advisory' : 'published'}`}>
      <h3>
        {RESULT_HEADING[p.status] ?? STATUS_LABEL[p.status]} <span className={`badge status-${p.status}`}>{STATUS_LABEL[p.status]}</span>
      </h3>
      {p.status === 'pending_approval' && (
        <p>
          A reviewer must approve this run before its text is published: <a href="#/approvals">open Approvals</a>.
        </p>
      )}
      <p className="muted">
        {p.reason}
        {p.provider && ` · winner ${p.draft_id} (${p.provider}/${p.model})`}
      </p>
      {p.passed_over.length > 0 && (
        <ul className="small">
          {p.passed_over.map((o) => (
            <li key={o.draft_id}>
              {o.draft_id} passed over: {o.reasons.join('; ')}
            </li>
          ))}
        </ul>
      )}
      <div className="publish-text" data-testid="publish-text">
        {text || <span className="muted">No text.</span>}
      </div>
      <div className="row">
        <button type="button" onClick={copy} disabled={!text}>
          Copy
        </button>
        <button type="button" disabled={!artifact} onClick={() => artifact && download(`djp-${artifact.id}.md`, runToMarkdown(artifact), 'text/markdown')}>
          Export Markdown
        </button>
        <button type="button" disabled={!artifact} onClick={() => artifact && download(`djp-${artifact.id}.json`, runToJson(artifact), 'application/json')}>
          Export JSON
        </button>
        {copied && (
          <span role="status" className="muted">
            {copied}
          </span>
        )}
      </div>
    </section>
  );
}

export function CostPanel({ view, artifact, storage }: { view: RunView; artifact: RunArtifact | null; storage?: string | null }) {
  if (!artifact && !view.artifactLocation) return null;
  return (
    <section aria-label="Cost and storage" className="card">
      <h3>Cost, tokens and storage</h3>
      {artifact && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Call</th>
                <th scope="col">Model</th>
                <th scope="col">Input tokens</th>
                <th scope="col">Output tokens</th>
                <th scope="col">Latency</th>
                <th scope="col">Cost</th>
              </tr>
            </thead>
            <tbody>
              {artifact.drafts.map((d) => (
                <tr key={d.id}>
                  <td>Draft {d.id}</td>
                  <td>
                    {d.provider}/{d.model}
                  </td>
                  <td>{d.usage?.input_tokens ?? '—'}</td>
                  <td>{d.usage?.output_tokens ?? '—'}</td>
                  <td>{formatMs(d.latency_ms)}</td>
                  <td>{formatUsd(d.cost_usd)}</td>
                </tr>
              ))}
              {artifact.judge.passes.map((j) => (
                <tr key={`j${j.n}`}>
                  <td>Judge pass {j.n}</td>
                  <td>
                    {j.provider}/{j.model}
                  </td>
                  <td>{j.usage?.input_tokens ?? '—'}</td>
                  <td>{j.usage?.output_tokens ?? '—'}</td>
                  <td>{formatMs(j.latency_ms)}</td>
                  <td>{formatUsd(j.cost_usd)}</td>
                </tr>
              ))}
              <tr className="total">
                <td>Total</td>
                <td />
                <td>{artifact.cost.total.input_tokens}</td>
                <td>{artifact.cost.total.output_tokens}</td>
                <td>{formatMs(artifact.timings_ms.total)}</td>
                <td>{formatUsd(artifact.cost.total.usd)}</td>
              </tr>
            </tbody>
          </table>
        </div>
      )}
      {artifact?.cost.budget.exceeded && <p className="error">Budget exceeded: {artifact.cost.budget.detail}</p>}
      {artifact && artifact.cost.unpriced_models.length > 0 && <p className="muted">Unpriced models (cost unknown): {artifact.cost.unpriced_models.join(', ')}</p>}
      {view.artifactLocation ? (
        <p>
          Saved to <code data-testid="artifact-location">{view.artifactLocation}</code>
        </p>
      ) : (
        artifact &&
        storage && (
          <p>
            Saved in the run store <code data-testid="artifact-location">{storage}</code> as run {artifact.id}
          </p>
        )
      )}
      {view.outbox && (
        <p className="error">
          The store was unreachable; the artifact is kept in the outbox at <code>{view.outbox.path}</code> and will be retried ({view.outbox.reason}).
        </p>
      )}
    </section>
  );
}

export function RunStages({ view, artifact, storage }: { view: RunView; artifact: RunArtifact | null; storage?: string | null }) {
  return (
    <div className="stages">
      <RunProgress view={view} />
      {view.error && (
        <p className="error" role="alert">
          {view.error}
        </p>
      )}
      {view.warnings.map((w, i) => (
        <p key={i} className="warning">
          {w}
        </p>
      ))}
      <DraftColumns view={view} />
      <ScoresTable view={view} />
      <PublishPanel view={view} artifact={artifact} />
      <CostPanel view={view} artifact={artifact} storage={storage} />
    </div>
  );
}
