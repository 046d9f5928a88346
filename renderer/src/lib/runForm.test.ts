import { describe, expect, it } from 'vitest';
import type { ProviderStatus } from '../../../shared/api/index.js';
import { RunRequest } from '../../../shared/api/index.js';
import { buildRequest, initialForm, MAX_DEBATERS, nextProvider, sharedProviders } from './runForm.js';

const providers: ProviderStatus[] = [
  { id: 'google', label: 'Google Gemini', configured: false, key_source: 'none', base_url: null, default_model: 'gem-a', judge_model: 'gem-j', models: [] },
  { id: 'openai', label: 'OpenAI', configured: true, key_source: 'env', base_url: null, default_model: 'gpt-a', judge_model: 'gpt-j', models: ['gpt-a', 'gpt-b'] },
  { id: 'offline', label: 'Offline', configured: true, key_source: 'not_needed', base_url: null, default_model: 'off-1', judge_model: 'off-j', models: ['off-1'] },
];
const blank = initialForm({ usd: null, tokens: null });

describe('run form → RunRequest', () => {
  it('needs a task, and names the field', () => {
    expect(buildRequest({ ...blank, task: '   ' }, providers)).toEqual({ field: 'task', message: 'Write a task for the models to answer.' });
  });

  it('sends only what was chosen, and the result passes the contract schema', () => {
    const r = buildRequest(
      {
        ...blank,
        task: ' Compare queues ',
        preset: 'thorough',
        debaters: [
          { key: 1, provider: 'openai', model: ' gpt-b ' },
          { key: 2, provider: 'offline', model: '' },
        ],
        judge: { provider: 'openai', model: '' },
        policy: 'all',
        requireCitations: '2',
        grounded: true,
        corpus: ' /data/docs ',
        redact: false,
        requireApproval: true,
        budgetUsd: '0.5',
        budgetTokens: '20000',
      },
      providers,
    );
    expect(r).toEqual({
      request: {
        task: 'Compare queues',
        preset: 'thorough',
        debaters: [
          { provider: 'openai', model: 'gpt-b' },
          { provider: 'offline', model: 'off-1' },
        ],
        judge: { provider: 'openai', model: 'gpt-j' },
        policy: 'all',
        require_citations: 2,
        grounded_corpus: '/data/docs',
        redact: false,
        require_approval: true,
        budget_usd: 0.5,
        budget_tokens: 20000,
      },
    });
    if ('request' in r) expect(RunRequest.safeParse(r.request).success).toBe(true);
    const minimal = buildRequest({ ...blank, task: 'x' }, providers);
    expect(minimal).toEqual({ request: { task: 'x', redact: true } });
  });

  it('refuses bad numbers and an empty corpus path, naming each field', () => {
    expect(buildRequest({ ...blank, task: 'x', requireCitations: '-1' }, providers)).toMatchObject({ field: 'require_citations' });
    expect(buildRequest({ ...blank, task: 'x', budgetUsd: '0' }, providers)).toMatchObject({ field: 'budget_usd' });
    expect(buildRequest({ ...blank, task: 'x', budgetTokens: '1.5' }, providers)).toMatchObject({ field: 'budget_tokens' });
    expect(buildRequest({ ...blank, task: 'x', grounded: true, corpus: ' ' }, providers)).toMatchObject({ field: 'grounded_corpus' });
  });

  it('any number of debaters, several from one provider, any typed model id; the judge any model of any usable provider', () => {
    const r = buildRequest(
      {
        ...blank,
        task: 'x',
        debaters: [
          { key: 1, provider: 'openai', model: 'gpt-5.4' },
          { key: 2, provider: 'openai', model: 'gpt-5.4-mini' },
          { key: 3, provider: 'openai', model: 'my-fine-tune:2026-01' },
        ],
        judge: { provider: 'offline', model: 'offline/judge' },
      },
      providers,
    );
    expect(r).toMatchObject({ request: { debaters: [{ provider: 'openai', model: 'gpt-5.4' }, { provider: 'openai', model: 'gpt-5.4-mini' }, { provider: 'openai', model: 'my-fine-tune:2026-01' }], judge: { provider: 'offline', model: 'offline/judge' } } });
    if ('request' in r) expect(RunRequest.safeParse(r.request).success).toBe(true);
  });

  it('refuses more than the maximum of debaters and an unconfigured provider, naming the field', () => {
    const many = Array.from({ length: MAX_DEBATERS + 1 }, (_, i) => ({ key: i, provider: 'openai' as const, model: '' }));
    expect(buildRequest({ ...blank, task: 'x', debaters: many }, providers)).toMatchObject({ field: 'debaters' });
    expect(buildRequest({ ...blank, task: 'x', debaters: [{ key: 1, provider: 'google', model: '' }] }, providers)).toEqual({ field: 'debaters', message: 'Debater 1: Google Gemini is not configured on the server.' });
    expect(buildRequest({ ...blank, task: 'x', judge: { provider: 'google', model: 'x' } }, providers)).toMatchObject({ field: 'judge' });
  });

  it('says which drafts share a provider, and a new row starts on a provider not yet used', () => {
    const rows = [
      { key: 1, provider: 'openai' as const, model: '' },
      { key: 2, provider: 'offline' as const, model: '' },
      { key: 3, provider: 'openai' as const, model: '' },
      { key: 4, provider: 'openai' as const, model: '' },
    ];
    expect([...sharedProviders(rows)]).toEqual([
      [2, ['d1']],
      [3, ['d1', 'd3']],
    ]);
    expect(nextProvider([], providers)).toBe('openai'); // a configured one before offline
    expect(nextProvider([{ key: 1, provider: 'openai', model: '' }], providers)).toBe('openai'); // offline only when nothing else is configured
    expect(nextProvider([], providers.filter((p) => p.id !== 'openai'))).toBe('offline');
  });

  it('starts from the saved budget defaults', () => {
    expect(initialForm({ usd: 2, tokens: 5000 })).toMatchObject({ budgetUsd: '2', budgetTokens: '5000' });
  });
});
