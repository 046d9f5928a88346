// The view of one run the screens render, built either live from its events or from its saved
// artifact (the same components show both — a live run, and one opened from history).
import type { DraftScore, ModelRef, Publish, PublishStatus, RunArtifact, RunEvent, Usage } from '../../../shared/api/index.js';

/** 'cancelled' is neutral: the run was stopped by its user, the draft did not fail. */
export type DraftState = 'waiting' | 'streaming' | 'done' | 'failed' | 'cancelled';

export interface DraftView {
  id: string;
  provider: ModelRef['provider'];
  model: string;
  state: DraftState;
  /** Streamed raw output while running (fromStream); the parsed answer once the artifact is known. */
  text: string;
  fromStream: boolean;
  /** The text is only what streamed before the draft stopped. */
  partial?: boolean;
  /** Why it failed (status + error), when it did. */
  error: string | null;
  status: string | null;
  usage: Usage | null;
  latency_ms: number | null;
  cost_usd: number | null;
  attempts: number;
}

export interface JudgePassView {
  pass: number;
  status: 'running' | 'ok' | 'failed' | 'timeout' | 'cancelled' | 'skipped';
  error: string | null;
}

export interface RunView {
  runId: string;
  task: string;
  phase: 'connecting' | 'debate' | 'judge' | 'publish' | 'done' | 'error';
  drafts: DraftView[];
  judgeModel: ModelRef | null;
  judgePasses: JudgePassView[];
  scores: DraftScore[];
  publish: Publish | null;
  status: PublishStatus | null;
  artifactLocation: string | null;
  outbox: { path: string; reason: string } | null;
  error: string | null;
  /** Why the run was stopped early (cancelled by its user or a shutdown), when it was. */
  cancelled: string | null;
  warnings: string[];
  projected_usd: number | null;
  lastSeq: number;
}

export function emptyRunView(runId: string): RunView {
  return {
    runId,
    task: '',
    phase: 'connecting',
    drafts: [],
    judgeModel: null,
    judgePasses: [],
    scores: [],
    publish: null,
    status: null,
    artifactLocation: null,
    outbox: null,
    error: null,
    cancelled: null,
    warnings: [],
    projected_usd: null,
    lastSeq: -1,
  };
}

const FAILED_STATUSES = new Set(['failed', 'timeout', 'cancelled', 'skipped']);

function stateFor(status: string): DraftState {
  return status === 'cancelled' ? 'cancelled' : FAILED_STATUSES.has(status) ? 'failed' : 'done';
}

function updateDraft(view: RunView, id: string, f: (d: DraftView) => DraftView): DraftView[] {
  return view.drafts.map((d) => (d.id === id ? f(d) : d));
}

/** Applies one event. Pure: returns a new view (events at or below lastSeq are ignored). */
export function applyEvent(view: RunView, e: RunEvent): RunView {
  if (e.seq <= view.lastSeq) return view;
  const v: RunView = { ...view, lastSeq: e.seq };
  switch (e.type) {
    case 'run.started':
      return {
        ...v,
        task: e.task,
        phase: 'debate',
        judgeModel: e.judge,
        projected_usd: e.projected_usd,
        drafts: e.drafts.map((d) => ({
          id: d.draft_id,
          provider: d.provider,
          model: d.model,
          state: 'waiting',
          text: '',
          fromStream: true,
          error: null,
          status: null,
          usage: null,
          latency_ms: null,
          cost_usd: null,
          attempts: 0,
        })),
      };
    case 'draft.started':
      return { ...v, drafts: updateDraft(v, e.draft_id, (d) => ({ ...d, state: 'streaming' })) };
    case 'draft.delta':
      return { ...v, drafts: updateDraft(v, e.draft_id, (d) => ({ ...d, state: 'streaming', text: d.text + e.text })) };
    case 'draft.attempt':
      return { ...v, drafts: updateDraft(v, e.draft_id, (d) => ({ ...d, attempts: Math.max(d.attempts, e.attempt.n) })) };
    case 'draft.done':
      return {
        ...v,
        // A draft is only ever cancelled because its run was.
        cancelled: e.status === 'cancelled' ? (v.cancelled ?? 'cancelled') : v.cancelled,
        drafts: updateDraft(v, e.draft_id, (d) => ({
          ...d,
          state: stateFor(e.status),
          status: e.status,
          error: FAILED_STATUSES.has(e.status) && e.status !== 'cancelled' ? (e.error ?? e.status) : null,
          usage: e.usage,
          latency_ms: e.latency_ms,
        })),
      };
    case 'judge.started':
      return { ...v, phase: 'judge', judgeModel: e.model, judgePasses: [...v.judgePasses.filter((p) => p.pass !== e.pass), { pass: e.pass, status: 'running', error: null }] };
    case 'judge.done': {
      const others = v.judgePasses.filter((p) => p.pass !== e.pass);
      return {
        ...v,
        phase: 'judge',
        judgePasses: [...others, { pass: e.pass, status: e.status, error: e.error }].sort((a, b) => a.pass - b.pass),
        scores: e.scores.length ? e.scores : v.scores,
      };
    }
    case 'publish.done':
      return { ...v, phase: 'publish', publish: e.publish, status: e.publish.status };
    case 'warning':
      return { ...v, warnings: [...v.warnings, e.message] };
    case 'run.done':
      return { ...v, phase: 'done', status: e.status, artifactLocation: e.artifact, outbox: e.outbox };
    case 'run.error':
      return {
        ...v,
        phase: 'error',
        error: e.message,
        // Anything still in flight stops here.
        drafts: v.drafts.map((d) => (d.state === 'waiting' || d.state === 'streaming' ? { ...d, state: 'failed', error: d.error ?? 'the run stopped' } : d)),
      };
  }
}

/** The same view, from a saved artifact (every draft's answer, scores, costs). */
export function viewFromArtifact(a: RunArtifact, location: string | null = null): RunView {
  return {
    runId: a.id,
    task: a.task,
    phase: 'done',
    drafts: a.drafts.map((d) => ({
      id: d.id,
      provider: d.provider,
      model: d.model,
      state: stateFor(d.status),
      // A cancelled draft's saved text is what had streamed (raw model output, usually partial JSON):
      // shown as the stream was, the answer being written.
      text: d.partial ? d.raw : d.answer || d.raw,
      fromStream: Boolean(d.partial),
      ...(d.partial ? { partial: true } : {}),
      error: d.status === 'ok' || d.status === 'cancelled' ? null : (d.error ?? d.status),
      status: d.status,
      usage: d.usage,
      latency_ms: d.latency_ms,
      cost_usd: d.cost_usd,
      attempts: d.attempts.length,
    })),
    judgeModel: a.judge.model,
    judgePasses: a.judge.passes.map((p) => ({ pass: p.n, status: p.status, error: p.error })),
    scores: a.judge.scores.map((sc) => ({ ...sc, reasons: relabelReasons(sc.reasons, a.judge.passes) })),
    publish: a.publish,
    status: a.status,
    artifactLocation: location,
    outbox: null,
    error: null,
    cancelled: a.interrupted,
    warnings: a.judge.status !== 'ok' && a.judge.reason ? [`Judge ${a.judge.status}: ${a.judge.reason}`] : [],
    projected_usd: a.cost.projected_usd,
    lastSeq: Number.MAX_SAFE_INTEGER,
  };
}

export const STATUS_LABEL: Record<PublishStatus, string> = {
  published: 'Published',
  advisory_only: 'Advisory only',
  none: 'Nothing published',
  pending_approval: 'Pending approval',
};

/**
 * The saved view, keeping what the live one streamed that the artifact does not hold: a draft cut
 * off by a cancel is saved with the text that had streamed (partial) since this change, without it
 * before — the reader saw its partial answer either way, and it stays.
 */
export function mergeSaved(live: RunView, saved: RunView): RunView {
  const drafts = saved.drafts.map((d) => {
    const l = live.drafts.find((x) => x.id === d.id);
    return !d.text && l?.text ? { ...d, text: l.text, fromStream: true, partial: true } : d;
  });
  return { ...saved, drafts, outbox: live.outbox, warnings: [...live.warnings, ...saved.warnings] };
}

/**
 * The judge sees drafts under shuffled anonymous labels (A, B, … — per pass, in JudgePass.order),
 * and its reasons say "Draft C"; the page names drafts d1, d2 … — so do the reasons. "pass N: …"
 * segments use pass N's labels; an unprefixed reason uses the first pass that has an order.
 */
export function relabelReasons(reasons: string, passes: ReadonlyArray<{ n: number; order: ReadonlyArray<{ draft_id: string; label: string }> }>): string {
  if (!reasons || !passes.some((p) => p.order.length)) return reasons;
  const swap = (text: string, order: ReadonlyArray<{ draft_id: string; label: string }>) => {
    const byLabel = new Map(order.map((o) => [o.label, o.draft_id]));
    return text.replace(/\b(Draft|draft|Answer|answer|Response|response|Candidate|candidate)\s+([A-Z]{1,2})\b/g, (m, word: string, label: string) => {
      const id = byLabel.get(label);
      return id ? `${word[0] === word[0]!.toUpperCase() ? 'Draft' : 'draft'} ${id}` : m;
    });
  };
  const fallback = passes.find((p) => p.order.length)!.order;
  return reasons
    .split(' | ')
    .map((seg) => {
      const m = /^pass (\d+): /.exec(seg);
      const order = (m && passes.find((p) => p.n === Number(m[1]))?.order) || fallback;
      return swap(seg, order);
    })
    .join(' | ');
}
