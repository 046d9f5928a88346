// In-memory state of runs this process is executing: the event buffer (with seq numbers) that lets
// subscribe() replay then stream, the AbortController, and the finished artifact.
import type { RunArtifact, RunEvent, RunEventInput } from '../api/index.js';

export type Listener = (e: RunEvent) => void;

export class ActiveRun {
  readonly events: RunEvent[] = [];
  readonly listeners = new Set<Listener>();
  readonly controller = new AbortController();
  finished = false;
  artifact: RunArtifact | null = null;
  location: string | null = null;
  done: Promise<void> = Promise.resolve();
  constructor(
    readonly id: string,
    private readonly now: () => Date,
  ) {}

  push(e: RunEventInput): RunEvent {
    const ev = { ...e, run_id: this.id, seq: this.events.length, at: this.now().toISOString() } as RunEvent;
    this.events.push(ev);
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch {
        /* a broken listener must not break the run */
      }
    }
    if (ev.type === 'run.done' || ev.type === 'run.error') {
      this.finished = true;
      this.listeners.clear();
    }
    return ev;
  }

  subscribe(listener: Listener, afterSeq: number): () => void {
    for (const e of this.events) if (e.seq > afterSeq) listener(e);
    if (this.finished) return () => undefined;
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Rebuilds a run's event sequence from its artifact (for runs no longer in memory). */
export function synthesizeEvents(a: RunArtifact, location: string): RunEvent[] {
  const out: RunEventInput[] = [];
  out.push({ type: 'run.started', task: a.task, drafts: a.drafts.map((d) => ({ draft_id: d.id, provider: d.provider, model: d.model })), judge: a.judge.model, projected_usd: a.cost.projected_usd });
  for (const d of a.drafts) {
    out.push({ type: 'draft.started', draft_id: d.id });
    for (const attempt of d.attempts) out.push({ type: 'draft.attempt', draft_id: d.id, attempt });
    if (d.raw) out.push({ type: 'draft.delta', draft_id: d.id, text: d.raw });
    out.push({ type: 'draft.done', draft_id: d.id, status: d.status, error: d.error, usage: d.usage, latency_ms: d.latency_ms });
  }
  if (a.judge.passes.length === 0) {
    out.push({ type: 'judge.done', pass: 0, status: 'skipped', error: a.judge.reason, scores: a.judge.scores });
  }
  for (const p of a.judge.passes) {
    out.push({ type: 'judge.started', pass: p.n, model: a.judge.model });
    const scores = p.order.map(({ draft_id }) => {
      const s = a.judge.scores.find((x) => x.draft_id === draft_id);
      const v = s?.pass_scores[p.n - 1] ?? null;
      return v === null
        ? { draft_id, status: 'unscored' as const, score: null, subscores: null, reasons: '', pass_scores: [null] }
        : { draft_id, status: 'scored' as const, score: v, subscores: s?.pass_scores.length === 1 ? s.subscores : null, reasons: s?.reasons ?? '', pass_scores: [v] };
    });
    out.push({ type: 'judge.done', pass: p.n, status: p.status, error: p.error, scores });
  }
  out.push({ type: 'publish.done', publish: a.publish });
  out.push({ type: 'run.done', status: a.status, artifact: location, outbox: null });
  const at = a.finished_at;
  return out.map((e, seq) => ({ ...e, run_id: a.id, seq, at }) as RunEvent);
}

/**
 * Where the live event stream of each recently finished, saved run ended (its run.done seq) — all
 * that is kept of a run once it is saved; its events are dropped. The replay of such a run comes
 * from its artifact (synthesizeEvents, far fewer events than the live stream, which has one
 * draft.delta per chunk), so without this a client resuming with Last-Event-ID from the live stream
 * would be answered from a different numbering. Bounded: the oldest entries go first.
 */
export class FinishedRuns {
  private readonly finalSeq = new Map<string, number>();
  constructor(private readonly max = 10_000) {}

  remember(runId: string, seq: number): void {
    this.finalSeq.delete(runId);
    this.finalSeq.set(runId, seq);
    if (this.finalSeq.size > this.max) this.finalSeq.delete(this.finalSeq.keys().next().value!);
  }

  forget(runId: string): void {
    this.finalSeq.delete(runId);
  }

  /**
   * The events a subscriber with `afterSeq` gets for a saved run, from its artifact. With the live
   * stream's end known: a full replay ends with run.done at the live seq; a client that already has
   * that seq gets nothing (the SSE route answers 204); one that left mid-run gets the run.done (at the
   * live seq), after which the UI loads the artifact, which holds everything it missed.
   */
  replay(a: RunArtifact, location: string, afterSeq = -1): RunEvent[] {
    const events = synthesizeEvents(a, location);
    const final = this.finalSeq.get(a.id);
    const last = events.at(-1)!;
    if (final === undefined || final <= last.seq) return events.filter((e) => e.seq > afterSeq);
    const done = { ...last, seq: final };
    if (afterSeq < 0) return [...events.slice(0, -1), done];
    return afterSeq >= final ? [] : [done];
  }
}
