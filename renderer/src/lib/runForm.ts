// The Run form's state and how it becomes a RunRequest (validated here first, so a mistake is
// shown at its field before anything is sent; the server validates again).
import type { ModelRef, ProviderId, ProviderStatus, RunRequest } from '../../../shared/api/index.js';
import { loadBudgets, type BudgetDefaults } from '../theme.js';

/** A run takes at most this many debaters (shared/djp/debate.ts MAX_DEBATERS; RunRequest's max). */
export const MAX_DEBATERS = 6;

/** One debater of the form: any provider (several rows may share one), any model id ('' = its default). */
export interface DebaterRow {
  key: number;
  provider: ProviderId;
  model: string;
}

export interface FormState {
  task: string;
  preset: string;
  /** Empty: the server chooses (one per configured provider). */
  debaters: DebaterRow[];
  /** provider '' = the server's default judge; model '' = that provider's judge model. */
  judge: { provider: ProviderId | ''; model: string };
  policy: string;
  requireCitations: string;
  grounded: boolean;
  corpus: string;
  redact: boolean;
  requireApproval: boolean;
  budgetUsd: string;
  budgetTokens: string;
  offline: boolean;
}

export function initialForm(b: BudgetDefaults = loadBudgets()): FormState {
  return {
    task: '',
    preset: '',
    debaters: [],
    judge: { provider: '', model: '' },
    policy: '',
    requireCitations: '0',
    grounded: false,
    corpus: '',
    redact: true,
    requireApproval: false,
    budgetUsd: b.usd !== null ? String(b.usd) : '',
    budgetTokens: b.tokens !== null ? String(b.tokens) : '',
    offline: false,
  };
}

/** Builds the request; returns the field at fault and why when the form is not valid. */
export function buildRequest(f: FormState, providers: ProviderStatus[]): { request: RunRequest } | { field: string; message: string } {
  const task = f.task.trim();
  if (!task) return { field: 'task', message: 'Write a task for the models to answer.' };
  const req: RunRequest = { task };
  if (f.preset) req.preset = f.preset as RunRequest['preset'];
  if (f.debaters.length > MAX_DEBATERS) return { field: 'debaters', message: `A run takes at most ${MAX_DEBATERS} debaters (${f.debaters.length} chosen).` };
  const debaters: ModelRef[] = [];
  for (const [i, row] of f.debaters.entries()) {
    const p = providers.find((x) => x.id === row.provider);
    if (!p || !usableProvider(p)) return { field: 'debaters', message: `Debater ${i + 1}: ${p?.label ?? row.provider} is not configured on the server.` };
    debaters.push({ provider: p.id, model: row.model.trim() || p.default_model });
  }
  if (debaters.length) req.debaters = debaters;
  if (f.judge.provider) {
    const p = providers.find((x) => x.id === f.judge.provider);
    if (!p || !usableProvider(p)) return { field: 'judge', message: `Judge: ${p?.label ?? f.judge.provider} is not configured on the server.` };
    req.judge = { provider: p.id, model: f.judge.model.trim() || p.judge_model };
  }
  if (f.policy) req.policy = f.policy;
  const cites = Number(f.requireCitations || '0');
  if (!Number.isInteger(cites) || cites < 0 || cites > 100) return { field: 'require_citations', message: 'Required citations must be a whole number from 0 to 100.' };
  if (cites > 0) req.require_citations = cites;
  if (f.grounded) {
    if (!f.corpus.trim()) return { field: 'grounded_corpus', message: 'Grounded mode needs a corpus folder path on the server.' };
    req.grounded_corpus = f.corpus.trim();
  }
  req.redact = f.redact;
  if (f.requireApproval) req.require_approval = true;
  if (f.budgetUsd.trim()) {
    const usd = Number(f.budgetUsd);
    if (!(usd > 0)) return { field: 'budget_usd', message: 'Budget (USD) must be a positive number, or empty for no budget.' };
    req.budget_usd = usd;
  }
  if (f.budgetTokens.trim()) {
    const t = Number(f.budgetTokens);
    if (!Number.isInteger(t) || t <= 0) return { field: 'budget_tokens', message: 'Budget (tokens) must be a positive whole number, or empty.' };
    req.budget_tokens = t;
  }
  if (f.offline) req.offline = true;
  return { request: req };
}

/** A provider a run can use: configured, or the offline one. */
export function usableProvider(p: ProviderStatus): boolean {
  return p.configured || p.id === 'offline';
}

/** The provider a new debater row starts with: the first usable one not yet in the form, else the first usable. */
export function nextProvider(rows: readonly DebaterRow[], providers: readonly ProviderStatus[]): ProviderId | null {
  const usable = providers.filter(usableProvider).filter((p) => p.id !== 'offline' || providers.every((x) => x.id === 'offline' || !x.configured));
  const pick = usable.find((p) => !rows.some((r) => r.provider === p.id)) ?? usable[0] ?? providers.find(usableProvider);
  return pick?.id ?? null;
}

/** For each draft that shares its provider with an earlier one, the ids of those drafts (d1, d2 …). */
export function sharedProviders(rows: readonly Pick<DebaterRow, 'provider'>[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  rows.forEach((r, i) => {
    const before = rows.slice(0, i).flatMap((x, j) => (x.provider === r.provider ? [`d${j + 1}`] : []));
    if (before.length) out.set(i, before);
  });
  return out;
}
