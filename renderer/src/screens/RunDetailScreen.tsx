// One run opened from History: every stage (same components as the live view), its parameters and
// guardrails, and actions — replay, compare its drafts, approve/reject when pending, delete.
import { useState } from 'react';
import type { RunArtifact } from '../../../shared/api/index.js';
import { errorMessage } from '../api/client.js';
import { DecisionForm } from '../components/DecisionForm.js';
import { FollowUp } from '../components/FollowUp.js';
import { ThreadContextPanel } from '../components/ThreadView.js';
import { RunStages } from '../components/RunStages.js';
import { RunNotifications, useNotificationRecords } from '../components/Notifications.js';
import { useApp, useLoad } from '../context.js';
import { formatTime, modelName, truncate } from '../lib/format.js';
import { historyHref, navigate } from '../router.js';
import { useRunTitle } from '../lib/title.js';
import { useRun } from '../useRun.js';
import { ConnectionNote, Loading, ErrorAlert } from '../components/Status.js';

export function RunDetailScreen({ runId }: { runId: string }) {
  const { client } = useApp();
  const { view, artifact, loadError, connection, setArtifact } = useRun(runId);
  const info = useLoad(() => client.info(), [client]);
  useNotificationRecords(artifact, info.data?.notifications, client.getRun, setArtifact);
  const [action, setAction] = useState<{ busy: string | null; error: string | null }>({ busy: null, error: null });

  const act = async (name: string, f: () => Promise<void>) => {
    setAction({ busy: name, error: null });
    try {
      await f();
      setAction({ busy: null, error: null });
    } catch (e) {
      setAction({ busy: null, error: `${name} failed: ${errorMessage(e)}` });
    }
  };

  useRunTitle(artifact?.task ?? view.task);

  return (
    <div className="screen">
      <a className="back-link" href={historyHref()}>
        ← Back to History
      </a>
      <div className="row spread">
        <h2>
          {artifact?.task || view.task ? `Run: ${truncate(artifact?.task ?? view.task, 80)}` : 'Run'} <code className="small muted">{runId}</code>
        </h2>
        <div className="row">
          {!artifact && (view.phase === 'debate' || view.phase === 'judge' || view.phase === 'publish') && (
            <button type="button" className="danger" disabled={action.busy !== null} onClick={() => act('Cancel', () => client.cancelRun(runId))}>
              {action.busy === 'Cancel' ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
          <button type="button" disabled={!artifact || action.busy !== null} onClick={() => act('Replay', async () => navigate('/', { run: (await client.replayRun(runId)).id }))}>
            {action.busy === 'Replay' ? 'Starting…' : 'Replay'}
          </button>
          <button
            type="button"
            disabled={!artifact || artifact.drafts.length < 2}
            onClick={() => artifact && navigate('/compare', { a: `${runId}:${artifact.drafts[0]?.id}`, b: `${runId}:${artifact.drafts[1]?.id}` })}
          >
            Compare drafts
          </button>
          <button
            type="button"
            className="danger"
            disabled={!artifact || action.busy !== null}
            onClick={() => {
              if (confirm(`Delete run ${runId}? Its saved artifact is removed.`))
                void act('Delete', async () => {
                  await client.deleteRun(runId);
                  navigate('/history');
                });
            }}
          >
            Delete
          </button>
        </div>
      </div>
      {action.error && (
        <ErrorAlert>{action.error}</ErrorAlert>
      )}
      {loadError && (
        <ErrorAlert>{loadError}</ErrorAlert>
      )}
      <ConnectionNote state={connection} />
      {!artifact && !loadError && view.phase === 'connecting' && (
        <Loading>Loading run…</Loading>
      )}
      {(artifact || view.task) && (
        <section aria-label="Task" className="card">
          <h3>Task</h3>
          <p className="task-text">{artifact?.task ?? view.task}</p>
          {artifact && (
            <p className="muted small">
              {formatTime(artifact.created_at)} · by {artifact.provenance.identity.user} ({artifact.provenance.identity.source}) · app {artifact.provenance.app_version}
              {artifact.provenance.replay_of && (
                <>
                  {' '}
                  · replay of <a href={`#/runs/${artifact.provenance.replay_of}`}>{artifact.provenance.replay_of}</a>
                </>
              )}
            </p>
          )}
        </section>
      )}
      {artifact?.thread && <ThreadContextPanel artifact={artifact} />}
      {artifact && artifact.approval.required && <ApprovalPanel artifact={artifact} onDecided={setArtifact} />}
      {artifact && <RunNotifications records={artifact.notifications} />}
      {(artifact || view.phase !== 'connecting') && <RunStages view={view} artifact={artifact} storage={info.data ? `${info.data.storage.location}` : null} />}
      {artifact && <Parameters artifact={artifact} />}
      {artifact && <GuardrailsPanel artifact={artifact} />}
      {artifact && <FollowUp runId={artifact.id} turn={artifact.thread?.turn ?? 1} />}
    </div>
  );
}

function ApprovalPanel({ artifact, onDecided }: { artifact: RunArtifact; onDecided: (a: RunArtifact) => void }) {
  const a = artifact.approval;
  return (
    <section aria-label="Approval" className="card">
      <h3>Approval: {a.state}</h3>
      {a.state === 'pending' ? (
        <DecisionForm runId={artifact.id} onDecided={onDecided} />
      ) : (
        <p>
          {a.state === 'approved' ? 'Approved' : a.state === 'rejected' ? 'Rejected' : 'Not required'}
          {a.decided_by && ` by ${a.decided_by}`}
          {a.decided_at && ` at ${formatTime(a.decided_at)}`}
          {a.reason && ` — “${a.reason}”`}
        </p>
      )}
    </section>
  );
}

export function Parameters({ artifact }: { artifact: RunArtifact }) {
  const p = artifact.parameters;
  const rows: Array<[string, string]> = [
    ['Preset', p.preset ?? '—'],
    ['Debaters', p.debaters.map((d) => modelName(d.provider, d.model)).join(', ')],
    ['Judge', modelName(p.judge.provider, p.judge.model)],
    ['Policy', p.policy],
    ['Max tokens', String(p.max_tokens)],
    ['Temperature', String(p.temperature)],
    ['Seed', String(p.seed)],
    ['Timeout', `${p.timeout_s} s`],
    ['Required citations', String(p.require_citations)],
    ['Grounded corpus', p.grounded_corpus ?? '—'],
    ['Redaction', p.redact ? 'on' : 'off'],
    ['Require approval', p.require_approval ? 'yes' : 'no'],
    ['Budget', [p.budget_usd !== null ? `$${p.budget_usd}` : null, p.budget_tokens !== null ? `${p.budget_tokens} tokens` : null].filter(Boolean).join(', ') || 'none'],
    ['Offline', p.offline ? 'forced' : 'no'],
  ];
  return (
    <section aria-label="Parameters" className="card">
      <h3>Parameters</h3>
      <dl className="params">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function GuardrailsPanel({ artifact }: { artifact: RunArtifact }) {
  const g = artifact.guardrails;
  const failed = g.checks.filter((c) => !c.passed);
  return (
    <section aria-label="Guardrails" className="card">
      <h3>Guardrails</h3>
      <p>
        Content checks: {g.checks.length - failed.length} of {g.checks.length} drafts passed.
      </p>
      {failed.map((c) => (
        <p key={c.draft_id} className="small">
          {c.draft_id}: {c.failures.map((f) => `${f.check} (${f.detail})`).join('; ')}
        </p>
      ))}
      <p>
        Redaction {g.redaction.enabled ? 'on' : 'off'}
        {g.redaction.events.length > 0 && `: ${g.redaction.events.map((e) => `${e.count}× ${e.type} in ${e.where}`).join(', ')}`}
      </p>
      {g.grounding && (
        <p>
          Grounding {g.grounding.outcome}: {g.grounding.corpus.files.length} file(s) from {g.grounding.corpus.path}; {g.grounding.citations.filter((c) => c.valid).length} valid
          citation(s)
          {g.grounding.reason && ` — ${g.grounding.reason}`}
        </p>
      )}
    </section>
  );
}
