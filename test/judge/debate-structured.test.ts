// Items 1, 3, 6 of issue 9: a real debate by default; native structured output for drafts and judge
// (request bodies inspected against what the SDKs send); outbound redaction of what providers get.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDjpError, type RunRequest } from '../../shared/api/index.js';
import { resolveRunParams } from '../../shared/config/params.js';
import { loadProviderRegistry } from '../../shared/providers/registry.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { fakeEnv } from '../core/helpers.js';
import { draft, makeService, run, warningsOf } from './helpers.js';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
});

describe('item 1: a real debate by default', () => {
  it('one provider: two distinct models of it, the judge not among them; DJP_OPENAI_MODELS chooses them', async () => {
    const one = await loadProviderRegistry({ OPENAI_API_KEY: 'k' });
    const p = resolveRunParams({ task: 't' }, { registry: one });
    expect(p.debaters).toEqual([
      { provider: 'openai', model: 'gpt-5.4-mini' },
      { provider: 'openai', model: 'gpt-5.4-nano' },
    ]);
    expect(p.judge).toEqual({ provider: 'openai', model: 'gpt-5.4' });
    const listed = await loadProviderRegistry({ OPENAI_API_KEY: 'k', DJP_OPENAI_MODELS: 'm-a, m-b, m-c', DJP_OPENAI_JUDGE_MODEL: 'm-a' });
    expect(resolveRunParams({ task: 't' }, { registry: listed }).debaters.map((d) => d.model)).toEqual(['m-b', 'm-c']);
    expect(resolveRunParams({ task: 't', max_debaters: 1 }, { registry: listed }).debaters).toHaveLength(1);
  });

  it('several providers: one each, at most 3; a configured provider that is not debating judges', async () => {
    const reg = await loadProviderRegistry({ OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k', GOOGLE_API_KEY: 'k', OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:1/v1' });
    const p = resolveRunParams({ task: 't' }, { registry: reg });
    expect(p.debaters.map((d) => d.provider)).toEqual(['openai', 'anthropic', 'google']);
    expect(p.judge.provider).toBe('openai_compatible');
    const two = await loadProviderRegistry({ OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k' });
    expect(resolveRunParams({ task: 't' }, { registry: two }).judge).toEqual({ provider: 'openai', model: 'gpt-5.4' });
  });

  it('records when the judge judges its own model, and a lone debater is never silent', async () => {
    fake.setModel('self-a', { text: draft('a') });
    fake.setModel('self-b', { text: draft('b') });
    const svc = makeService(fakeEnv(fake, ['openai']));
    const { artifact, events } = await run(svc, {
      task: 't',
      debaters: [
        { provider: 'openai', model: 'self-a' },
        { provider: 'openai', model: 'self-b' },
      ],
      judge: { provider: 'openai', model: 'self-b' },
    });
    expect(artifact.judge.self_judged).toEqual(['d2']);
    expect(warningsOf(events)).toContain('the judge openai/self-b also wrote d2: it judges its own model');
    const lone = await run(svc, { task: 't', debaters: [{ provider: 'openai', model: 'self-a' }], judge: { provider: 'openai', model: 'self-b' } });
    expect(lone.artifact.warnings).toContain('one debater (openai/self-a): there is no debate, the judge scores a single draft');
  });
});

describe('item 3: native structured output', () => {
  it('OpenAI, Google and OpenAI-compatible get response_format json_schema strict; the judge schema enumerates its labels', async () => {
    for (const m of ['so-gpt', 'so-gemini', 'so-compat', 'so-judge']) fake.setModel(m, {});
    const env = { ...fakeEnv(fake, ['openai', 'google']), OPENAI_COMPATIBLE_BASE_URL: fake.openaiBaseURL };
    const { artifact } = await run(makeService(env), {
      task: 't',
      debaters: [
        { provider: 'openai', model: 'so-gpt' },
        { provider: 'google', model: 'so-gemini' },
        { provider: 'openai_compatible', model: 'so-compat' },
      ],
      judge: { provider: 'openai', model: 'so-judge' },
      judge_passes: '1',
    });
    for (const m of ['so-gpt', 'so-gemini', 'so-compat']) {
      const rf = fake.requestsFor(m)[0]!.body.response_format as { type: string; json_schema: { name: string; strict: boolean; schema: { required: string[]; additionalProperties: boolean } } };
      expect(rf.type).toBe('json_schema');
      expect(rf.json_schema.name).toBe('djp_draft');
      expect(rf.json_schema.strict).toBe(true);
      expect(rf.json_schema.schema.required).toEqual(['answer', 'evidence', 'confidence', 'safety_flags']);
      expect(rf.json_schema.schema.additionalProperties).toBe(false);
    }
    const jrf = fake.requestsFor('so-judge')[0]!.body.response_format as { json_schema: { schema: { properties: { scores: { required: string[] } } } } };
    expect(jrf.json_schema.schema.properties.scores.required).toEqual(['A', 'B', 'C']);
    expect(artifact.drafts.map((d) => d.structured)).toEqual(['json_schema', 'json_schema', 'json_schema']);
    expect(artifact.judge.passes[0]!.structured).toBe('json_schema');
  });

  it('Anthropic gets output_config.format json_schema (the SDK’s OutputConfig), and a keyed judge answer parses', async () => {
    fake.setModel('so-claude', {});
    fake.setModel('so-claude-2', {});
    // the judge answers in the structured shape: scores keyed by label
    fake.setModel('so-claude-judge', {
      text: (req) => {
        const labels = ((req.body.output_config as { format: { schema: { properties: { scores: { required: string[] } } } } }).format.schema.properties.scores.required);
        return JSON.stringify({ scores: Object.fromEntries(labels.map((l, i) => [l, { task_fit: 4 - i, support: 3, clarity: 2, reasons: `Draft ${l} ok` }])) });
      },
    });
    const { artifact } = await run(makeService(fakeEnv(fake, ['anthropic'])), {
      task: 't',
      debaters: [
        { provider: 'anthropic', model: 'so-claude' },
        { provider: 'anthropic', model: 'so-claude-2' },
      ],
      judge: { provider: 'anthropic', model: 'so-claude-judge' },
      judge_passes: '1',
    });
    const body = fake.requestsFor('so-claude')[0]!.body;
    expect(body).not.toHaveProperty('response_format');
    expect(body.output_config).toMatchObject({ format: { type: 'json_schema', schema: { type: 'object', required: ['answer', 'evidence', 'confidence', 'safety_flags'] } } });
    expect(artifact.judge.status).toBe('ok');
    expect(artifact.judge.scores.every((s) => s.status === 'scored' && /^d\d ok$/.test(s.reasons))).toBe(true);
  });

  it('OPENAI_COMPATIBLE_STRUCTURED=json_object|none; a server that rejects json_schema is told what to set; a bad value names the variable', async () => {
    fake.setModel('compat-obj', {});
    const base = { OPENAI_COMPATIBLE_BASE_URL: fake.openaiBaseURL };
    const req = (model: string) => ({ task: 't', debaters: [{ provider: 'openai_compatible', model }], judge: { provider: 'openai_compatible', model }, judge_passes: '1' });
    const a1 = await run(makeService({ ...base, OPENAI_COMPATIBLE_STRUCTURED: 'json_object' }), req('compat-obj'));
    expect(fake.requestsFor('compat-obj')[0]!.body.response_format).toEqual({ type: 'json_object' });
    expect(a1.artifact.drafts[0]!.structured).toBe('json_object');
    fake.setModel('compat-none', {});
    const a2 = await run(makeService({ ...base, OPENAI_COMPATIBLE_STRUCTURED: 'none' }), req('compat-none'));
    expect(fake.requestsFor('compat-none')[0]!.body).not.toHaveProperty('response_format');
    expect(a2.artifact.drafts[0]!.structured).toBe('prompt');
    fake.setModel('compat-reject', { rejectJsonSchema: true });
    const a3 = await run(makeService(base), req('compat-reject'));
    expect(a3.artifact.drafts[0]!.status).toBe('failed');
    expect(a3.artifact.drafts[0]!.error).toMatch(/set OPENAI_COMPATIBLE_STRUCTURED=json_object/);
    const bad = await makeService({ ...base, OPENAI_COMPATIBLE_STRUCTURED: 'yes' }).startRun(req('compat-obj') as unknown as RunRequest, { identity: { user: 'u', source: 'local' } }).catch((e: unknown) => e);
    expect(isDjpError(bad) && bad.field).toBe('OPENAI_COMPATIBLE_STRUCTURED');
  });
});

describe('item 6: outbound privacy', () => {
  const task = 'Reply to jane.doe@example.com about card 4111 1111 1111 1111; our key is sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX12345';
  const raw = /jane\.doe@example\.com|4111 1111 1111 1111|sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX12345/;

  it('with redaction on (the default), draft and judge prompts carry the redacted text; the artifact says so', async () => {
    fake.setModel('out-a', { text: draft('Write to jane.doe@example.com today') });
    fake.setModel('out-b', {});
    fake.setModel('out-j', {});
    const { artifact } = await run(makeService(fakeEnv(fake, ['openai'])), {
      task,
      debaters: [
        { provider: 'openai', model: 'out-a' },
        { provider: 'openai', model: 'out-b' },
      ],
      judge: { provider: 'openai', model: 'out-j' },
    });
    const sent = ['out-a', 'out-b', 'out-j'].flatMap((m) => fake.requestsFor(m));
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const r of sent) {
      expect(r.prompt).not.toMatch(raw);
      expect(r.prompt).toMatch(/\[REDACTED:EMAIL\]/);
    }
    // the judge prompt: the draft's e-mail address is redacted too
    expect(fake.requestsFor('out-j')[0]!.prompt).toContain('Write to [REDACTED:EMAIL] today');
    expect(artifact.parameters.redact_outbound).toBe(true);
    expect(artifact.guardrails.redaction.outbound).toBe(true);
    expect(JSON.stringify(artifact)).not.toMatch(raw);
  });

  it('redact_outbound off sends the raw task while storage stays redacted', async () => {
    fake.setModel('raw-a', {});
    fake.setModel('raw-j', {});
    const { artifact } = await run(makeService(fakeEnv(fake, ['openai'])), {
      task,
      debaters: [{ provider: 'openai', model: 'raw-a' }],
      judge: { provider: 'openai', model: 'raw-j' },
      redact_outbound: false,
    });
    expect(fake.requestsFor('raw-a')[0]!.prompt).toContain('jane.doe@example.com');
    expect(artifact.guardrails.redaction.outbound).toBe(false);
    expect(JSON.stringify(artifact)).not.toMatch(raw);
  });
});
