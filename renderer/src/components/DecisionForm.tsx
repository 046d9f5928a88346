// Approve or reject a pending run, with a reason (required to reject).
import { useId, useState } from 'react';
import type { RunArtifact } from '../../../shared/api/index.js';
import { errorMessage } from '../api/client.js';
import { useApp } from '../context.js';

export function DecisionForm({ runId, onDecided }: { runId: string; onDecided: (a: RunArtifact) => void }) {
  const { client } = useApp();
  const id = useId();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<'approve' | 'reject' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const decide = async (kind: 'approve' | 'reject') => {
    if (kind === 'reject' && !reason.trim()) {
      setError('Give a reason to reject this run.');
      document.getElementById(`${id}-reason`)?.focus();
      return;
    }
    setBusy(kind);
    setError(null);
    try {
      const decision = reason.trim() ? { reason: reason.trim() } : {};
      onDecided(kind === 'approve' ? await client.approveRun(runId, decision) : await client.rejectRun(runId, { reason: reason.trim() }));
    } catch (e) {
      setError(`Could not ${kind}: ${errorMessage(e)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="decision">
      <label htmlFor={`${id}-reason`}>Reason for run {runId.slice(-6)}</label>
      <input id={`${id}-reason`} type="text" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Why (required to reject)" />
      <div className="row">
        <button type="button" className="primary" disabled={busy !== null} onClick={() => decide('approve')}>
          {busy === 'approve' ? 'Approving…' : 'Approve'}
        </button>
        <button type="button" className="danger" disabled={busy !== null} onClick={() => decide('reject')}>
          {busy === 'reject' ? 'Rejecting…' : 'Reject'}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
