// Guardrail and cost figures: redaction throughput (artifact text and streamed deltas), corpus
// loading (incl. PDF), BM25 retrieval latency, citation validation, projection. Prints, never asserts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadPricing } from '../shared/cost/pricing.js';
import { projectCost } from '../shared/cost/projection.js';
import { checkContent } from '../shared/guardrails/content-checks.js';
import { Bm25Index } from '../shared/guardrails/grounding/bm25.js';
import { checkCitations } from '../shared/guardrails/grounding/citations.js';
import { loadCorpus } from '../shared/guardrails/grounding/corpus.js';
import { createRedactor } from '../shared/guardrails/redaction.js';
import { createStreamRedactor } from '../shared/guardrails/stream.js';
import { makeParams } from '../test/fixtures/sample-artifact.js';

const ms = (t0: number) => performance.now() - t0;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

function sampleText(kb: number): string {
  const para =
    'The harbour master (harbour@example.org, +44 20 7946 0958) updated the tide tables; the old key sk-proj-AbCdEfGhIjKlMnOpQrStUvWx01 was rotated. ' +
    'Payment by 4111 1111 1111 1111 from 10.0.0.12 was refunded. Spring tides happen near new and full moon, when the range is largest. ';
  return para.repeat(Math.ceil((kb * 1024) / para.length)).slice(0, kb * 1024);
}

export async function run(): Promise<void> {
  const red = createRedactor({ enabled: true });
  const text = sampleText(256);
  red.scrub(text.slice(0, 1000));
  let t0 = performance.now();
  const out = red.scrub(text);
  const redactMs = ms(t0);
  console.log(`redaction: 256 KiB of PII-dense text in ${redactMs.toFixed(1)} ms (${(256 / 1024 / (redactMs / 1000)).toFixed(1)} MiB/s), ${(out.match(/\[REDACTED:/g) ?? []).length} replacements`);

  const draft = sampleText(8);
  t0 = performance.now();
  const s = createStreamRedactor((x) => red.scrub(x));
  let n = 0;
  for (let i = 0; i < draft.length; i += 12) {
    s.push(draft.slice(i, i + 12));
    n++;
  }
  s.flush();
  console.log(`stream redaction: 8 KiB draft in ${n} deltas of 12 chars: ${ms(t0).toFixed(1)} ms total, ${((ms(t0) / n) * 1000).toFixed(0)} µs per delta`);

  t0 = performance.now();
  for (let i = 0; i < 1000; i++) checkContent({ answer: draft.slice(0, 2000), evidence: ['a', 'b'], safety_flags: [] }, { requireCitations: 2 });
  console.log(`content checks: ${(ms(t0) / 1000).toFixed(3)} ms per 2 KB draft`);

  const dir = mkdtempSync(join(tmpdir(), 'djp-bench-corpus-'));
  try {
    const words = 'tide moon harbour glacier lamp keeper fog horn survey discharge spring neap range current swell bay'.split(' ');
    for (let f = 0; f < 200; f++) {
      const body = Array.from({ length: 600 }, (_, i) => words[(f * 7 + i * 13) % words.length]).join(' ');
      writeFileSync(join(dir, `doc-${f}.md`), `# Doc ${f}\n\n${body}\n\nParagraph two of ${f}: ${body.slice(0, 400)}`);
    }
    t0 = performance.now();
    const corpus = await loadCorpus(dir);
    console.log(`corpus: 200 .md files (${(corpus.files.reduce((a, f) => a + f.bytes, 0) / 1024).toFixed(0)} KiB) → ${corpus.passages.length} passages, loaded + hashed in ${ms(t0).toFixed(0)} ms`);
    t0 = performance.now();
    const pdf = await loadCorpus(resolve(import.meta.dirname, '../test/fixtures/corpus'));
    console.log(`corpus: fixture folder with a PDF loaded in ${ms(t0).toFixed(0)} ms (${pdf.files.length} files)`);
    t0 = performance.now();
    const index = new Bm25Index(corpus.passages);
    const build = ms(t0);
    const lat: number[] = [];
    for (let q = 0; q < 200; q++) {
      const t = performance.now();
      index.search(`${words[q % words.length]} ${words[(q * 3) % words.length]} tide`, 5);
      lat.push(ms(t));
    }
    console.log(`bm25: index of ${corpus.passages.length} passages built in ${build.toFixed(0)} ms; search p50 ${pct(lat, 50).toFixed(2)} ms, p99 ${pct(lat, 99).toFixed(2)} ms`);
    t0 = performance.now();
    const cites = checkCitations({ answer: '[doc-3.md#2] "tide moon harbour glacier" [nope.md]', evidence: ['doc-9.md#1', 'spring neap range current swell bay tide'] }, corpus);
    console.log(`citations: ${cites.length} checked against ${corpus.passages.length} passages in ${ms(t0).toFixed(1)} ms (${cites.filter((c) => c.valid).length} valid)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const pricing = loadPricing(null, {});
  t0 = performance.now();
  const p = projectCost('Explain the tides. '.repeat(50), makeParams(), pricing);
  console.log(`projection: default OpenAI+Anthropic debate, GPT-5.4 judge, max_tokens 1200 → ≤ $${p.total_usd?.toFixed(4)} / ${p.total_tokens} tokens (${ms(t0).toFixed(2)} ms)`);
}
