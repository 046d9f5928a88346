// Item 13 of issue 9: --publish synthesize — a chairman writes the final answer from the top-ranked
// drafts; the guardrails apply to it; the artifact keeps drafts, scores and the synthesis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunArtifact, isDjpError, type RunRequest } from '../../shared/api/index.js';
import { parseJudgePrompt } from '../../shared/djp/prompts.js';
import { judgeWith, startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { fakeEnv } from '../core/helpers.js';
import { ctx, draft, makeService, run } from './helpers.js';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
});

const byMarker = judgeWith((body) => {
  const n = Number(/score:(\d+)/.exec(body)?.[1] ?? 5);
  const task_fit = Math.min(4, n);
  const support = Math.min(4, n - task_fit);
  return { task_fit, support, clarity: n - task_fit - support };
});

const req = (prefix: string, extra: Record<string, unknown> = {}) => ({
  task: 'Summarise the plan for jane.doe@example.com',
  debaters: [
    { provider: 'openai', model: `${prefix}-a` },
    { provider: 'anthropic', model: `${prefix}-b` },
  ],
  judge: { provider: 'openai', model: `${prefix}-j` },
  publish: 'synthesize',
  chairman: { provider: 'anthropic', model: `${prefix}-chair` },
  judge_passes: '1',
  ...extra,
});

describe('item 13: synthesis', () => {
  it('the chairman gets the top-ranked drafts best first; the published text is the synthesis, marked so, redacted', async () => {
    fake.setModel('syn-a', { text: draft('first plan score:6') });
    fake.setModel('syn-b', { text: draft('second plan score:9') });
    fake.setModel('syn-j', { text: byMarker });
    fake.setModel('syn-chair', { text: JSON.stringify({ answer: 'The merged plan; write to jane.doe@example.com.', evidence: ['both drafts'] }) });
    const { artifact } = await run(makeService(fakeEnv(fake, ['openai', 'anthropic'])), req('syn'));
    const chair = fake.requestsFor('syn-chair')[0]!;
    expect(chair.body.output_config).toMatchObject({ format: { type: 'json_schema' } });
    expect(chair.prompt.indexOf('second plan')).toBeLessThan(chair.prompt.indexOf('first plan'));
    expect(chair.prompt).not.toContain('jane.doe@example.com'); // outbound redaction applies to it too
    expect(artifact.publish).toMatchObject({ status: 'published', synthesized: true, draft_id: null, provider: 'anthropic', model: 'syn-chair' });
    expect(artifact.publish.text).toBe('The merged plan; write to [REDACTED:EMAIL].');
    expect(artifact.publish.reason).toBe('synthesized by anthropic/syn-chair from d2 (9/10), d1 (6/10), best first; the synthesis passed the guardrails');
    expect(artifact.synthesis).toMatchObject({ status: 'ok', from: ['d2', 'd1'], provider: 'anthropic', model: 'syn-chair' });
    expect(artifact.drafts).toHaveLength(2);
    expect(artifact.judge.scores.filter((s) => s.status === 'scored')).toHaveLength(2);
    expect(artifact.guardrails.checks.map((c) => c.draft_id)).toContain('synthesis');
    expect(RunArtifact.safeParse(artifact).success).toBe(true);
  });

  it('a synthesis that fails a content check (a refusal) is not published; the reason says why', async () => {
    fake.setModel('ref-a', { text: draft('first plan score:6') });
    fake.setModel('ref-b', { text: draft('second plan score:9') });
    fake.setModel('ref-j', { text: byMarker });
    fake.setModel('ref-chair', { text: JSON.stringify({ answer: "I'm sorry, but I can't help with that.", evidence: [] }) });
    const { artifact } = await run(makeService(fakeEnv(fake, ['openai', 'anthropic'])), req('ref'));
    expect(artifact.publish.status).toBe('advisory_only');
    expect(artifact.publish.text).toBeNull();
    expect(artifact.publish.reason).toMatch(/^the synthesis failed its checks \(refusal: .*\); nothing is published — the verbatim winner d2 is advisory$/);
    expect(artifact.synthesis!.status).toBe('ok');
  });

  it('verbatim stays the default; a chairman without synthesize, from an unconfigured provider, or an unknown mode is refused naming the field', async () => {
    for (const m of ['vb-a', 'vb-b', 'vb-j']) fake.setModel(m, {});
    const svc = makeService(fakeEnv(fake, ['openai', 'anthropic']));
    const { artifact } = await run(svc, { ...req('vb'), publish: undefined, chairman: undefined });
    expect(artifact.parameters.publish).toBe('verbatim');
    expect(artifact.synthesis).toBeUndefined();
    expect(artifact.publish.synthesized).toBeUndefined();
    const field = async (r: Record<string, unknown>) => {
      const e = await svc.startRun(r as unknown as RunRequest, ctx).catch((x: unknown) => x);
      return isDjpError(e) ? e.field : 'no error';
    };
    expect(await field({ ...req('vb'), publish: undefined })).toBe('chairman');
    expect(await field({ ...req('vb'), chairman: { provider: 'google', model: 'g' } })).toBe('chairman');
    expect(await field({ ...req('vb'), publish: 'merge' })).toBe('publish');
    // the judge is the default chairman
    fake.setModel('vb-j', { text: (r) => (parseJudgePrompt(r.prompt).length ? byMarker(r) : JSON.stringify({ answer: 'chaired by the judge', evidence: [] })) });
    const { artifact: byJudge } = await run(svc, { ...req('vb'), chairman: undefined });
    expect(byJudge.parameters.chairman).toEqual({ provider: 'openai', model: 'vb-j' });
    expect(byJudge.publish.text).toBe('chaired by the judge');
  });
});
