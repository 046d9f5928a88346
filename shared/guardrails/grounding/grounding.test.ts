import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bm25Index, tokenize } from './bm25.js';
import { checkCitations, countValid, extractCitations } from './citations.js';
import { chunkText, loadCorpus, loadCorpusCached } from './corpus.js';

const CORPUS = resolve(import.meta.dirname, '../../../test/fixtures/corpus');

describe('corpus', () => {
  it('loads .md, .txt and .pdf files with hashes and passages', async () => {
    const c = await loadCorpus(CORPUS);
    expect(c.files.map((f) => f.path)).toEqual(['glacier-survey.pdf', 'lighthouse-notes.md', 'tide-faq.txt']);
    for (const f of c.files) {
      const bytes = readFileSync(join(CORPUS, f.path));
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(f.bytes).toBe(bytes.byteLength);
      expect(f.chunks).toBeGreaterThan(0);
    }
    const pdf = c.passages.find((p) => p.file === 'glacier-survey.pdf');
    expect(pdf?.text).toContain('Perito Moreno glacier advanced 40 metres');
    expect(pdf?.id).toBe('glacier-survey.pdf#1');
  });

  it('errors name grounded_corpus: missing folder, a file, an empty folder', async () => {
    await expect(loadCorpus(join(CORPUS, 'nope'))).rejects.toMatchObject({ code: 'invalid', field: 'grounded_corpus', message: expect.stringMatching(/folder not found/) });
    await expect(loadCorpus(join(CORPUS, 'tide-faq.txt'))).rejects.toMatchObject({ field: 'grounded_corpus', message: expect.stringMatching(/not a folder/) });
    const empty = mkdtempSync(join(tmpdir(), 'djp-corpus-'));
    writeFileSync(join(empty, 'image.png'), 'x');
    await expect(loadCorpus(empty)).rejects.toMatchObject({ message: expect.stringMatching(/no \.md, .*files/) });
  });

  it('walks subfolders, skips hidden files, and reports a broken PDF clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'djp-corpus-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'a.md'), 'alpha beta');
    writeFileSync(join(dir, '.hidden.md'), 'secret');
    const c = await loadCorpus(dir);
    expect(c.files.map((f) => f.path)).toEqual(['sub/a.md']);
    writeFileSync(join(dir, 'bad.pdf'), 'not a pdf at all');
    await expect(loadCorpus(dir)).rejects.toMatchObject({ field: 'grounded_corpus', message: expect.stringMatching(/cannot read PDF bad\.pdf/) });
  });

  it('the cached loader reuses a corpus until a file changes, and never caches errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'djp-corpus-'));
    await expect(loadCorpusCached(dir)).rejects.toMatchObject({ field: 'grounded_corpus' });
    writeFileSync(join(dir, 'a.md'), 'alpha beta');
    const first = await loadCorpusCached(dir);
    expect(await loadCorpusCached(dir)).toBe(first);
    writeFileSync(join(dir, 'b.txt'), 'gamma delta');
    const second = await loadCorpusCached(dir);
    expect(second).not.toBe(first);
    expect(second.files.map((f) => f.path)).toEqual(['a.md', 'b.txt']);
    writeFileSync(join(dir, 'a.md'), 'alpha beta, now longer');
    const third = await loadCorpusCached(dir);
    expect(third.passages[0]!.text).toBe('alpha beta, now longer');
    await expect(loadCorpusCached(join(dir, 'missing'))).rejects.toMatchObject({ message: expect.stringMatching(/folder not found/) });
  });

  it('chunks along paragraphs, splitting very long ones', () => {
    const para = (n: number, w: string) => Array(n).fill(w).join(' ');
    const chunks = chunkText(`${para(50, 'a')}\n\n${para(50, 'b')}\n\n${para(50, 'c')}\n\n${para(300, 'd')}`, 120);
    expect(chunks.map((c) => c.split(' ').length)).toEqual([100, 50, 120, 120, 60]);
  });
});

describe('bm25', () => {
  it('ranks the passage sharing rare terms first and drops unrelated ones', () => {
    const docs = [
      { id: 'a', text: 'The lighthouse lamp was converted to LED.' },
      { id: 'b', text: 'Spring tides happen near new and full moon.' },
      { id: 'c', text: 'Glaciers advance and retreat with the seasons.' },
    ];
    const hits = new Bm25Index(docs).search('when do spring tides happen?', 5);
    expect(hits.map((h) => h.doc.id)).toEqual(['b']);
    expect(hits[0]!.score).toBeGreaterThan(0);
    expect(tokenize('The Moon’s tide, 24 hours')).toEqual(['moon', 's', 'tide', '24', 'hours']);
  });
});

describe('citations', () => {
  it('extracts bracketed refs, bare refs in evidence, quotes and claims', () => {
    const cites = extractCitations({
      answer: 'LED since 2019 [lighthouse-notes.md#1]. As noted, "the fog horn sounds two blasts every thirty seconds" [source: tide-faq.txt].',
      evidence: ['glacier-survey.pdf#1', 'Spring tides happen near new and full moon', 'x', '[lighthouse-notes.md#1]'],
    });
    expect(cites.map((c) => [c.kind, c.citation])).toEqual([
      ['passage', '[lighthouse-notes.md#1]'],
      ['file', '[source: tide-faq.txt]'],
      ['quote', '"the fog horn sounds two blasts every thirty seconds"'],
      ['passage', 'glacier-survey.pdf#1'],
      ['quote', 'Spring tides happen near new and full moon'],
    ]);
  });

  it('validates against the corpus', async () => {
    const corpus = await loadCorpus(CORPUS);
    const checked = checkCitations(
      {
        answer: 'See [lighthouse-notes.md#1], [tide-faq.txt#9] and [made-up.md]. Quote: "the moon is made of green cheese, obviously".',
        evidence: ['“Meltwater discharge peaked in late February”', 'Spring tides happen near new and full moon'],
      },
      corpus,
    );
    const byCitation = Object.fromEntries(checked.map((c) => [c.citation, [c.valid, c.matched]]));
    expect(byCitation).toEqual({
      '[lighthouse-notes.md#1]': [true, 'lighthouse-notes.md#1'],
      '[tide-faq.txt#9]': [false, null],
      '[made-up.md]': [false, null],
      '"the moon is made of green cheese, obviously"': [false, null],
      '“Meltwater discharge peaked in late February”': [true, 'glacier-survey.pdf#1'],
      'Spring tides happen near new and full moon': [true, 'tide-faq.txt#1'],
    });
    expect(countValid(checked)).toBe(3);
  });
});
