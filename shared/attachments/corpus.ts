// A run's attachments as its grounding corpus: each file's text (PDFs through the same reader as a
// corpus folder) chunked into passages by the grounded-mode code in shared/guardrails — retrieval
// into the prompts, citations `name#n` checked against the files — not a second implementation.
import { DjpError, type Attachment, type RunAttachment } from '../api/index.js';
import { corpusFromTexts, pdfToText, type Corpus } from '../guardrails/grounding/corpus.js';
import { mb, type AttachmentLimits } from './limits.js';
import { asText } from './sniff.js';
import type { AttachmentStore } from './store.js';

export const ATTACHMENTS_CORPUS_ROOT = 'attachments';

export interface RunAttachments {
  /** What the artifact lists. */
  list: RunAttachment[];
  /** Null when no attachment's text could be read. */
  corpus: Corpus | null;
  /** One per file left out ("the run says which file and goes on without it"). */
  warnings: string[];
}

/** Distinct passage names: a second "notes.md" becomes "notes (2).md". */
function uniqueName(name: string, taken: Set<string>): string {
  if (!taken.has(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let i = 2; ; i++) if (!taken.has(`${stem} (${i})${ext}`)) return `${stem} (${i})${ext}`;
}

async function textOf(a: Attachment, data: Uint8Array): Promise<string> {
  if (a.media_type === 'application/pdf') return pdfToText(data);
  const t = asText(data);
  if (t === null) throw new Error('the content is not UTF-8 text');
  return t;
}

/**
 * Loads the run's attachments (inherited first, then the request's, each once), checks the per-run
 * limit and builds the corpus. An id that does not exist is not_found naming `attachments.N`.
 */
export async function loadRunAttachments(store: AttachmentStore, requested: string[], inherited: RunAttachment[], limits: AttachmentLimits): Promise<RunAttachments> {
  const wanted: Array<{ id: string; source: RunAttachment['source']; field: string }> = [];
  const seen = new Set<string>();
  for (const a of inherited) if (!seen.has(a.id)) (seen.add(a.id), wanted.push({ id: a.id, source: 'inherited', field: 'follow_up_of' }));
  requested.forEach((id, i) => {
    if (!seen.has(id)) (seen.add(id), wanted.push({ id, source: 'request', field: `attachments.${i}` }));
  });
  const files = await Promise.all(wanted.map(async (w) => ({ ...w, ...(await store.read(w.id, w.field)) })));
  const total = files.reduce((n, f) => n + f.data.byteLength, 0);
  if (total > limits.runBytes)
    throw new DjpError('too_large', `attachments: ${mb(total)} in all is over the per-run limit of ${mb(limits.runBytes)} (DJP_ATTACHMENTS_MAX_RUN_BYTES), the thread's earlier attachments included`, 'attachments');
  const list: RunAttachment[] = [];
  const warnings: string[] = [];
  const items: Array<{ path: string; data: Uint8Array; text: string }> = [];
  const names = new Set<string>();
  for (const f of files) {
    const a = f.attachment;
    try {
      const text = await textOf(a, f.data);
      if (!text.trim()) throw new Error('it holds no text');
      const path = uniqueName(a.name, names);
      names.add(path);
      items.push({ path, data: f.data, text });
      list.push({ ...a, source: f.source, used: true, warning: null });
    } catch (e) {
      const warning = `attachment ${a.name} (${a.id}) was left out: it cannot be read (${(e as Error).message})`;
      warnings.push(warning);
      list.push({ ...a, source: f.source, used: false, warning });
    }
  }
  return { list, corpus: items.length ? corpusFromTexts(ATTACHMENTS_CORPUS_ROOT, items) : null, warnings };
}
