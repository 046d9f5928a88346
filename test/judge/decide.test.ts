// Items 2, 4, 5 of issue 9: the judge decides by default with a truthful reason; reasons name the
// drafts by id; empty, truncated and broken answers are never published; a judge that misses labels
// is asked again, and drafts still unscored are never published (judge partial).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunArtifact } from '../../shared/api/index.js';
import { parseJudgePrompt } from '../../shared/djp/prompts.js';
import { judgeWith, startFakeLlmServer, type FakeChatRequest, type FakeLlmServer } from '../fakes/llm-server.js';
import { fakeEnv } from '../core/helpers.js';
import { draft, makeService, run, warningsOf } from './helpers.js';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
});

/** "score:N" in a draft's body → N points split over the rubric. */
const byMarker = (body: string) => {
  const n = Number(/score:(\d+)/.exec(body)?.[1] ?? 5);
  const task_fit = Math.min(4, n);
  const support = Math.min(4, n - task_fit);
  return { task_fit, support, clarity: n - task_fit - support };
};

function setup(prefix: string, texts: { o?: string; a?: string; g?: string }, judge?: (req: FakeChatRequest) => string) {
  const m = { o: `${prefix}-gpt`, a: `${prefix}-claude`, g: `${prefix}-gemini`, j: `${prefix}-judge` };
  fake.setModel(m.o, { text: texts.o ?? draft('openai answer score:7') });
  fake.setModel(m.a, { text: texts.a ?? draft('anthropic answer score:9') });
  fake.setModel(m.g, { text: texts.g ?? draft('google answer score:5') });
  fake.setModel(m.j, { text: judge ?? judgeWith(byMarker) });
  return {
    m,
    req: {
      task: 'Explain the plan',
      debaters: [
        { provider: 'openai', model: m.o },
        { provider: 'anthropic', model: m.a },
        { provider: 'google', model: m.g },
      ],
      judge: { provider: 'openai', model: m.j },
      timeout_s: 5,
    },
  };
}

describe('item 2: the judge decides by default', () => {
  it('publishes the top-ranked draft (9/10 over an OpenAI 7/10) and the reason says so with the scores', async () => {
    const { req } = setup('dflt', {});
    const { artifact } = await run(makeService(fakeEnv(fake)), req);
    expect(artifact.parameters.policy).toBe('all');
    expect(artifact.publish.status).toBe('published');
    expect(artifact.publish.draft_id).toBe('d2');
    expect(artifact.publish.reason).toBe("d2 (anthropic/dflt-claude, 9/10) is the judge's top-ranked draft and passed the guardrails");
    expect(artifact.policy).toEqual({ name: 'all', publishes: true, allow: '*', prefer: [], source: 'builtin', path: null });
  });

  it('openai_preferred keeps its meaning when asked, and the reason tells the truth about both scores', async () => {
    const { req } = setup('pref', {});
    const { artifact } = await run(makeService(fakeEnv(fake)), { ...req, policy: 'openai_preferred' });
    expect(artifact.publish.draft_id).toBe('d1');
    expect(artifact.publish.reason).toBe('d1 (openai/pref-gpt, 7/10) preferred by policy "openai_preferred" over d2 (anthropic/pref-claude, 9/10)');
    expect(artifact.publish.passed_over).toEqual([{ draft_id: 'd2', reasons: ['policy "openai_preferred" prefers openai'] }]);
  });
});

describe('item 5: reasons name drafts the way the product does', () => {
  it('rewrites the judge’s labels in reasons to draft ids; every pass records its label map', async () => {
    const judge = (req: FakeChatRequest) => {
      const drafts = parseJudgePrompt(req.prompt);
      const labels = drafts.map((d) => d.label);
      return JSON.stringify({
        scores: drafts.map((d) => ({ label: d.label, ...byMarker(d.body), reasons: `Draft ${d.label} vs Draft ${labels.find((l) => l !== d.label)}: Drafts ${labels.join(' and ')} were read.` })),
      });
    };
    const { req } = setup('labels', {}, judge);
    const { artifact } = await run(makeService(fakeEnv(fake)), { ...req, judge_passes: '1' });
    const pass = artifact.judge.passes[0]!;
    expect(pass.kind).toBe('main');
    const idOf = new Map(pass.order.map((o) => [o.label, o.draft_id]));
    expect(idOf.size).toBe(3);
    for (const s of artifact.judge.scores) {
      expect(s.reasons).not.toMatch(/Draft [A-Z]\b/);
      expect(s.reasons).toMatch(new RegExp(`^${s.draft_id} vs d\\d: d\\d and d\\d and d\\d were read\\.$`));
    }
    // the raw judge text keeps its own labels (it is the record of what the judge said)
    expect(pass.raw).toMatch(/Draft [A-C]/);
  });
});

describe('item 4: edge cases are never published as if fine', () => {
  it('whitespace answer, broken JSON and a truncated answer are unusable with the reason; finish/stop reasons are recorded', async () => {
    const { req, m } = setup('edge', {
      o: JSON.stringify({ answer: '   \n ', evidence: [], confidence: 0.9, safety_flags: [] }),
      a: '{"answer": "a long answer that was cut',
      g: draft('google answer score:5'),
    });
    fake.setModel(m.a, { text: draft('anthropic answer cut by the token cap score:9'), finishReason: 'length' });
    fake.setModel(`${m.a}-broken`, { text: '{"answer": "half a JSON object' });
    const { artifact, events } = await run(makeService(fakeEnv(fake)), {
      ...req,
      debaters: [...req.debaters, { provider: 'openai', model: `${m.a}-broken` }],
      max_tokens: 300,
    });
    const [d1, d2, d3, d4] = artifact.drafts;
    expect(d1!.status).toBe('failed');
    expect(d1!.error).toBe('unusable: the answer is empty or only whitespace');
    expect(d1!.answer).toBe('');
    expect(d2!.status).toBe('failed');
    expect(d2!.truncated).toBe('length');
    expect(d2!.finish_reason).toBe('max_tokens'); // Anthropic's own word for it
    expect(d2!.error).toMatch(/unusable: the answer was cut off at the token cap \(max_tokens, max_tokens 300\)/);
    expect(d3!.finish_reason).toBe('stop');
    expect(d4!.status).toBe('failed');
    expect(d4!.error).toMatch(/unusable: the answer is broken JSON/);
    expect(d4!.answer).toBe(''); // raw JSON text is never an answer
    expect(artifact.publish.draft_id).toBe('d3');
    expect(artifact.publish.text).toBe('google answer score:5');
    // one usable draft of four: said in an event and in the artifact
    const w = warningsOf(events).find((x) => x.startsWith('only one usable draft (d3)'));
    expect(w).toBeTruthy();
    expect(artifact.warnings).toContain(w);
    expect(RunArtifact.safeParse(artifact).success).toBe(true);
  });

  it('a judge that misses a label is asked once more for the missing one only, and the draft is scored', async () => {
    let calls = 0;
    const judge = (req: FakeChatRequest) => {
      calls++;
      const drafts = parseJudgePrompt(req.prompt);
      // first call: leaves out the last label; the re-ask gets only that one and answers it
      const shown = calls === 1 ? drafts.slice(0, -1) : drafts;
      return JSON.stringify({ scores: shown.map((d) => ({ label: d.label, ...byMarker(d.body), reasons: 'ok' })) });
    };
    const { req, m } = setup('reask', {}, judge);
    const { artifact } = await run(makeService(fakeEnv(fake)), { ...req, judge_passes: '1' });
    expect(artifact.judge.status).toBe('ok');
    expect(artifact.judge.passes.map((p) => [p.n, p.kind, p.order.length])).toEqual([
      [1, 'main', 3],
      [2, 'reask', 1],
    ]);
    const reask = fake.requestsFor(m.j).at(-1)!;
    expect(parseJudgePrompt(reask.prompt)).toHaveLength(1);
    // the re-ask keeps the label the draft had in its pass
    const missing = artifact.judge.passes[0]!.order.at(-1)!;
    expect(artifact.judge.passes[1]!.order).toEqual([missing]);
    expect(artifact.judge.scores.every((s) => s.status === 'scored')).toBe(true);
    expect(artifact.publish.draft_id).toBe('d2');
  });

  it('a draft still unscored after the re-ask makes the judge partial, warns, and is never published', async () => {
    // the judge never scores the anthropic draft (the best one)
    const judge = judgeWith((body) => (body.includes('anthropic') ? null : byMarker(body)));
    const { req } = setup('partial', {}, judge);
    const { artifact, events } = await run(makeService(fakeEnv(fake)), { ...req, judge_passes: '1' });
    expect(artifact.judge.status).toBe('partial');
    expect(artifact.judge.reason).toMatch(/no score for d2 after being asked again/);
    expect(artifact.judge.scores.find((s) => s.draft_id === 'd2')!.status).toBe('unscored');
    expect(artifact.judge.ranking).not.toContain('d2');
    expect(artifact.publish.status).toBe('published');
    expect(artifact.publish.draft_id).toBe('d1');
    expect(warningsOf(events).some((w) => w.startsWith('judge partial: '))).toBe(true);
  });
});
