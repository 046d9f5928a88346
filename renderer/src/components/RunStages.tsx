// Every stage of one run — drafts, judge scores, the published/advisory result, costs — used by
// the live Run screen and by a run opened from History.
import type { RunArtifact } from '../../../shared/api/index.js';
import { ExportButtons } from '../templates/ExportButtons.js';
import { TableWrap } from './TableWrap.js';
import { formatMs, formatUsd, modelName, publishSource } from '../lib/format.js';
import { Answer } from './Answer.js';
import { previewAnswer } from '../lib/streamPreview.js';
import { STATUS_LABEL, type DraftView, type RunView } from '../lib/runView.js';

const STATE_LABEL: Record<DraftView['state'], string> = { waiting: 'Waiting', streaming: 'Streaming…', done: 'Done', failed: 'Failed', cancelled: 'Cancelled' };
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
  const label = !running && view.cancelled ? 'Cancelled' : PHASE_LABEL[view.phase];
  return (
    <div className="run-progress" role="status" aria-live="polite" data-phase={view.phase} data-cancelled={view.cancelled ? 'true' : undefined}>
      {running && <span className="spinner" aria-hidden="true" />}
      <strong>{label}</strong>
      {!running && view.cancelled && view.cancelled !== 'cancelled' && <span className="muted">({view.cancelled})</span>}
      {view.status && view.phase === 'done' && <span className={`badge ${view.cancelled ? 'neutral' : `status-${view.status}`}`}>{STATUS_LABEL[view.status]}</span>}
      {view.projected_usd !== null && <span className="muted">projected {formatUsd(view.projected_usd)}</span>}
    </div>
  );
}

export function DraftColumns({ view }: { view: RunView }) {
  if (!view.drafts.length) return view.phase === 'connecting' ? <p className="muted">Waiting for the run to start…</p> : null;
  return (
    <section aria-label="Drafts" className="drafts">
      {view.drafts.map((d) => {
        const name = modelName(d.provider, d.model);
        const text = d.fromStream ? previewAnswer(d.text) : d.text;
        const compact = d.state === 'failed' && !text;
        return (
          <article key={d.id} className={`draft draft-${d.state}${compact ? ' compact' : ''}`} aria-label={`Draft ${d.id} ${name}`} data-draft={d.id} data-state={d.state}>
            <header>
              <span className="draft-title">
                {d.id} · {name}
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
            {d.state === 'cancelled' && <p className="muted small">{text ? 'Stopped by the cancel — the text below is what had streamed.' : 'Stopped by the cancel before any text arrived.'}</p>}
            {!compact && (
              <Answer
                className="draft-text"
                label={`Draft ${d.id} answer`}
                text={text}
                collapsible
                copy={d.state !== 'streaming'}
                placeholder={d.state === 'waiting' ? <span className="muted">Not started yet</span> : d.state === 'streaming' ? <span className="muted">Writing…</span> : null}
              />
            )}
            <footer className="muted small">
              {d.usage ? `${d.usage.input_tokens} in / ${d.usage.output_tokens} out tokens` : 'tokens —'} · {formatMs(d.latency_ms)}
              {d.cost_usd !== null && ` · ${formatUsd(d.cost_usd)}`}
              {d.attempts > 1 && ` · ${d.attempts} attempts`}
            </footer>
          </article>
        );
      })}
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
        Judge {view.judgeModel ? `(${modelName(view.judgeModel.provider, view.judgeModel.model)})` : ''}
        {judging && (
          <span className="muted small">
            <span className="spinner small" aria-hidden="true" /> judging…
          </span>
        )}
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
        <TableWrap label="Judge scores table">
          <table className="reflow">
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
                    <td data-label="Draft">{s.draft_id}</td>
                    <td data-label="Model">{d ? modelName(d.provider, d.model) : '—'}</td>
                    <td data-label="Status">{s.status}</td>
                    <td data-label="Score /10">{s.score ?? '—'}</td>
                    <td data-label="Task fit /4">{s.subscores?.task_fit ?? '—'}</td>
                    <td data-label="Support /4">{s.subscores?.support ?? '—'}</td>
                    <td data-label="Clarity /2">{s.subscores?.clarity ?? '—'}</td>
                    <td data-label="Reasons" className="reasons">{s.reasons}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

export function PublishPanel({ view, artifact }: { view: RunView; artifact: RunArtifact | null }) {
  const p = view.publish;
  if (!p) return null;
  const advisory = p.status !== 'published';
  const text = p.text ?? (artifact ? (artifact.drafts.find((d) => d.id === artifact.judge.ranking[0])?.answer ?? '') : '');
  // "Winner d2 (openai/gpt-5.4)" or "Synthesized by openai/gpt-5.4 from d1, d2" (chairman mode).
  const source = publishSource(p, artifact?.synthesis?.from ?? null);
  return (
    <section aria-label="Result" className={`card publish ${advisory ? 'advisory' : 'published'}`}>
      <h3>
        {RESULT_HEADING[p.status] ?? STATUS_LABEL[p.status]}
      </h3>
      {p.status === 'pending_approval' && (
        <p>
          A reviewer must approve this run before its text is published: <a href="#/approvals">open Approvals</a>.
        </p>
      )}
      {source && (
        <p className="publish-source" data-testid="publish-source">
          {source[0]!.toUpperCase() + source.slice(1)}
        </p>
      )}
      <p className="muted">{p.reason}</p>
      {p.passed_over.length > 0 && (
        <ul className="small">
          {p.passed_over.map((o) => (
            <li key={o.draft_id}>
              {o.draft_id} passed over: {o.reasons.join('; ')}
            </li>
          ))}
        </ul>
      )}
      <Answer className="publish-text" testId="publish-text" label={advisory ? 'Best answer (not published)' : 'Published answer'} text={text} copy placeholder={<span className="muted">No text.</span>} />
      <ExportButtons artifact={artifact} />
    </section>
  );
}

export function CostPanel({ view, artifact, storage }: { view: RunView; artifact: RunArtifact | null; storage?: string | null }) {
  if (!artifact && !view.artifactLocation) return null;
  return (
    <section aria-label="Cost and storage" className="card">
      <h3>Cost, tokens and storage</h3>
      {artifact && (
        <TableWrap label="Cost table">
          <table className="reflow">
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
                  <td data-label="Call">Draft {d.id}</td>
                  <td data-label="Model">{modelName(d.provider, d.model)}</td>
                  <td data-label="Input tokens">{d.usage?.input_tokens ?? '—'}</td>
                  <td data-label="Output tokens">{d.usage?.output_tokens ?? '—'}</td>
                  <td data-label="Latency">{formatMs(d.latency_ms)}</td>
                  <td data-label="Cost">{formatUsd(d.cost_usd)}</td>
                </tr>
              ))}
              {artifact.judge.passes.map((j) => (
                <tr key={`j${j.n}`}>
                  <td data-label="Call">Judge pass {j.n}</td>
                  <td data-label="Model">{modelName(j.provider, j.model)}</td>
                  <td data-label="Input tokens">{j.usage?.input_tokens ?? '—'}</td>
                  <td data-label="Output tokens">{j.usage?.output_tokens ?? '—'}</td>
                  <td data-label="Latency">{formatMs(j.latency_ms)}</td>
                  <td data-label="Cost">{formatUsd(j.cost_usd)}</td>
                </tr>
              ))}
              {artifact.synthesis && (
                <tr key="synthesis">
                  <td data-label="Call">Synthesis (chairman)</td>
                  <td data-label="Model">{modelName(artifact.synthesis.provider, artifact.synthesis.model)}</td>
                  <td data-label="Input tokens">{artifact.synthesis.usage?.input_tokens ?? '—'}</td>
                  <td data-label="Output tokens">{artifact.synthesis.usage?.output_tokens ?? '—'}</td>
                  <td data-label="Latency">{formatMs(artifact.synthesis.latency_ms)}</td>
                  <td data-label="Cost">{formatUsd(artifact.synthesis.cost_usd)}</td>
                </tr>
              )}
              <tr className="total">
                <td data-label="Call">Total</td>
                <td data-label="Model" className="empty-cell" />
                <td data-label="Input tokens">{artifact.cost.total.input_tokens}</td>
                <td data-label="Output tokens">{artifact.cost.total.output_tokens}</td>
                <td data-label="Latency">{formatMs(artifact.timings_ms.total)}</td>
                <td data-label="Cost">{costTotal(artifact)}</td>
              </tr>
            </tbody>
          </table>
        </TableWrap>
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

/** The priced sum, and how many calls had no price ("$0.0123 + 2 calls unpriced"), never just "unpriced". */
export function costTotal(a: RunArtifact): string {
  // Calls that were made: a draft skipped or cancelled before it started made none.
  const calls = [
    ...a.drafts.filter((d) => d.cost_usd !== null || d.attempts.length > 0 || d.usage).map((d) => d.cost_usd),
    ...a.judge.passes.map((j) => j.cost_usd),
    ...(a.synthesis && (a.synthesis.cost_usd !== null || a.synthesis.attempts.length > 0 || a.synthesis.usage) ? [a.synthesis.cost_usd] : []),
  ];
  const unpriced = calls.filter((c) => c === null).length;
  const priced = calls.reduce<number>((s, c) => s + (c ?? 0), 0);
  if (!unpriced) return formatUsd(a.cost.total.usd ?? priced);
  return `${formatUsd(priced)} + ${unpriced} call${unpriced === 1 ? '' : 's'} unpriced`;
}
