// Phone width (390 px): after a run the results come first, tables reflow into cards, History's
// filters fold away behind a button, chart labels stay legible; nothing scrolls sideways.
import { expect, startRun, test, waitFinished } from './fixtures.js';

const uniq = () => Math.random().toString(36).slice(2, 8);
const overflow = (page: import('playwright/test').Page) => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;

test('phone: results first, tables as cards, filters folded, legible charts', async ({ page, app }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await startRun(page, { task: `Phone run ${uniq()}`, debaters: [{ label: 'OpenAI' }, { label: 'Anthropic', model: 'claude-haiku-4-5' }] });
  await expect(page.locator('.live-run h2')).toBeInViewport();
  await waitFinished(page);
  await expect(page.getByRole('form', { name: 'New run' })).toBeHidden();
  // The scores table is a stack of cards no wider than the screen.
  const scores = page.getByRole('region', { name: 'Judge scores' });
  await expect(scores.locator('tbody tr').first()).toBeVisible();
  const box = await scores.locator('table').boundingBox();
  expect(box!.width).toBeLessThanOrEqual(390);
  expect(await scores.locator('thead').evaluate((el) => el.getBoundingClientRect().height)).toBeLessThanOrEqual(1);
  expect(await overflow(page)).toBeLessThanOrEqual(1);
  await app.shot('phone-run-finished');
  // History: only the search and a Filters button at first.
  await app.go('/history');
  await expect(page.getByLabel('Search tasks')).toBeVisible();
  await expect(page.getByLabel('Status')).toBeHidden();
  const filters = page.getByRole('button', { name: /^Filters/ });
  await expect(filters).toHaveAttribute('aria-expanded', 'false');
  const tableTop = (await page.getByRole('table', { name: 'Runs' }).boundingBox())!.y;
  expect(tableTop).toBeLessThan(844 / 2);
  expect(await overflow(page)).toBeLessThanOrEqual(1);
  await app.shot('phone-history');
  await filters.click();
  await expect(page.getByLabel('Status')).toBeVisible();
  await app.shot('phone-history-filters');
  // Insights: tick labels drawn at a readable size.
  await app.go('/insights');
  const tick = page.locator('.chart .tick').first();
  await expect(tick).toBeVisible();
  expect((await tick.boundingBox())!.height).toBeGreaterThanOrEqual(10);
  expect(await overflow(page)).toBeLessThanOrEqual(1);
  await app.shot('phone-insights');
});
