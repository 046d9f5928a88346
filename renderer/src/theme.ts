// Light/dark theme, persisted in localStorage ("djp.theme"); defaults to the system preference.
export type Theme = 'light' | 'dark';
const KEY = 'djp.theme';

export function loadTheme(): Theme {
  try {
    const t = localStorage.getItem(KEY);
    if (t === 'light' || t === 'dark') return t;
  } catch {
    /* storage blocked: fall through */
  }
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(t: Theme, persist = false): void {
  document.documentElement.dataset.theme = t;
  if (persist) {
    try {
      localStorage.setItem(KEY, t);
    } catch {
      /* ignore */
    }
  }
}

// Budget defaults the Run form starts with (Settings edits them).
export interface BudgetDefaults {
  usd: number | null;
  tokens: number | null;
}
const BUDGET_KEY = 'djp.budgets';

export function loadBudgets(): BudgetDefaults {
  try {
    const raw = JSON.parse(localStorage.getItem(BUDGET_KEY) ?? 'null') as Partial<BudgetDefaults> | null;
    return { usd: typeof raw?.usd === 'number' ? raw.usd : null, tokens: typeof raw?.tokens === 'number' ? raw.tokens : null };
  } catch {
    return { usd: null, tokens: null };
  }
}

export function saveBudgets(b: BudgetDefaults): void {
  try {
    localStorage.setItem(BUDGET_KEY, JSON.stringify(b));
  } catch {
    /* ignore */
  }
}
