// The Batch screen as a person uses it: pick a CSV, check it (rows and projected cost), see a bad row
// refused at the file field, start it, watch the rows finish, open a row's run, download the results.
import { expect, test } from './fixtures.js';

const csv = (rows: string[]) => Buffer.from(`key,task\n${rows.join('\n')}\n`);

test('batch: check, start, watch every row finish, open a run, download the results CSV', async ({ page, app }) => {
  await app.go('/batch');
  await expect(page.getByRole('heading', { name: 'Batch', exact: true })).toBeVisible();
  const file = page.getByLabel('File');

  // A bad row: refused at the field, naming the row and the column; nothing starts.
  app.allowConsoleError(/status of 400 .*\/api\/batches/); // the browser logs the refused request itself
  await file.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: csv(['k1,Fine task', 'k2,']) });
  await page.getByRole('button', { name: 'Start batch' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'row 3, column "task": must not be empty' })).toBeVisible();
  await expect(file).toHaveAttribute('aria-invalid', 'true');

  const stamp = Date.now();
  await file.setInputFiles({ name: `tasks-${stamp}.csv`, mimeType: 'text/csv', buffer: csv([`b1-${stamp},Name one benefit of batching`, `b2-${stamp},Name one risk of batching`, `b3-${stamp},Name one batch engine`]) });
  await page.getByRole('button', { name: 'Check and project cost' }).click();
  await expect(page.getByTestId('batch-check')).toContainText('3 row(s) checked');
  await app.shot('batch-new');

  await page.getByRole('button', { name: 'Start batch' }).click();
  await expect(page.getByRole('heading', { name: `Batch tasks-${stamp}.csv` })).toBeFocused();
  await expect(page.getByTestId('batch-progress')).toContainText('Complete: 3 of 3 row(s) finished', { timeout: 45_000 });
  const rows = page.getByRole('group', { name: 'Rows' }).getByRole('row');
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(1)).toContainText(`b1-${stamp}`);
  await app.shot('batch-done');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download results (CSV)' }).click();
  const d = await download;
  expect(d.suggestedFilename()).toMatch(/-results\.csv$/);
  const text = await (await d.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks as Buffer[]).toString('utf8'));
  expect(text.split('\n')[0]).toBe('row,key,attempt,run_id,status,published_model,score,cost_usd,error,worker');
  expect(text).toContain(`b3-${stamp}`);

  // A row's run is an ordinary run.
  await rows.nth(1).getByRole('link', { name: 'open' }).click();
  await expect(page).toHaveURL(/#\/runs\/[0-9A-Z]{26}$/);

  // The batch is listed.
  await app.go('/batch');
  await expect(page.getByRole('group', { name: 'Batch list' }).getByRole('link', { name: `tasks-${stamp}.csv` })).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await app.shot('batch-list-phone');
});
