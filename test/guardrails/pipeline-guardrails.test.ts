// The real guardrails and cost meter plugged into the real pipeline, over the real SDKs against the
// fake LLM server: content checks, citation disqualification, grounded pass/fail, redaction, budget
// stop mid-run.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunArtifact, type RunEventInput, type RunRequest } from '../../shared/api/index.js';
import { resolveRunParams } from '../../shared/config/params.js';
import { loadPolicy } from '../../shared/config/policy.js';
import { createCostMeter } from '../../shared/cost/meter.js';
import { createPricing } from '../../shared/cost/pricing.js';
import { projectCost } from '../../shared/cost/projection.js';
import { runPipeline } from '../../shared/djp/pipeline.js';
import { createGuardrails } from '../../shared/guardrails/index.js';
import { loadProviderRegistry } from '../../shared/providers/registry.js';
import { fakeEnv, PROVENANCE, testRunId } from '../core/helpers.js';
import { judgeWith, startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';

const CORPUS = resolve(import.meta.dirname, '../fixtures/corpus');
const pricing = createPricing([
  { source: 'test', data: { models: { 'gr-gpt': { input: 1, output: 2 }, 'gr-claude': { input: 3, output: 15 }, 'gr-judge': { input: 2, output: 8 } } } },
]);

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
  fake.setModel('gr-judge', { text: judgeWith(() => ({ task_fit: 3, support: 3, clarity: 2 })) });
});
afterAll(async () => {
  await fake.close();
});

const draft = (answer: string, evidence: string[] = [], safety_flags: string[] = []) =>
  JSON.stringify({ answer, evidence, confidence: 0.6, safety_flags });

async function run(req: Omit<RunRequest, 'debaters' | 'judge'>, gpt: string, claude: string) {
  fake.setModel('gr-gpt', { text: gpt, usage: { input_tokens: 100, output_tokens: 200 } });
  fake.setModel('gr-claude', { text: claude, usage: { input_tokens: 100, output_tokens: 200 } });
  const env = fakeEnv(fake, ['openai', 'anthropic']);
  const registry = await loadProviderRegistry(env);
  const full: RunRequest = {
    ...req,
    debaters: [
      { provider: 'openai', model: 'gr-gpt' },
      { provider: 'anthropic', model: 'gr-claude' },
    ],
    judge: { provider: 'openai', model: 'gr-judge' },
    policy: 'all',
    timeout_s: 5,
  };
  const params = resolveRunParams(full, { registry });
  const guardrails = await createGuardrails(params);
  const projection = projectCost(full.task, params, pricing);
  const cost = createCostMeter(params, projection, { pricing });
  const events: RunEventInput[] = [];
  const artifact = await runPipeline({
    runId: testRunId(),
    task: full.task,
    params,
    policy: loadPolicy(params.policy),
    providerFor: (id) => registry.create(id),
    provenance: PROVENANCE,
    emit: (e) => events.push(e),
    guardrails,
    cost,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  expect(RunArtifact.safeParse(artifact).success).toBe(true);
  return { artifact, events, projection };
}

describe('guardrails in the pipeline', () => {
  it('a draft failing a content check is passed over with the reason', async () => {
    const { artifact } = await run(
      { task: 'Describe the lighthouse' },
      draft("I'm sorry, but I can't help with that request."),
      draft('The lamp was converted to LED in 2019.', ['notes']),
    );
    expect(artifact.status).toBe('published');
    expect(artifact.publish.draft_id).toBe('d2');
    expect(artifact.guardrails.checks.find((c) => c.draft_id === 'd1')).toMatchObject({ passed: false, failures: [{ check: 'refusal' }] });
    expect(JSON.stringify(artifact.publish.passed_over)).toMatch(/refusal/);
  });

  it('--require_citations: a draft with too few evidence items is scored 0 and disqualified', async () => {
    const { artifact } = await run(
      { task: 'Describe the lighthouse', require_citations: 2 },
      draft('LED since 2019.', ['a']),
      draft('LED since 2019, horn every 30 s.', ['a', 'b']),
    );
    const d1 = artifact.judge.scores.find((s) => s.draft_id === 'd1');
    expect(d1).toMatchObject({ status: 'disqualified', score: 0 });
    expect(d1?.reasons).toMatch(/require_citations: 1 evidence item, 2 required/);
    expect(artifact.publish).toMatchObject({ status: 'published', draft_id: 'd2' });
  });

  it('grounded pass: passages reach the prompt, valid citations publish', async () => {
    const { artifact } = await run(
      { task: 'How often does the Skerry Point fog horn sound?', grounded_corpus: CORPUS, grounded_required: 2 },
      draft('Two blasts every thirty seconds [lighthouse-notes.md#1].', ['"The fog horn sounds two blasts every thirty seconds"']),
      draft('Two blasts every thirty seconds [lighthouse-notes.md#1].', ['"The fog horn sounds two blasts every thirty seconds"']),
    );
    const prompt = fake.requestsFor('gr-gpt').at(-1)!.prompt;
    expect(prompt).toContain('[lighthouse-notes.md#1]');
    expect(prompt).toContain('fog horn sounds two blasts');
    expect(artifact.status).toBe('published');
    expect(artifact.guardrails.grounding).toMatchObject({ outcome: 'passed', required: 2 });
    expect(artifact.guardrails.grounding?.corpus.files).toHaveLength(3);
  });

  it('grounded fail: too few valid citations → advisory_only with the reason', async () => {
    const { artifact } = await run(
      { task: 'How often does the fog horn sound?', grounded_corpus: CORPUS, grounded_required: 2 },
      draft('Every minute [harbour.md].', ['I read it somewhere']),
      draft('Every minute [harbour.md].', ['I read it somewhere']),
    );
    expect(artifact.status).toBe('advisory_only');
    expect(artifact.publish.reason).toMatch(/grounding: draft d\d has 0 valid citations of 2 required/);
    expect(artifact.guardrails.grounding).toMatchObject({ outcome: 'failed' });
  });

  it('redacts secrets and personal data from the artifact and the streamed deltas', async () => {
    const KEY = 'sk-proj-Q1w2E3r4T5y6U7i8O9p0AsDfGhJkLzXcVbNm';
    const { artifact, events } = await run(
      { task: `Summarise: customer jane.roe@example.com paid with 4111 1111 1111 1111 (key ${KEY})` },
      draft(`Customer jane.roe@example.com, card 4111 1111 1111 1111, key ${KEY}.`, ['ticket']),
      draft('A customer paid.', ['ticket']),
    );
    const all = JSON.stringify(artifact) + JSON.stringify(events);
    for (const s of [KEY, 'jane.roe@example.com', '4111 1111 1111 1111']) expect(all).not.toContain(s);
    const deltas = events.flatMap((e) => (e.type === 'draft.delta' && e.draft_id === 'd1' ? [e.text] : [])).join('');
    expect(deltas).toContain('[REDACTED:OPENAI_KEY]');
    expect(artifact.guardrails.redaction.events).toEqual(
      expect.arrayContaining([{ type: 'email', rule: 'email', count: 1, where: 'task' }, expect.objectContaining({ type: 'openai_key', where: 'draft:d1' })]),
    );
  });

  it('costs: real usage priced per call, per stage and per run, with the projection', async () => {
    const { artifact, projection } = await run({ task: 'Describe the lighthouse' }, draft('a', ['x']), draft('b', ['y']));
    expect(artifact.drafts.map((d) => d.cost_usd)).toEqual([(100 * 1 + 200 * 2) / 1e6, (100 * 3 + 200 * 15) / 1e6]);
    expect(artifact.cost.debate.usd).toBeCloseTo(0.0038, 9);
    expect(artifact.cost.judge.usd).toBeGreaterThan(0);
    expect(artifact.cost.total.usd).toBeCloseTo((artifact.cost.debate.usd ?? 0) + (artifact.cost.judge.usd ?? 0), 9);
    expect(artifact.cost.projected_usd).toBe(projection.total_usd);
    expect(artifact.cost.budget.exceeded).toBe(false);
  });

  it('budget during the run: once actual spend crosses budget_tokens, the judge is not launched, and the artifact says so', async () => {
    const judgeCallsBefore = fake.requestsFor('gr-judge').length;
    const { artifact } = await run({ task: 'Describe the lighthouse', budget_tokens: 500 }, draft('a', ['x']), draft('b', ['y']));
    // both debaters ran (they start together) and used 600 tokens ≥ 500; the judge was never called
    expect(artifact.drafts.map((d) => d.status)).toEqual(['ok', 'ok']);
    expect(fake.requestsFor('gr-judge').length).toBe(judgeCallsBefore);
    expect(artifact.judge.passes.every((p) => p.attempts.length === 0)).toBe(true);
    expect(JSON.stringify(artifact.judge)).toMatch(/not launched: budget_tokens reached: 600 tokens used ≥ budget 500/);
    expect(artifact.cost.budget).toMatchObject({ tokens: 500, exceeded: true, detail: expect.stringMatching(/^budget_tokens reached/) });
    expect(artifact.status).toBe('advisory_only');
    expect(artifact.publish.reason).toMatch(/budget_tokens reached/);
  });

  it('budget during the run: once actual USD spend crosses budget_usd, the judge is not launched, and the artifact says so', async () => {
    const judgeCallsBefore = fake.requestsFor('gr-judge').length;
    // debate: gpt $0.0005 + claude $0.0033 = $0.0038 ≥ $0.003
    const { artifact } = await run({ task: 'Describe the harbour', budget_usd: 0.003 }, draft('a', ['x']), draft('b', ['y']));
    expect(artifact.drafts.map((d) => d.status)).toEqual(['ok', 'ok']);
    expect(fake.requestsFor('gr-judge').length).toBe(judgeCallsBefore);
    expect(JSON.stringify(artifact.judge)).toMatch(/not launched: budget_usd reached: actual spend \$0\.0038 ≥ budget \$0\.003/);
    expect(artifact.cost.total.usd).toBeCloseTo(0.0038, 9);
    expect(artifact.cost.budget).toMatchObject({ usd: 0.003, exceeded: true, detail: expect.stringMatching(/^budget_usd reached/) });
    expect(artifact.status).toBe('advisory_only');
  });
});
