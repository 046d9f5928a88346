// Model suggestions: each provider's own model list through its real SDK (openai models.list(),
// anthropic models.list() paged, Gemini and OpenAI-compatible servers through the OpenAI SDK, offline
// its own), against the fake LLM server's GET /v1/models; cached per provider; never a key; a clear
// error for a provider that is not configured and for a listing that fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDjpError, ProviderModels, type DjpError } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { createModelCatalog } from '../../shared/providers/models.js';
import { loadProviderRegistry } from '../../shared/providers/registry.js';
import { createDjpService } from '../../shared/service/index.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { fakeEnv } from './helpers.js';

let fake: FakeLlmServer;
let dir: string;
const OPENAI_KEY = 'sk-test-models-openai-0000000000';
const ANTHROPIC_KEY = 'sk-ant-test-models-0000000000000';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'djp-models-'));
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({
  ...fakeEnv(fake, ['google']),
  OPENAI_API_KEY: OPENAI_KEY,
  OPENAI_BASE_URL: fake.openaiBaseURL,
  ANTHROPIC_API_KEY: ANTHROPIC_KEY,
  ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
  OPENAI_COMPATIBLE_BASE_URL: fake.openaiBaseURL,
});

async function rejects(p: Promise<unknown>): Promise<DjpError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(isDjpError(e), String(e)).toBe(true);
  return e as DjpError;
}

describe('listing provider models', () => {
  it('OpenAI, Gemini and OpenAI-compatible: GET /v1/models through the OpenAI SDK; offline lists its own', async () => {
    fake.setModelList(['gpt-5.4', 'gpt-5.4-mini', 'gpt-4.1', 'gpt-5.4']);
    const catalog = createModelCatalog();
    const reg = await loadProviderRegistry(env());
    const before = fake.modelListRequests.length;
    for (const id of ['openai', 'google', 'openai_compatible'] as const) {
      const got = ProviderModels.parse(await catalog.list(reg, id));
      expect(got).toMatchObject({ provider: id, models: ['gpt-4.1', 'gpt-5.4', 'gpt-5.4-mini'], cached: false });
    }
    const sent = fake.modelListRequests.slice(before);
    expect(sent.map((r) => r.api)).toEqual(['openai', 'openai', 'openai']);
    expect(sent.slice(0, 2).every((r) => r.authenticated)).toBe(true);
    // Gemini lists "models/<id>": the bare id is suggested (what chat completions take).
    fake.setModelList(['models/gemini-2.5-flash', 'gpt-5.4']);
    const fresh = createModelCatalog();
    expect((await fresh.list(reg, 'google')).models).toEqual(['gemini-2.5-flash', 'gpt-5.4']);
    expect((await fresh.list(reg, 'openai')).models).toEqual(['gpt-5.4', 'models/gemini-2.5-flash']);
    expect(await catalog.list(reg, 'offline')).toMatchObject({ provider: 'offline', models: ['offline/alpha', 'offline/beta', 'offline/gamma', 'offline/judge'] });
  });

  it('Anthropic: models.list() follows has_more/after_id through every page', async () => {
    const ids = Array.from({ length: 230 }, (_, i) => `claude-test-${String(i).padStart(3, '0')}`);
    fake.setModelList(ids);
    const before = fake.modelListRequests.length;
    const got = await createModelCatalog().list(await loadProviderRegistry(env()), 'anthropic');
    expect(got.models).toEqual(ids);
    const sent = fake.modelListRequests.slice(before);
    expect(sent.map((r) => r.api)).toEqual(['anthropic', 'anthropic', 'anthropic']);
    expect(sent[0]!.query).toBe('limit=100');
    expect(sent[1]!.query).toContain('after_id=claude-test-099');
  });

  it('is cached per provider for the TTL, then asked again; a new key is a new list', async () => {
    fake.setModelList(['gpt-a']);
    let t = 1_000_000;
    const catalog = createModelCatalog({ ttlMs: 60_000, now: () => t });
    const reg = await loadProviderRegistry(env());
    const before = fake.modelListRequests.length;
    expect((await catalog.list(reg, 'openai')).cached).toBe(false);
    fake.setModelList(['gpt-b']);
    t += 59_000;
    expect(await catalog.list(await loadProviderRegistry(env()), 'openai')).toMatchObject({ models: ['gpt-a'], cached: true, fetched_at: new Date(1_000_000).toISOString() });
    expect(fake.modelListRequests.length - before).toBe(1);
    t += 2_000;
    expect(await catalog.list(reg, 'openai')).toMatchObject({ models: ['gpt-b'], cached: false });
    expect(fake.modelListRequests.length - before).toBe(2);
    // Another key builds another client: its list is not the old key's.
    fake.setModelList(['gpt-c']);
    expect(await catalog.list(await loadProviderRegistry({ ...env(), OPENAI_API_KEY: 'sk-test-models-other-key-000000' }), 'openai')).toMatchObject({ models: ['gpt-c'], cached: false });
  });

  it('a provider that is not configured is refused naming id and saying what to set', async () => {
    const reg = await loadProviderRegistry({ OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: fake.openaiBaseURL });
    const e = await rejects(createModelCatalog().list(reg, 'anthropic'));
    expect(e.code).toBe('invalid');
    expect(e.field).toBe('id');
    expect(e.message).toContain('not configured');
    expect(e.message).toContain('ANTHROPIC_API_KEY');
  });

  it('a failed listing is unavailable, with the reason and never the key', async () => {
    fake.setModelList({ status: 500, message: `upstream exploded for ${OPENAI_KEY}` });
    const reg = await loadProviderRegistry(env());
    for (const id of ['openai', 'anthropic'] as const) {
      const e = await rejects(createModelCatalog().list(reg, id));
      expect(e.code).toBe('unavailable');
      expect(e.message).toContain(`listing the models of ${id} failed`);
      expect(e.message).toContain('500');
      expect(e.message).toContain('any model id can still be typed');
      expect(e.message).not.toContain(OPENAI_KEY);
      expect(e.message).not.toContain(ANTHROPIC_KEY);
    }
    fake.setModelList(['gpt-5.4']);
  });

  it('the service method: the real registry, an unknown id is 400 naming id', async () => {
    fake.setModelList(['gpt-5.4', 'claude-opus-4-6']);
    const svc = createDjpService({ store: createRunStore(join(dir, 'runs'), { logger: silentLogger, env: {} }), env: env(), surface: 'test' });
    expect((await svc.listProviderModels('openai')).models).toEqual(['claude-opus-4-6', 'gpt-5.4']);
    expect((await svc.listProviderModels('openai')).cached).toBe(true);
    const e = await rejects(svc.listProviderModels('nope' as never));
    expect(e.code).toBe('invalid');
    expect(e.field).toBe('id');
    expect(JSON.stringify(await svc.listProviderModels('anthropic'))).not.toContain(ANTHROPIC_KEY);
  });
});
