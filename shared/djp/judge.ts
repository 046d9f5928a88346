// Judge: scores the usable drafts on the rubric (task_fit 0–4, support 0–4, clarity 0–2) under
// anonymous labels in a seeded shuffled order. judge_passes decides the second, reversed-order pass:
// auto runs it when the margin between the top two is below margin_threshold (after the first),
// 2 runs both orders in parallel from the start (one judge latency), 1 never. Scores are averaged.
// A pass that misses labels is asked once more for the missing ones only; drafts still unscored
// make the judge 'partial' with a warning, and are never published. A judge failure is recorded as
// failed (publish then goes advisory_only) — scores are never invented. Reasons name drafts by
// their ids (d1, d2), not the judge's labels; every call's label map is kept in its `order`.
import type { Draft, DraftScore, Judge, JudgePass, JudgePasses, ModelRef, RunEventInput, Subscores } from '../api/index.js';
import { withRetry, type RetryOptions } from '../providers/retry.js';
import { appliedTemperature } from '../providers/temperature.js';
import type { LlmProvider } from '../providers/types.js';
import { cutOff, estimateUsage, type CallHooks } from './debate.js';
import { parseJudge } from './parse.js';
import { JUDGE_SYSTEM, judgePrompt, labelFor } from './prompts.js';
import { seededShuffle } from './rng.js';
import { judgeSchema } from './schemas.js';

export interface JudgeOptions {
  /** The task as sent to providers (redacted when outbound redaction is on). */
  task: string;
  /** The thread's earlier turns, a prompt section built by shared/threads; null/absent on a first turn. */
  thread?: string | null;
  /** Usable drafts, in debater order (that order is the final tie-breaker). */
  drafts: Draft[];
  /** Drafts a guardrail zeroed: recorded as disqualified with score 0, not shown to the judge. */
  disqualified: Map<string, string>;
  model: ModelRef;
  providerFor(id: ModelRef['provider']): LlmProvider;
  /** Output-token cap of each judge call (judge_max_tokens). */
  max_tokens: number;
  timeout_s: number;
  seed: number;
  margin_threshold: number;
  passes: JudgePasses;
  /** Applied to each judge prompt before it is sent (outbound redaction); identity when off. */
  outbound?: (text: string) => string;
  /** Whether the policy allows publishing this draft (second tie-breaker). */
  allowed(d: Draft): boolean;
  signal?: AbortSignal;
  emit(e: RunEventInput): void;
  hooks: CallHooks;
  retry?: Partial<Omit<RetryOptions, 'signal' | 'onAttempt' | 'totalTimeoutMs'>>;
}

type Scored = Map<string, { sub: Subscores; reasons: string }>;

interface CallResult {
  pass: JudgePass;
  /** draft id → subscores and reasons from this call (only drafts it scored). */
  scored: Scored;
}

/** One logical pass (an order): its call, plus a re-ask for labels the call missed. */
interface PassResult {
  calls: JudgePass[];
  scored: Scored;
  ok: boolean;
  error: string | null;
}

const total = (s: Subscores) => s.task_fit + s.support + s.clarity;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Rewrites the judge's labels in free text ("Draft C is thinner", "Drafts A and B") to draft ids. */
export function renameLabels(text: string, labelToId: ReadonlyMap<string, string>): string {
  return text.replace(
    /\b[Dd]rafts?\s+([A-Z]{1,2}(?:\s*(?:,|&|and|or|vs\.?|versus)\s*(?:[Dd]raft\s+)?[A-Z]{1,2})*)\b/g,
    (all, list: string) => {
      let any = false;
      const out = list.replace(/(?:[Dd]raft\s+)?\b([A-Z]{1,2})\b/g, (m, l: string) => {
        const id = labelToId.get(l);
        if (!id) return m;
        any = true;
        return id;
      });
      return any ? out : all;
    },
  );
}

class Counter {
  private n = 0;
  next(): number {
    return ++this.n;
  }
}

async function callJudge(n: number, kind: 'main' | 'swap' | 'reask', labelled: Array<{ d: Draft; label: string }>, o: JudgeOptions): Promise<CallResult> {
  const pass: JudgePass = {
    n,
    kind,
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
  const scored: Scored = new Map();
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
  const labels = labelled.map((l) => l.label);
  const raw = judgePrompt(o.task, labelled.map(({ d, label }) => ({ label, answer: d.answer, evidence: d.evidence })), o.thread ?? null);
  const prompt = o.outbound ? o.outbound(raw) : raw;
  await provider.prepare?.(); // the SDK is loaded before the clock starts: latency is the call's own
  const r = await withRetry(
    (signal) =>
      provider.complete({
        model: o.model.model,
        system: JUDGE_SYSTEM,
        prompt,
        max_tokens: o.max_tokens,
        temperature: 0,
        signal,
        json: true,
        schema: judgeSchema(labels),
      }),
    { ...o.retry, totalTimeoutMs: o.timeout_s * 1000, signal: o.signal },
  );
  pass.latency_ms = r.latencyMs;
  pass.attempts = r.attempts;
  if (cutOff(r.attempts)) o.hooks.record(o.model.provider, o.model.model, null, estimateUsage(JUDGE_SYSTEM + prompt, '')); // may have been billed
  if (!r.ok) {
    pass.status = r.outcome === 'timeout' ? 'timeout' : r.outcome === 'cancelled' ? 'cancelled' : 'failed';
    pass.error = r.error.message;
    return done();
  }
  pass.raw = r.value.text;
  pass.usage = r.value.usage;
  pass.finish_reason = r.value.finish_reason;
  pass.structured = r.value.structured;
  pass.response_model = r.value.response_model && r.value.response_model !== o.model.model ? r.value.response_model : null;
  const estimate = r.value.usage ? undefined : estimateUsage(JUDGE_SYSTEM + prompt, r.value.text);
  if (estimate) pass.estimated_tokens = estimate.total_tokens;
  o.hooks.record(o.model.provider, o.model.model, r.value.usage, estimate);
  pass.cost_usd = cutOff(r.attempts) ? null : o.hooks.price(o.model.provider, o.model.model, r.value.usage);
  const parsed = parseJudge(r.value.text, labels);
  const cut = r.value.truncated ? ` (the judge's answer was cut off: ${r.value.finish_reason ?? r.value.truncated}, judge_max_tokens ${o.max_tokens})` : '';
  if ('error' in parsed) {
    pass.status = 'failed';
    pass.error = `judge output unusable: ${parsed.error}${cut}`;
    return done();
  }
  const byLabel = new Map(labelled.map((l) => [l.label, l.d]));
  const labelToId = new Map(labelled.map((l) => [l.label, l.d.id]));
  for (const e of parsed.entries) {
    const d = byLabel.get(e.label)!;
    scored.set(d.id, { sub: { task_fit: e.task_fit, support: e.support, clarity: e.clarity }, reasons: renameLabels(e.reasons, labelToId) });
  }
  if (scored.size === 0) {
    pass.status = 'failed';
    pass.error = `judge scored no drafts${parsed.problems.length ? ` (${parsed.problems.join('; ')})` : ''}${cut}`;
    return done();
  }
  pass.status = 'ok';
  const missing = labelled.filter(({ d }) => !scored.has(d.id)).map(({ d, label }) => `${d.id} (label ${label})`);
  const notes = [...parsed.problems, ...(missing.length ? [`no score for ${missing.join(', ')}`] : [])];
  if (notes.length) pass.error = notes.join('; ') + cut;
  return done();
}

async function runPass(kind: 'main' | 'swap', n: number, order: Draft[], o: JudgeOptions, counter: Counter): Promise<PassResult> {
  const labelled = order.map((d, i) => ({ d, label: labelFor(i) }));
  const first = await callJudge(n, kind, labelled, o);
  const calls = [first.pass];
  const scored = new Map(first.scored);
  if (first.pass.status !== 'ok') return { calls, scored, ok: false, error: `${first.pass.status}: ${first.pass.error ?? 'no detail'}` };
  // Ask once more, for the missing drafts only, under the labels they had.
  const missing = labelled.filter(({ d }) => !scored.has(d.id));
  if (missing.length && !o.signal?.aborted) {
    const again = await callJudge(counter.next(), 'reask', missing, o);
    calls.push(again.pass);
    for (const [id, v] of again.scored) scored.set(id, v);
  }
  return { calls, scored, ok: true, error: null };
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
  const counter = new Counter();
  const order1 = seededShuffle(candidates, o.seed);
  const reversed = [...order1].reverse();
  const both = o.passes === '2' && candidates.length >= 2;
  const passes: PassResult[] = [];
  let swap = false;
  let reason: string | null = null;
  let margin: number | null = null;
  if (both) {
    // Both orders at once: a close call costs one judge latency, not two.
    swap = true;
    const n1 = counter.next();
    const n2 = counter.next();
    const [p1, p2] = await Promise.all([runPass('main', n1, order1, o, counter), runPass('swap', n2, reversed, o, counter)]);
    passes.push(p1, p2);
    if (!p1.ok && !p2.ok) {
      return failedJudge(o, candidates, disq, passes, `both judge passes failed: pass 1 ${p1.error}; pass 2 ${p2.error}`, true);
    }
    if (!p1.ok || !p2.ok) reason = `${!p1.ok ? `pass 1 ${p1.error}` : `swap pass ${p2.error}`}; scores are from one order only`;
    margin = marginOf([...(p1.ok ? p1 : p2).scored.values()].map((s) => total(s.sub)));
  } else {
    const p1 = await runPass('main', counter.next(), order1, o, counter);
    passes.push(p1);
    if (!p1.ok) return failedJudge(o, candidates, disq, passes, `judge pass 1 ${p1.error}`, false);
    margin = marginOf([...p1.scored.values()].map((s) => total(s.sub)));
    if (o.passes === 'auto' && margin !== null && margin < o.margin_threshold && !o.signal?.aborted) {
      swap = true;
      const p2 = await runPass('swap', counter.next(), reversed, o, counter);
      passes.push(p2);
      if (!p2.ok) reason = `swap pass ${p2.error}; scores are from pass 1 only`;
    }
  }
  const okPasses = passes.filter((p) => p.ok);
  const scores: DraftScore[] = candidates.map((d) => {
    const per = passes.map((p) => (p.ok ? (p.scored.get(d.id) ?? null) : null));
    const got = per.filter((x): x is { sub: Subscores; reasons: string } => x !== null);
    const pass_scores = per.map((x) => (x ? total(x.sub) : null));
    if (got.length === 0) return { draft_id: d.id, status: 'unscored', score: null, subscores: null, reasons: 'the judge returned no score for this draft, also when asked again', pass_scores };
    const avg = (k: keyof Subscores) => round2(got.reduce((a, x) => a + x.sub[k], 0) / got.length);
    const sub = { task_fit: avg('task_fit'), support: avg('support'), clarity: avg('clarity') };
    return {
      draft_id: d.id,
      status: 'scored',
      score: round2(got.reduce((a, x) => a + total(x.sub), 0) / got.length),
      subscores: sub,
      reasons: per.map((x, i) => (x ? (okPasses.length > 1 ? `pass ${i + 1}: ${x.reasons}` : x.reasons) : null)).filter((x) => x !== null).join(' | '),
      pass_scores,
    };
  });
  const unscored = scores.filter((s) => s.status === 'unscored').map((s) => s.draft_id);
  let status: Judge['status'] = 'ok';
  if (unscored.length) {
    status = 'partial';
    const why = `the judge gave no score for ${unscored.join(', ')} after being asked again; ${unscored.length === 1 ? 'it is' : 'they are'} unscored and will not be published`;
    reason = reason ? `${why}; ${reason}` : why;
    o.emit({ type: 'warning', message: `judge partial: ${why}` });
  }
  const all = [...scores, ...disq];
  return {
    status,
    reason,
    model: o.model,
    passes: passes.flatMap((p) => p.calls).sort((a, b) => a.n - b.n),
    scores: all,
    ranking: rankScores(scores, candidates, o.allowed),
    margin,
    swap_pass: swap,
  };
}

function failedJudge(o: JudgeOptions, candidates: Draft[], disq: DraftScore[], passes: PassResult[], reason: string, swap: boolean): Judge {
  const unscored: DraftScore[] = candidates.map((d) => ({ draft_id: d.id, status: 'unscored', score: null, subscores: null, reasons: '', pass_scores: passes.map(() => null) }));
  return { status: 'failed', reason, model: o.model, passes: passes.flatMap((p) => p.calls).sort((a, b) => a.n - b.n), scores: [...unscored, ...disq], ranking: [], margin: null, swap_pass: swap };
}
