// Debate: every debater drafts in parallel, each under its own time budget. A failing or slow
// debater never loses the others' drafts: each call ends in a Draft record, whatever happened.
import type { Attempt, Draft, ModelRef, RunEventInput, Usage } from '../api/index.js';
import { createStreamRedactor } from '../guardrails/stream.js';
import type { RedactionRule } from '../guardrails/redaction.js';
import { ProviderCallError } from '../providers/errors.js';
import { withRetry, type RetryOptions } from '../providers/retry.js';
import { appliedTemperature } from '../providers/temperature.js';
import type { LlmProvider } from '../providers/types.js';
import { estimateTokens } from '../cost/projection.js';
import { parseDraft } from './parse.js';
import { DRAFT_SYSTEM, draftPrompt } from './prompts.js';
import { DRAFT_SCHEMA } from './schemas.js';

export const MAX_DEBATERS = 6;

export interface CallHooks {
  /** Stops new calls once a budget is spent. */
  canLaunch(): { ok: boolean; reason: string | null };
  price(provider: string, model: string, usage: Usage | null): number | null;
  /** `estimate` is what budgets count when usage is null (the provider reported none). */
  record(provider: string, model: string, usage: Usage | null, estimate?: Usage): void;
}

/** A token estimate for a call that reported no usage (~4 characters per token). */
export function estimateUsage(sent: string, received: string): Usage {
  const i = estimateTokens(sent);
  const o = estimateTokens(received);
  return { input_tokens: i, output_tokens: o, total_tokens: i + o };
}

export interface DebateOptions {
  /** The task as sent to the providers (redacted when outbound redaction is on). */
  task: string;
  /** Per-call answer cap in characters (null: none). */
  max_answer_chars: number | null;
  /** Extra context from the guardrails (grounded passages), or null. */
  context: string | null;
  /** The thread's earlier turns, a prompt section built by shared/threads; null/absent on a first turn. */
  thread?: string | null;
  max_tokens: number;
  temperature: number;
  timeout_s: number;
  providerFor(id: ModelRef['provider']): LlmProvider;
  signal?: AbortSignal;
  emit(e: RunEventInput): void;
  /** Redacts streamed text before it leaves the pipeline (applied over the whole stream so far,
   *  so a secret split across fragments is still caught; see shared/guardrails/stream.ts). */
  redactText?: (s: string) => string;
  /** The rules redactText applies, when known (the stream redactor then holds back less). */
  redactRules?: readonly RedactionRule[] | null;
  hooks: CallHooks;
  /** Retry tuning (tests shorten the backoff). */
  retry?: Partial<Omit<RetryOptions, 'signal' | 'onAttempt' | 'totalTimeoutMs'>>;
}

export function emptyDraft(id: string, m: ModelRef): Draft {
  return {
    id,
    provider: m.provider,
    model: m.model,
    response_model: null,
    usage: null,
    latency_ms: 0,
    attempts: [],
    cost_usd: null,
    status: 'skipped',
    raw: '',
    answer: '',
    evidence: [],
    confidence: null,
    safety_flags: [],
    parse: 'raw',
    parse_error: null,
    error: null,
  };
}

export function draftIds(debaters: readonly ModelRef[]): Array<{ id: string } & ModelRef> {
  return debaters.slice(0, MAX_DEBATERS).map((m, i) => ({ id: `d${i + 1}`, provider: m.provider, model: m.model }));
}

async function runOne(d: { id: string } & ModelRef, o: DebateOptions): Promise<Draft> {
  const draft = emptyDraft(d.id, d);
  o.emit({ type: 'draft.started', draft_id: d.id });
  const finish = (): Draft => {
    o.emit({ type: 'draft.done', draft_id: d.id, status: draft.status, error: draft.error, usage: draft.usage, latency_ms: draft.latency_ms });
    return draft;
  };
  if (o.signal?.aborted) {
    draft.status = 'cancelled';
    draft.error = 'run cancelled before this draft started';
    return finish();
  }
  const gate = o.hooks.canLaunch();
  if (!gate.ok) {
    draft.status = 'skipped';
    draft.error = `not launched: ${gate.reason ?? 'budget exceeded'}`;
    return finish();
  }
  let provider: LlmProvider;
  try {
    provider = o.providerFor(d.provider);
  } catch (e) {
    draft.status = 'failed';
    draft.error = (e as Error).message;
    return finish();
  }
  draft.temperature = appliedTemperature(d.provider, d.model, o.temperature);
  await provider.prepare?.(); // the SDK is loaded before the clock starts: latency is the call's own
  // One redacting stream per attempt: a retried attempt starts its text afresh (clients reset the
  // draft's text on a failed draft.attempt), and only a successful attempt releases its held tail.
  type Redactor = ReturnType<typeof createStreamRedactor>;
  let current: Redactor | null = null;
  let attemptNo = 0;
  // The text the current attempt has streamed so far: a cancelled draft keeps it (marked partial).
  let streamed = '';
  const prompt = draftPrompt(o.task, o.context, o.thread ?? null);
  const result = await withRetry(
    (signal) => {
      const mine = ++attemptNo;
      const stream: Redactor | null = o.redactText ? createStreamRedactor(o.redactText, { rules: o.redactRules ?? null }) : null;
      current = stream;
      streamed = '';
      // Late fragments of an aborted or superseded attempt are dropped.
      const onDelta = (t: string) => {
        if (mine !== attemptNo || signal.aborted) return;
        streamed += t;
        const out = stream ? stream.push(t) : t;
        if (out) o.emit({ type: 'draft.delta', draft_id: d.id, text: out });
      };
      return provider.complete({
        model: d.model,
        system: DRAFT_SYSTEM,
        prompt,
        max_tokens: o.max_tokens,
        temperature: o.temperature,
        signal,
        json: true,
        schema: DRAFT_SCHEMA,
        maxChars: o.max_answer_chars,
        onDelta,
      });
    },
    {
      ...o.retry,
      totalTimeoutMs: o.timeout_s * 1000,
      signal: o.signal,
      onAttempt: (attempt: Attempt) => o.emit({ type: 'draft.attempt', draft_id: d.id, attempt }),
    },
  );
  draft.latency_ms = result.latencyMs;
  draft.attempts = result.attempts;
  const rest = result.ok ? (current as Redactor | null)?.flush() : null;
  if (rest) o.emit({ type: 'draft.delta', draft_id: d.id, text: rest });
  // An attempt cut off by a timeout or a cancel may have been billed without reporting usage.
  if (cutOff(result.attempts)) o.hooks.record(d.provider, d.model, null, estimateUsage(DRAFT_SYSTEM + prompt, ''));
  if (!result.ok) {
    draft.status = result.outcome === 'timeout' ? 'timeout' : result.outcome === 'cancelled' ? 'cancelled' : 'failed';
    draft.error = result.error.message;
    if (draft.status === 'cancelled' && streamed) {
      // What had streamed is kept for the reader (the artifact's redaction applies to it like any raw
      // text); its answer stays empty and its status cancelled, so it is never judged or published.
      draft.raw = streamed;
      draft.partial = true;
      draft.parse_error = 'cancelled while streaming';
    }
    return finish();
  }
  const { text, usage, response_model, finish_reason, truncated, structured, cut_error } = result.value;
  draft.usage = usage;
  draft.finish_reason = finish_reason;
  draft.structured = structured;
  draft.response_model = response_model && response_model !== d.model ? response_model : null;
  const estimate = usage ? undefined : estimateUsage(DRAFT_SYSTEM + prompt, text);
  if (estimate) draft.estimated_tokens = estimate.total_tokens;
  o.hooks.record(d.provider, d.model, usage, estimate);
  draft.cost_usd = cutOff(result.attempts) ? null : o.hooks.price(d.provider, d.model, usage);
  draft.raw = text;
  // Cut answers are kept for the record but are never usable: not parsed into an answer.
  if (truncated) {
    draft.truncated = truncated;
    draft.status = 'failed';
    draft.error =
      truncated === 'length'
        ? `unusable: the answer was cut off at the token cap (${finish_reason}, max_tokens ${o.max_tokens})`
        : truncated === 'answer_cap'
          ? `unusable: the answer passed max_answer_chars (${o.max_answer_chars}); the stream was stopped and ${text.length} characters kept`
          : `unusable: partial answer — ${cut_error ?? 'the stream was cut'}`;
    draft.parse_error = 'truncated';
    return finish();
  }
  const parsed = parseDraft(text);
  const { unusable, ...fields } = parsed;
  Object.assign(draft, fields);
  if (unusable) {
    draft.status = 'failed';
    draft.error = `unusable: ${unusable}`;
    return finish();
  }
  // Identical raw and answer text (a plain-text answer) is stored once.
  if (draft.answer === text.trim()) {
    draft.raw = '';
    draft.raw_is_answer = true;
  }
  draft.status = 'ok';
  return finish();
}

/** Runs all debaters in parallel; resolves with one Draft per debater, in debater order. Never rejects. */
export async function runDebate(debaters: readonly ModelRef[], o: DebateOptions): Promise<Draft[]> {
  return Promise.all(
    draftIds(debaters).map((d) =>
      runOne(d, o).catch((e: unknown) => {
        const draft = emptyDraft(d.id, d);
        draft.status = 'failed';
        draft.error = new ProviderCallError(`internal error: ${(e as Error)?.message ?? String(e)}`, 'other').message;
        return draft;
      }),
    ),
  );
}

/** True when an attempt was cut off (timeout, cancel) after it may have reached the provider. */
export function cutOff(attempts: readonly Attempt[]): boolean {
  return attempts.some((a) => a.outcome === 'timeout' || a.outcome === 'cancelled');
}

export function isUsable(d: Draft): boolean {
  return d.status === 'ok' && d.answer.trim() !== '';
}
