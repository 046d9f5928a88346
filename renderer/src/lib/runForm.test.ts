import { describe, expect, it } from 'vitest';
import type { ProviderStatus } from '../../../shared/api/index.js';
import { RunRequest } from '../../../shared/api/index.js';
import { buildRequest, initialForm } from './runForm.js';

const providers: ProviderStatus[] = [
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
        debaters: { openai: { on: true, model: 'gpt-b' }, offline: { on: true, model: '' } },
        judge: 'openai/gpt-j',
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

  it('starts from the saved budget defaults', () => {
    expect(initialForm({ usd: 2, tokens: 5000 })).toMatchObject({ budgetUsd: '2', budgetTokens: '5000' });
  });
});
