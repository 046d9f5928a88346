// Hook points where guardrails (shared/guardrails) and costs (shared/cost) plug into the pipeline.
// The pipeline (shared/djp/pipeline.ts) calls these; `noGuardrails` / `noCostMeter` are the
// pass-through versions used when a feature is off and in tests of the bare pipeline.
import type { Cost, Draft, Grounding, Guardrails, RunArtifact, RunParameters, Usage } from '../api/index.js';
import type { RedactionRule } from '../guardrails/redaction.js';

export interface DraftVerdict {
  passed: boolean;
  /** Each failed check with a human-readable detail; a failed draft is passed over (and, for
   *  require_citations, scored 0 and disqualified). */
  failures: Array<{ check: string; detail: string }>;
  /** True when the draft must be scored 0 (e.g. fewer evidence items than require_citations). */
  disqualify: boolean;
}

export interface GuardrailHooks {
  /** Before the debate: extra context for the debaters' prompt (grounded passages), or null. */
  prepare(task: string, params: RunParameters): Promise<{ context: string | null }>;
  /** After the debate, once per usable draft. */
  checkDraft(draft: Draft, params: RunParameters): DraftVerdict;
  /**
   * On the draft about to be published (top-ranked, allowed by policy, passed its checks):
   * grounding/citation validation. `ok: false` turns the result advisory_only with `reason`.
   */
  checkPublish(draft: Draft, params: RunParameters): { ok: boolean; reason: string | null };
  /** Redacts every free-text field of the artifact (task, drafts, judge raw/reasons, publish text)
   *  and records the events; called before the artifact is stored or anything is released. */
  redact(artifact: RunArtifact): RunArtifact;
  /** Redacts one string (log lines, error messages, CLI output). */
  redactText(text: string): string;
  /** The rules redactText applies, when known: streamed text is then held back only as far as they
   *  could still match (shared/guardrails/stream.ts); otherwise a bounded tail is held back. */
  redactionRules?(): readonly RedactionRule[] | null;
  /** The artifact's guardrails section (checks, redaction summary, grounding). */
  summary(): Guardrails;
  grounding(): Grounding | null;
}

export interface CostMeter {
  /** USD for one call's usage, or null when the model is unpriced or usage unknown. */
  price(provider: string, model: string, usage: Usage | null): number | null;
  /** Records actual spend of a finished call. `usage: null` means the call may have been billed but
   *  reported no usage (cut off, or a provider that sends none): its stage's USD becomes unknown
   *  (null), and budgets count `estimate` instead (recorded as estimated_tokens). */
  record(stage: 'debate' | 'judge', provider: string, model: string, usage: Usage | null, estimate?: Usage): void;
  /** False once actual spend has crossed a budget: the pipeline launches no new calls. */
  canLaunch(): { ok: boolean; reason: string | null };
  /** The artifact's cost section: actual spend per stage, the projection, budget state. */
  summary(): Cost;
}

export const noGuardrails: GuardrailHooks = {
  async prepare() {
    return { context: null };
  },
  checkDraft() {
    return { passed: true, failures: [], disqualify: false };
  },
  checkPublish() {
    return { ok: true, reason: null };
  },
  redact(a) {
    return a;
  },
  redactText(t) {
    return t;
  },
  summary() {
    return { checks: [], redaction: { enabled: false, rules_file: null, events: [] }, grounding: null };
  },
  grounding() {
    return null;
  },
};

/** Used only until shared/cost provides the real meter, and in bare-pipeline tests: prices nothing
 *  (every cost null — unpriced, never $0) and never stops a run. */
export function noCostMeter(): CostMeter {
  const tokens = { debate: { i: 0, o: 0 }, judge: { i: 0, o: 0 } };
  return {
    price: () => null,
    record(stage, _p, _m, usage) {
      if (usage) {
        tokens[stage].i += usage.input_tokens;
        tokens[stage].o += usage.output_tokens;
      }
    },
    canLaunch: () => ({ ok: true, reason: null }),
    summary() {
      const st = (s: { i: number; o: number }) => ({ usd: null, input_tokens: s.i, output_tokens: s.o });
      return {
        currency: 'USD',
        projected_usd: null,
        projected_tokens: 0,
        debate: st(tokens.debate),
        judge: st(tokens.judge),
        total: st({ i: tokens.debate.i + tokens.judge.i, o: tokens.debate.o + tokens.judge.o }),
        unpriced_models: [],
        budget: { usd: null, tokens: null, exceeded: false, detail: null },
      };
    },
  };
}
