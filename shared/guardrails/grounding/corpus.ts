// Loads a grounding corpus: a folder of .md, .txt and .pdf files, read into passages (chunks of about
// CHUNK_WORDS words along paragraph boundaries), each file hashed (sha256) for the artifact.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { DjpError } from '../../api/index.js';

export const CORPUS_EXTENSIONS = ['.md', '.markdown', '.txt', '.pdf'] as const;
export const CHUNK_WORDS = 120;
export const MAX_FILES = 2000;
export const MAX_FILE_BYTES = 25 * 1024 * 1024;

export interface CorpusFile {
  /** Path relative to the corpus folder, with forward slashes. */
  path: string;
  sha256: string;
  bytes: number;
  chunks: number;
  /** The whole extracted text (whitespace-normalised), for quote validation across chunk edges. */
  text: string;
}

export interface Passage {
  /** `file#n`, n from 1: how drafts cite a passage. */
  id: string;
  file: string;
  n: number;
  text: string;
}

export interface Corpus {
  root: string;
  files: CorpusFile[];
  passages: Passage[];
}

function invalid(message: string, cause?: unknown): DjpError {
  return new DjpError('invalid', `grounded_corpus: ${message}`, 'grounded_corpus', { cause });
}

/** A folder or file the process may not read (EACCES, EIO …) is the request's fault, named as such. */
function unreadable(path: string, e: unknown): DjpError {
  const err = e as NodeJS.ErrnoException;
  return invalid(`cannot read ${path} (${err.code ?? err.message})`, e);
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: unknown) => {
    throw unreadable(dir, e);
  });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile() && (CORPUS_EXTENSIONS as readonly string[]).includes(extname(e.name).toLowerCase())) out.push(p);
    if (out.length > MAX_FILES) throw invalid(`more than ${MAX_FILES} files under ${dir}`);
  }
}

/**
 * Text of a PDF through unpdf (PDF.js built for servers, no canvas: 2.6 MB installed where pdf-parse
 * with pdfjs-dist and @napi-rs/canvas took 89 MB). Loaded only when a PDF is read. Throws unpdf's own
 * error when the file does not parse.
 */
export async function pdfToText(data: Uint8Array): Promise<string> {
  const { extractText } = await import('unpdf');
  // unpdf hands the buffer to a worker-less PDF.js, which may detach it: give it a copy.
  const { text } = await extractText(new Uint8Array(data), { mergePages: true });
  return text;
}

async function pdfText(data: Buffer, file: string): Promise<string> {
  try {
    return await pdfToText(data);
  } catch (e) {
    throw invalid(`cannot read PDF ${file} (${(e as Error).message})`, e);
  }
}

/** A corpus from files already read: each file's text chunked into passages `path#n`, hashed. */
export function corpusFromTexts(root: string, items: Array<{ path: string; data: Uint8Array; text: string }>): Corpus {
  const files: CorpusFile[] = [];
  const passages: Passage[] = [];
  for (const { path: rel, data, text: raw } of items) {
    const chunks = chunkText(raw);
    chunks.forEach((text, i) => passages.push({ id: `${rel}#${i + 1}`, file: rel, n: i + 1, text }));
    files.push({
      path: rel,
      sha256: createHash('sha256').update(data).digest('hex'),
      bytes: data.byteLength,
      chunks: chunks.length,
      text: raw.replace(/\s+/g, ' ').trim(),
    });
  }
  return { root, files, passages };
}

/** Splits text into paragraphs, then packs them into chunks of about `words` words. */
export function chunkText(text: string, words = CHUNK_WORDS): string[] {
  const paras = text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  const chunks: string[] = [];
  let cur: string[] = [];
  let curWords = 0;
  const flush = () => {
    if (cur.length) chunks.push(cur.join(' '));
    cur = [];
    curWords = 0;
  };
  for (const para of paras) {
    const w = para.split(' ');
    if (curWords && curWords + w.length > words) flush();
    if (w.length > words) {
      flush();
      for (let i = 0; i < w.length; i += words) chunks.push(w.slice(i, i + words).join(' '));
      continue;
    }
    cur.push(para);
    curWords += w.length;
  }
  flush();
  return chunks;
}

/** Loaded corpora by folder, reused while no file was added, removed, resized or modified. */
const cache = new Map<string, { fingerprint: string; corpus: Promise<Corpus> }>();
const CACHE_MAX = 8;

async function fingerprint(root: string): Promise<string> {
  const paths: string[] = [];
  await walk(root, paths);
  const parts = await Promise.all(
    paths.map(async (p) => {
      const st = await stat(p);
      return `${p}\u0000${st.size}\u0000${st.mtimeMs}`;
    }),
  );
  return parts.join('\n');
}

/**
 * loadCorpus with a small in-process cache (a long-running server re-reads nothing — PDFs included —
 * until a file under the folder changes). Errors are never cached.
 */
export async function loadCorpusCached(root: string): Promise<Corpus> {
  let fp: string;
  try {
    fp = await fingerprint(root);
  } catch {
    return loadCorpus(root); // let loadCorpus report the problem with its own message
  }
  const hit = cache.get(root);
  if (hit && hit.fingerprint === fp) return hit.corpus;
  const corpus = loadCorpus(root);
  cache.set(root, { fingerprint: fp, corpus });
  corpus.catch(() => cache.delete(root));
  while (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  return corpus;
}

export async function loadCorpus(root: string): Promise<Corpus> {
  let st;
  try {
    st = await stat(root);
  } catch (e) {
    throw invalid(`folder not found: ${root}`, e);
  }
  if (!st.isDirectory()) throw invalid(`not a folder: ${root}`);
  const paths: string[] = [];
  await walk(root, paths);
  if (paths.length === 0) throw invalid(`no ${CORPUS_EXTENSIONS.join(', ')} files in ${root}`);

  const items: Array<{ path: string; data: Uint8Array; text: string }> = [];
  for (const abs of paths) {
    const rel = relative(root, abs).split(sep).join('/');
    const data = await readFile(abs);
    if (data.byteLength > MAX_FILE_BYTES) throw invalid(`${rel} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
    const text = extname(abs).toLowerCase() === '.pdf' ? await pdfText(data, rel) : data.toString('utf8');
    items.push({ path: rel, data, text });
  }
  return corpusFromTexts(root, items);
}
