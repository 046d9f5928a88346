// The Templates screen end to end: find a template by tag, fill its generated form with one bad field
// (the error appears at that field), fix it, run it, and export the run as DOCX — read back with unzip.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, waitFinished } from './fixtures.js';

test('templates: find by tag, one bad field shows its error at the field, run, export DOCX', async ({ page, app }) => {
  await app.go('/templates');
  const gallery = page.getByRole('list', { name: 'Templates' });
  await expect(gallery.locator('li[data-template]')).toHaveCount(11);
  await page.getByLabel('Tag').selectOption('incident');
  await expect(gallery.locator('li[data-template]')).toHaveCount(1);
  await expect(gallery.locator('li[data-template="incident-postmortem"]')).toBeVisible();
  await app.shot('templates-gallery');
  // Search covers the body too ("five whys" is only in the postmortem's body).
  await page.getByLabel('Tag').selectOption('');
  await page.getByLabel('Search').fill('five whys');
  await expect(gallery.locator('li[data-template]')).toHaveCount(1);
  await gallery.getByRole('button', { name: 'Use Incident postmortem' }).click();

  const form = page.getByRole('form', { name: 'Run Incident postmortem' });
  const service = `checkout-${Math.random().toString(36).slice(2, 7)}`;
  await form.getByLabel('Service').fill(service);
  await form.getByLabel('Severity').selectOption('SEV2');
  await form.getByLabel('Date').fill('2026-10-14');
  await form.getByLabel('Timeline and notes').fill('too short'); // min 30 characters
  await form.getByRole('button', { name: 'Run template' }).click();
  const timeline = form.locator('[data-field="timeline"]');
  await expect(timeline.getByRole('alert')).toHaveText('Timeline and notes: must be at least 30 characters (got 9)');
  await expect(form.getByLabel('Timeline and notes')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Timeline and notes')).toBeFocused();
  // Only that field is in error.
  await expect(form.getByRole('alert')).toHaveCount(1);
  await app.shot('templates-field-error');

  await form.getByLabel('Timeline and notes').fill('09:02 deploy v2.31; 09:07 error alert; 09:31 recovered after rollback');
  await expect(form.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('template-preview')).toContainText(`a SEV2 incident on ${service} on 2026-10-14`);
  await expect(page.getByTestId('template-cost')).toContainText('Projected cost');
  await form.getByRole('button', { name: 'Run template' }).click();
  await expect(page).toHaveURL(/run=[0-9A-Z]{26}/);
  const runId = /run=([0-9A-Z]{26})/.exec(page.url())![1]!;
  await waitFinished(page);
  await app.shot('templates-run');

  const publish = page.getByTestId('publish-text');
  const answerStart = ((await publish.innerText()).split('\n').find((l) => l.trim().length > 20) ?? '').trim().slice(0, 30);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export DOCX' }).click()]);
  expect(download.suggestedFilename()).toBe(`djp-run-${runId}.docx`);
  const file = join(mkdtempSync(join(tmpdir(), 'djp-e2e-docx-')), download.suggestedFilename());
  await download.saveAs(file);
  const xml = execFileSync('unzip', ['-p', file, 'word/document.xml'], { encoding: 'utf8' });
  const text = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('');
  expect(text).toContain(`a SEV2 incident on ${service} on 2026-10-14`);
  expect(text).toContain('Template values');
  expect(answerStart.length).toBeGreaterThan(10);
  expect(text.replace(/&quot;/g, '"').replace(/&amp;/g, '&')).toContain(answerStart);

  // A template's example fills its form: the preview and the projected cost with its defaults appear.
  await app.go('/templates?id=executive-summary');
  await page.getByRole('button', { name: 'Fill with example' }).click();
  await expect(page.getByTestId('template-preview')).toContainText('Write an executive summary of the document below for board, in at most 250 words.');
  await expect(page.getByTestId('template-cost')).toContainText(/Projected cost ≤ .* tokens/);
  await app.shot('templates-example');
});
