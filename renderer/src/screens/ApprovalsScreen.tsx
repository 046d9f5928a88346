// Approvals: runs waiting for a person to approve or reject their result.
import { useState } from 'react';
import type { RunArtifact, RunSummary } from '../../../shared/api/index.js';
import { DecisionForm } from '../components/DecisionForm.js';
import { useApp, useLoad } from '../context.js';
import { formatTime, formatUsd, modelName } from '../lib/format.js';
import { Loading, ErrorAlert } from '../components/Status.js';
import { Answer } from '../components/Answer.js';
import { PENDING_CHANGED } from '../lib/title.js';

export function ApprovalsScreen() {
  const { client } = useApp();
  const pending = useLoad(() => client.listRuns({ status: 'pending_approval', limit: 50 }), [client]);
  const [decided, setDecided] = useState<RunArtifact[]>([]);
  const open = pending.data?.runs.filter((r) => !decided.some((d) => d.id === r.id)) ?? [];
  return (
    <div className="screen">
      <div className="row spread">
        <h2>Approvals</h2>
        <button type="button" onClick={pending.reload}>
          Refresh
        </button>
      </div>
      {pending.loading && (
        <Loading>Loading pending runs…</Loading>
      )}
      {pending.error && (
        <ErrorAlert onRetry={pending.reload}>Could not load pending runs: {pending.error}</ErrorAlert>
      )}
      {pending.data && open.length === 0 && <p className="muted">No runs are waiting for approval.</p>}
      {open.map((r) => (
        <PendingRun
          key={r.id}
          summary={r}
          onDecided={(a) => {
            setDecided((d) => [a, ...d]);
            window.dispatchEvent(new Event(PENDING_CHANGED));
          }}
        />
      ))}
      {decided.length > 0 && (
        <section aria-label="Decided" className="card">
          <h3>Decided just now</h3>
          <ul>
            {decided.map((a) => (
              <li key={a.id} data-run={a.id}>
                <a href={`#/runs/${a.id}`}>{a.task.slice(0, 80)}</a> — {a.approval.state} by {a.approval.decided_by ?? 'unknown'}
                {a.approval.reason && ` (“${a.approval.reason}”)`} → {a.status}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function PendingRun({ summary, onDecided }: { summary: RunSummary; onDecided: (a: RunArtifact) => void }) {
  const { client } = useApp();
  const run = useLoad(() => client.getRun(summary.id), [client, summary.id]);
  const candidate = run.data ? (run.data.publish.text ?? run.data.drafts.find((d) => d.id === run.data?.judge.ranking[0])?.answer ?? '') : '';
  return (
    <article className="card" aria-label={`Pending run ${summary.id}`} data-run={summary.id}>
      <h3>
        <a href={`#/runs/${summary.id}`}>{summary.task.slice(0, 120)}</a>
      </h3>
      <p className="muted small">
        {formatTime(summary.created_at)} · winner {summary.winner ? modelName(summary.winner.provider, summary.winner.model) : '—'} · {formatUsd(summary.cost_usd)}
      </p>
      {run.error && <ErrorAlert onRetry={run.reload}>Could not load the candidate text: {run.error}</ErrorAlert>}
      {run.data && (
        <>
          <p className="muted small">{run.data.publish.reason}</p>
          {run.data.notifications?.length ? (
            <p className="muted small" data-testid="notified">
              Notified: {run.data.notifications.map((n) => `${n.channel} ${n.status === 'sent' ? 'sent' : 'FAILED'}`).join(', ')}
            </p>
          ) : null}
          <Answer className="publish-text" label={`Candidate answer for run ${summary.id}`} text={candidate} placeholder={<span className="muted">No candidate text.</span>} />
        </>
      )}
      <DecisionForm runId={summary.id} onDecided={onDecided} />
    </article>
  );
}
