// Tolerant parsing of model JSON: a bare object, a ```json fenced block, or an object embedded in
// prose. When nothing parses, the raw text is kept and flagged (parse: 'raw', parse_error set).

export type ParseMode = 'json' | 'fenced_json' | 'raw';

export function extractJson(raw: string): { value: unknown; mode: ParseMode } | { error: string } {
  const text = raw.trim();
  if (!text) return { error: 'empty response' };
  let firstError: string | null = null;
  try {
    return { value: JSON.parse(text), mode: 'json' };
  } catch (e) {
    firstError = (e as Error).message;
  }
  const fence = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(text);
  if (fence?.[1]) {
    try {
      return { value: JSON.parse(fence[1].trim()), mode: 'fenced_json' };
    } catch (e) {
      firstError = `fenced block: ${(e as Error).message}`;
    }
  }
  const a = text.indexOf('{');
  const b = text.lastIndexOf('}');
  if (a >= 0 && b > a) {
    try {
      return { value: JSON.parse(text.slice(a, b + 1)), mode: 'json' };
    } catch {
      /* fall through */
    }
  }
  return { error: `no JSON object found (${firstError})` };
}

export interface ParsedDraft {
  answer: string;
  evidence: string[];
  confidence: number | null;
  safety_flags: string[];
  parse: ParseMode;
  parse_error: string | null;
  /** Why this text can never be published as an answer (empty answer, JSON without an answer,
   *  broken JSON); null when it can. Raw JSON text is never an answer. */
  unusable: string | null;
}

function strings(v: unknown): string[] {
  if (!Array.isArray(v)) return typeof v === 'string' && v.trim() ? [v] : [];
  return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).filter((s) => s.trim() !== '');
}

/** Text that is (or tries to be) JSON: never published as prose. */
const looksLikeJson = (t: string) => /^\s*(?:[{[]|```)/.test(t) || /"answer"\s*:/.test(t);

export function parseDraft(raw: string): ParsedDraft {
  const got = extractJson(raw);
  const asRaw = (why: string, unusable: string | null): ParsedDraft => ({
    answer: unusable ? '' : raw.trim(),
    evidence: [],
    confidence: null,
    safety_flags: [],
    parse: 'raw',
    parse_error: why,
    unusable,
  });
  if (!raw.trim()) return asRaw('empty response', 'the model returned an empty response');
  if ('error' in got) return asRaw(got.error, looksLikeJson(raw) ? `the answer is broken JSON (${got.error})` : null);
  const v = got.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return asRaw('JSON is not an object', 'the model returned JSON that is not an object');
  const o = v as Record<string, unknown>;
  if (typeof o.answer !== 'string') return asRaw('JSON has no "answer" string', 'the model returned JSON without an "answer" string');
  if (!o.answer.trim()) return asRaw('the "answer" is empty', 'the answer is empty or only whitespace');
  let confidence: number | null = null;
  const c = typeof o.confidence === 'string' ? Number(o.confidence) : o.confidence;
  if (typeof c === 'number' && Number.isFinite(c)) confidence = Math.min(1, Math.max(0, c));
  return {
    answer: o.answer,
    evidence: strings(o.evidence),
    confidence,
    safety_flags: strings(o.safety_flags),
    parse: got.mode,
    parse_error: null,
    unusable: null,
  };
}

export interface ParsedJudgeEntry {
  label: string;
  task_fit: number;
  support: number;
  clarity: number;
  reasons: string;
}

/**
 * Reads the judge's scores. Entries with an unknown label or an out-of-range/missing subscore are
 * dropped (their drafts end up unscored) and listed in `problems`.
 */
export function parseJudge(raw: string, labels: string[]): { entries: ParsedJudgeEntry[]; problems: string[] } | { error: string } {
  const got = extractJson(raw);
  if ('error' in got) return { error: got.error };
  const v = got.value as { scores?: unknown } | unknown[];
  const sc = v && typeof v === 'object' && !Array.isArray(v) ? (v as { scores?: unknown }).scores : undefined;
  // Two shapes: the prompt's array of {label, …}, and native structured output's object keyed by label.
  const list = Array.isArray(v)
    ? v
    : Array.isArray(sc)
      ? sc
      : sc && typeof sc === 'object'
        ? Object.entries(sc as Record<string, unknown>).map(([label, e]) => (e && typeof e === 'object' ? { label, ...(e as object) } : e))
        : null;
  if (!list) return { error: 'judge JSON has no "scores"' };
  const entries: ParsedJudgeEntry[] = [];
  const problems: string[] = [];
  const known = new Set(labels);
  const seen = new Set<string>();
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const r = item as Record<string, unknown>;
    const label = typeof r.label === 'string' ? r.label.trim().replace(/^Draft\s+/i, '') : '';
    if (!known.has(label)) {
      problems.push(`unknown label ${JSON.stringify(r.label)}`);
      continue;
    }
    if (seen.has(label)) continue;
    const num = (k: string, max: number): number | null => {
      const x = typeof r[k] === 'string' ? Number(r[k]) : r[k];
      return typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= max ? x : null;
    };
    const tf = num('task_fit', 4);
    const sp = num('support', 4);
    const cl = num('clarity', 2);
    if (tf === null || sp === null || cl === null) {
      problems.push(`draft ${label}: subscores missing or out of range`);
      continue;
    }
    seen.add(label);
    entries.push({ label, task_fit: tf, support: sp, clarity: cl, reasons: typeof r.reasons === 'string' ? r.reasons : typeof r.reason === 'string' ? r.reason : '' });
  }
  return { entries, problems };
}
