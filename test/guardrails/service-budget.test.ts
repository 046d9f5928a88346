// Budget abort before the run at the DjpApi level: the error code and the field, and no run started.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createRunStore } from '../../shared/artifacts/index.js';
import { createDjpService } from '../../shared/service/index.js';

const ctx = { identity: { user: 'tester', source: 'local' as const } };
const env = { OPENAI_API_KEY: 'sk-test-not-used-0000000000', ANTHROPIC_API_KEY: 'sk-ant-test-not-used-000000' };

function service() {
  const dir = mkdtempSync(join(tmpdir(), 'djp-budget-'));
  return createDjpService({ store: createRunStore(dir, { env: {}, logger: pino({ level: 'silent' }) }), env, surface: 'test' });
}

describe('budget abort before the run (service defaults: real pricing)', () => {
  it('budget_usd below the projection → budget_exceeded naming budget_usd; projectCost agrees', async () => {
    const svc = service();
    const req = { task: 'Explain tides', budget_usd: 0.001 };
    const p = await svc.projectCost(req);
    expect(p.total_usd).toBeGreaterThan(0.001);
    expect(p.within_budget).toBe(false);
    await expect(svc.startRun(req, ctx)).rejects.toMatchObject({ code: 'budget_exceeded', field: 'budget_usd', message: expect.stringMatching(/^budget_usd: projected \$/) });
    expect(svc.inFlight()).toBe(0);
  });

  it('budget_tokens below the projection → field budget_tokens, even when a USD budget is also set and fine', async () => {
    const svc = service();
    await expect(svc.startRun({ task: 'Explain tides', budget_usd: 100, budget_tokens: 50 }, ctx)).rejects.toMatchObject({
      code: 'budget_exceeded',
      field: 'budget_tokens',
    });
  });

  it('an unpriced model with a USD budget is refused (cannot be checked), without one it runs unpriced', async () => {
    const svc = service();
    const req = { task: 't', debaters: [{ provider: 'openai' as const, model: 'my-finetune-x' }], budget_usd: 5 };
    await expect(svc.startRun(req, ctx)).rejects.toMatchObject({ code: 'budget_exceeded', message: expect.stringMatching(/unpriced model\(s\) openai\/my-finetune-x/) });
    const p = await svc.projectCost({ task: 't', debaters: [{ provider: 'openai', model: 'my-finetune-x' }] });
    expect(p).toMatchObject({ total_usd: null, within_budget: true, unpriced_models: ['openai/my-finetune-x'] });
  });
});
