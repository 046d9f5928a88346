// Items 7–12 of issue 9: self-contained artifacts (policy and rules content, prices), the judge
// budget and an upper-bound projection, answer caps, cut streams, unknown usage, judge passes.
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRequest } from '../../shared/api/index.js';
import { parseJudgePrompt } from '../../shared/djp/prompts.js';
import { judgeWith, startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { fakeEnv } from '../core/helpers.js';
import { ctx, draft, follow, makeService, run, warningsOf } from './helpers.js';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
});

const pair = (prefix: string) => ({
  task: 'Plan the migration',
  debaters: [
    { provider: 'openai' as const, model: `${prefix}-a` },
    { provider: 'anthropic' as const, model: `${prefix}-b` },
  ],
  judge: { provider: 'openai' as const, model: `${prefix}-j` },
  timeout_s: 5,
});

describe('item 7: self-contained artifacts', () => {
  it('stores the policy file’s and the rules file’s content; replay uses them after the files moved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'djp-policy-'));
    const policyPath = join(dir, 'team.json');
    const rulesPath = join(dir, 'rules.json');
    writeFileSync(policyPath, JSON.stringify({ name: 'team', allow: ['anthropic'], prefer: [] }));
    writeFileSync(rulesPath, JSON.stringify({ rules: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }] }));
    for (const m of ['pol-a', 'pol-b', 'pol-j']) fake.setModel(m, {});
    const svc = makeService(fakeEnv(fake, ['openai', 'anthropic']), dir);
    const { artifact } = await run(svc, { ...pair('pol'), task: 'Badge EMP-123456 needs a plan', policy: policyPath, redaction_rules: rulesPath });
    expect(artifact.policy).toEqual({ name: 'team', publishes: true, allow: ['anthropic'], prefer: [], source: 'file', path: policyPath });
    expect(artifact.guardrails.redaction.rules_content).toContain('EMP-\\\\d{6}');
    expect(artifact.publish.draft_id).toBe('d2');
    expect(artifact.cost.prices).toBeDefined();
    renameSync(policyPath, join(dir, 'moved-policy.json'));
    renameSync(rulesPath, join(dir, 'moved-rules.json'));
    const { id } = await svc.replayRun(artifact.id, ctx);
    const { artifact: again, events } = await follow(svc, id);
    expect(again.policy).toMatchObject({ name: 'team', allow: ['anthropic'], source: 'inline' });
    expect(again.publish.draft_id).toBe('d2');
    expect(again.guardrails.redaction.rules_content).toBe(artifact.guardrails.redaction.rules_content);
    // the stored task was redacted, and the replay says it sends the redacted text
    expect(warningsOf(events).some((w) => /with its stored, redacted task \(employee_id redacted\)/.test(w))).toBe(true);
  });
});

describe('item 8: judge budget', () => {
  it('the judge gets judge_max_tokens, not the drafts’ cap; projected ≥ actual for every stage', async () => {
    for (const m of ['bud-a', 'bud-b']) fake.setModel(m, { text: draft('a short answer with some words in it') });
    fake.setModel('bud-j', {});
    const svc = makeService(fakeEnv(fake, ['openai', 'anthropic']));
    const req = { ...pair('bud'), preset: 'quick' as const, judge_max_tokens: 3000, fastpath: false };
    const projection = await svc.projectCost(req);
    const { artifact } = await run(svc, req);
    const judgeBody = fake.requestsFor('bud-j')[0]!.body;
    expect(judgeBody.max_completion_tokens).toBe(3000);
    expect(fake.requestsFor('bud-a')[0]!.body.max_completion_tokens).toBe(600);
    const projected = (stage: 'debate' | 'judge') => projection.calls.filter((c) => c.stage === stage).reduce((s, c) => s + c.input_tokens + c.output_tokens, 0);
    const actual = (stage: 'debate' | 'judge') => artifact.cost[stage].input_tokens + artifact.cost[stage].output_tokens;
    for (const stage of ['debate', 'judge'] as const) expect(projected(stage)).toBeGreaterThanOrEqual(actual(stage));
    expect(projection.calls.filter((c) => c.stage === 'judge').every((c) => c.output_tokens === 3000)).toBe(true);
  });

  it('the default judge cap fits a reasoning judge and N drafts', async () => {
    fake.setModel('cap-a', {});
    fake.setModel('cap-b', {});
    fake.setModel('cap-j', {});
    const { artifact } = await run(makeService(fakeEnv(fake, ['openai', 'anthropic'])), pair('cap'));
    expect(artifact.parameters.judge_max_tokens).toBe(4000);
    expect(fake.requestsFor('cap-j')[0]!.body.max_completion_tokens).toBe(4000);
  });
});

describe('item 9: answer cap, stored once', () => {
  it('a 5 MB answer stops at max_answer_chars: the draft is truncated, kept up to the cap, never published', async () => {
    fake.setModel('big-a', { text: draft('x'.repeat(5_000_000)), chunks: 200 });
    fake.setModel('big-b', { text: 'A plain-text answer, no JSON at all.' });
    fake.setModel('big-j', {});
    const { artifact } = await run(makeService(fakeEnv(fake, ['openai', 'anthropic'])), { ...pair('big'), max_answer_chars: 10_000 });
    const [a, b] = artifact.drafts;
    expect(a!.truncated).toBe('answer_cap');
    expect(a!.status).toBe('failed');
    expect(a!.raw.length).toBe(10_000);
    expect(a!.usage).toBeNull(); // the stream was stopped before its usage chunk
    expect(a!.estimated_tokens).toBeGreaterThan(2000);
    // identical raw and answer text is stored once
    expect(b!.raw_is_answer).toBe(true);
    expect(b!.raw).toBe('');
    expect(b!.answer).toBe('A plain-text answer, no JSON at all.');
    expect(JSON.stringify(artifact).length).toBeLessThan(100_000);
    expect(artifact.publish.draft_id).toBe('d2');
    expect(parseJudgePrompt(fake.requestsFor('big-j')[0]!.prompt)).toHaveLength(1);
  });
});

describe('item 10: cut streams', () => {
  it.each(['openai', 'anthropic'] as const)('%s: a stream cut before any text is retried; one cut midway is kept, partial and unusable', async (provider) => {
    const early = `cut0-${provider}`;
    const mid = `cut2-${provider}`;
    fake.setModel(early, { text: draft('recovered'), faults: [{ kind: 'cut', afterChunks: 0 }] });
    fake.setModel(mid, { text: draft('this answer is cut in the middle of its text'), faults: [{ kind: 'cut', afterChunks: 2 }], chunks: 4 });
    fake.setModel('cut-j', {});
    const { artifact } = await run(makeService(fakeEnv(fake, ['openai', 'anthropic'])), {
      task: 't',
      debaters: [
        { provider, model: early },
        { provider, model: mid },
      ],
      judge: { provider: 'openai', model: 'cut-j' },
      timeout_s: 10,
    });
    const [e, m] = artifact.drafts;
    expect(e!.status).toBe('ok');
    expect(e!.attempts.map((x) => x.outcome)).toEqual(['error', 'ok']);
    expect(e!.attempts[0]!.error).toMatch(/cut before any text/);
    expect(m!.status).toBe('failed');
    expect(m!.truncated).toBe('stream_cut');
    expect(m!.raw.length).toBeGreaterThan(10);
    expect(draft('this answer is cut in the middle of its text').startsWith(m!.raw)).toBe(true);
    expect(m!.error).toMatch(/unusable: partial answer — the stream was cut after \d+ characters/);
    expect(artifact.publish.draft_id).toBe('d1');
  });
});

describe('item 11: unknown usage', () => {
  it('a provider that reports no usage is recorded as null with an estimate; budget_tokens counts it and says so', async () => {
    fake.setModel('nou-a', { text: draft('y'.repeat(4000)), noUsage: true });
    fake.setModel('nou-b', { text: draft('short'), noUsage: true, latencyMs: 300 });
    fake.setModel('nou-j', {});
    const svc = makeService(fakeEnv(fake, ['openai']));
    const { artifact } = await run(svc, {
      task: 't',
      debaters: [
        { provider: 'openai', model: 'nou-a' },
        { provider: 'openai', model: 'nou-b' },
      ],
      judge: { provider: 'openai', model: 'nou-j' },
    });
    expect(artifact.drafts.map((d) => d.usage)).toEqual([null, null]);
    expect(artifact.drafts[0]!.estimated_tokens).toBeGreaterThan(1000);
    expect(artifact.cost.estimated_tokens).toBeGreaterThan(1000);
    expect(artifact.cost.debate.usd).toBeNull();
    // The fake ignores the token cap, so its answer overruns the projection: the estimate alone
    // crosses the budget, which stops the judge; the detail says the count includes estimates.
    fake.setModel('nou-a', { text: draft('y'.repeat(80_000)), noUsage: true });
    const { artifact: b } = await run(svc, {
      task: 't',
      debaters: [
        { provider: 'openai', model: 'nou-a' },
        { provider: 'openai', model: 'nou-b' },
      ],
      judge: { provider: 'openai', model: 'nou-j' },
      max_tokens: 2000,
      judge_max_tokens: 100,
      judge_passes: '1',
      budget_tokens: 12_000,
    });
    expect(b.cost.budget.exceeded).toBe(true);
    expect(b.cost.budget.detail).toMatch(/estimated for calls that reported no usage/);
    expect(b.judge.passes[0]!.error).toMatch(/not launched: budget_tokens reached/);
  });
});

describe('item 12: judge passes', () => {
  const close = judgeWith(() => ({ task_fit: 3, support: 3, clarity: 1 })); // a tie: margin 0

  it('2: both orders start together (one judge latency for a close call); 1: one pass even when close', async () => {
    for (const m of ['jp-a', 'jp-b']) fake.setModel(m, {});
    fake.setModel('jp-j', { text: close, latencyMs: 400 });
    const svc = makeService(fakeEnv(fake, ['openai', 'anthropic']));
    const { artifact: two } = await run(svc, { ...pair('jp'), judge_passes: '2' });
    const reqs = fake.requestsFor('jp-j');
    expect(reqs).toHaveLength(2);
    expect(Math.abs(reqs[0]!.at - reqs[1]!.at)).toBeLessThan(300);
    expect(two.judge.passes.map((p) => p.kind)).toEqual(['main', 'swap']);
    expect(two.judge.passes[1]!.order.map((o) => o.draft_id)).toEqual([...two.judge.passes[0]!.order.map((o) => o.draft_id)].reverse());
    expect(two.judge.swap_pass).toBe(true);
    expect(two.timings_ms.judge).toBeLessThan(2 * 400 + 300);
    const { artifact: auto } = await run(svc, { ...pair('jp'), judge_passes: 'auto' });
    expect(auto.judge.passes.map((p) => p.kind)).toEqual(['main', 'swap']);
    expect(auto.judge.passes[1]!.attempts[0]!.started_at >= auto.judge.passes[0]!.attempts[0]!.started_at).toBe(true);
    const { artifact: one } = await run(svc, { ...pair('jp'), judge_passes: '1' });
    expect(one.judge.passes).toHaveLength(1);
    expect(one.judge.swap_pass).toBe(false);
  });

  it('presets: quick judges once, thorough and research run both orders', async () => {
    const svc = makeService({});
    for (const [preset, passes] of [['quick', '1'], ['thorough', '2'], ['research', '2'], ['deterministic', 'auto']] as const) {
      const { id } = await svc.startRun({ task: 'offline', preset }, ctx);
      const { artifact } = await follow(svc, id);
      expect(artifact.parameters.judge_passes).toBe(passes);
    }
  });

  it('unknown values are refused naming the field', async () => {
    const e = await makeService({}).startRun({ task: 't', judge_passes: '3' } as unknown as RunRequest, ctx).catch((x: unknown) => x);
    expect((e as { field?: string }).field).toBe('judge_passes');
  });
});
