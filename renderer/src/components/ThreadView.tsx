// A conversation: the turns of one branch of a thread in order (task, then answer — the published
// text or, when none was published, the best draft's, labelled), each turn's drafts and scores
// folded, and a "‹ 1/2 ›" switcher at every turn that has siblings (several follow-ups of the same
// earlier turn). A run that nothing followed up is shown as a one-turn thread (getThread answers 404
// for it), so one view serves both.
import { useEffect, useMemo, useState } from 'react';
import { answerOf, type RunArtifact, type ThreadView as Thread } from '../../../shared/api/index.js';
import { errorMessage } from '../api/client.js';
import { useApp } from '../context.js';
import { formatTime, truncate } from '../lib/format.js';
import { STATUS_LABEL, viewFromArtifact } from '../lib/runView.js';
import { Answer } from './Answer.js';
import { DraftColumns, ScoresTable } from './RunStages.js';
import { ErrorAlert, Loading } from './Status.js';

/** The thread a run belongs to; a run with no follow-ups as a one-turn thread. */
export function useThread(threadId: string, reloadKey = 0): { thread: Thread | null; error: string | null } {
  const { client } = useApp();
  const [state, setState] = useState<{ thread: Thread | null; error: string | null }>({ thread: null, error: null });
  useEffect(() => {
    let live = true;
    client.getThread(threadId).then(
      (thread) => live && setState({ thread, error: null }),
      async (e: unknown) => {
        if ((e as { code?: string }).code !== 'not_found') return live && setState({ thread: null, error: errorMessage(e) });
        try {
          const a = await client.getRun(threadId);
          const thread: Thread = { id: a.id, turns: [{ run_id: a.id, parent_id: null, turn: 1, created_at: a.created_at, task: a.task, status: a.status }], branches: [[a.id]] };
          if (live) setState({ thread, error: null });
        } catch (e2) {
          if (live) setState({ thread: null, error: errorMessage(e2) });
        }
      },
    );
    return () => {
      live = false;
    };
  }, [client, threadId, reloadKey]);
  return state;
}

/** The branch to show first: the one ending at `runId`, else one through it, else the newest. */
export function branchFor(thread: Thread, runId: string | null): number {
  if (runId) {
    const leaf = thread.branches.findIndex((b) => b[b.length - 1] === runId);
    if (leaf !== -1) return leaf;
    const through = thread.branches.findIndex((b) => b.includes(runId));
    if (through !== -1) return through;
  }
  return thread.branches.length - 1;
}

/** At position i of branch b: the distinct runs other branches with the same earlier turns have there. */
export function siblingsAt(thread: Thread, b: number, i: number): string[] {
  const path = thread.branches[b]!;
  const prefix = path.slice(0, i).join('/');
  const out: string[] = [];
  for (const other of thread.branches) {
    if (other.length > i && other.slice(0, i).join('/') === prefix && !out.includes(other[i]!)) out.push(other[i]!);
  }
  return out;
}

/** The branch that goes through `runId` at position i with the same earlier turns (the first one). */
export function branchThrough(thread: Thread, b: number, i: number, runId: string): number {
  const prefix = [...thread.branches[b]!.slice(0, i), runId].join('/');
  return thread.branches.findIndex((other) => other.slice(0, i + 1).join('/') === prefix);
}

/** Loads the artifacts of the given runs (cached by id across branch switches). */
function useArtifacts(ids: string[]): { runs: Record<string, RunArtifact>; errors: Record<string, string> } {
  const { client } = useApp();
  const [state, setState] = useState<{ runs: Record<string, RunArtifact>; errors: Record<string, string> }>({ runs: {}, errors: {} });
  const key = ids.join(',');
  useEffect(() => {
    let live = true;
    for (const id of ids) {
      if (state.runs[id]) continue;
      client.getRun(id).then(
        (a) => live && setState((s) => ({ ...s, runs: { ...s.runs, [id]: a } })),
        (e: unknown) => live && setState((s) => ({ ...s, errors: { ...s.errors, [id]: errorMessage(e) } })),
      );
    }
    return () => {
      live = false;
    };
  }, [client, key]);
  return state;
}

export interface ThreadTurnsProps {
  thread: Thread;
  /** The run this view is about (highlighted; its branch is shown first). */
  runId: string | null;
  /** Show only the turns before `runId` on its branch, without switchers (the "earlier turns" of a run). */
  before?: boolean;
  /** Called with the run a "Follow up here" button picked (full view only). */
  onFollowUp?: (runId: string, turn: number) => void;
  /** The branch shown changed (its leaf run id). */
  onBranch?: (leaf: string) => void;
}

export function ThreadTurns({ thread, runId, before = false, onFollowUp, onBranch }: ThreadTurnsProps) {
  const [branch, setBranch] = useState(() => branchFor(thread, runId));
  useEffect(() => setBranch(branchFor(thread, runId)), [thread, runId]);
  const path = thread.branches[branch] ?? thread.branches[0] ?? [];
  const shown = before && runId ? path.slice(0, Math.max(0, path.indexOf(runId))) : path;
  const { runs, errors } = useArtifacts(shown);
  const turnOf = useMemo(() => new Map(thread.turns.map((t) => [t.run_id, t])), [thread]);
  const leaf = path[path.length - 1];
  useEffect(() => {
    if (leaf) onBranch?.(leaf);
  }, [leaf]);

  const switchTo = (i: number, sibling: string) => {
    const b = branchThrough(thread, branch, i, sibling);
    if (b !== -1) setBranch(b);
  };

  return (
    <ol className="thread-turns" aria-label={before ? 'Earlier turns' : `Turns of branch ${branch + 1} of ${thread.branches.length}`}>
      {shown.map((id, i) => {
        const t = turnOf.get(id);
        const a = runs[id];
        const siblings = before ? [id] : siblingsAt(thread, branch, i);
        const k = siblings.indexOf(id);
        const answer = a ? answerOf(a) : null;
        return (
          <li key={id} className={`thread-turn${id === runId ? ' current' : ''}`} data-turn={t?.turn ?? i + 1} data-run={id}>
            <h3>
              <span>Turn {t?.turn ?? i + 1}</span>
              {siblings.length > 1 && (
                <span className="branch-switch" role="group" aria-label={`Branches at turn ${t?.turn ?? i + 1}`}>
                  <button type="button" aria-label="Previous branch" disabled={k <= 0} onClick={() => switchTo(i, siblings[k - 1]!)}>
                    ‹
                  </button>
                  <span data-testid="branch-position">
                    {k + 1}/{siblings.length}
                  </span>
                  <button type="button" aria-label="Next branch" disabled={k >= siblings.length - 1} onClick={() => switchTo(i, siblings[k + 1]!)}>
                    ›
                  </button>
                </span>
              )}
              {t && <span className={`badge status-${t.status}`}>{STATUS_LABEL[t.status as keyof typeof STATUS_LABEL] ?? t.status}</span>}
              <a className="small" href={`#/runs/${id}`}>
                Open run
              </a>
            </h3>
            <p className="task-text">{t?.task ?? a?.task}</p>
            {t && <p className="muted small">{formatTime(t.created_at)}</p>}
            {errors[id] && <ErrorAlert>Could not load this turn: {errors[id]}</ErrorAlert>}
            {!a && !errors[id] && <Loading>Loading turn…</Loading>}
            {a && answer && (
              <>
                <Answer
                  label={`Turn ${t?.turn ?? i + 1} answer`}
                  text={answer.answer ?? ''}
                  collapsible
                  placeholder={<span className="muted">No answer.</span>}
                  testId="turn-answer"
                />
                {answer.source === 'top_draft' && <p className="muted small">Best draft — not published ({STATUS_LABEL[a.status]}).</p>}
                {a.attachments && a.attachments.length > 0 && (
                  <p className="muted small">Files: {a.attachments.map((x) => `${x.name}${x.used ? '' : ' (not used)'}`).join(', ')}</p>
                )}
                <details>
                  <summary>Drafts and scores</summary>
                  <DraftColumns view={viewFromArtifact(a)} />
                  <ScoresTable view={viewFromArtifact(a)} />
                </details>
                {onFollowUp && id !== leaf && (
                  <button type="button" className="small-button" onClick={() => onFollowUp(id, t?.turn ?? i + 1)}>
                    Follow up this turn (new branch)
                  </button>
                )}
              </>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** Under a run's task: its place in a thread and, for a follow-up, the earlier turns (folded). */
export function ThreadContextPanel({ artifact }: { artifact: RunArtifact }) {
  const t = artifact.thread;
  const { thread, error } = useThread(t?.id ?? artifact.id);
  if (!t) return null;
  const count = thread ? new Set(thread.branches.flat()).size : null;
  // A run nothing followed up yet is a one-turn thread: nothing to add here.
  if (t.turn === 1 && (count ?? 1) <= 1 && !error) return null;
  return (
    <section aria-label="Thread" className="card">
      <p>
        Turn {t.turn} of a thread{count && count > 1 ? ` of ${count} runs` : ''} —{' '}
        <a href={`#/threads/${t.id}?run=${artifact.id}`} data-testid="open-thread">
          View the whole thread
        </a>
        {t.context && t.context.dropped.length > 0 && <span className="muted small"> · {t.context.dropped.length} earlier turn(s) left out of the prompt to fit the context budget</span>}
      </p>
      {error && <ErrorAlert>Could not load the thread: {error}</ErrorAlert>}
      {t.turn > 1 && thread && (
        <details>
          <summary>Earlier turns ({t.turn - 1})</summary>
          <ThreadTurns thread={thread} runId={artifact.id} before />
        </details>
      )}
    </section>
  );
}

export function threadTitle(thread: Thread): string {
  return truncate(thread.turns[0]?.task ?? thread.id, 80);
}
