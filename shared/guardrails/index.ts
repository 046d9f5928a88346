// The guardrails of one run: content checks, grounding (corpus, retrieval, citations) and redaction,
// assembled into the GuardrailHooks the pipeline calls (shared/djp/hooks.ts).
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve as resolvePath } from 'node:path';
import { DjpError, type Draft, type Grounding, type Guardrails, type RunArtifact, type RunParameters } from '../api/index.js';
import type { GuardrailHooks } from '../djp/hooks.js';
import { checkContent } from './content-checks.js';
import { Bm25Index } from './grounding/bm25.js';
import { checkCitations, countValid, type CheckedCitation } from './grounding/citations.js';
import { loadCorpusCached, type Corpus, type Passage } from './grounding/corpus.js';
import { createRedactor, loadRulesFile, parseRulesFile, type Redactor, type RulesFile } from './redaction.js';

export { redactSecrets } from './redaction.js';
export { createStreamRedactor } from './stream.js';

export const DEFAULT_TOP_K = 5;

type ContentCheck = Guardrails['checks'][number];

export interface GuardrailOptions {
  /** A corpus already loaded (tests, or a cache); default: loaded from params.grounded_corpus. */
  corpus?: Corpus;
  /** Passages retrieved into the debaters' prompt. */
  topK?: number;
  /** The custom rules as stored by an earlier run (replay): used instead of reading redaction_rules. */
  rulesContent?: string | null;
  /**
   * When set (the hosted server should set it), grounded_corpus and redaction_rules must resolve
   * inside one of these folders; anything else is refused — a web user must not make the server read
   * arbitrary files into prompts and artifacts.
   */
  allowedRoots?: string[];
}

function checkPath(path: string, field: 'grounded_corpus' | 'redaction_rules', roots: string[] | undefined): void {
  if (!roots) return;
  const real = (p: string) => {
    try {
      return realpathSync(p); // a symlink inside a root must not lead outside it
    } catch {
      return resolvePath(p);
    }
  };
  const abs = real(path);
  const inside = roots.some((r) => {
    const rel = relative(real(r), abs);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
  if (!inside)
    throw new DjpError(
      'forbidden',
      `${field}: ${path} is outside the folders this server may read (${roots.length ? roots.join(', ') : 'none configured'})`,
      field,
    );
}

export type GuardrailParams = Pick<
  RunParameters,
  'require_citations' | 'grounded_corpus' | 'grounded_required' | 'redact' | 'redaction_rules'
> &
  Partial<Pick<RunParameters, 'redact_outbound'>>;

export interface RunGuardrails extends GuardrailHooks {
  readonly redactor: Redactor;
  readonly corpus: Corpus | null;
}

/**
 * Builds the guardrails for one run. Loads the corpus and the custom redaction rules up front, so a
 * missing corpus folder or a bad rules file fails the request (DjpError 'invalid' naming the field)
 * before any model is called.
 */
export async function createGuardrails(params: GuardrailParams, opts: GuardrailOptions = {}): Promise<RunGuardrails> {
  if (params.grounded_required > 0 && !params.grounded_corpus && !opts.corpus)
    throw new DjpError('invalid', 'grounded_required: needs grounded_corpus (a folder of .md, .txt or .pdf files)', 'grounded_required');
  if (params.grounded_corpus && !opts.corpus) checkPath(params.grounded_corpus, 'grounded_corpus', opts.allowedRoots);
  // Stored rules content (replay) needs no file: a moved or edited rules file changes nothing.
  if (params.redaction_rules && !opts.rulesContent) checkPath(params.redaction_rules, 'redaction_rules', opts.allowedRoots);
  const rules: RulesFile | null = opts.rulesContent
    ? parseRulesFile(params.redaction_rules ?? '(stored rules)', opts.rulesContent)
    : params.redaction_rules
      ? await loadRulesFile(params.redaction_rules)
      : null;
  const redactionSummary = (): Guardrails['redaction'] => ({
    enabled: params.redact,
    rules_file: params.redaction_rules,
    events: redactor.events(),
    outbound: params.redact_outbound ?? false,
    rules_content: rules?.content ?? null,
  });
  const corpus = opts.corpus ?? (params.grounded_corpus ? await loadCorpusCached(params.grounded_corpus) : null);
  const index = corpus ? new Bm25Index<Passage>(corpus.passages) : null;
  const redactor = createRedactor({ enabled: params.redact, rules });
  const topK = opts.topK ?? DEFAULT_TOP_K;

  const checks = new Map<string, ContentCheck>();
  const citations = new Map<string, CheckedCitation[]>();
  let retrieved: Grounding['retrieved'] = [];
  let outcome: Grounding['outcome'] = 'not_checked';
  let outcomeReason: string | null = null;

  // summary() may be called before and after redact(artifact); texts it returns are redacted once
  // (memoised), so events are counted once and the guardrails section never carries raw text.
  const memo = new Map<string, string>();
  const redactOnce = (text: string, where: string): string => {
    const key = `${where}\u0000${text}`;
    let out = memo.get(key);
    if (out === undefined) {
      out = redactor.redact(text, where);
      memo.set(key, out);
    }
    return out;
  };

  const citationsOf = (draft: Pick<Draft, 'id' | 'answer' | 'evidence'>): CheckedCitation[] => {
    if (!corpus) return [];
    let c = citations.get(draft.id);
    if (!c) {
      c = checkCitations(draft, corpus);
      citations.set(draft.id, c);
    }
    return c;
  };

  const grounding = (): Grounding | null => {
    if (!corpus) return null;
    return {
      corpus: {
        path: params.grounded_corpus ?? corpus.root,
        files: corpus.files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes, chunks: f.chunks })),
      },
      retrieved: retrieved.map((r) => ({ ...r, text: redactOnce(r.text, 'grounding') })),
      citations: [...citations.entries()].flatMap(([draft_id, list]) =>
        list.map((c) => ({ draft_id, citation: redactOnce(c.citation, 'grounding'), valid: c.valid, matched: c.matched })),
      ),
      required: params.grounded_required,
      outcome,
      reason: outcomeReason === null ? null : redactOnce(outcomeReason, 'grounding'),
    };
  };

  const redactArtifact = (a: RunArtifact): RunArtifact => {
    const out = structuredClone(a);
    const r = (text: string, where: string) => redactor.redact(text, where);
    const rn = (text: string | null, where: string) => (text === null ? null : r(text, where));
    out.task = r(out.task, 'task');
    out.interrupted = rn(out.interrupted, 'artifact');
    for (const d of out.drafts) {
      const w = `draft:${d.id}`;
      d.raw = r(d.raw, w);
      d.answer = r(d.answer, w);
      d.evidence = d.evidence.map((e) => r(e, w));
      d.safety_flags = d.safety_flags.map((f) => r(f, w));
      d.error = rn(d.error, w);
      d.parse_error = rn(d.parse_error, w);
      for (const at of d.attempts) at.error = rn(at.error, w);
    }
    out.judge.reason = rn(out.judge.reason, 'judge');
    for (const p of out.judge.passes) {
      p.raw = r(p.raw, 'judge');
      p.error = rn(p.error, 'judge');
      for (const at of p.attempts) at.error = rn(at.error, 'judge');
    }
    for (const s of out.judge.scores) s.reasons = r(s.reasons, 'judge');
    if (out.synthesis) {
      out.synthesis.text = r(out.synthesis.text, 'synthesis');
      out.synthesis.error = rn(out.synthesis.error, 'synthesis');
      for (const at of out.synthesis.attempts) at.error = rn(at.error, 'synthesis');
    }
    out.warnings = out.warnings?.map((w) => r(w, 'artifact'));
    out.publish.text = rn(out.publish.text, 'publish');
    out.publish.reason = r(out.publish.reason, 'publish');
    for (const po of out.publish.passed_over) po.reasons = po.reasons.map((x) => r(x, 'publish'));
    for (const c of out.guardrails.checks) for (const f of c.failures) f.detail = r(f.detail, 'guardrails');
    const g = out.guardrails.grounding;
    if (g) {
      for (const p of g.retrieved) p.text = r(p.text, 'grounding');
      for (const c of g.citations) c.citation = r(c.citation, 'grounding');
      g.reason = rn(g.reason, 'grounding');
    }
    out.approval.reason = rn(out.approval.reason, 'approval');
    out.guardrails.redaction = redactionSummary();
    return out;
  };

  return {
    redactor,
    corpus,
    async prepare(task) {
      if (!index) return { context: null };
      const hits = index.search(task, topK);
      retrieved = hits.map((h) => ({ id: h.doc.id, file: h.doc.file, score: Math.round(h.score * 1000) / 1000, text: h.doc.text }));
      if (!hits.length) return { context: null };
      return { context: hits.map((h) => `[${h.doc.id}] ${h.doc.text}`).join('\n\n') };
    },
    checkDraft(draft, p) {
      const verdict = checkContent(draft, { requireCitations: p.require_citations });
      checks.set(draft.id, { draft_id: draft.id, passed: verdict.passed, failures: verdict.failures.map((f) => ({ ...f })) });
      citationsOf(draft);
      return verdict;
    },
    checkPublish(draft, p) {
      if (!corpus) return { ok: true, reason: null };
      const list = citationsOf(draft);
      const valid = countValid(list);
      const required = p.grounded_required;
      if (valid < required) {
        outcome = 'failed';
        outcomeReason =
          `grounding: draft ${draft.id} has ${valid} valid citation${valid === 1 ? '' : 's'} of ${required} required` +
          ` (${list.length - valid} of ${list.length} found did not match the corpus)`;
        return { ok: false, reason: outcomeReason };
      }
      outcome = 'passed';
      outcomeReason = null;
      return { ok: true, reason: null };
    },
    redact: redactArtifact,
    // Log lines, error messages, streamed fragments: redacted with the run's rules, no events recorded.
    redactText: (text) => redactor.scrub(text),
    redactionRules: () => redactor.rules,
    summary() {
      return {
        checks: [...checks.values()].map((c) => ({
          ...c,
          failures: c.failures.map((f) => ({ check: f.check, detail: redactOnce(f.detail, 'guardrails') })),
        })),
        redaction: redactionSummary(),
        grounding: grounding(),
      };
    },
    grounding,
  };
}
