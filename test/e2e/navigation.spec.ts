// Navigation: focus moves to the new screen's heading, titles name the screen or the run's task,
// a run has a back link to History, the Approvals tab shows the pending count, History searches as
// you type, says how many match, invites a first run when the store is empty, and "/" focuses search.
import { expect, startRun, test, waitFinished } from './fixtures.js';

const uniq = () => Math.random().toString(36).slice(2, 8);

test('route changes move focus to the heading and titles name the screen or the run', async ({ page, app }) => {
  await app.go('/');
  await expect(page).toHaveTitle('New run · DJP Workflow');
  for (const [link, heading, title] of [
    ['History', 'History', 'History · DJP Workflow'],
    ['Settings', 'Settings', 'Settings · DJP Workflow'],
    ['Insights', 'Insights', 'Insights · DJP Workflow'],
    ['Approvals', 'Approvals', 'Approvals · DJP Workflow'],
    ['Compare', 'Compare', 'Compare · DJP Workflow'],
  ] as const) {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: new RegExp(`^${link}`) }).click();
    await expect(page.getByRole('heading', { level: 2, name: heading })).toBeFocused();
    await expect(page).toHaveTitle(title);
  }
  const task = `Titled by its task ${uniq()}`;
  const id = await startRun(page, { task, debaters: [{ label: 'Anthropic', model: 'claude-haiku-4-5' }] });
  await expect(page).toHaveTitle(`Run: ${task} · DJP Workflow`);
  await waitFinished(page);
  // A run opened from History: titled by its task, heading focused, a back link to the same History view.
  await app.go(`/history?q=${encodeURIComponent(task)}`);
  await page.getByRole('link', { name: task }).click();
  await expect(page).toHaveURL(new RegExp(`#/runs/${id}$`));
  await expect(page.getByRole('heading', { level: 2 })).toBeFocused();
  await expect(page.getByRole('heading', { level: 2 })).toContainText(task);
  await expect(page).toHaveTitle(`Run: ${task} · DJP Workflow`);
  await page.getByRole('link', { name: '← Back to History' }).click();
  await expect(page).toHaveURL(/#\/history\?q=/);
  await expect(page.getByLabel('Search tasks')).toHaveValue(task);
});

test('the Approvals tab shows how many runs wait, and drops when one is decided', async ({ page, app }) => {
  await startRun(page, { task: `Pending count ${uniq()}`, debaters: [{ label: 'Anthropic', model: 'claude-haiku-4-5' }], requireApproval: true });
  await waitFinished(page);
  const tab = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Approvals/ });
  // The count the tab must show: what the API lists as pending (other tests leave pending runs too).
  const pendingNow = async () => ((await (await page.request.get(`${app.base}/api/runs?status=pending_approval&limit=100`)).json()) as { runs: unknown[] }).runs.length;
  const before = await pendingNow();
  expect(before).toBeGreaterThan(0);
  await tab.click(); // a route change re-reads the count
  await expect(tab.getByTestId('pending-count')).toHaveText(`, ${before} pending`);
  const card = page.getByRole('article').filter({ hasText: 'Pending count' }).first();
  await card.getByLabel(/Reason for run/).fill('fine');
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('region', { name: 'Decided' })).toContainText('approved');
  expect(await pendingNow()).toBe(before - 1);
  if (before === 1) await expect(tab.getByTestId('pending-count')).toHaveCount(0, { timeout: 25_000 });
  else await expect(tab.getByTestId('pending-count')).toHaveText(`, ${before - 1} pending`, { timeout: 25_000 });
});

test('history searches as you type, counts what matches, and "/" focuses the search', async ({ page, app }) => {
  const word = `typed${uniq()}`;
  for (let i = 0; i < 2; i++) {
    const res = await page.request.post(`${app.base}/api/runs`, { data: { task: `${word} run ${i}`, offline: true } });
    expect(res.status()).toBe(202);
  }
  await expect.poll(async () => ((await (await page.request.get(`${app.base}/api/runs?q=${word}`)).json()) as { runs: unknown[] }).runs.length, { timeout: 30_000 }).toBe(2);
  await app.go('/history');
  await expect(page.getByRole('table', { name: 'Runs' })).toBeVisible();
  await page.locator('body').press('/');
  await expect(page.getByLabel('Search tasks')).toBeFocused();
  await page.keyboard.type(word); // no Enter, no button
  const rows = page.getByRole('table', { name: 'Runs' }).locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(page.getByTestId('history-count')).toHaveText('2 matching runs');
  await expect(page).toHaveURL(new RegExp(`q=${word}`));
  await page.keyboard.type('-nothing');
  await expect(page.getByText('No runs match.')).toBeVisible();
});
