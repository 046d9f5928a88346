// One thread (#/threads/<id>?run=<run id>): its turns on one branch, a "‹ 1/2 ›" switcher where a turn
// has several follow-ups, each turn's drafts and scores folded, the follow-up box (the shown branch's
// last turn, or any turn: a new branch) and the whole thread's export.
import { useEffect, useRef, useState } from 'react';
import type { ExportFormat } from '../../../shared/api/index.js';
import { errorMessage } from '../api/client.js';
import { FollowUp } from '../components/FollowUp.js';
import { ErrorAlert, Loading } from '../components/Status.js';
import { ThreadTurns, threadTitle, useThread } from '../components/ThreadView.js';
import { useApp } from '../context.js';
import { downloadExported } from '../lib/exportRun.js';
import { useRunTitle } from '../lib/title.js';
import { historyHref, useRoute } from '../router.js';

const EXPORTS: Array<[ExportFormat, string]> = [
  ['md', 'Export thread (Markdown)'],
  ['html', 'Export thread (HTML)'],
  ['docx', 'Export thread (DOCX)'],
];


export function ThreadScreen({ threadId }: { threadId: string }) {
  const { client } = useApp();
  const { params } = useRoute();
  const runId = params.get('run');
  const { thread, error } = useThread(threadId);
  const [leaf, setLeaf] = useState<string | null>(null);
  const [target, setTarget] = useState<{ runId: string; turn: number } | null>(null);
  const [exporting, setExporting] = useState<{ busy: ExportFormat | null; error: string | null }>({ busy: null, error: null });
  const box = useRef<HTMLDivElement>(null);
  useRunTitle(thread ? `Thread: ${threadTitle(thread)}` : 'Thread');
  useEffect(() => setTarget(null), [leaf]);

  const exportAs = async (format: ExportFormat) => {
    setExporting({ busy: format, error: null });
    try {
      const f = await client.exportThread(threadId, { format });
      downloadExported(f);
      setExporting({ busy: null, error: null });
    } catch (e) {
      setExporting({ busy: null, error: `Export failed: ${errorMessage(e)}` });
    }
  };

  const followUp = target ?? (leaf ? { runId: leaf, turn: thread?.turns.find((t) => t.run_id === leaf)?.turn ?? 0 } : null);
  return (
    <div className="screen">
      <a className="back-link" href={historyHref()}>
        ← Back to History
      </a>
      <h2>
        {thread ? `Thread: ${threadTitle(thread)}` : 'Thread'} <code className="small muted">{threadId}</code>
      </h2>
      {error && <ErrorAlert>Could not load the thread: {error}</ErrorAlert>}
      {!thread && !error && <Loading>Loading thread…</Loading>}
      {thread && (
        <>
          <p className="muted small" data-testid="thread-summary">
            {thread.turns.length} turn{thread.turns.length === 1 ? '' : 's'} · {thread.branches.length} branch{thread.branches.length === 1 ? '' : 'es'}
          </p>
          <div className="row" role="group" aria-label="Export the thread">
            {EXPORTS.map(([f, label]) => (
              <button key={f} type="button" disabled={exporting.busy !== null} onClick={() => void exportAs(f)}>
                {exporting.busy === f ? 'Exporting…' : label}
              </button>
            ))}
          </div>
          {exporting.error && <ErrorAlert>{exporting.error}</ErrorAlert>}
          <ThreadTurns
            thread={thread}
            runId={runId}
            onBranch={setLeaf}
            onFollowUp={(id, turn) => {
              setTarget({ runId: id, turn });
              requestAnimationFrame(() => {
                box.current?.scrollIntoView({ block: 'start' });
                document.getElementById('follow-up-task')?.focus();
              });
            }}
          />
          <div ref={box}>{followUp && <FollowUp key={followUp.runId} runId={followUp.runId} turn={followUp.turn} branch={followUp.runId !== leaf} />}</div>
        </>
      )}
    </div>
  );
}
