// Content checks a draft must pass before it can be published (issue 3).
// Each failure names its check and says why; `require_citations` failures also disqualify the draft
// (the pipeline scores it 0).
import type { Draft } from '../api/index.js';
import type { DraftVerdict } from '../djp/hooks.js';

/** Safety flags that block publication when a model (or a check) raises them. */
export const BLOCKING_FLAGS = [
  'policy_violation',
  'hate_speech',
  'harassment',
  'violence',
  'illegal_content',
  'privacy_violation',
  'copyright_violation',
  'disqualified_citations',
] as const;

/** A verbatim quote is "long" when it has at least this many characters AND this many words. */
export const LONG_QUOTE_MIN_CHARS = 100;
export const LONG_QUOTE_MIN_WORDS = 75;

/** Phrases models use to decline a task. Checked against the start of the answer. */
const REFUSAL_PATTERNS: RegExp[] = [
  /\bI(?:'m| am)\s+(?:sorry|afraid)\b[^.!?\n]{0,60}\b(?:can(?:no|')t|cannot|unable|won't|will not|not able)\b/i,
  /\bI\s+(?:can(?:no|')t|cannot|won't|will not|am unable to|'m unable to|am not able to|'m not able to)\s+(?:help(?!\s+but\b)|assist|comply|provide|fulfil+|do that|answer|support|complete|create|write|generate)\b/i,
  /\bas an ai(?: language model)?,? I\s+(?:can(?:no|')t|cannot|am (?:not able|unable)|don't|do not)\b/i,
  /\bI\s+must\s+(?:decline|refuse)\b/i,
  /\bI(?:'m| am)\s+not\s+(?:able|allowed|permitted)\s+to\s+(?:help|assist|provide|share|discuss)\b/i,
];
/** Only the opening of the answer is searched: a refusal comes first; a quoted one later is not one. */
const REFUSAL_WINDOW = 300;

export interface ContentCheckOptions {
  /** Minimum number of evidence items; fewer → failure + disqualification. 0 disables. */
  requireCitations: number;
}

type CheckedDraft = Pick<Draft, 'answer' | 'evidence' | 'safety_flags'>;

export function checkEmpty(d: CheckedDraft): string | null {
  return d.answer.trim() === '' ? 'the answer is empty' : null;
}

export function normalizeFlag(flag: string): string {
  return flag.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

export function checkSafetyFlags(d: CheckedDraft): string | null {
  const blocking = new Set<string>(BLOCKING_FLAGS);
  const hit = [...new Set(d.safety_flags.map(normalizeFlag).filter((f) => blocking.has(f)))];
  return hit.length ? `blocking safety flag${hit.length > 1 ? 's' : ''}: ${hit.join(', ')}` : null;
}

export interface QuoteSpan {
  kind: 'quoted' | 'fenced' | 'blockquote';
  text: string;
}

/** Double-quoted ("…", “…”), fenced (``` … ```, ~~~ … ~~~) and block-quote (> …) spans of the text. */
export function findQuoteSpans(text: string): QuoteSpan[] {
  const spans: QuoteSpan[] = [];
  for (const m of text.matchAll(/(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n?\1/g)) spans.push({ kind: 'fenced', text: m[2] ?? '' });
  const withoutFences = text.replace(/(`{3,}|~{3,})[^\n]*\n[\s\S]*?\n?\1/g, ' ');
  for (const m of withoutFences.matchAll(/"([^"]+)"|“([^”]+)”/g)) spans.push({ kind: 'quoted', text: m[1] ?? m[2] ?? '' });
  let block: string[] = [];
  const flush = () => {
    if (block.length) spans.push({ kind: 'blockquote', text: block.join('\n') });
    block = [];
  };
  for (const line of withoutFences.split('\n')) {
    const m = /^\s{0,3}>\s?(.*)$/.exec(line);
    if (m) block.push(m[1] ?? '');
    else flush();
  }
  flush();
  return spans;
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

export function checkLongQuotes(d: CheckedDraft): string | null {
  for (const span of findQuoteSpans(d.answer)) {
    const chars = span.text.trim().length;
    const words = countWords(span.text);
    if (chars >= LONG_QUOTE_MIN_CHARS && words >= LONG_QUOTE_MIN_WORDS) {
      return `${span.kind} span of ${words} words / ${chars} characters (limit: ${LONG_QUOTE_MIN_WORDS} words and ${LONG_QUOTE_MIN_CHARS} characters)`;
    }
  }
  return null;
}

export function checkRefusal(d: CheckedDraft): string | null {
  const opening = d.answer.slice(0, REFUSAL_WINDOW);
  for (const re of REFUSAL_PATTERNS) {
    const m = re.exec(opening);
    if (m) return `the answer reads as a refusal ("${m[0].slice(0, 80)}")`;
  }
  return null;
}

export function countEvidence(d: CheckedDraft): number {
  return d.evidence.filter((e) => e.trim() !== '').length;
}

/** Runs every content check on one draft. */
export function checkContent(d: CheckedDraft, opts: ContentCheckOptions): DraftVerdict {
  const failures: DraftVerdict['failures'] = [];
  const add = (check: string, detail: string | null) => {
    if (detail) failures.push({ check, detail });
  };
  add('empty', checkEmpty(d));
  add('safety_flags', checkSafetyFlags(d));
  add('long_quote', checkLongQuotes(d));
  add('refusal', checkRefusal(d));
  let disqualify = false;
  if (opts.requireCitations > 0) {
    const n = countEvidence(d);
    if (n < opts.requireCitations) {
      disqualify = true;
      add('require_citations', `${n} evidence item${n === 1 ? '' : 's'}, ${opts.requireCitations} required (scored 0, disqualified)`);
    }
  }
  return { passed: failures.length === 0, failures, disqualify };
}
