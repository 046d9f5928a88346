// Publish: the top-ranked draft from an allowed model that passed its checks is released word for
// word (a `prefer` policy may pick a lower-ranked one, and says so with both scores); otherwise
// advisory_only with the reason; with no usable draft, none. The reason always names the scores.
import type { Draft, Judge, Publish } from '../api/index.js';
import { policyAllows, policyPrefers, type Policy } from '../config/policy.js';
import type { DraftVerdict } from './hooks.js';
import { isUsable } from './debate.js';

export interface PublishInput {
  drafts: Draft[];
  judge: Judge;
  policy: Policy;
  verdicts: Map<string, DraftVerdict>;
  checkPublish(d: Draft): { ok: boolean; reason: string | null };
  requireApproval: boolean;
  /** Set when the run was cancelled. */
  interrupted: string | null;
}

/** provider/model, without repeating the provider when the model name carries it (offline/*). */
export const refName = (d: { provider: string; model: string }) => (d.model.startsWith(`${d.provider}/`) ? d.model : `${d.provider}/${d.model}`);

const base = (status: Publish['status'], reason: string, d: Draft | null = null, text: string | null = null): Publish => ({
  status,
  draft_id: d?.id ?? null,
  provider: d?.provider ?? null,
  model: d?.model ?? null,
  text,
  reason,
  passed_over: [],
});

function failureSummary(drafts: Draft[]): string {
  if (drafts.length === 0) return 'no debaters';
  return drafts.map((d) => `${d.id} ${refName(d)}: ${d.status}${d.error ? ` (${d.error})` : ''}`).join('; ');
}

/** "d3 (anthropic/claude-sonnet-4-6, 9/10)" */
function described(d: Draft, judge: Judge): string {
  const s = judge.scores.find((x) => x.draft_id === d.id);
  const score = s?.status === 'scored' && s.score !== null ? `, ${Math.round(s.score * 100) / 100}/10` : '';
  return `${d.id} (${refName(d)}${score})`;
}

export function decidePublish(p: PublishInput): Publish {
  const usable = p.drafts.filter(isUsable);
  if (usable.length === 0) {
    return base('none', p.interrupted ? `run interrupted (${p.interrupted}) before any usable draft` : `no usable draft: ${failureSummary(p.drafts)}`);
  }
  if (p.interrupted) return base('advisory_only', `run interrupted (${p.interrupted}); nothing is published from an interrupted run`);
  if (p.judge.status === 'failed') return base('advisory_only', `judge failed: ${p.judge.reason ?? 'no detail'} — no scores were invented, so nothing is published`);
  if (p.judge.ranking.length === 0) {
    return base('advisory_only', p.judge.status === 'skipped' ? `judge skipped: ${p.judge.reason ?? 'no detail'}` : 'the judge scored no draft');
  }
  const byId = new Map(p.drafts.map((d) => [d.id, d]));
  const ranked = p.judge.ranking.map((id) => byId.get(id)!).filter(Boolean);
  if (!p.policy.publishes) {
    const top = ranked[0]!;
    return base('advisory_only', `policy "${p.policy.name}" publishes nothing automatically; best draft ${top.id} (${refName(top)}) is advisory`, top);
  }
  const passedOver: Publish['passed_over'] = [];
  const eligible: Draft[] = [];
  for (const d of ranked) {
    const reasons: string[] = [];
    if (!policyAllows(p.policy, d)) reasons.push(`policy "${p.policy.name}" does not allow ${refName(d)}`);
    const v = p.verdicts.get(d.id);
    if (v && !v.passed) reasons.push(...v.failures.map((f) => `${f.check}: ${f.detail}`));
    if (reasons.length) passedOver.push({ draft_id: d.id, reasons });
    else eligible.push(d);
  }
  const preferred = eligible.find((d) => policyPrefers(p.policy, d));
  const chosen = preferred ?? eligible[0];
  if (!chosen) {
    const out = base('advisory_only', `no draft may be published: ${passedOver.map((x) => `${x.draft_id}: ${x.reasons.join(', ')}`).join('; ')}`, ranked[0]);
    out.passed_over = passedOver;
    return out;
  }
  // Higher-ranked eligible drafts skipped for a preferred provider are recorded as passed over.
  for (const d of eligible) {
    if (d === chosen) break;
    passedOver.push({ draft_id: d.id, reasons: [`policy "${p.policy.name}" prefers ${p.policy.prefer.join(', ')}`] });
  }
  const check = p.checkPublish(chosen);
  if (!check.ok) {
    const out = base('advisory_only', check.reason ?? 'the publish check failed', chosen);
    out.passed_over = passedOver;
    return out;
  }
  const top = ranked[0]!;
  let why: string;
  if (chosen !== eligible[0]) why = `${described(chosen, p.judge)} preferred by policy "${p.policy.name}" over ${described(eligible[0]!, p.judge)}`;
  else if (chosen === top) why = `${described(chosen, p.judge)} is the judge's top-ranked draft and passed the guardrails`;
  else why = `${described(chosen, p.judge)} is the top-ranked draft that may be published; ${passedOver.filter((x) => x.draft_id !== chosen.id).map((x) => `${described(byId.get(x.draft_id)!, p.judge)} was passed over: ${x.reasons.join(', ')}`).join('; ')}`;
  const out = p.requireApproval
    ? base('pending_approval', `awaiting approval: ${why}`, chosen, chosen.answer)
    : base('published', why, chosen, chosen.answer);
  out.passed_over = passedOver;
  return out;
}
