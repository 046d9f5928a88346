// Small formatting helpers shared by the screens.

export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return 'unpriced';
  if (usd === 0) return '$0.00';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** "provider/model", naming the provider once when the model id already starts with it ("offline/alpha"). */
export function modelName(provider: string, model: string): string {
  return model.startsWith(`${provider}/`) ? model : `${provider}/${model}`;
}

/**
 * Where the released text came from, for the result panel: "winner d2 (openai/gpt-5.4)", or for a
 * chairman's synthesis (publish: synthesize; draft_id null) "synthesized by openai/gpt-5.4 from d1, d2".
 */
export function publishSource(p: { draft_id: string | null; provider: string | null; model: string | null; synthesized?: boolean }, from: readonly string[] | null = null): string | null {
  if (!p.provider) return null;
  const name = modelName(p.provider, p.model ?? '');
  if (p.synthesized || p.draft_id === null) return `synthesized by ${name}${from?.length ? ` from ${from.join(', ')}` : ''}`;
  return `winner ${p.draft_id} (${name})`;
}
