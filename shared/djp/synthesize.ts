// Synthesis (publish: synthesize; llm-council's chairman step): after the judge, a chairman model
// writes one final answer from the top-ranked drafts that may be published. The synthesis then goes
// through the same guardrails as a draft (content checks, grounding citations; redaction with the
// artifact) before it is released; when the call or a check fails, nothing is published and the
// reason says why. The artifact keeps drafts, scores and the synthesis, and marks the published text
// as synthesized.
import type { Draft, Judge, ModelRef, Publish, RunEventInput, RunParameters, Synthesis } from '../api/index.js';
import { SYNTHESIS_DRAFTS } from '../cost/projection.js';
import { withRetry, type RetryOptions } from '../providers/retry.js';
import { appliedTemperature } from '../providers/temperature.js';
import type { LlmProvider } from '../providers/types.js';
import { cutOff, emptyDraft, estimateUsage, type CallHooks } from './debate.js';
import type { DraftVerdict } from './hooks.js';
import { parseDraft } from './parse.js';
import { refName } from './publish.js';
import { SYNTHESIS_SCHEMA } from './schemas.js';


export const SYNTHESIS_SYSTEM = [
  'You are the chairman of a panel of experts. Several experts drafted answers to the same task and a',
  'judge ranked them. Write ONE final answer to the task that keeps what the best drafts get right and',
  'drops what is wrong or unsupported. Use only facts the drafts support; keep their citations.',
  'Respond with ONLY a JSON object: {"answer": string, "evidence": string[]}',
].join('\n');

export function synthesisPrompt(task: string, drafts: Array<{ id: string; score: number | null; answer: string; evidence: string[] }>): string {
  const blocks = drafts.map((d, i) => {
    const ev = d.evidence.length ? `\nEvidence:\n${d.evidence.map((e) => `- ${e}`).join('\n')}` : '';
    return `### Draft ${i + 1} (ranked ${i + 1}${d.score !== null ? `, ${d.score}/10` : ''})\n${d.answer.replace(/^###/gm, '\\###')}${ev}`;
  });
  return `TASK:\n${task}\n\nDRAFTS, BEST FIRST:\n\n${blocks.join('\n\n')}\n\n### End of drafts\nReturn the JSON object with the final answer.`;
}

export interface SynthesisInput {
  task: string;
  params: RunParameters;
  chairman: ModelRef;
  drafts: Draft[];
  judge: Judge;
  /** The verbatim decision: synthesis runs only when it would have released a draft. */
  verbatim: Publish;
  providerFor(id: ModelRef['provider']): LlmProvider;
  outbound?: (t: string) => string;
  checkDraft(d: Draft): DraftVerdict;
  checkPublish(d: Draft): { ok: boolean; reason: string | null };
  hooks: CallHooks;
  signal?: AbortSignal;
  emit(e: RunEventInput): void;
  retry?: Partial<Omit<RetryOptions, 'signal' | 'onAttempt' | 'totalTimeoutMs'>>;
}

export async function synthesize(s: SynthesisInput): Promise<{ synthesis: Synthesis; publish: Publish }> {
  const passedOver = new Set(s.verbatim.passed_over.map((p) => p.draft_id));
  // The drafts that may be published, best first (a policy that passed some over keeps them out).
  const byId = new Map(s.drafts.map((d) => [d.id, d]));
  const from = s.judge.ranking.filter((id) => !passedOver.has(id) || id === s.verbatim.draft_id).map((id) => byId.get(id)!).filter(Boolean).slice(0, SYNTHESIS_DRAFTS);
  const rec: Synthesis = {
    provider: s.chairman.provider,
    model: s.chairman.model,
    response_model: null,
    usage: null,
    latency_ms: 0,
    attempts: [],
    cost_usd: null,
    from: from.map((d) => d.id),
    status: 'skipped',
    text: '',
    error: null,
  };
  const advisory = (why: string): { synthesis: Synthesis; publish: Publish } => ({
    synthesis: rec,
    publish: { ...s.verbatim, status: 'advisory_only', text: null, reason: `${why}; nothing is published — the verbatim winner ${s.verbatim.draft_id} is advisory`, synthesized: false },
  });
  const gate = s.hooks.canLaunch();
  if (!gate.ok) {
    rec.error = `not launched: ${gate.reason ?? 'budget exceeded'}`;
    return advisory(`synthesis ${rec.error}`);
  }
  let provider: LlmProvider;
  try {
    provider = s.providerFor(s.chairman.provider);
  } catch (e) {
    rec.status = 'failed';
    rec.error = (e as Error).message;
    return advisory(`synthesis failed: ${rec.error}`);
  }
  const score = (id: string) => s.judge.scores.find((x) => x.draft_id === id)?.score ?? null;
  const raw = synthesisPrompt(s.task, from.map((d) => ({ id: d.id, score: score(d.id), answer: d.answer, evidence: d.evidence })));
  const prompt = s.outbound ? s.outbound(raw) : raw;
  rec.temperature = appliedTemperature(s.chairman.provider, s.chairman.model, 0);
  s.emit({ type: 'warning', message: `synthesizing the final answer with ${refName(s.chairman)} from ${rec.from.join(', ')}` });
  await provider.prepare?.();
  const r = await withRetry(
    (signal) =>
      provider.complete({
        model: s.chairman.model,
        system: SYNTHESIS_SYSTEM,
        prompt,
        max_tokens: s.params.max_tokens,
        temperature: 0,
        signal,
        json: true,
        schema: SYNTHESIS_SCHEMA,
        maxChars: s.params.max_answer_chars,
      }),
    { ...s.retry, totalTimeoutMs: s.params.timeout_s * 1000, signal: s.signal },
  );
  rec.latency_ms = r.latencyMs;
  rec.attempts = r.attempts;
  if (cutOff(r.attempts)) s.hooks.record(s.chairman.provider, s.chairman.model, null, estimateUsage(SYNTHESIS_SYSTEM + prompt, ''));
  if (!r.ok) {
    rec.status = r.outcome === 'timeout' ? 'timeout' : r.outcome === 'cancelled' ? 'cancelled' : 'failed';
    rec.error = r.error.message;
    return advisory(`synthesis ${rec.status}: ${rec.error}`);
  }
  const v = r.value;
  rec.usage = v.usage;
  rec.finish_reason = v.finish_reason;
  rec.structured = v.structured;
  rec.response_model = v.response_model && v.response_model !== s.chairman.model ? v.response_model : null;
  const estimate = v.usage ? undefined : estimateUsage(SYNTHESIS_SYSTEM + prompt, v.text);
  if (estimate) rec.estimated_tokens = estimate.total_tokens;
  s.hooks.record(s.chairman.provider, s.chairman.model, v.usage, estimate);
  rec.cost_usd = cutOff(r.attempts) ? null : s.hooks.price(s.chairman.provider, s.chairman.model, v.usage);
  rec.text = v.text;
  if (v.truncated) {
    rec.status = 'failed';
    rec.error = `the synthesis was cut off (${v.truncated}${v.finish_reason ? `, ${v.finish_reason}` : ''})`;
    return advisory(`synthesis unusable: ${rec.error}`);
  }
  const parsed = parseDraft(v.text);
  if (parsed.unusable) {
    rec.status = 'failed';
    rec.error = parsed.unusable;
    return advisory(`synthesis unusable: ${rec.error}`);
  }
  rec.status = 'ok';
  // The same guardrails as a draft: content checks, then grounding citations (checkPublish).
  const asDraft: Draft = { ...emptyDraft('synthesis', s.chairman), status: 'ok', answer: parsed.answer, evidence: parsed.evidence, safety_flags: parsed.safety_flags, parse: parsed.parse };
  const verdict = s.checkDraft(asDraft);
  if (!verdict.passed) return advisory(`the synthesis failed its checks (${verdict.failures.map((f) => `${f.check}: ${f.detail}`).join('; ')})`);
  const pub = s.checkPublish(asDraft);
  if (!pub.ok) return advisory(`the synthesis failed the publish check (${pub.reason ?? 'no detail'})`);
  const status = s.verbatim.status === 'pending_approval' ? 'pending_approval' : 'published';
  const why = `synthesized by ${refName(s.chairman)} from ${from.map((d) => `${d.id}${score(d.id) !== null ? ` (${score(d.id)}/10)` : ''}`).join(', ')}, best first; the synthesis passed the guardrails`;
  return {
    synthesis: rec,
    publish: {
      status,
      draft_id: null,
      provider: s.chairman.provider,
      model: s.chairman.model,
      text: parsed.answer,
      reason: status === 'pending_approval' ? `awaiting approval: ${why}` : why,
      passed_over: s.verbatim.passed_over,
      synthesized: true,
    },
  };
}
