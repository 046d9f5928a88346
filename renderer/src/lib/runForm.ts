// The Run form's state and how it becomes a RunRequest (validated here first, so a mistake is
// shown at its field before anything is sent; the server validates again).
import type { ModelRef, ProviderStatus, RunRequest } from '../../../shared/api/index.js';
import { loadBudgets, type BudgetDefaults } from '../theme.js';

export interface FormState {
  task: string;
  preset: string;
  debaters: Record<string, { on: boolean; model: string }>;
  judge: string; // "" = default, else provider/model
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
    debaters: {},
    judge: '',
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
  const debaters: ModelRef[] = providers.filter((p) => f.debaters[p.id]?.on).map((p) => ({ provider: p.id, model: f.debaters[p.id]?.model || p.default_model }));
  if (debaters.length) req.debaters = debaters;
  if (f.judge) {
    const [provider, ...rest] = f.judge.split('/');
    req.judge = { provider: provider as ModelRef['provider'], model: rest.join('/') };
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
