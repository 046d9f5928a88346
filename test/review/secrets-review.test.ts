// Review findings: credentials inside a configured base URL (https://user:token@host/v1 or ?key=…)
// must not reach /api/providers, attempt errors or log lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicProvider } from '../../shared/providers/anthropic.js';
import { redactSecrets } from '../../shared/guardrails/redaction.js';
import { createOpenAIProvider } from '../../shared/providers/openai.js';
import { loadProviderRegistry } from '../../shared/providers/registry.js';
import { withRetry } from '../../shared/providers/retry.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
});

const SECRET = 'hunter2supersecret';

describe('base URL credentials', () => {
  it('provider statuses never show userinfo or key-like query values of a base URL', async () => {
    const reg = await loadProviderRegistry({
      OPENAI_COMPATIBLE_BASE_URL: `https://bob:${SECRET}@llm.example.com/v1`,
      OPENAI_BASE_URL: `https://proxy.example.com/v1?api-key=${SECRET}&region=eu`,
      OPENAI_API_KEY: 'sk-test-abcdefghijkl',
    });
    const all = JSON.stringify(reg.statuses());
    expect(all).not.toContain(SECRET);
    const compat = reg.statuses().find((s) => s.id === 'openai_compatible')!;
    expect(compat.base_url).toContain('llm.example.com/v1');
    const openai = reg.statuses().find((s) => s.id === 'openai')!;
    expect(openai.base_url).toContain('proxy.example.com/v1');
  });

  it('redactSecrets masks the password of a URL in any text', () => {
    const out = redactSecrets(`connection error: cannot fetch https://bob:${SECRET}@llm.example.com/v1/chat`);
    expect(out).not.toContain(SECRET);
    expect(out).toContain('llm.example.com');
  });

  it('a failed call to a base URL with credentials records no credential in the attempt error', async () => {
    const base = fake.openaiBaseURL.replace('http://', `http://bob:${SECRET}@`);
    for (const p of [
      createOpenAIProvider({ apiKey: 'sk-test-1234567890', baseURL: base }),
      createAnthropicProvider({ apiKey: 'sk-ant-test-1234567890', baseURL: fake.anthropicBaseURL.replace('http://', `http://bob:${SECRET}@`) }),
    ]) {
      const r = await withRetry(
        (signal) => p.complete({ model: 'gpt-4.1', system: 's', prompt: 'p', max_tokens: 10, temperature: 0, signal }),
        { totalTimeoutMs: 5000, maxAttempts: 1 },
      );
      expect(JSON.stringify(r.attempts)).not.toContain(SECRET);
      if (!r.ok) expect(r.error.message).not.toContain(SECRET);
    }
  });
});
