// The model picker: any number of debaters, several from one provider, any model id typed with
// suggestions from the provider's own list (GET /api/providers/{id}/models, which the server fetches
// from the fake OpenAI/Anthropic servers' GET /v1/models), the judge any model of any configured
// provider, and a clear note when two drafts come from one provider.
import { expect, test, waitFinished } from './fixtures.js';

const uniq = () => Math.random().toString(36).slice(2, 8);

test('two drafts from one provider with typed model ids, the judge from another; suggestions from the provider list', async ({ page, app }) => {
  await app.go('/');
  const add = page.getByRole('button', { name: 'Add debater' });
  await page.getByLabel('Task').fill(`Model picker ${uniq()}`);
  await add.click();
  await page.getByLabel('Debater 1 provider', { exact: true }).selectOption({ label: 'OpenAI' });
  const m1 = page.getByLabel('Debater 1 model', { exact: true });
  await expect(m1).toHaveAttribute('placeholder', /gpt-5\.4-mini \(default\)/);
  // Suggestions: the fake server lists the harness' scripted models; the note says where they came from.
  const listId = await m1.getAttribute('list');
  await expect(page.locator(`datalist[id="${listId}"] option[value="md-writer"]`)).toHaveCount(1);
  await expect(page.locator('.debater[data-draft="d1"]')).toContainText(/models? listed by OpenAI; any id can be typed/);
  await m1.fill('gpt-5.4-mini');
  await add.click();
  await page.getByLabel('Debater 2 provider', { exact: true }).selectOption({ label: 'OpenAI' });
  await page.getByLabel('Debater 2 model', { exact: true }).fill('md-writer');
  await expect(page.locator('.debater[data-draft="d2"] [data-testid="same-provider"]')).toContainText('Same provider as d1 (OpenAI)');
  await expect(page.locator('.debater[data-draft="d1"] [data-testid="same-provider"]')).toHaveCount(0);
  // The judge: any model of any configured provider, typed.
  await page.getByLabel('Judge provider').selectOption({ label: 'Anthropic' });
  await page.getByLabel('Judge model').fill('claude-haiku-4-5');
  await app.shot('run-model-picker');
  await page.setViewportSize({ width: 390, height: 844 });
  await app.shot('run-model-picker-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page).toHaveURL(/run=[0-9A-Z]{26}/);
  const id = /run=([0-9A-Z]{26})/.exec(page.url())![1]!;
  await waitFinished(page);
  const drafts = page.getByRole('region', { name: 'Drafts' });
  await expect(drafts.locator('article')).toHaveCount(2);
  await expect(drafts.locator('article[data-draft="d1"]')).toContainText('openai/gpt-5.4-mini');
  await expect(drafts.locator('article[data-draft="d2"]')).toContainText('openai/md-writer');
  const saved = (await (await page.request.get(`${app.base}/api/runs/${id}`)).json()) as { parameters: { debaters: unknown; judge: unknown } };
  expect(saved.parameters.debaters).toEqual([
    { provider: 'openai', model: 'gpt-5.4-mini' },
    { provider: 'openai', model: 'md-writer' },
  ]);
  expect(saved.parameters.judge).toEqual({ provider: 'anthropic', model: 'claude-haiku-4-5' });
});

test('a provider whose listing fails says so at the field; a typed id is still accepted', async ({ page, app }) => {
  app.allowConsoleError(/status of 503/);
  await page.route('**/api/providers/anthropic/models', (route) =>
    route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'listing the models of anthropic failed: fake outage — any model id can still be typed', field: 'id' } }) }),
  );
  await page.goto(`${app.base}/?fresh=${Date.now()}#/`);
  await page.getByLabel('Task').fill(`Listing down ${uniq()}`);
  await page.getByRole('button', { name: 'Add debater' }).click();
  await page.getByLabel('Debater 1 provider', { exact: true }).selectOption({ label: 'Anthropic' });
  await expect(page.locator('.debater[data-draft="d1"]')).toContainText('Suggestions unavailable');
  await expect(page.locator('.debater[data-draft="d1"]')).toContainText('fake outage');
  await page.getByLabel('Debater 1 model', { exact: true }).fill('claude-haiku-4-5');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page).toHaveURL(/run=[0-9A-Z]{26}/);
  await waitFinished(page);
  await expect(page.getByRole('region', { name: 'Drafts' }).locator('article[data-draft="d1"]')).toContainText('anthropic/claude-haiku-4-5');
});

test('a synthesized answer (chairman mode) says it was synthesized by the chairman from which drafts', async ({ page, app }) => {
  const res = await page.request.post(`${app.base}/api/runs`, {
    data: {
      task: `Synthesize ${uniq()}`,
      debaters: [
        { provider: 'openai', model: 'gpt-5.4-mini' },
        { provider: 'anthropic', model: 'claude-haiku-4-5' },
      ],
      judge: { provider: 'openai', model: 'judge-x' },
      publish: 'synthesize',
      chairman: { provider: 'openai', model: 'chair-x' },
    },
  });
  expect(res.status()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await app.go(`/runs/${id}`);
  await waitFinished(page);
  const saved = (await (await page.request.get(`${app.base}/api/runs/${id}`)).json()) as { publish: { draft_id: string | null; synthesized?: boolean }; synthesis: { from: string[] } | null; judge: { passes: unknown[] } };
  expect(saved.publish.draft_id).toBeNull();
  expect(saved.publish.synthesized).toBe(true);
  const source = page.getByRole('region', { name: 'Result' }).getByTestId('publish-source');
  await expect(source).toHaveText(`Synthesized by openai/chair-x from ${saved.synthesis!.from.join(', ')}`);
  await expect(page.getByRole('region', { name: 'Result' })).not.toContainText(/winner null/i);
  // The chairman's call is in the cost table with the drafts and judge passes.
  const cost = page.getByRole('region', { name: 'Cost and storage' });
  await expect(cost.getByRole('row', { name: /Synthesis \(chairman\)/ })).toContainText('openai/chair-x');
  const unpriced = saved.judge.passes.length + 1; // every judge pass and the chairman: the fake models are unpriced
  await expect(cost.getByRole('row', { name: /Total/ })).toContainText(`+ ${unpriced} calls unpriced`);
  await app.shot('run-synthesized');
});
