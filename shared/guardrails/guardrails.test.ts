import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunArtifact } from '../api/index.js';
import { makeArtifact, makeDraft, makeParams } from '../../test/fixtures/sample-artifact.js';
import { createGuardrails } from './index.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures');
const CORPUS = resolve(FIXTURES, 'corpus');

describe('createGuardrails', () => {
  it('records content checks per draft and returns the verdict', async () => {
    const params = makeParams({ require_citations: 1 });
    const g = await createGuardrails(params);
    const v1 = g.checkDraft(makeDraft({ id: 'd1', evidence: ['a source'] }), params);
    const v2 = g.checkDraft(makeDraft({ id: 'd2', answer: '', evidence: [] }), params);
    expect(v1.passed).toBe(true);
    expect(v2).toMatchObject({ passed: false, disqualify: true });
    expect(g.summary().checks).toEqual([
      { draft_id: 'd1', passed: true, failures: [] },
      { draft_id: 'd2', passed: false, failures: [
        { check: 'empty', detail: 'the answer is empty' },
        { check: 'require_citations', detail: '0 evidence items, 1 required (scored 0, disqualified)' },
      ] },
    ]);
    expect(g.grounding()).toBeNull();
    expect(g.checkPublish(makeDraft(), params)).toEqual({ ok: true, reason: null });
  });

  it('grounded pass: retrieves passages into the prompt, validates citations, records the corpus', async () => {
    const params = makeParams({ grounded_corpus: CORPUS, grounded_required: 2 });
    const g = await createGuardrails(params);
    const { context } = await g.prepare('How often does the lighthouse fog horn sound?', params);
    expect(context).toMatch(/^\[lighthouse-notes\.md#1\] /);
    const draft = makeDraft({
      id: 'd1',
      answer: 'Two blasts every thirty seconds in fog [lighthouse-notes.md#1].',
      evidence: ['"The fog horn sounds two blasts every thirty seconds"', '[tide-faq.txt]'],
    });
    g.checkDraft(draft, params);
    expect(g.checkPublish(draft, params)).toEqual({ ok: true, reason: null });
    const gr = g.grounding()!;
    expect(gr.outcome).toBe('passed');
    expect(gr.required).toBe(2);
    expect(gr.corpus.path).toBe(CORPUS);
    expect(gr.corpus.files.map((f) => f.path)).toEqual(['glacier-survey.pdf', 'lighthouse-notes.md', 'tide-faq.txt']);
    expect(gr.corpus.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
    expect(gr.retrieved[0]).toMatchObject({ id: 'lighthouse-notes.md#1', file: 'lighthouse-notes.md' });
    expect(gr.citations.filter((c) => c.valid).length).toBe(3);
  });

  it('grounded fail: fewer valid citations than required → checkPublish not ok, with the reason', async () => {
    const params = makeParams({ grounded_corpus: CORPUS, grounded_required: 2 });
    const g = await createGuardrails(params);
    await g.prepare('tides', params);
    const draft = makeDraft({ id: 'd3', answer: 'Tides come from wind [weather.md].', evidence: ['Spring tides happen near new and full moon'] });
    g.checkDraft(draft, params);
    const r = g.checkPublish(draft, params);
    expect(r.ok).toBe(false);
    expect(r.reason).toBe('grounding: draft d3 has 1 valid citation of 2 required (1 of 2 found did not match the corpus)');
    expect(g.grounding()).toMatchObject({ outcome: 'failed', reason: r.reason });
  });

  it('input errors name the field', async () => {
    await expect(createGuardrails(makeParams({ grounded_corpus: resolve(FIXTURES, 'missing') }))).rejects.toMatchObject({
      code: 'invalid',
      field: 'grounded_corpus',
    });
    await expect(createGuardrails(makeParams({ grounded_required: 1 }))).rejects.toMatchObject({ code: 'invalid', field: 'grounded_required' });
    await expect(createGuardrails(makeParams({ redaction_rules: resolve(FIXTURES, 'missing.json') }))).rejects.toMatchObject({
      code: 'invalid',
      field: 'redaction_rules',
    });
  });

  it('redacts every free-text field of the artifact and records events', async () => {
    const g = await createGuardrails(makeParams({ redaction_rules: resolve(FIXTURES, 'redaction-rules.json') }));
    const KEY = 'sk-proj-Zz9yXw8vUt7sRq6pOn5mLk4jIh3gFe2dCb1a';
    const a = makeArtifact({
      task: `Email jane@example.com about EMP-004211 using ${KEY}`,
      drafts: [
        makeDraft({
          id: 'd1',
          raw: `{"answer":"Card 4111 1111 1111 1111"}`,
          answer: 'Card 4111 1111 1111 1111',
          evidence: ['call 555-123-4567'],
          error: `401 for ${KEY}`,
        }),
      ],
      interrupted: null,
    });
    a.publish.text = 'Card 4111 1111 1111 1111';
    a.judge.scores[0]!.reasons = 'mentions jane@example.com';
    a.judge.passes[0]!.raw = 'SSN 123-45-6789';
    const out = g.redact(a);
    const json = JSON.stringify(out);
    for (const secret of [KEY, 'jane@example.com', '4111 1111 1111 1111', '555-123-4567', '123-45-6789', 'EMP-004211']) expect(json).not.toContain(secret);
    expect(out.task).toBe('Email [REDACTED:EMAIL] about **** using [REDACTED:OPENAI_KEY]');
    expect(out.publish.text).toBe('Card [REDACTED:CREDIT_CARD]');
    expect(() => RunArtifact.parse(out)).not.toThrow();
    expect(a.task).toContain('jane@example.com'); // input untouched
    const events = out.guardrails.redaction.events;
    expect(out.guardrails.redaction).toMatchObject({ enabled: true, rules_file: resolve(FIXTURES, 'redaction-rules.json') });
    expect(events).toContainEqual({ type: 'email', rule: 'email', count: 1, where: 'task' });
    expect(events).toContainEqual({ type: 'credit_card', rule: 'credit_card', count: 2, where: 'draft:d1' });
    expect(events).toContainEqual({ type: 'openai_key', rule: 'openai_key', count: 1, where: 'draft:d1' });
    expect(events).toContainEqual({ type: 'ssn', rule: 'ssn', count: 1, where: 'judge' });
    expect(events).toContainEqual({ type: 'employee_id', rule: 'employee_id', count: 1, where: 'task' });
    expect(g.redactText(`log line ${KEY} jane@example.com`)).toBe('log line [REDACTED:OPENAI_KEY] [REDACTED:EMAIL]');
  });

  it('redact: false keeps personal data in the artifact but never keys', async () => {
    const g = await createGuardrails(makeParams({ redact: false }));
    const out = g.redact(makeArtifact({ task: 'jane@example.com sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123' }));
    expect(out.task).toBe('jane@example.com [REDACTED:ANTHROPIC_KEY]');
    expect(out.guardrails.redaction.enabled).toBe(false);
  });
});

describe('guardrails summary', () => {
  it('never carries raw personal data from the corpus, and counts each redaction once', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(resolve(tmpdir(), 'djp-corpus-'));
    writeFileSync(resolve(dir, 'contacts.md'), 'The harbour master is reachable at harbour@example.org for tide tables.');
    const params = makeParams({ grounded_corpus: dir });
    const g = await createGuardrails(params);
    await g.prepare('harbour master tide tables', params);
    g.checkDraft(makeDraft({ id: 'd1', answer: "I'm sorry, but I can't help with that." }), params);
    const first = g.summary();
    const out = g.redact(makeArtifact({ guardrails: first }));
    const final = { ...out, guardrails: g.summary() };
    const json = JSON.stringify(final.guardrails);
    expect(json).not.toContain('harbour@example.org');
    expect(json).not.toContain('jane@example.com');
    expect(final.guardrails.grounding?.retrieved[0]?.text).toContain('[REDACTED:EMAIL]');
    expect(final.guardrails.redaction.events).toEqual([{ type: 'email', rule: 'email', count: 1, where: 'grounding' }]);
  });
});

describe('allowedRoots (hosted server)', () => {
  it('refuses corpus and rules paths outside the allowed folders, naming the field', async () => {
    const params = makeParams({ grounded_corpus: CORPUS, redaction_rules: resolve(FIXTURES, 'redaction-rules.json') });
    await expect(createGuardrails(params, { allowedRoots: [FIXTURES] })).resolves.toBeTruthy();
    await expect(createGuardrails(makeParams({ grounded_corpus: '/etc' }), { allowedRoots: [FIXTURES] })).rejects.toMatchObject({
      code: 'forbidden',
      field: 'grounded_corpus',
    });
    await expect(
      createGuardrails(makeParams({ redaction_rules: resolve(FIXTURES, '../../package.json') }), { allowedRoots: [FIXTURES] }),
    ).rejects.toMatchObject({ code: 'forbidden', field: 'redaction_rules' });
    await expect(createGuardrails(makeParams({ grounded_corpus: `${FIXTURES}/../fixtures/corpus` }), { allowedRoots: [] })).rejects.toMatchObject({
      message: expect.stringMatching(/none configured/),
    });
  });
});
