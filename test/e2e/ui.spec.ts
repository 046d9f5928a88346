// The web UI end to end: real server, fake OpenAI/Anthropic servers (test/e2e/harness.ts scripts
// their models), Debian Chromium. Each test saves a screenshot of the screen it covers.
import { expect, startRun, test, waitFinished } from './fixtures.js';

// Models the harness scripts on the fake LLM servers:
const SLOW = 'gpt-5.4-nano'; // answers after 30 s — for cancel
const FAILING = 'gpt-4.1'; // always answers HTTP 400 — a failed debater
const uniq = () => Math.random().toString(36).slice(2, 8);

// Each test starts the runs it needs (one server is shared; workers: 1 in playwright.config.ts).

test('settings shows the configured providers and storage, never a key', async ({ page, app }) => {
  await app.go('/settings');
  const table = page.getByRole('table', { name: 'Provider status' });
  await expect(table.locator('tr[data-provider="openai"]')).toContainText('configured');
  await expect(table.locator('tr[data-provider="openai"]')).toContainText('key set in the server environment');
  await expect(table.locator('tr[data-provider="anthropic"]')).toContainText('configured');
  await expect(table.locator('tr[data-provider="google"]')).toContainText('not configured');
  await expect(page.getByTestId('storage-location')).toContainText(app.runsDir);
  const html = await page.content();
  for (const secret of app.secrets) expect(html).not.toContain(secret);
  // Theme persists across reloads.
  await page.getByRole('radio', { name: 'Dark' }).check();
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await app.shot('settings-dark');
  await page.getByRole('radio', { name: 'Light' }).check();
  await app.shot('settings');
  // Budget defaults: a bad value is refused in words; a good one is what new runs start with.
  await page.getByLabel('Default budget (USD)').fill('-3');
  await page.getByRole('button', { name: 'Save budgets' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'must be a positive number' })).toBeVisible();
  await page.getByLabel('Default budget (USD)').fill('0.25');
  await page.getByRole('button', { name: 'Save budgets' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  await app.go(`/?fresh=${Date.now()}`);
  await expect(page.getByLabel('Budget (USD)', { exact: true })).toHaveValue('0.25');
  await page.evaluate('localStorage.removeItem("djp.budgets")');
});

test('a full run watched live: drafts stream in columns, then scores, then the published text', async ({ page, app }) => {
  const task = `Explain retries with jitter ${uniq()}`;
  await app.go('/');
  // The picker shows configured and unconfigured providers.
  await expect(page.locator('.debater-status[data-provider="google"]')).toContainText('not configured');
  await page.getByRole('button', { name: 'Add debater' }).click();
  await expect(page.getByLabel('Debater 1 provider').locator('option', { hasText: 'Google Gemini' })).toBeDisabled();
  await page.getByRole('button', { name: 'Remove debater 1' }).click();
  await startRun(page, { task, debaters: [{ label: 'OpenAI' }, { label: 'Anthropic', model: 'claude-opus-4-6' }], keyboard: true });
  const drafts = page.getByRole('region', { name: 'Drafts' });
  await expect(drafts.locator('article')).toHaveCount(2);
  // Seen live: d1 has streamed its answer (shown as text, not JSON) while d2 is still being written.
  await expect(drafts.locator('article[data-draft="d1"]')).toHaveAttribute('data-state', 'done');
  await expect(drafts.locator('article[data-draft="d1"] .draft-text')).toContainText('gpt-5.4-mini answers:');
  await expect(drafts.locator('article[data-draft="d1"] .draft-text')).not.toContainText('"answer"');
  await expect(drafts.locator('article[data-draft="d2"]')).toHaveAttribute('data-state', 'streaming');
  await expect(page.locator('.run-progress')).toHaveAttribute('data-phase', 'debate');
  await app.shot('run-streaming');
  await waitFinished(page);
  await expect(drafts.locator('article[data-state="done"]')).toHaveCount(2);
  const scores = page.getByRole('region', { name: 'Judge scores' });
  await expect(scores.getByRole('columnheader', { name: 'Task fit /4' })).toBeVisible();
  await expect(scores.locator('tbody tr')).toHaveCount(2);
  const result = page.getByRole('region', { name: 'Result' });
  await expect(result).toContainText(/Published|Advisory/);
  await expect(page.getByTestId('publish-text')).not.toBeEmpty();
  await expect(result.getByRole('button', { name: 'Copy' })).toBeEnabled();
  await expect(result.getByRole('button', { name: 'Export Markdown' })).toBeEnabled();
  const download = page.waitForEvent('download');
  await result.getByRole('button', { name: 'Export JSON' }).click();
  expect((await download).suggestedFilename()).toMatch(/^djp-[0-9A-Z]{26}\.json$/);
  await expect(page.getByTestId('artifact-location')).toContainText(app.runsDir);
  await expect(page.getByRole('region', { name: 'Cost and storage' })).toContainText('Judge pass 1');
  await app.shot('run-finished');
});

test('cancel stops a running run', async ({ page, app }) => {
  await startRun(page, { task: `Slow question ${uniq()}`, debaters: [{ label: 'OpenAI', model: SLOW }] });
  await expect(page.locator('article[data-draft="d1"]')).toHaveAttribute('data-state', /waiting|streaming/);
  await app.shot('run-in-progress');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await waitFinished(page);
  // Cancelled is neutral: the run and its draft read "Cancelled", not failed.
  await expect(page.locator('article[data-draft="d1"]')).toHaveAttribute('data-state', 'cancelled');
  await expect(page.locator('article[data-draft="d1"] [data-testid="draft-state"]')).toHaveText('Cancelled');
  await expect(page.locator('.run-progress')).toContainText('Cancelled');
  await expect(page.locator('.run-progress')).not.toContainText('Finished');
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await app.shot('run-cancelled');
});

test('a run opened from its link while it runs is followed live and can be cancelled there', async ({ page, app }) => {
  const id = await startRun(page, { task: `Open me while running ${uniq()}`, debaters: [{ label: 'OpenAI', model: SLOW }] });
  await app.go(`/runs/${id}`);
  await expect(page.locator('article[data-draft="d1"]')).toHaveAttribute('data-state', /waiting|streaming/);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('region', { name: 'Result' })).toBeVisible();
  await expect(page.locator('article[data-draft="d1"]')).toHaveAttribute('data-state', 'cancelled');
  await expect(page.getByRole('region', { name: 'Parameters' })).toContainText(`openai/${SLOW}`);
});

test('a failed debater is shown as failed, with why, while the others finish', async ({ page, app }) => {
  await startRun(page, { task: `Half broken ${uniq()}`, debaters: [{ label: 'OpenAI', model: FAILING }, { label: 'Anthropic' }] });
  await waitFinished(page);
  const failed = page.locator('article[data-draft="d1"]');
  await expect(failed).toHaveAttribute('data-state', 'failed');
  await expect(failed.getByRole('alert')).toContainText(/400|unavailable/i);
  await expect(page.locator('article[data-draft="d2"]')).toHaveAttribute('data-state', 'done');
  await expect(page.getByRole('region', { name: 'Result' })).toBeVisible();
  await app.shot('run-failed-debater');
});

test('history: search in tasks, filter by status and provider, open an old run', async ({ page, app }) => {
  const word = `zebra${uniq()}`;
  await startRun(page, { task: `Facts about the ${word}`, debaters: [{ label: 'Anthropic' }] });
  await waitFinished(page);
  await startRun(page, { task: `Facts about the okapi ${uniq()}`, debaters: [{ label: 'OpenAI' }] });
  await waitFinished(page);
  await app.go('/history');
  await expect(page.getByRole('table', { name: 'Runs' }).locator('tbody tr').first()).toBeVisible();
  const before = await page.getByRole('table', { name: 'Runs' }).locator('tbody tr').count();
  expect(before).toBeGreaterThan(1);
  await page.getByLabel('Search tasks').fill(word);
  await page.getByRole('button', { name: 'Search' }).click();
  const rows = page.getByRole('table', { name: 'Runs' }).locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(word);
  // Provider filter: the run used Anthropic only, so filtering by OpenAI hides it.
  await page.getByLabel('Provider').selectOption('openai');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('No runs match.')).toBeVisible();
  await page.getByLabel('Provider').selectOption('anthropic');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(rows).toHaveCount(1);
  // Date filter (whole UTC days): the run is from today, not from before yesterday.
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('To date (UTC)').fill(day(-2));
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('No runs match.')).toBeVisible();
  await page.getByLabel('To date (UTC)').fill('');
  await page.getByLabel('From date (UTC)').fill(day(-1));
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(rows).toHaveCount(1);
  await page.getByLabel('From date (UTC)').fill('');
  // Status filter: the cancelled run from earlier is not "published"; the search is cleared first.
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel('Status').selectOption('published');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(rows.locator('.badge').filter({ hasNotText: /^Published$/ })).toHaveCount(0);
  await expect(rows.first()).toBeVisible();
  await app.shot('history');
  // Open the old run: every stage is there.
  await page.getByLabel('Status').selectOption('');
  await page.getByLabel('Search tasks').fill(word);
  await page.getByRole('button', { name: 'Search' }).click();
  await rows.first().getByRole('link').click();
  await expect(page).toHaveURL(/#\/runs\/[0-9A-Z]{26}$/);
  await expect(page.getByRole('region', { name: 'Task' })).toContainText(word);
  await expect(page.getByRole('region', { name: 'Drafts' }).locator('article[data-state="done"]')).toHaveCount(1);
  await expect(page.getByRole('region', { name: 'Judge scores' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Result' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Parameters' })).toContainText('anthropic/');
  await expect(page.getByTestId('artifact-location')).toContainText(app.runsDir);
  await app.shot('run-detail');
});

test('history pages through more runs than fit on one page', async ({ page, app }) => {
  // 21 quick offline runs started through the API, all matching one search word.
  const word = `pager${uniq()}`;
  const ids: string[] = [];
  for (let i = 0; i < 21; i++) {
    const res = await page.request.post(`${app.base}/api/runs`, { data: { task: `${word} question ${i}`, offline: true } });
    expect(res.status()).toBe(202);
    ids.push(((await res.json()) as { id: string }).id);
  }
  for (const id of ids) await expect.poll(async () => (await page.request.get(`${app.base}/api/runs/${id}`)).status(), { timeout: 30_000 }).toBe(200);
  await app.go(`/history?q=${word}`);
  const rows = page.getByRole('table', { name: 'Runs' }).locator('tbody tr');
  await expect(rows).toHaveCount(20);
  await expect(page.getByRole('button', { name: 'Newer' })).toBeDisabled();
  await page.getByRole('button', { name: 'Older' }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(`${word} question 0`); // the oldest
  await expect(page.getByRole('button', { name: 'Older' })).toBeDisabled();
  await page.getByRole('button', { name: 'Newer' }).click();
  await expect(rows).toHaveCount(20);
  await expect(rows.first()).toContainText(`${word} question 20`);
});

test('compare: two runs side by side with a word diff, and two drafts of one run', async ({ page, app }) => {
  // Two runs whose answers differ (the fake's text depends on the model and the task).
  const id = await startRun(page, { task: `Two drafts ${uniq()}`, debaters: [{ label: 'OpenAI' }, { label: 'Anthropic' }] });
  await waitFinished(page);
  await startRun(page, { task: `Another question ${uniq()}`, debaters: [{ label: 'Anthropic', model: 'claude-haiku-4-5' }] });
  await waitFinished(page);
  await app.go('/history');
  const rows = page.getByRole('table', { name: 'Runs' }).locator('tbody tr');
  await expect(rows.nth(1)).toBeVisible();
  await rows.nth(0).getByRole('checkbox').check();
  await rows.nth(1).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Compare selected' }).click();
  await expect(page).toHaveURL(/#\/compare\?a=/);
  const diff = page.getByLabel('Word diff');
  await expect(diff).toBeVisible();
  await expect(page.getByTestId('diff-stats')).toContainText('words the same');
  await expect(diff.locator('del, ins').first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Parameters, scores and costs' })).toContainText('Debaters');
  await app.shot('compare-runs');

  // Two drafts of one two-debater run.
  await app.go(`/runs/${id}`);
  await page.getByRole('button', { name: 'Compare drafts' }).click();
  await expect(page.getByRole('region', { name: 'Left text' })).toContainText('Draft d1');
  await expect(page.getByRole('region', { name: 'Right text' })).toContainText('Draft d2');
  await expect(page.getByLabel('Word diff')).toBeVisible();
  await app.shot('compare-drafts');

  // Picked on the Compare screen itself: a run's drafts are offered as soon as the run is chosen.
  await app.go('/compare');
  await page.getByLabel('Left run').selectOption(id);
  await page.getByLabel('Left text to compare').selectOption('d2');
  await page.getByLabel('Right run').selectOption(id);
  await page.getByLabel('Right text to compare').selectOption('d1');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`a=${id}%3Ad2&b=${id}%3Ad1`));
  await expect(page.getByRole('region', { name: 'Left text' })).toContainText('Draft d2');
  await expect(page.getByRole('region', { name: 'Right text' })).toContainText('Draft d1');
});

test('approvals: approve one pending run and reject another with a reason', async ({ page, app }) => {
  const a = await startRun(page, { task: `Needs sign-off A ${uniq()}`, debaters: [{ label: 'Anthropic' }], requireApproval: true });
  await waitFinished(page);
  await expect(page.getByRole('region', { name: 'Result' })).toContainText('Pending approval');
  const b = await startRun(page, { task: `Needs sign-off B ${uniq()}`, debaters: [{ label: 'Anthropic' }], requireApproval: true });
  await waitFinished(page);
  await app.go('/approvals');
  const cardA = page.getByRole('article', { name: `Pending run ${a}` });
  const cardB = page.getByRole('article', { name: `Pending run ${b}` });
  await expect(cardA).toBeVisible();
  await expect(cardB).toBeVisible();
  await app.shot('approvals');
  // Reject needs a reason: the UI says so instead of sending an empty one.
  await cardB.getByRole('button', { name: 'Reject' }).click();
  await expect(cardB.getByRole('alert')).toContainText('Give a reason');
  await cardB.getByLabel(/Reason for run/).fill('Not sourced well enough');
  await cardB.getByRole('button', { name: 'Reject' }).click();
  await cardA.getByLabel(/Reason for run/).fill('Looks right');
  await cardA.getByRole('button', { name: 'Approve' }).click();
  const decided = page.getByRole('region', { name: 'Decided' });
  await expect(decided.locator(`li[data-run="${a}"]`)).toContainText('approved');
  await expect(decided.locator(`li[data-run="${a}"]`)).toContainText('published');
  await expect(decided.locator(`li[data-run="${b}"]`)).toContainText('rejected');
  await expect(decided.locator(`li[data-run="${b}"]`)).toContainText('Not sourced well enough');
  await app.shot('approvals-decided');
  // The decision and reviewer are recorded in the run.
  await app.go(`/runs/${b}`);
  await expect(page.getByRole('region', { name: 'Approval' })).toContainText(/Rejected by \S+/);
});

test('replay an old run, then delete it', async ({ page, app }) => {
  const id = await startRun(page, { task: `Replay me ${uniq()}`, debaters: [{ label: 'Anthropic', model: 'claude-haiku-4-5' }] });
  await waitFinished(page);
  await app.go(`/runs/${id}`);
  await expect(page.getByRole('region', { name: 'Result' })).toBeVisible();
  await page.getByRole('button', { name: 'Replay' }).click();
  await expect(page).toHaveURL(/#\/\?run=[0-9A-Z]{26}/);
  const replayId = /run=([0-9A-Z]{26})/.exec(page.url())![1]!;
  expect(replayId).not.toBe(id);
  await waitFinished(page);
  await app.go(`/runs/${replayId}`);
  await expect(page.getByRole('region', { name: 'Task' })).toContainText(`replay of ${id}`);
  await expect(page.getByRole('region', { name: 'Parameters' })).toContainText('anthropic/claude-haiku-4-5');
  // Delete asks first; the run is gone from history afterwards.
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/#\/history$/);
  await expect(page.locator(`tr[data-run="${replayId}"]`)).toHaveCount(0);
  await expect(page.locator(`tr[data-run="${id}"]`)).toHaveCount(1);
  // Opening the deleted run says so (the browser logs the 404s of that lookup; they are expected).
  app.allowConsoleError(new RegExp(`404 \\(Not Found\\) \\(${app.base}/api/runs/${replayId}(/events)?\\)`));
  await app.go(`/runs/${replayId}`);
  await expect(page.getByRole('alert')).toContainText(`Run ${replayId} was not found`);
});

test('insights shows its four charts from the run history', async ({ page, app }) => {
  await startRun(page, { task: `For the charts ${uniq()}`, debaters: [{ label: 'OpenAI' }, { label: 'Anthropic', model: 'claude-haiku-4-5' }] });
  await waitFinished(page);
  await app.go('/insights');
  for (const name of ['Cost per day', 'Runs by status', 'Share of runs won, per provider', 'Mean draft latency per provider']) {
    await expect(page.getByRole('img', { name })).toBeVisible();
  }
  await expect(page.getByRole('img', { name: 'Runs by status' }).locator('rect.bar').first()).toBeVisible();
  await app.shot('insights');
});

test('works in a narrow window without sideways scrolling', async ({ page, app }) => {
  await page.setViewportSize({ width: 400, height: 800 });
  for (const path of ['/', '/history', '/settings']) {
    await app.go(path);
    await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
    // (Runs in the page; root tsconfig has no DOM lib, hence the string.)
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    expect(overflow, `horizontal overflow on ${path}`).toBeLessThanOrEqual(1);
  }
  await app.go('/');
  await app.shot('run-narrow');
});

test('grounded mode: a corpus folder on the server; a path outside its data folder is refused at the field', async ({ page, app }) => {
  await app.go(`/?fresh=${Date.now()}`);
  await page.getByLabel('Task').fill(`What do the lighthouse notes say? ${uniq()}`);
  await page.getByRole('button', { name: 'Add debater' }).click();
  await page.getByLabel('Debater 1 provider', { exact: true }).selectOption({ label: 'Anthropic' });
  await page.getByLabel('Grounded mode').check();
  const corpus = page.getByLabel(/Corpus folder/);
  // The refused path is a 400 from the server (start and cost projection), which the browser logs.
  app.allowConsoleError(/400 \(Bad Request\) \(http:\/\/127\.0\.0\.1:\d+\/api\/(runs|cost\/projection)\)/);
  await corpus.fill('/etc');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.locator('#grounded_corpus-error')).toContainText("inside the server's data folder");
  await corpus.fill('corpus');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page).toHaveURL(/run=[0-9A-Z]{26}/);
  await waitFinished(page);
  const id = /run=([0-9A-Z]{26})/.exec(page.url())![1]!;
  await app.go(`/runs/${id}`);
  await expect(page.getByRole('region', { name: 'Guardrails' })).toContainText(/Grounding (passed|failed|not_checked): 3 file\(s\)/);
  await app.shot('run-grounded');
});

test('when the server cannot be reached, the screen says so where it happened and offers a retry', async ({ page, app }) => {
  app.allowConsoleError(/net::ERR_FAILED|Failed to load resource/);
  await page.route('**/api/runs?**', (route) => route.abort('failed'));
  await app.go('/history');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Could not load the run history');
  await expect(alert).toContainText('check that the DJP server is running');
  await page.unroute('**/api/runs?**');
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('table', { name: 'Runs' }).or(page.getByText('No runs match.'))).toBeVisible();
});

test('every control on every screen has an accessible name', async ({ page, app }) => {
  const id = await startRun(page, { task: `Names ${uniq()}`, debaters: [{ label: 'OpenAI' }, { label: 'Anthropic', model: 'claude-haiku-4-5' }] });
  await waitFinished(page);
  const unnamed = /^\s*- (textbox|combobox|checkbox|radio|button|spinbutton|searchbox|link|slider|switch)(\s*\[[^\]]*\])*\s*(:.*)?$/;
  for (const path of ['/', `/?run=${id}`, '/history', `/runs/${id}`, `/compare?a=${id}:d1&b=${id}:d2`, '/approvals', '/insights', '/settings']) {
    await app.go(path);
    await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
    await page.waitForLoadState('networkidle');
    const snapshot = await page.locator('body').ariaSnapshot();
    const bad = snapshot.split('\n').filter((line) => unnamed.test(line));
    expect(bad, `controls without a name on ${path}`).toEqual([]);
  }
});

test('a run form error is shown at the field, in words', async ({ page, app }) => {
  await app.go('/');
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('Write a task');
  await expect(page.getByLabel('Task')).toBeFocused();
});
