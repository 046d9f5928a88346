// Citations in a draft and their validation against the corpus.
//
// What counts as a citation:
// - a bracketed file or passage reference in the answer or the evidence: `[notes.md]`,
//   `[notes.md#2]`, `[source: guide.pdf#p1]`; in evidence items also a bare `notes.md#2`;
// - a quoted span ("…" or “…”) of at least 4 words, in the answer or the evidence;
// - an evidence item with neither (at least 4 words): the item itself, taken as a claim to quote.
// A citation is valid when it names a corpus file (by relative path or file name) or an existing
// passage of one (`file#n`), or when its (normalised) text appears in the corpus.
import type { Corpus } from './corpus.js';

export type CitationKind = 'file' | 'passage' | 'quote';

export interface CitationCandidate {
  kind: CitationKind;
  /** As written in the draft (trimmed). */
  citation: string;
  file?: string;
  n?: number;
  quote?: string;
}

export interface CheckedCitation extends CitationCandidate {
  valid: boolean;
  /** The corpus file or passage id it matched. */
  matched: string | null;
}

const EXT = '(?:md|markdown|txt|pdf)';
const ANCHOR = '(?:\\s*#\\s*(?:p|chunk|passage)?[-_ ]?(\\d+))?';
const BRACKETED = new RegExp(`\\[(?:(?:source|see|from)\\s*:?\\s*)?([^\\[\\]\\n]{1,200}?\\.${EXT})${ANCHOR}\\]`, 'gi');
const BARE = new RegExp(`(?<![\\w./\\\\-])([\\w./\\\\-]{1,200}\\.${EXT})(?![\\w])${ANCHOR.replace('\\s*#\\s*', '#')}`, 'gi');
const QUOTED = /"([^"\n]{8,2000})"|“([^”\n]{8,2000})”/g;
const MIN_QUOTE_WORDS = 4;
const MAX_CITATION_CHARS = 300;

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** Lower case, unified quotes and dashes, punctuation dropped, whitespace collapsed. */
export function normalizeForMatch(s: string): string {
  return s
    .toLowerCase()
    .replace(/[‘’`´]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[‐-―]/g, '-')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function refCandidate(raw: string, file: string, anchor: string | undefined): CitationCandidate {
  const n = anchor ? Number(anchor) : undefined;
  return { kind: n ? 'passage' : 'file', citation: raw.trim(), file: file.trim(), ...(n ? { n } : {}) };
}

function quoteCandidates(text: string): CitationCandidate[] {
  const out: CitationCandidate[] = [];
  for (const m of text.matchAll(QUOTED)) {
    const q = (m[1] ?? m[2] ?? '').trim();
    if (words(q) >= MIN_QUOTE_WORDS) out.push({ kind: 'quote', citation: m[0], quote: q });
  }
  return out;
}

/** Every citation candidate in a draft's answer and evidence, in order, duplicates removed. */
export function extractCitations(draft: { answer: string; evidence: string[] }): CitationCandidate[] {
  const out: CitationCandidate[] = [];
  for (const m of draft.answer.matchAll(BRACKETED)) out.push(refCandidate(m[0], m[1]!, m[2]));
  out.push(...quoteCandidates(draft.answer));
  for (const item of draft.evidence) {
    const found: CitationCandidate[] = [];
    for (const m of item.matchAll(BRACKETED)) found.push(refCandidate(m[0], m[1]!, m[2]));
    const unbracketed = item.replace(BRACKETED, ' ');
    for (const m of unbracketed.matchAll(BARE)) found.push(refCandidate(m[0], m[1]!, m[2]));
    found.push(...quoteCandidates(item));
    if (found.length === 0) {
      const claim = item.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim();
      if (words(claim) >= MIN_QUOTE_WORDS) found.push({ kind: 'quote', citation: claim, quote: claim });
    }
    out.push(...found);
  }
  const seen = new Set<string>();
  return out
    .map((c) => ({ ...c, citation: c.citation.slice(0, MAX_CITATION_CHARS) }))
    .filter((c) => {
      const key = `${c.kind}:${c.kind === 'quote' ? normalizeForMatch(c.quote ?? '') : `${(c.file ?? '').toLowerCase()}#${c.n ?? ''}`}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function findFile(corpus: Corpus, name: string) {
  const wanted = name.replace(/\\/g, '/').replace(/^\.\//, '').toLowerCase();
  return (
    corpus.files.find((f) => f.path.toLowerCase() === wanted) ??
    corpus.files.find((f) => (f.path.split('/').pop() ?? '').toLowerCase() === (wanted.split('/').pop() ?? ''))
  );
}

/** Normalised passage and file texts, computed once per corpus. */
const normalized = new WeakMap<Corpus, { passages: string[]; files: string[] }>();
function normalizedOf(corpus: Corpus) {
  let n = normalized.get(corpus);
  if (!n) {
    n = { passages: corpus.passages.map((p) => normalizeForMatch(p.text)), files: corpus.files.map((f) => normalizeForMatch(f.text)) };
    normalized.set(corpus, n);
  }
  return n;
}

export function validateCitation(c: CitationCandidate, corpus: Corpus): CheckedCitation {
  if (c.kind === 'quote') {
    const q = normalizeForMatch(c.quote ?? '');
    if (q.length >= 12) {
      const n = normalizedOf(corpus);
      const pi = n.passages.findIndex((t) => t.includes(q));
      if (pi >= 0) return { ...c, valid: true, matched: corpus.passages[pi]!.id };
      const fi = n.files.findIndex((t) => t.includes(q));
      if (fi >= 0) return { ...c, valid: true, matched: corpus.files[fi]!.path };
    }
    return { ...c, valid: false, matched: null };
  }
  const file = c.file ? findFile(corpus, c.file) : undefined;
  if (!file) return { ...c, valid: false, matched: null };
  if (c.n === undefined) return { ...c, valid: true, matched: file.path };
  const passage = corpus.passages.find((p) => p.file === file.path && p.n === c.n);
  return passage ? { ...c, valid: true, matched: passage.id } : { ...c, valid: false, matched: null };
}

export function checkCitations(draft: { answer: string; evidence: string[] }, corpus: Corpus): CheckedCitation[] {
  return extractCitations(draft).map((c) => validateCitation(c, corpus));
}

export function countValid(citations: CheckedCitation[]): number {
  return citations.filter((c) => c.valid).length;
}
