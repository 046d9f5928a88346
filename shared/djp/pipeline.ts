// The DJP run orchestrator: debate → guardrail checks → judge → publish → artifact. Emits events
// through a callback, calls the guardrail and cost hooks at the documented points, records per-stage
// timings, and on cancellation (AbortSignal) saves what exists with `interrupted` set.
import {
  ARTIFACT_SCHEMA_VERSION,
  type RunArtifact,
  type Draft,
  type Judge,
  type ModelRef,
  type Provenance,
  type RunAttachment,
  type RunEventInput,
  type ThreadInfo,
  type RunParameters,
  type Synthesis,
} from '../api/index.js';
import { policyAllows, policyRecord, type Policy } from '../config/policy.js';
import { redactEvent } from '../guardrails/events.js';
import type { RetryOptions } from '../providers/retry.js';
import type { LlmProvider } from '../providers/types.js';
import { isUsable, runDebate, type CallHooks } from './debate.js';
import { noCostMeter, noGuardrails, type CostMeter, type DraftVerdict, type GuardrailHooks } from './hooks.js';
import { rankScores, runJudge, skippedJudge } from './judge.js';
import { decidePublish } from './publish.js';
import { safeCostMeter, safeGuardrails, type HookFailure } from './safe-hooks.js';
import { nextTurn } from './turns.js';
import { refName } from './publish.js';
import { synthesize } from './synthesize.js';

export interface PipelineInput {
  runId: string;
  task: string;
  params: RunParameters;
  policy: Policy;
  providerFor(id: ModelRef['provider']): LlmProvider;
  provenance: Provenance;
  emit(e: RunEventInput): void;
  guardrails?: GuardrailHooks;
  cost?: CostMeter;
  signal?: AbortSignal;
  now?: () => Date;
  retry?: Partial<Omit<RetryOptions, 'signal' | 'onAttempt' | 'totalTimeoutMs'>>;
  /** The run's place in its thread and, for a follow-up, the earlier turns as a prompt section
   *  (shared/threads). Absent: the run starts its own thread. */
  thread?: { info: ThreadInfo; section: string | null };
  /** What grounded retrieval searches for; default the task (a follow-up adds the earlier tasks). */
  retrievalQuery?: string;
  /** Attachments the run uses (recorded in the artifact); their text reaches the prompts as the
   *  grounding corpus through `guardrails`. */
  attachments?: RunAttachment[];
  /** Warnings found while preparing the run (an attachment that could not be read, a replay of
   *  redacted text), emitted after run.started. */
  warnings?: string[];
}

function reasonOf(signal: AbortSignal | undefined): string | null {
  if (!signal?.aborted) return null;
  const r: unknown = signal.reason;
  if (typeof r === 'string') return r;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  return 'cancelled';
}

export async function runPipeline(input: PipelineInput): Promise<RunArtifact> {
  const now = input.now ?? (() => new Date());
  const plain = (input.guardrails ?? noGuardrails) === noGuardrails;
  const { params, signal } = input;
  // A hook that throws is recorded and the run goes on, failing closed (see safe-hooks.ts).
  const onHookFailure = (f: HookFailure) => emit({ type: 'warning', message: `guardrail/cost hook ${f.hook} failed: ${f.message}` });
  const g = safeGuardrails(input.guardrails ?? noGuardrails, params, onHookFailure);
  const cost = safeCostMeter(input.cost ?? noCostMeter(), onHookFailure);
  const created = now();
  const t0 = Date.now();
  const timings = { debate: 0, judge: 0, publish: 0, total: 0 };

  // Every event leaves through the run's redactor (provider errors and judge reasons can echo secrets).
  // Warnings are also kept for the artifact.
  const warnings: string[] = [];
  const emitOut = plain ? input.emit : (e: RunEventInput) => input.emit(redactEvent(e, (t) => g.redactText(t)));
  const emit = (e: RunEventInput) => {
    if (e.type === 'warning') warnings.push(plain ? e.message : g.redactText(e.message));
    emitOut(e);
  };
  // Outbound privacy: with redact_outbound, providers get the redacted task, passages and judge
  // prompt (the same rules as storage); off, they get the raw text while storage stays redacted.
  const outbound = !plain && params.redact_outbound ? (t: string) => g.redactText(t) : undefined;
  const sentTask = outbound ? outbound(input.task) : input.task;
  const debaters = params.debaters.slice(0, 6);
  emit({
    type: 'run.started',
    task: g.redactText(input.task),
    drafts: debaters.map((m, i) => ({ draft_id: `d${i + 1}`, provider: m.provider, model: m.model })),
    judge: params.judge,
    projected_usd: cost.summary().projected_usd,
  });
  for (const w of input.warnings ?? []) emit({ type: 'warning', message: w });
  // The thread section comes from stored (already redacted) artifacts; it is scrubbed with this
  // run's rules too before any model sees it.
  const thread = input.thread?.section ? g.redactText(input.thread.section) : null;
  if (debaters.length === 1) emit({ type: 'warning', message: `one debater (${refName(debaters[0]!)}): there is no debate, the judge scores a single draft` });
  const self = debaters.map((m, i) => ({ m, id: `d${i + 1}` })).filter(({ m }) => m.provider === params.judge.provider && m.model === params.judge.model);
  if (self.length) emit({ type: 'warning', message: `the judge ${refName(params.judge)} also wrote ${self.map((x) => x.id).join(', ')}: it judges its own model` });

  const hooks = (stage: 'debate' | 'judge'): CallHooks => ({
    canLaunch: () => cost.canLaunch(),
    price: (p, m, u) => cost.price(p, m, u),
    record: (p, m, u, est) => cost.record(stage, p, m, u, est),
  });

  // --- debate ---
  const tDebate = Date.now();
  let context: string | null = null;
  if (!signal?.aborted) {
    try {
      ({ context } = await g.prepare(input.retrievalQuery ?? input.task, params));
    } catch (e) {
      input.emit({ type: 'warning', message: g.redactText(`grounding context unavailable, drafting without it: ${(e as Error).message}`) });
    }
  }
  const drafts: Draft[] = await runDebate(debaters, {
    task: sentTask,
    context: context && outbound ? outbound(context) : context,
    max_answer_chars: params.max_answer_chars,
    thread: thread && outbound ? outbound(thread) : thread,
    max_tokens: params.max_tokens,
    temperature: params.temperature,
    timeout_s: params.timeout_s,
    providerFor: input.providerFor,
    signal,
    emit,
    redactText: plain ? undefined : (s) => g.redactText(s),
    redactRules: plain ? null : (g.redactionRules?.() ?? null),
    hooks: hooks('debate'),
    retry: input.retry,
  });
  timings.debate = Date.now() - tDebate;
  // Runs whose drafts finished together continue one per event-loop turn (turns.ts).
  await nextTurn();

  // --- guardrail checks on each usable draft ---
  const usable = drafts.filter(isUsable);
  if (usable.length === 1 && drafts.length > 1 && !signal?.aborted) {
    const others = drafts.filter((d) => d !== usable[0]).map((d) => `${d.id} ${d.status}${d.error ? `: ${d.error}` : ''}`);
    emit({ type: 'warning', message: `only one usable draft (${usable[0]!.id}): no debate took place (${others.join('; ')})` });
  }
  const verdicts = new Map<string, DraftVerdict>();
  const disqualified = new Map<string, string>();
  for (const d of usable) {
    const v = g.checkDraft(d, params);
    verdicts.set(d.id, v);
    if (v.disqualify) disqualified.set(d.id, `disqualified: ${v.failures.map((f) => `${f.check}: ${f.detail}`).join('; ')}`);
  }
  const allowed = (d: Draft) => policyAllows(input.policy, d);

  // --- judge ---
  const tJudge = Date.now();
  let judge: Judge;
  const eligible = usable.filter((d) => !disqualified.has(d.id));
  const disqScores = [...disqualified].map(([id, why]) => ({ draft_id: id, status: 'disqualified' as const, score: 0, subscores: null, reasons: why, pass_scores: [] }));
  if (signal?.aborted) {
    judge = skippedJudge(params.judge, `run interrupted: ${reasonOf(signal)}`, disqScores);
  } else if (eligible.length === 0) {
    judge = skippedJudge(params.judge, usable.length ? 'every usable draft was disqualified' : 'no usable draft to judge', disqScores);
  } else if (params.fastpath && eligible.length === 1) {
    judge = skippedJudge(params.judge, 'fastpath: exactly one usable draft, judge not needed', disqScores, [eligible[0]!.id]);
  } else {
    judge = await runJudge({
      task: sentTask,
      thread: thread && outbound ? outbound(thread) : thread,
      drafts: usable,
      disqualified,
      model: params.judge,
      providerFor: input.providerFor,
      max_tokens: params.judge_max_tokens ?? params.max_tokens,
      passes: params.judge_passes,
      outbound,
      timeout_s: params.timeout_s,
      seed: params.seed,
      margin_threshold: params.margin_threshold,
      allowed,
      signal,
      emit,
      hooks: hooks('judge'),
      retry: input.retry,
    });
    if (judge.status === 'ok' || judge.status === 'partial') judge.ranking = rankScores(judge.scores, usable, allowed);
  }
  if (self.length) judge.self_judged = self.map((x) => x.id);
  if (judge.status === 'skipped') emit({ type: 'judge.done', pass: 0, status: 'skipped', error: judge.reason, scores: judge.scores });
  timings.judge = Date.now() - tJudge;
  await nextTurn();

  // --- publish ---
  const tPublish = Date.now();
  const interrupted = reasonOf(signal);
  let publish = decidePublish({
    drafts,
    judge,
    policy: input.policy,
    verdicts,
    checkPublish: (d) => g.checkPublish(d, params),
    requireApproval: params.require_approval,
    interrupted,
  });
  // Synthesis (publish: synthesize): only when the verbatim decision would release a draft.
  let synthesis: Synthesis | null = null;
  if (params.publish === 'synthesize' && params.chairman && !interrupted && (publish.status === 'published' || publish.status === 'pending_approval')) {
    ({ synthesis, publish } = await synthesize({
      task: sentTask,
      params,
      chairman: params.chairman,
      drafts,
      judge,
      verbatim: publish,
      providerFor: input.providerFor,
      outbound,
      checkDraft: (d) => g.checkDraft(d, params),
      checkPublish: (d) => g.checkPublish(d, params),
      hooks: hooks('judge'),
      signal,
      emit,
      retry: input.retry,
    }));
  }
  timings.publish = Date.now() - tPublish;
  timings.total = Date.now() - t0;

  const draft: RunArtifact = {
    schema_version: ARTIFACT_SCHEMA_VERSION,
    id: input.runId,
    created_at: created.toISOString(),
    finished_at: now().toISOString(),
    task: input.task,
    parameters: params,
    status: publish.status,
    interrupted,
    drafts,
    judge,
    publish,
    guardrails: g.summary(),
    approval: {
      required: params.require_approval,
      state: publish.status === 'pending_approval' ? 'pending' : 'not_required',
      decided_by: null,
      decided_at: null,
      reason: null,
    },
    cost: cost.summary(),
    provenance: input.provenance,
    timings_ms: timings,
    thread: input.thread?.info ?? { id: input.runId, parent_id: null, turn: 1, context: null },
    attachments: input.attachments ?? [],
    policy: policyRecord(input.policy),
    warnings,
    ...(params.publish === 'synthesize' ? { synthesis } : {}),
  };
  // Redaction runs before anything is released or stored; its events land in guardrails.summary().
  const redacted = g.redact(draft);
  const artifact: RunArtifact = failClosed({ ...redacted, guardrails: g.summary() }, g.blocking());
  emit({ type: 'publish.done', publish: artifact.publish });
  // Not parsed against the schema here: the run store validates every artifact it saves
  // (RunStore.save/update/modify), and the whole-artifact zod parse was ~2.6% of the server's
  // main-thread CPU per run done twice (bench/server.ts profile). An artifact that does not validate
  // is refused by the save, named by its field, and kept in the fallback folder (unsaved.ts).
  return artifact;
}

/** When a run-level guardrail failed to run, nothing is published: the result is advisory only. */
function failClosed(a: RunArtifact, failures: HookFailure[]): RunArtifact {
  if (failures.length === 0) return a;
  const why = `guardrails failed to run (${failures.map((f) => `${f.hook}: ${f.message}`).join('; ')})`;
  if (a.publish.status !== 'published' && a.publish.status !== 'pending_approval') {
    return { ...a, publish: { ...a.publish, reason: `${a.publish.reason}; ${why}` } };
  }
  return {
    ...a,
    status: 'advisory_only',
    publish: { ...a.publish, status: 'advisory_only', text: null, reason: `${why}; nothing is published — best draft ${a.publish.draft_id ?? '?'} is advisory` },
    approval: { ...a.approval, state: 'not_required' },
  };
}
