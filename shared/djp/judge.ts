// Judge: scores the usable drafts on the rubric (task_fit 0–4, support 0–4, clarity 0–2) under
// anonymous labels in a seeded shuffled order. When the margin between the top two is below
// margin_threshold, a second pass shows the drafts in reverse order and the scores are averaged.
// A draft the judge did not score is recorded as unscored; a judge failure is recorded as failed
// (publish then goes advisory_only) — scores are never invented.
import type { Draft, DraftScore, Judge, JudgePass, ModelRef, RunEventInput, Subscores } from '../api/index.js';
import { withRetry, type RetryOptions } from '../providers/retry.js';
import { appliedTemperature } from '../providers/temperature.js';
import type { LlmProvider } from '../providers/types.js';
import { cutOff, type CallHooks } from './debate.js';
import { parseJudge } from './parse.js';
import { JUDGE_SYSTEM, judgePrompt, labelFor } from './prompts.js';
import { seededShuffle } from './rng.js';

export interface JudgeOptions {
  task: string;
  /** The thread's earlier turns, a prompt section built by shared/threads; null/absent on a first turn. */
  thread?: string | null;
  /** Usable drafts, in debater order (that order is the final tie-breaker). */
  drafts: Draft[];
  /** Drafts a guardrail zeroed: recorded as disqualified with score 0, not shown to the judge. */
  disqualified: Map<string, string>;
  model: ModelRef;
  providerFor(id: ModelRef['provider']): LlmProvider;
  max_tokens: number;
  timeout_s: number;
  seed: number;
  margin_threshold: number;
  /** Whether the policy allows publishing this draft (second tie-breaker). */
  allowed(d: Draft): boolean;
  signal?: AbortSignal;
  emit(e: RunEventInput): void;
  hooks: CallHooks;
  retry?: Partial<Omit<RetryOptions, 'signal' | 'onAttempt' | 'totalTimeoutMs'>>;
}

interface PassResult {
  pass: JudgePass;
  /** draft id → subscores and reasons from this pass (only drafts it scored). */
  scored: Map<string, { sub: Subscores; reasons: string }>;
}

const total = (s: Subscores) => s.task_fit + s.support + s.clarity;
const round2 = (x: number) => Math.round(x * 100) / 100;

async function runPass(n: number, order: Draft[], o: JudgeOptions): Promise<PassResult> {
  const labelled = order.map((d, i) => ({ d, label: labelFor(i) }));
  const pass: JudgePass = {
    n,
    provider: o.model.provider,
    model: o.model.model,
    response_model: null,
    usage: null,
    latency_ms: 0,
    attempts: [],
    cost_usd: null,
    order: labelled.map(({ d, label }) => ({ draft_id: d.id, label })),
    status: 'failed',
    raw: '',
    error: null,
  };
  const scored = new Map<string, { sub: Subscores; reasons: string }>();
  o.emit({ type: 'judge.started', pass: n, model: o.model });
  const done = () => {
    const scores: DraftScore[] = labelled.map(({ d }) => {
      const s = scored.get(d.id);
      return s
        ? { draft_id: d.id, status: 'scored', score: total(s.sub), subscores: s.sub, reasons: s.reasons, pass_scores: [total(s.sub)] }
        : { draft_id: d.id, status: 'unscored', score: null, subscores: null, reasons: '', pass_scores: [null] };
    });
    o.emit({ type: 'judge.done', pass: n, status: pass.status, error: pass.error, scores });
    return { pass, scored };
  };
  const gate = o.hooks.canLaunch();
  if (!gate.ok) {
    pass.error = `not launched: ${gate.reason ?? 'budget exceeded'}`;
    return done();
  }
  let provider: LlmProvider;
  try {
    provider = o.providerFor(o.model.provider);
  } catch (e) {
    pass.error = (e as Error).message;
    return done();
  }
  pass.temperature = appliedTemperature(o.model.provider, o.model.model, 0);
  await provider.prepare?.(); // the SDK is loaded before the clock starts: latency is the call's own
  const started = Date.now();
  const r = await withRetry(
    (signal) =>
      provider.complete({
        model: o.model.model,
        system: JUDGE_SYSTEM,
        prompt: judgePrompt(o.task, labelled.map(({ d, label }) => ({ label, answer: d.answer, evidence: d.evidence })), o.thread ?? null),
        max_tokens: Math.max(o.max_tokens, 200 + 120 * order.length),
        temperature: 0,
        signal,
        json: true,
      }),
    { ...o.retry, totalTimeoutMs: o.timeout_s * 1000, signal: o.signal },
  );
  pass.latency_ms = Date.now() - started;
  pass.attempts = r.attempts;
  if (cutOff(r.attempts)) o.hooks.record(o.model.provider, o.model.model, null); // may have been billed
  if (!r.ok) {
    pass.status = r.outcome === 'timeout' ? 'timeout' : r.outcome === 'cancelled' ? 'cancelled' : 'failed';
    pass.error = r.error.message;
    return done();
  }
  pass.raw = r.value.text;
  pass.usage = r.value.usage;
  pass.response_model = r.value.response_model && r.value.response_model !== o.model.model ? r.value.response_model : null;
  o.hooks.record(o.model.provider, o.model.model, r.value.usage);
  pass.cost_usd = cutOff(r.attempts) ? null : o.hooks.price(o.model.provider, o.model.model, r.value.usage);
  const parsed = parseJudge(r.value.text, labelled.map((l) => l.label));
  if ('error' in parsed) {
    pass.status = 'failed';
    pass.error = `judge output unusable: ${parsed.error}`;
    return done();
  }
  const byLabel = new Map(labelled.map((l) => [l.label, l.d]));
  for (const e of parsed.entries) {
    const d = byLabel.get(e.label)!;
    scored.set(d.id, { sub: { task_fit: e.task_fit, support: e.support, clarity: e.clarity }, reasons: e.reasons });
  }
  if (scored.size === 0) {
    pass.status = 'failed';
    pass.error = `judge scored no drafts${parsed.problems.length ? ` (${parsed.problems.join('; ')})` : ''}`;
    return done();
  }
  pass.status = 'ok';
  if (parsed.problems.length) pass.error = parsed.problems.join('; ');
  return done();
}

function marginOf(values: number[]): number | null {
  if (values.length < 2) return null;
  const [a, b] = [...values].sort((x, y) => y - x);
  return round2(a! - b!);
}

/** Ranking: score, then allowed-by-policy, then support subscore, then debater (provider) order. */
export function rankScores(scores: DraftScore[], drafts: Draft[], allowed: (d: Draft) => boolean): string[] {
  const index = new Map(drafts.map((d, i) => [d.id, i]));
  const byId = new Map(drafts.map((d) => [d.id, d]));
  return scores
    .filter((s) => s.status === 'scored' && s.score !== null)
    .sort((x, y) => {
      if (y.score! !== x.score!) return y.score! - x.score!;
      const ax = allowed(byId.get(x.draft_id)!) ? 1 : 0;
      const ay = allowed(byId.get(y.draft_id)!) ? 1 : 0;
      if (ay !== ax) return ay - ax;
      const sx = x.subscores?.support ?? 0;
      const sy = y.subscores?.support ?? 0;
      if (sy !== sx) return sy - sx;
      return (index.get(x.draft_id) ?? 0) - (index.get(y.draft_id) ?? 0);
    })
    .map((s) => s.draft_id);
}

export function skippedJudge(model: ModelRef, reason: string, scores: DraftScore[] = [], ranking: string[] = []): Judge {
  return { status: 'skipped', reason, model, passes: [], scores, ranking, margin: null, swap_pass: false };
}

export async function runJudge(o: JudgeOptions): Promise<Judge> {
  const disq: DraftScore[] = [...o.disqualified].map(([id, why]) => ({ draft_id: id, status: 'disqualified', score: 0, subscores: null, reasons: why, pass_scores: [] }));
  const candidates = o.drafts.filter((d) => !o.disqualified.has(d.id));
  if (candidates.length === 0) {
    return skippedJudge(o.model, 'no usable draft to judge', disq);
  }
  const order1 = seededShuffle(candidates, o.seed);
  const p1 = await runPass(1, order1, o);
  const passes: PassResult[] = [p1];
  if (p1.pass.status !== 'ok') {
    const unscored: DraftScore[] = candidates.map((d) => ({ draft_id: d.id, status: 'unscored', score: null, subscores: null, reasons: '', pass_scores: [null] }));
    return { status: 'failed', reason: `judge pass 1 ${p1.pass.status}: ${p1.pass.error ?? 'no detail'}`, model: o.model, passes: [p1.pass], scores: [...unscored, ...disq], ranking: [], margin: null, swap_pass: false };
  }
  const margin = marginOf([...p1.scored.values()].map((s) => total(s.sub)));
  let swap = false;
  let reason: string | null = null;
  if (margin !== null && margin < o.margin_threshold && !o.signal?.aborted) {
    swap = true;
    const p2 = await runPass(2, [...order1].reverse(), o);
    passes.push(p2);
    if (p2.pass.status !== 'ok') reason = `swap pass ${p2.pass.status}: ${p2.pass.error ?? 'no detail'}; scores are from pass 1 only`;
  }
  const scores: DraftScore[] = candidates.map((d) => {
    const per = passes.map((p) => p.scored.get(d.id) ?? null);
    const got = per.filter((x): x is { sub: Subscores; reasons: string } => x !== null);
    const pass_scores = per.map((x) => (x ? total(x.sub) : null));
    if (got.length === 0) return { draft_id: d.id, status: 'unscored', score: null, subscores: null, reasons: 'the judge returned no score for this draft', pass_scores };
    const avg = (k: keyof Subscores) => round2(got.reduce((a, x) => a + x.sub[k], 0) / got.length);
    const sub = { task_fit: avg('task_fit'), support: avg('support'), clarity: avg('clarity') };
    return {
      draft_id: d.id,
      status: 'scored',
      score: round2(got.reduce((a, x) => a + total(x.sub), 0) / got.length),
      subscores: sub,
      reasons: got.map((x, i) => (got.length > 1 ? `pass ${i + 1}: ${x.reasons}` : x.reasons)).join(' | '),
      pass_scores,
    };
  });
  const all = [...scores, ...disq];
  return { status: 'ok', reason, model: o.model, passes: passes.map((p) => p.pass), scores: all, ranking: rankScores(scores, candidates, o.allowed), margin, swap_pass: swap };
}
