// "Nothing is lost": the pipeline calls the guardrail and cost hooks through these wrappers, so a
// hook that throws never ends a run without its artifact. Each failure is recorded (a warning event,
// and in the artifact: a passed-over draft, or an advisory_only reason) and the run fails closed:
//   checkDraft   → that draft fails its checks (check "guardrails_error") and is passed over;
//   checkPublish → nothing is published (advisory_only with the reason);
//   redact       → the built-in redaction rules are applied to every free-text field instead, and
//                  nothing is published (the run's own rules did not run);
//   redactText   → the built-in rules scrub the text instead;
//   summary / grounding → a summary rebuilt from what the wrapper saw; nothing is published;
//   cost hooks   → the call is priced unknown (null); a failed budget check launches no new call.
// prepare() failures are handled by the pipeline itself (drafting goes on without grounded context).
import type { Cost, Draft, Guardrails, RunArtifact, RunParameters, Usage } from '../api/index.js';
import { createRedactor, redactSecrets, type Redactor } from '../guardrails/redaction.js';
import type { CostMeter, DraftVerdict, GuardrailHooks } from './hooks.js';

export const GUARDRAILS_ERROR = 'guardrails_error';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export interface HookFailure {
  hook: string;
  message: string;
}

export interface SafeGuardrails extends GuardrailHooks {
  /** Failures of run-level hooks (checkPublish, redact, summary, grounding): the run must not publish. */
  blocking(): HookFailure[];
}

/** Keys whose string values are structure (ids, enums, times, names), never free text. */
const STRUCTURAL = new Set([
  'id', 'draft_id', 'schema_version', 'created_at', 'finished_at', 'started_at', 'decided_at', 'queued_at', 'at',
  'provider', 'model', 'response_model', 'status', 'outcome', 'parse', 'stage', 'label', 'currency', 'sha256', 'state', 'source', 'check',
]);
/** Sections that hold no model or user text. */
const SKIP = new Set(['parameters', 'provenance', 'timings_ms', 'cost', 'approval']);

/** Applies `redactor` to every free-text string of an artifact (the fallback when redact() fails). */
export function redactAllText(a: RunArtifact, redactor: Redactor): RunArtifact {
  const walk = (v: unknown, where: string, key: string | null): unknown => {
    if (typeof v === 'string') return key !== null && STRUCTURAL.has(key) ? v : redactor.redact(v, where);
    if (Array.isArray(v)) return v.map((x) => walk(x, where, key));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, where, k);
      return out;
    }
    return v;
  };
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(a)) out[k] = SKIP.has(k) || STRUCTURAL.has(k) ? x : walk(x, k, k);
  return out as RunArtifact;
}

export function safeGuardrails(g: GuardrailHooks, params: Pick<RunParameters, 'redact' | 'redaction_rules'>, onFailure: (f: HookFailure) => void): SafeGuardrails {
  const fallback = createRedactor({ enabled: params.redact, rules: null });
  const failed = new Map<string, { passed: boolean; failures: Array<{ check: string; detail: string }> }>();
  const blocking: HookFailure[] = [];
  let redactFailed = false;
  let redactTextFailed = false;
  const fail = (hook: string, e: unknown, isBlocking: boolean): string => {
    const f = { hook, message: fallback.scrub(message(e)) };
    if (isBlocking && !blocking.some((b) => b.hook === hook)) blocking.push(f);
    onFailure(f);
    return f.message;
  };
  const fallbackSummary = (): Guardrails => ({
    checks: [...failed].map(([draft_id, c]) => ({ draft_id, ...c })),
    redaction: { enabled: params.redact, rules_file: params.redaction_rules, events: fallback.events() },
    grounding: null,
  });

  return {
    prepare: (task, p) => g.prepare(task, p),
    checkDraft(d: Draft, p: RunParameters): DraftVerdict {
      try {
        return g.checkDraft(d, p);
      } catch (e) {
        const msg = fail(`checkDraft(${d.id})`, e, false);
        const v = { passed: false, failures: [{ check: GUARDRAILS_ERROR, detail: `the content checks failed to run: ${msg}` }], disqualify: false };
        failed.set(d.id, { passed: false, failures: v.failures });
        return v;
      }
    },
    checkPublish(d, p) {
      try {
        return g.checkPublish(d, p);
      } catch (e) {
        const msg = fail('checkPublish', e, true);
        return { ok: false, reason: `the publish checks failed to run (${msg}); nothing is published` };
      }
    },
    redact(a) {
      try {
        return g.redact(a);
      } catch (e) {
        fail('redact', e, true);
        redactFailed = true;
        return redactAllText(a, fallback);
      }
    },
    // The rules its redactText applies (the built-in ones if it fails: a subset, so the hold-back
    // analysis stays on the safe side); unknown when the hooks do not say, or the call throws.
    ...(g.redactionRules
      ? {
          redactionRules: () => {
            try {
              return g.redactionRules!();
            } catch {
              return null;
            }
          },
        }
      : {}),
    redactText(t) {
      try {
        return g.redactText(t);
      } catch (e) {
        // Not reported per call (it runs on every streamed fragment); the built-in rules still apply.
        if (!redactTextFailed) {
          redactTextFailed = true;
          fail('redactText', e, false);
        }
        return fallback.scrub(t);
      }
    },
    summary() {
      let s: Guardrails;
      try {
        s = g.summary();
      } catch (e) {
        fail('summary', e, true);
        return fallbackSummary();
      }
      // Drafts whose checks threw are recorded beside the checks that ran.
      const have = new Set(s.checks.map((c) => c.draft_id));
      const extra = [...failed].filter(([id]) => !have.has(id)).map(([draft_id, c]) => ({ draft_id, ...c }));
      const redaction = redactFailed ? { ...s.redaction, events: [...s.redaction.events, ...fallback.events()] } : s.redaction;
      return { ...s, checks: [...s.checks, ...extra], redaction };
    },
    grounding() {
      try {
        return g.grounding();
      } catch (e) {
        fail('grounding', e, true);
        return null;
      }
    },
    blocking: () => [...blocking],
  };
}

export function safeCostMeter(c: CostMeter, onFailure: (f: HookFailure) => void): CostMeter {
  let unknown = false;
  const fail = (hook: string, e: unknown) => onFailure({ hook: `cost.${hook}`, message: redactSecrets(message(e)) });
  return {
    price(p, m, u: Usage | null) {
      try {
        return c.price(p, m, u);
      } catch (e) {
        fail('price', e);
        return null;
      }
    },
    record(stage, p, m, u, est) {
      try {
        c.record(stage, p, m, u, est);
      } catch (e) {
        unknown = true;
        fail('record', e);
      }
    },
    canLaunch() {
      try {
        return c.canLaunch();
      } catch (e) {
        fail('canLaunch', e);
        return { ok: false, reason: `the budget check failed (${redactSecrets(message(e))}); no new call was launched` };
      }
    },
    summary(): Cost {
      let s: Cost;
      try {
        s = c.summary();
      } catch (e) {
        fail('summary', e);
        const st = { usd: null, input_tokens: 0, output_tokens: 0 };
        return { currency: 'USD', projected_usd: null, projected_tokens: 0, debate: st, judge: st, total: st, unpriced_models: [], budget: { usd: null, tokens: null, exceeded: false, detail: `the cost meter failed: ${redactSecrets(message(e))}` } };
      }
      if (!unknown) return s;
      return { ...s, total: { ...s.total, usd: null } }; // a call could not be recorded: the total is unknown
    },
  };
}
