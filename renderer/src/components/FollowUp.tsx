// The follow-up box under a finished run: a task and optional attachments, started as a run that
// follows up this one (POST /api/runs with follow_up_of) — the models see the thread so far. Errors
// show at their field (task, attachments); the new run opens live on the Run screen.
import { useState } from 'react';
import { submitHandlers } from '../lib/submit.js';
import type { UploadedAttachment } from '../../../shared/api/index.js';
import { errorMessage } from '../api/client.js';
import { useApp } from '../context.js';
import { navigate } from '../router.js';
import { Attachments } from './Attachments.js';

export interface FollowUpProps {
  /** The run being followed up (the thread's latest turn, or an earlier one: a branch). */
  runId: string;
  /** Its turn number, for the heading. */
  turn?: number;
  /** Says that this follows up an earlier turn (a new branch). */
  branch?: boolean;
}

export function FollowUp({ runId, turn, branch = false }: FollowUpProps) {
  const { client } = useApp();
  const [task, setTask] = useState('');
  const [files, setFiles] = useState<UploadedAttachment[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string; message: string } | null>(null);

  const start = async () => {
    if (busy) return;
    if (!task.trim()) {
      setError({ field: 'task', message: 'Write the follow-up question first.' });
      document.getElementById('follow-up-task')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { id } = await client.startRun({ task: task.trim(), follow_up_of: runId, ...(files.length ? { attachments: files.map((f) => f.id) } : {}) });
      setTask('');
      setFiles([]);
      navigate('/', { run: id });
    } catch (e) {
      const field = (e as { field?: string }).field ?? 'form';
      setError({ field: field.startsWith('attachments') ? 'attachments' : field === 'task' ? 'task' : 'form', message: `The follow-up did not start: ${errorMessage(e)}` });
    } finally {
      setBusy(false);
    }
  };
  const { onSubmit, onKeyDown } = submitHandlers(start);
  const heading = branch ? `Follow up turn ${turn ?? ''} (starts a new branch)`.replace('  ', ' ') : 'Follow up';
  return (
    <section aria-label="Follow up" className="card follow-up">
      <form onSubmit={onSubmit} onKeyDown={onKeyDown} noValidate aria-label={heading}>
        <h3>{heading}</h3>
        <label htmlFor="follow-up-task">Follow-up question</label>
        <textarea
          id="follow-up-task"
          rows={3}
          value={task}
          placeholder="Ask about the answer above — the models see the conversation so far (Ctrl/Cmd+Enter)"
          onChange={(e) => setTask(e.target.value)}
          aria-invalid={error?.field === 'task'}
          aria-describedby={error?.field === 'task' ? 'follow-up-task-error' : undefined}
        />
        {error?.field === 'task' && (
          <p className="error" role="alert" id="follow-up-task-error">
            {error.message}
          </p>
        )}
        <Attachments id="follow-up" label="Add files" value={files} onChange={setFiles} fieldError={error?.field === 'attachments' ? error.message : null} />
        <div className="row">
          <button type="submit" className="primary" disabled={busy} aria-keyshortcuts="Control+Enter Meta+Enter">
            {busy ? 'Starting…' : 'Ask follow-up'}
          </button>
          <span className="muted small">Earlier files of the thread are used again; new ones are added.</span>
        </div>
        {error?.field === 'form' && (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}
      </form>
    </section>
  );
}
