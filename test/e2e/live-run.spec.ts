// The live run in view: after Run, the run scrolls into view and its heading takes focus, the form
// folds to a one-line summary (reopened on demand), Run is disabled while the run is live, Esc
// cancels, and a cancelled run keeps its streamed partial text and reads "Cancelled".
import { expect, startRun, test } from './fixtures.js';

const SLOW = 'gpt-5.4-nano'; // answers after 30 s (harness.ts)

test('after Run the live run is in view and focused, the form folds, Run is disabled while live, Esc cancels', async ({ page, app }) => {
  await startRun(page, { task: `Keep it in view ${Date.now()}`, debaters: [{ label: 'OpenAI', model: SLOW }] });
  const heading = page.locator('.live-run h2');
  await expect(heading).toBeFocused();
  await expect(heading).toContainText('Keep it in view');
  await expect(heading).toBeInViewport();
  await expect(page.getByRole('region', { name: 'Drafts' })).toBeInViewport();
  // Folded: the form is hidden behind a one-line summary.
  await expect(page.getByRole('form', { name: 'New run' })).toBeHidden();
  const toggle = page.getByRole('button', { name: 'Edit / new run' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(page.locator('.form-summary')).toContainText('1 debater');
  await app.shot('run-live-folded');
  // Reopened while live: Run is disabled and says why.
  await toggle.click();
  await expect(page.getByRole('form', { name: 'New run' })).toBeVisible();
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await expect(run).toBeDisabled();
  await expect(page.locator('#run-live-note')).toContainText('A run is in progress');
  // Ctrl+Enter in the task does not start a second run either.
  await page.getByLabel('Task').press('Control+Enter');
  await expect(page.locator('.live-run')).toHaveCount(1);
  // Esc cancels.
  await page.keyboard.press('Escape');
  await expect(page.locator('.run-progress')).toContainText('Cancelled', { timeout: 20_000 });
  await expect(page.locator('article[data-draft="d1"]')).toHaveAttribute('data-state', 'cancelled');
  await expect(run).toBeEnabled();
});

test('a cancelled run keeps the text that had streamed', async ({ page, app }) => {
  const res = await page.request.post(`${app.base}/api/runs`, { data: { task: `Stream then stop ${Date.now()}`, debaters: [{ provider: 'openai', model: 'slow-stream' }] } });
  expect(res.status()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await app.go(`/?run=${id}`);
  const text = page.getByRole('region', { name: 'Draft d1 answer' });
  await expect(text).toContainText('Partial answer begins here', { timeout: 20_000 });
  await expect(page.locator('article[data-draft="d1"]')).toHaveAttribute('data-state', 'streaming');
  const before = (await text.innerText()).length;
  await page.getByRole('button', { name: /Cancel/ }).click();
  await expect(page.locator('.run-progress')).toContainText('Cancelled');
  // Once the saved record has loaded (the Cost panel comes from it), the partial text is still there.
  await expect(page.getByRole('region', { name: 'Cost and storage' })).toBeVisible();
  await expect(text).toContainText('Partial answer begins here');
  expect((await text.innerText()).length).toBeGreaterThanOrEqual(before);
  const draft = page.locator('article[data-draft="d1"]');
  await expect(draft).toHaveAttribute('data-state', 'cancelled');
  await expect(draft).toContainText('what had streamed');
  await expect(draft.getByRole('alert')).toHaveCount(0); // neutral, not an error
  await app.shot('run-cancelled-partial');
  // The partial text is in the saved record: after a reload (no live view to keep it) it is still shown.
  await app.go(`/runs/${id}`);
  await page.reload();
  await expect(page.locator('.run-progress')).toContainText('Cancelled');
  const saved = page.locator('article[data-draft="d1"]');
  await expect(saved).toHaveAttribute('data-state', 'cancelled');
  await expect(saved).toContainText('what had streamed');
  await expect(page.getByRole('region', { name: 'Draft d1 answer' })).toContainText('Partial answer begins here');
  await expect(saved.getByRole('alert')).toHaveCount(0);
  await expect(page.locator('.run-progress .badge')).toHaveClass(/neutral/);
  await app.shot('run-cancelled-partial-reloaded');
});

test('a live run is never asked for its saved record: Insights, Compare and its own page follow it without a failed request', async ({ page, app }) => {
  // Any failed request (e.g. a 409 "still running" for GET /api/runs/{id}) is a console error, which
  // the fixture fails on — no allowance.
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  const task = `Live while browsing ${Date.now()}`;
  const res = await page.request.post(`${app.base}/api/runs`, { data: { task, debaters: [{ provider: 'openai', model: SLOW }] } });
  expect(res.status()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  // Insights samples recent artifacts: the live run is left out, not fetched.
  await app.go('/insights');
  await expect(page.getByRole('heading', { level: 2, name: 'Insights' })).toBeVisible();
  await expect(page.getByText('Reading run history…')).toHaveCount(0);
  // Compare lists it as still running, and it cannot be picked.
  await app.go('/compare');
  const option = page.locator('#cmp-a option', { hasText: 'still running' }).filter({ hasText: id.slice(-6) });
  await expect(option).toHaveCount(1);
  await expect(option).toBeDisabled();
  // Given in the URL (a shared link), Compare waits for it and says so, with a way to watch it.
  await app.go(`/compare?a=${id}&b=${id}:d1`);
  await expect(page.getByRole('status').filter({ hasText: 'Left run is still running' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Right run is still running' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Watch it live' }).first()).toHaveAttribute('href', `#/runs/${id}`);
  await expect(page.getByTestId('diff-stats')).toHaveCount(0);
  await expect(page.locator('#cmp-a')).toHaveValue(id); // the picker shows the run it waits for
  await app.shot('compare-live-run-waiting');
  // Its own page (as opened from History) follows the live events and reads the record only at the end.
  await app.go(`/runs/${id}`);
  await expect(page.locator('article[data-draft="d1"]')).toHaveAttribute('data-state', /streaming|waiting|running/);
  const cancel = await page.request.post(`${app.base}/api/runs/${id}/cancel`, { data: {} });
  expect(cancel.status()).toBeLessThan(300);
  await expect(page.locator('.run-progress')).toContainText('Cancelled', { timeout: 20_000 });
  await expect(page.getByRole('region', { name: 'Cost and storage' })).toBeVisible();
  // Finished now: the same Compare link compares it.
  await app.go(`/compare?a=${id}&b=${id}:d1`);
  await expect(page.getByTestId('diff-stats')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'run is still running' })).toHaveCount(0); // (other tests' live runs may be listed in the pickers)
  expect(failed).toEqual([]);
});
