import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunArtifact } from '../../shared/api/index.js';
import { loadPolicy } from '../../shared/config/policy.js';
import { defaultDraftText, judgeWith, startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { fakeEnv, runWith } from './helpers.js';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.requests.length = 0;
});

const draft = (answer: string) => JSON.stringify({ answer, evidence: ['e'], confidence: 0.5, safety_flags: [] });
/** Judge that scores by a marker in the answer text: "score:N" → N split over the rubric. */
const judgeByMarker = judgeWith((body) => {
  const m = /score:(\d+)/.exec(body);
  const n = m ? Number(m[1]) : 5;
  const task_fit = Math.min(4, n);
  const support = Math.min(4, n - task_fit);
  return { task_fit, support, clarity: n - task_fit - support };
});

function three(prefix: string, scripts: Partial<Record<'o' | 'a' | 'g' | 'j', Parameters<FakeLlmServer['setModel']>[1]>> = {}) {
  const names = { o: `${prefix}-gpt`, a: `${prefix}-claude`, g: `${prefix}-gemini`, j: `${prefix}-judge` };
  fake.setModel(names.o, scripts.o ?? { text: draft('openai says score:6') });
  fake.setModel(names.a, scripts.a ?? { text: draft('anthropic says score:9') });
  fake.setModel(names.g, scripts.g ?? { text: draft('google says score:3') });
  fake.setModel(names.j, scripts.j ?? { text: judgeByMarker });
  return {
    names,
    req: {
      task: 'Explain the plan',
      debaters: [
        { provider: 'openai' as const, model: names.o },
        { provider: 'anthropic' as const, model: names.a },
        { provider: 'google' as const, model: names.g },
      ],
      judge: { provider: 'openai' as const, model: names.j },
      policy: 'all',
      timeout_s: 5,
    },
  };
}

describe('pipeline: temperature', () => {
  it('--temperature reaches the APIs that take it; the artifact records null where it was not applied', async () => {
    fake.setModel('gpt-4.1', { text: draft('a score:6') });
    fake.setModel('gpt-5.4-mini', { text: draft('b score:7') });
    fake.setModel('claude-sonnet-4-6', { text: draft('c score:8') });
    fake.setModel('t-judge', { text: judgeByMarker });
    const { artifact } = await runWith(fakeEnv(fake), {
      task: 't',
      temperature: 0.7,
      debaters: [
        { provider: 'openai', model: 'gpt-4.1' },
        { provider: 'openai', model: 'gpt-5.4-mini' },
        { provider: 'anthropic', model: 'claude-sonnet-4-6' },
      ],
      judge: { provider: 'openai', model: 't-judge' },
      timeout_s: 5,
    });
    expect(artifact.parameters.temperature).toBe(0.7);
    expect(artifact.drafts.map((d) => d.temperature)).toEqual([0.7, null, null]);
    expect(artifact.judge.passes[0]!.temperature).toBe(0);
    expect(fake.requestsFor('gpt-4.1')[0]!.body.temperature).toBe(0.7);
    expect(fake.requestsFor('gpt-5.4-mini')[0]!.body).not.toHaveProperty('temperature');
    expect(fake.requestsFor('claude-sonnet-4-6')[0]!.body).not.toHaveProperty('temperature');
    expect(RunArtifact.safeParse(artifact).success).toBe(true);
  });
});

describe('pipeline: full run over the real SDKs', () => {
  it('debates, judges, publishes the top draft word for word, and the artifact validates', async () => {
    const { req, names } = three('full');
    const { artifact, events } = await runWith(fakeEnv(fake), req);
    expect(RunArtifact.safeParse(artifact).success).toBe(true);
    expect(artifact.drafts.map((d) => d.status)).toEqual(['ok', 'ok', 'ok']);
    expect(artifact.drafts.every((d) => d.usage && d.usage.output_tokens > 0 && d.attempts.length === 1)).toBe(true);
    expect(artifact.judge.status).toBe('ok');
    expect(artifact.judge.ranking).toEqual(['d2', 'd1', 'd3']);
    expect(artifact.judge.margin).toBe(3);
    expect(artifact.judge.swap_pass).toBe(false);
    expect(artifact.publish).toMatchObject({ status: 'published', draft_id: 'd2', provider: 'anthropic', model: names.a, text: 'anthropic says score:9' });
    expect(artifact.status).toBe('published');
    expect(artifact.timings_ms.total).toBeGreaterThanOrEqual(artifact.timings_ms.debate);
    // the judge saw anonymous labels, not providers or model names
    const judgeReq = fake.requestsFor(names.j)[0]!;
    expect(judgeReq.prompt).toContain('### Draft A');
    expect(judgeReq.prompt).not.toContain(names.a);
    // event order
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('run.started');
    expect(types.filter((t) => t === 'draft.delta').length).toBeGreaterThan(3);
    expect(types.indexOf('judge.started')).toBeGreaterThan(types.lastIndexOf('draft.done'));
    expect(types.at(-1)).toBe('publish.done');
    // no key reached the artifact
    expect(JSON.stringify(artifact)).not.toMatch(/sk-test|sk-ant-test|AIza-test/);
  });

  it.each([
    ['429 then success', { faults: [{ kind: 'status' as const, status: 429, retryAfterMs: 50 }], text: draft('recovered score:8') }, 'ok'],
    ['500 every time', { faults: Array.from({ length: 8 }, () => ({ kind: 'status' as const, status: 500 })) }, 'failed'],
    ['a hang (timeout)', { faults: [{ kind: 'hang' as const }] }, 'timeout'],
    ['a malformed body', { faults: [{ kind: 'malformed' as const }] }, 'failed'],
  ])('one debater with %s never loses the others’ drafts', async (_label, script, expected) => {
    const { req } = three(`fault-${expected}-${_label.length}`, { o: script });
    const t = Date.now();
    const { artifact, events } = await runWith(fakeEnv(fake), { ...req, timeout_s: 1.5 });
    expect(Date.now() - t).toBeLessThan(8000);
    const d1Events = events.filter((e) => 'draft_id' in e && e.draft_id === 'd1').map((e) => e.type);
    expect(d1Events[0]).toBe('draft.started');
    expect(d1Events.at(-1)).toBe('draft.done');
    expect(d1Events.filter((x) => x === 'draft.attempt').length).toBe(artifact.drafts[0]!.attempts.length);
    const d1Text = events.flatMap((e) => (e.type === 'draft.delta' && e.draft_id === 'd1' ? [e.text] : [])).join('');
    if (expected === 'ok') expect(d1Text).toBe(artifact.drafts[0]!.raw);
    const [d1, d2, d3] = artifact.drafts;
    expect(d1!.status).toBe(expected);
    expect(d2!.status).toBe('ok');
    expect(d3!.status).toBe('ok');
    expect(RunArtifact.safeParse(artifact).success).toBe(true);
    if (expected === 'ok') {
      expect(d1!.attempts.map((a) => a.http_status)).toEqual([429, null]);
      expect(d1!.attempts[0]!.retry_after_ms).toBe(50);
    } else {
      expect(d1!.error).toBeTruthy();
      expect(d1!.attempts.length).toBeGreaterThanOrEqual(1);
      expect(artifact.judge.scores.find((s) => s.draft_id === 'd1')).toBeUndefined();
    }
    expect(artifact.publish.status).toBe('published');
  });

  it('keeps non-JSON draft text, flagged as raw, and still judges it', async () => {
    const { req } = three('rawtext', { g: { text: 'plain words with score:10 and no JSON' } });
    const { artifact } = await runWith(fakeEnv(fake), req);
    const d3 = artifact.drafts[2]!;
    expect(d3.status).toBe('ok');
    expect(d3.parse).toBe('raw');
    expect(d3.parse_error).toBeTruthy();
    expect(d3.answer).toBe('plain words with score:10 and no JSON');
    expect(artifact.publish.draft_id).toBe('d3');
  });

  it('a failing judge gives advisory_only and invents no scores', async () => {
    const { req } = three('judgefail', { j: { faults: Array.from({ length: 8 }, () => ({ kind: 'status' as const, status: 500 })) } });
    const { artifact } = await runWith(fakeEnv(fake), req);
    expect(artifact.judge.status).toBe('failed');
    expect(artifact.judge.scores.every((s) => s.status === 'unscored' && s.score === null)).toBe(true);
    expect(artifact.judge.ranking).toEqual([]);
    expect(artifact.publish.status).toBe('advisory_only');
    expect(artifact.publish.reason).toMatch(/judge failed/);
    expect(artifact.publish.text).toBeNull();
  });

  it('judge output that is not JSON is a judge failure too', async () => {
    const { req } = three('judgegarbage', { j: { text: 'I think B is best.' } });
    const { artifact } = await runWith(fakeEnv(fake), req);
    expect(artifact.judge.status).toBe('failed');
    expect(artifact.judge.passes[0]!.raw).toBe('I think B is best.');
    expect(artifact.status).toBe('advisory_only');
  });

  it('a draft the judge skipped is recorded as unscored, not dropped', async () => {
    const partial = judgeWith((body) => (body.includes('google') ? null : { task_fit: body.includes('anthropic') ? 4 : 2, support: 2, clarity: 1 }));
    const { req } = three('unscored', { j: { text: partial } });
    const { artifact } = await runWith(fakeEnv(fake), req);
    const s3 = artifact.judge.scores.find((s) => s.draft_id === 'd3')!;
    expect(s3.status).toBe('unscored');
    expect(s3.score).toBeNull();
    expect(artifact.judge.ranking).toEqual(['d2', 'd1']);
  });

  it('runs the swap pass in reverse order when the margin is below the threshold, and averages', async () => {
    // Position bias: the draft shown first gets +1. True scores 7 and 6 → margin < 3 → swap.
    const biased = judgeWith((body, _label, pos) => {
      const base = body.includes('anthropic') ? 7 : body.includes('openai') ? 6 : 2;
      const n = base + (pos === 0 ? 1 : 0);
      const task_fit = Math.min(4, n);
      const support = Math.min(4, n - task_fit);
      return { task_fit, support, clarity: n - task_fit - support };
    });
    const { req, names } = three('swap', { j: { text: biased } });
    const { artifact } = await runWith(fakeEnv(fake), { ...req, margin_threshold: 3 });
    const j = artifact.judge;
    expect(j.swap_pass).toBe(true);
    expect(j.passes).toHaveLength(2);
    expect(j.passes[1]!.order.map((o) => o.draft_id)).toEqual([...j.passes[0]!.order.map((o) => o.draft_id)].reverse());
    expect(j.passes[1]!.order.map((o) => o.label)).toEqual(j.passes[0]!.order.map((o) => o.label));
    expect(fake.requestsFor(names.j)).toHaveLength(2);
    const s2 = j.scores.find((s) => s.draft_id === 'd2')!;
    expect(s2.pass_scores).toHaveLength(2);
    expect(s2.score).toBe((s2.pass_scores[0]! + s2.pass_scores[1]!) / 2);
    expect(j.ranking[0]).toBe('d2');

    // A clear winner: no swap pass.
    const { req: req2, names: n2 } = three('noswap');
    const { artifact: a2 } = await runWith(fakeEnv(fake), { ...req2, margin_threshold: 2 });
    expect(a2.judge.swap_pass).toBe(false);
    expect(fake.requestsFor(n2.j)).toHaveLength(1);
  });

  it('fastpath skips the judge when exactly one usable draft exists', async () => {
    const dead = { faults: Array.from({ length: 8 }, () => ({ kind: 'status' as const, status: 400 })) };
    const { req, names } = three('fast', { o: dead, g: dead });
    const { artifact } = await runWith(fakeEnv(fake), { ...req, fastpath: true });
    expect(artifact.judge.status).toBe('skipped');
    expect(artifact.judge.reason).toMatch(/fastpath/);
    expect(fake.requestsFor(names.j)).toHaveLength(0);
    expect(artifact.publish).toMatchObject({ status: 'published', draft_id: 'd2' });
  });

  it('no usable draft → none', async () => {
    const dead = { faults: Array.from({ length: 8 }, () => ({ kind: 'status' as const, status: 401 })) };
    const { req } = three('nodraft', { o: dead, a: dead, g: dead });
    const { artifact } = await runWith(fakeEnv(fake), req);
    expect(artifact.status).toBe('none');
    expect(artifact.judge.status).toBe('skipped');
    expect(artifact.publish.reason).toMatch(/no usable draft/);
  });

  it('cancellation saves what exists with interrupted set', async () => {
    const { req } = three('cancel', { a: { faults: [{ kind: 'hang' }] } });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort('cancelled by test'), 300);
    const { artifact } = await runWith(fakeEnv(fake), { ...req, timeout_s: 30 }, { signal: ctl.signal });
    expect(artifact.interrupted).toBe('cancelled by test');
    expect(artifact.drafts[1]!.status).toBe('cancelled');
    expect(artifact.drafts[0]!.status).toBe('ok');
    expect(artifact.status).toBe('advisory_only');
    expect(RunArtifact.safeParse(artifact).success).toBe(true);
  });
});

describe('publish policies', () => {
  // Scores: anthropic 9 > openai 6 > google 3.
  it('all: the top-ranked draft', async () => {
    const { req } = three('pol-all');
    const { artifact } = await runWith(fakeEnv(fake), { ...req, policy: 'all' });
    expect(artifact.publish).toMatchObject({ status: 'published', provider: 'anthropic' });
  });
  it('openai_only: the best OpenAI draft; others passed over', async () => {
    const { req } = three('pol-only');
    const { artifact } = await runWith(fakeEnv(fake), { ...req, policy: 'openai_only' });
    expect(artifact.publish).toMatchObject({ status: 'published', provider: 'openai', text: 'openai says score:6' });
    expect(artifact.publish.passed_over.map((p) => p.draft_id)).toContain('d2');
  });
  it('openai_only with no OpenAI draft: advisory_only with the reason', async () => {
    const dead = { faults: Array.from({ length: 8 }, () => ({ kind: 'status' as const, status: 403 })) };
    const { req } = three('pol-only-none', { o: dead });
    const { artifact } = await runWith(fakeEnv(fake), { ...req, policy: 'openai_only' });
    expect(artifact.publish.status).toBe('advisory_only');
    expect(artifact.publish.reason).toMatch(/does not allow/);
  });
  it('openai_preferred: an OpenAI draft wins over a higher-ranked one; otherwise the top', async () => {
    const { req } = three('pol-pref');
    const { artifact } = await runWith(fakeEnv(fake), { ...req, policy: 'openai_preferred' });
    expect(artifact.publish).toMatchObject({ status: 'published', provider: 'openai' });
    const dead = { faults: Array.from({ length: 8 }, () => ({ kind: 'status' as const, status: 403 })) };
    const { req: r2 } = three('pol-pref2', { o: dead });
    const { artifact: a2 } = await runWith(fakeEnv(fake), { ...r2, policy: 'openai_preferred' });
    expect(a2.publish).toMatchObject({ status: 'published', provider: 'anthropic' });
  });
  it('none: nothing is published', async () => {
    const { req } = three('pol-none');
    const { artifact } = await runWith(fakeEnv(fake), { ...req, policy: 'none' });
    expect(artifact.publish.status).toBe('advisory_only');
    expect(artifact.publish.text).toBeNull();
  });
  it('an unknown policy name is an error naming the field', () => {
    expect(() => loadPolicy('openai_prefered')).toThrow(/policy: unknown policy "openai_prefered"/);
  });
  it('require_approval holds the winner as pending_approval', async () => {
    const { req } = three('pol-approve');
    const { artifact } = await runWith(fakeEnv(fake), { ...req, require_approval: true });
    expect(artifact.status).toBe('pending_approval');
    expect(artifact.approval).toMatchObject({ required: true, state: 'pending' });
  });
});

describe('offline', () => {
  it('with no key at all the labelled offline provider runs the whole pipeline', async () => {
    const { artifact, events } = await runWith({}, { task: 'Plan a picnic' });
    expect(RunArtifact.safeParse(artifact).success).toBe(true);
    expect(artifact.parameters.offline).toBe(true);
    expect(artifact.drafts.length).toBe(3);
    expect(artifact.drafts.every((d) => d.provider === 'offline' && d.model.startsWith('offline/') && d.status === 'ok' && d.parse === 'json')).toBe(true);
    expect(artifact.judge.status).toBe('ok');
    expect(artifact.judge.model.model).toMatch(/^offline\//);
    expect(artifact.status).toBe('published');
    expect(artifact.publish.text).toMatch(/offline placeholder/);
    expect(events.some((e) => e.type === 'draft.delta')).toBe(true);
    // deterministic
    const again = await runWith({}, { task: 'Plan a picnic' });
    expect(again.artifact.publish.text).toBe(artifact.publish.text);
    expect(again.artifact.judge.scores).toEqual(artifact.judge.scores);
  });

  it('never mixes offline with real providers silently', async () => {
    const env = fakeEnv(fake, ['openai']);
    await expect(runWith(env, { task: 't', debaters: [{ provider: 'offline', model: 'offline/alpha' }] })).rejects.toThrow(/not mixed/);
    await expect(runWith({}, { task: 't', debaters: [{ provider: 'openai', model: 'gpt-x' }] })).rejects.toThrow(/offline/);
    fake.setModel('gpt-5.4-mini', { text: defaultDraftText('gpt-5.4-mini') });
    const { artifact } = await runWith(env, { task: 't' });
    // one provider: a real debate of two of its models, never an offline model mixed in
    expect(artifact.drafts.map((d) => d.provider)).toEqual(['openai', 'openai']);
    const { artifact: off } = await runWith(env, { task: 't', offline: true });
    expect(off.drafts.every((d) => d.provider === 'offline')).toBe(true);
  });
});
