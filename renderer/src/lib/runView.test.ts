import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../shared/api/index.js';
import { RUN_ID, sampleArtifact } from '../api/testdata.js';
import { applyEvent, emptyRunView, mergeSaved, relabelReasons, viewFromArtifact } from './runView.js';
import { formatUsd, modelName } from './format.js';
import { costTotal } from '../components/RunStages.js';

const at = '2026-11-25T10:00:00.000Z';
const base = { run_id: RUN_ID, at };
const events: RunEvent[] = [
  { ...base, seq: 0, type: 'run.started', task: 'T', drafts: [{ draft_id: 'd1', provider: 'openai', model: 'gpt' }, { draft_id: 'd2', provider: 'anthropic', model: 'claude' }], judge: { provider: 'openai', model: 'judge' }, projected_usd: 0.01 },
  { ...base, seq: 1, type: 'draft.started', draft_id: 'd1' },
  { ...base, seq: 2, type: 'draft.delta', draft_id: 'd1', text: 'Hel' },
  { ...base, seq: 3, type: 'draft.delta', draft_id: 'd1', text: 'lo' },
  { ...base, seq: 4, type: 'draft.started', draft_id: 'd2' },
  { ...base, seq: 5, type: 'draft.done', draft_id: 'd2', status: 'failed', error: 'HTTP 500 from anthropic', usage: null, latency_ms: 12 },
  { ...base, seq: 6, type: 'draft.done', draft_id: 'd1', status: 'ok', error: null, usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 }, latency_ms: 30 },
  { ...base, seq: 7, type: 'judge.started', pass: 1, model: { provider: 'openai', model: 'judge' } },
  { ...base, seq: 8, type: 'judge.done', pass: 1, status: 'ok', error: null, scores: [{ draft_id: 'd1', status: 'scored', score: 7, subscores: { task_fit: 3, support: 2, clarity: 2 }, reasons: 'ok', pass_scores: [7] }] },
  { ...base, seq: 9, type: 'publish.done', publish: { status: 'published', draft_id: 'd1', provider: 'openai', model: 'gpt', text: 'Hello', reason: 'top', passed_over: [] } },
  { ...base, seq: 10, type: 'run.done', status: 'published', artifact: '/tmp/runs/x.json', outbox: null },
];

describe('run view from events', () => {
  it('tracks each draft through waiting → streaming → done / failed with the reason', () => {
    let v = applyEvent(emptyRunView(RUN_ID), events[0]!);
    expect(v.drafts.map((d) => d.state)).toEqual(['waiting', 'waiting']);
    for (const e of events.slice(1, 4)) v = applyEvent(v, e);
    expect(v.drafts[0]).toMatchObject({ state: 'streaming', text: 'Hello' });
    for (const e of events.slice(4, 7)) v = applyEvent(v, e);
    expect(v.drafts[1]).toMatchObject({ state: 'failed', error: 'HTTP 500 from anthropic' });
    expect(v.drafts[0]).toMatchObject({ state: 'done', latency_ms: 30 });
    for (const e of events.slice(7)) v = applyEvent(v, e);
    expect(v.phase).toBe('done');
    expect(v.scores[0]?.score).toBe(7);
    expect(v.publish?.text).toBe('Hello');
    expect(v.artifactLocation).toBe('/tmp/runs/x.json');
  });

  it('ignores replayed events and stops in-flight drafts on run.error', () => {
    let v = emptyRunView(RUN_ID);
    for (const e of events.slice(0, 3)) v = applyEvent(v, e);
    const same = applyEvent(v, events[2]!);
    expect(same).toBe(v);
    v = applyEvent(v, { ...base, seq: 3, type: 'run.error', message: 'cancelled by user' });
    expect(v.phase).toBe('error');
    expect(v.error).toBe('cancelled by user');
    expect(v.drafts.map((d) => d.state)).toEqual(['failed', 'failed']);
  });

  it('builds the same view from an artifact', () => {
    const a = sampleArtifact();
    const v = viewFromArtifact(a);
    expect(v.drafts[0]).toMatchObject({ id: 'd1', state: 'done', text: 'hi', cost_usd: 0 });
    expect(v.status).toBe('published');
  });
});

describe('a cancelled run', () => {
  it('reads cancelled (not failed) and keeps the partial text the artifact lacks', () => {
    let v = emptyRunView(RUN_ID);
    for (const e of events.slice(0, 4)) v = applyEvent(v, e);
    v = applyEvent(v, { ...base, seq: 4, type: 'draft.done', draft_id: 'd1', status: 'cancelled', error: 'cancelled by user', usage: null, latency_ms: 5 });
    expect(v.drafts[0]).toMatchObject({ state: 'cancelled', error: null, text: 'Hello' });
    expect(v.cancelled).toBe('cancelled');
    const a = sampleArtifact();
    a.interrupted = 'cancelled by the user';
    a.drafts[0] = { ...a.drafts[0]!, status: 'cancelled', answer: '', raw: '' };
    const merged = mergeSaved(v, viewFromArtifact(a));
    expect(merged.cancelled).toBe('cancelled by the user');
    expect(merged.error).toBeNull();
    expect(merged.drafts[0]).toMatchObject({ state: 'cancelled', text: 'Hello', partial: true });
  });

  it('a saved partial draft (after a reload) shows the text that had streamed, as the stream did', () => {
    const a = sampleArtifact();
    a.interrupted = 'cancelled by the user';
    a.drafts[0] = { ...a.drafts[0]!, status: 'cancelled', answer: '', raw: '{"answer":"Hello wor', partial: true, error: 'cancelled' };
    const v = viewFromArtifact(a);
    expect(v.drafts[0]).toMatchObject({ state: 'cancelled', text: '{"answer":"Hello wor', fromStream: true, partial: true, error: null });
    expect(v.cancelled).toBe('cancelled by the user');
    // Followed live and then loaded: the saved text wins over the (shorter) streamed one only when the live view has none.
    expect(mergeSaved(emptyRunView(RUN_ID), v).drafts[0]).toMatchObject({ text: '{"answer":"Hello wor', partial: true });
  });
});

describe('names and costs', () => {
  it('names a model once when its id already starts with the provider', () => {
    expect(modelName('offline', 'offline/alpha')).toBe('offline/alpha');
    expect(modelName('openai', 'gpt-5.4')).toBe('openai/gpt-5.4');
  });
  it('shows the priced sum plus how many calls are unpriced', () => {
    const a = sampleArtifact();
    expect(costTotal(a)).toBe(formatUsd(a.cost.total.usd));
    a.drafts[0] = { ...a.drafts[0]!, cost_usd: null };
    a.judge.passes = a.judge.passes.map((p) => ({ ...p, cost_usd: 0.02 }));
    expect(costTotal(a)).toBe(`${formatUsd(0.02 * a.judge.passes.length)} + 1 call unpriced`);
  });
});

describe('judge reasons', () => {
  const passes = [
    { n: 1, order: [{ draft_id: 'd2', label: 'A' }, { draft_id: 'd1', label: 'B' }] },
    { n: 2, order: [{ draft_id: 'd1', label: 'A' }, { draft_id: 'd2', label: 'B' }] },
  ];
  it("names drafts as the page does, with each pass's own labels", () => {
    expect(relabelReasons('pass 1: Draft B is clearer than draft A | pass 2: Answer A cites sources', passes)).toBe('pass 1: Draft d1 is clearer than draft d2 | pass 2: Draft d1 cites sources');
    expect(relabelReasons('Response A wins', passes)).toBe('Draft d2 wins');
    expect(relabelReasons('Draft Z is unknown; A grade', passes)).toBe('Draft Z is unknown; A grade');
    expect(relabelReasons('no labels', [])).toBe('no labels');
  });
});
