// Threads and attachments end to end in Chromium against the real server and fake providers: drag a
// file onto the Run form, run, follow up twice (the second follow-up branches from turn 1), switch
// branch with "‹ 1/2 ›", find the thread in History by a word only turn 2 has, export it (Markdown and
// DOCX, read back). Screenshots at 1280 and 390 px.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright/test';
import { expect, test, waitFinished } from './fixtures.js';

async function dropFile(page: Page, testId: string, name: string, text: string | { bytes: number }, type = 'text/markdown'): Promise<void> {
  // In the page: a DataTransfer holding one File, as a drag from the desktop delivers it.
  const content = typeof text === 'string' ? JSON.stringify(text) : `new Uint8Array(${text.bytes}).fill(97)`;
  const dt = await page.evaluateHandle(`(() => { const d = new DataTransfer(); d.items.add(new File([${content}], ${JSON.stringify(name)}, { type: ${JSON.stringify(type)} })); return d; })()`);
  await page.getByTestId(testId).dispatchEvent('dragover', { dataTransfer: dt });
  await page.getByTestId(testId).dispatchEvent('drop', { dataTransfer: dt });
}

const overflow = (page: Page) => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;
const runIdOf = (page: Page) => /run=([0-9A-Z]{26})/.exec(page.url())![1]!;

test('threads: drop a file, run, follow up twice (one branch), switch branch, find it in History, export', async ({ page, app }) => {
  test.setTimeout(180_000); // three runs and two exports: more than the default minute on a busy machine
  const tag = Math.random().toString(36).slice(2, 7);
  await page.goto(`${app.base}/?fresh=${Date.now()}#/`);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  await page.getByLabel('Task').fill(`What does the harbour log say about the ${tag} tide gauge?`);

  // An unsupported file is refused at the field (415 from the server), naming it; a good one attaches.
  app.allowConsoleError(/status of 415 \(Unsupported Media Type\).*\/api\/attachments/);
  await dropFile(page, 'run-drop', 'photo.png', '\u0089PNG\r\n\u001a\n', 'image/png');
  await expect(page.getByTestId('run-attachments').getByRole('alert')).toContainText('photo.png');
  // Over the server's 10 MB limit: 413, said at the field with the limit, not a network error.
  app.allowConsoleError(/status of 413 \(Payload Too Large\).*\/api\/attachments/);
  await dropFile(page, 'run-drop', 'huge.txt', { bytes: 10 * 1024 * 1024 + 1 }, 'text/plain');
  await expect(page.getByTestId('run-attachments').getByRole('alert')).toContainText('huge.txt: the upload is over the limit of 10 MB (DJP_ATTACHMENT_MAX_BYTES)');
  await dropFile(page, 'run-drop', `harbour-${tag}.md`, `# Harbour log\n\nThe ${tag} tide gauge read 4.2 metres at noon on Tuesday.\n`);
  const attached = page.getByRole('list', { name: 'Attachments: attached files' });
  await expect(attached.getByRole('listitem')).toHaveCount(1);
  await expect(attached).toContainText(`harbour-${tag}.md`);
  await expect(attached).toContainText('Markdown');
  await expect(page.getByTestId('run-attachments').getByRole('alert')).toHaveCount(0);
  await app.shot('threads-attachment');

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page).toHaveURL(/run=[0-9A-Z]{26}/);
  const t1 = runIdOf(page);
  await waitFinished(page);

  // Follow-up 1 (turn 2), from the box under the finished run; its word "marmalade" is only in turn 2.
  const followUp = page.getByRole('region', { name: 'Follow up' });
  await expect(followUp).toBeVisible();
  await followUp.getByLabel('Follow-up question').fill(`And was the marmalade-${tag} buoy moved after that reading?`);
  await followUp.getByRole('button', { name: 'Ask follow-up' }).click();
  await expect(page).not.toHaveURL(new RegExp(`run=${t1}`));
  const t2 = runIdOf(page);
  await waitFinished(page);
  const context = page.getByRole('region', { name: 'Thread' });
  await expect(context).toContainText('Turn 2 of a thread');
  await context.getByText('Earlier turns (1)').click();
  await expect(context.getByRole('list', { name: 'Earlier turns' })).toContainText(`${tag} tide gauge`);
  await app.shot('threads-turn2');

  // Follow-up 2: from turn 1 again, in the thread view — a new branch.
  await context.getByTestId('open-thread').click();
  await expect(page).toHaveURL(new RegExp(`#/threads/${t1}`));
  await expect(page.getByTestId('thread-summary')).toHaveText('2 turns · 1 branch');
  await page.locator(`li[data-run="${t1}"]`).getByRole('button', { name: 'Follow up this turn (new branch)' }).click();
  const branchBox = page.getByRole('region', { name: 'Follow up' });
  await expect(branchBox.getByRole('heading')).toHaveText('Follow up turn 1 (starts a new branch)');
  await expect(branchBox.getByLabel('Follow-up question')).toBeFocused();
  await branchBox.getByLabel('Follow-up question').fill(`Instead: who maintains the ${tag} lighthouse?`);
  await branchBox.getByRole('button', { name: 'Ask follow-up' }).click();
  await expect(page).toHaveURL(/#\/\?run=/);
  const t3 = runIdOf(page);
  expect(t3).not.toBe(t2);
  await waitFinished(page);

  // The thread view: branch 2 (the newest run's) shown, "2/2" at turn 2; switch to branch 1.
  await page.getByRole('region', { name: 'Thread' }).getByTestId('open-thread').click();
  await expect(page.getByTestId('thread-summary')).toHaveText('3 turns · 2 branches');
  const switcher = page.getByRole('group', { name: 'Branches at turn 2' });
  await expect(switcher.getByTestId('branch-position')).toHaveText('2/2');
  await expect(page.locator('li.thread-turn[data-turn="2"]')).toHaveAttribute('data-run', t3);
  await expect(page.locator('li.thread-turn[data-turn="2"] .task-text')).toContainText('lighthouse');
  await switcher.getByRole('button', { name: 'Previous branch' }).click();
  await expect(switcher.getByTestId('branch-position')).toHaveText('1/2');
  await expect(page.locator('li.thread-turn[data-turn="2"]')).toHaveAttribute('data-run', t2);
  await expect(page.locator('li.thread-turn[data-turn="2"] .task-text')).toContainText('marmalade');
  await expect(page.locator('li.thread-turn[data-turn="1"]').getByTestId('turn-answer')).not.toBeEmpty();
  await page.locator('li.thread-turn[data-turn="1"]').getByText('Drafts and scores').click();
  await app.shot('threads-branch');

  // History: the thread is one row, found by a word only turn 2 has.
  await app.go('/history');
  await page.getByLabel('Search tasks').fill(`no-such-word-${tag}`);
  await expect(page).toHaveURL(new RegExp(`q=no-such-word-${tag}`));
  await expect(page.getByRole('region', { name: 'Threads' })).toHaveCount(0);
  await page.getByLabel('Search tasks').fill(`marmalade-${tag}`);
  await expect(page).toHaveURL(new RegExp(`q=marmalade-${tag}`));
  await expect(page.getByRole('region', { name: 'Threads' }).locator('summary')).toContainText('Threads (1) a turn matches the search');
  const rows = page.getByRole('table', { name: 'Threads' }).locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-thread', t1);
  await expect(rows.first()).toContainText(`${tag} tide gauge`);
  await expect(rows.first().locator('td[data-label="Turns"]')).toHaveText('3 (2 branches)');
  await app.shot('threads-history');
  await rows.first().getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`#/threads/${t1}$`));

  // Export the whole thread: Markdown, then DOCX read back with unzip.
  const dir = mkdtempSync(join(tmpdir(), 'djp-e2e-thread-'));
  const [md] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export thread (Markdown)' }).click()]);
  expect(md.suggestedFilename()).toBe(`djp-thread-${t1}.md`);
  await md.saveAs(join(dir, 'thread.md'));
  const text = readFileSync(join(dir, 'thread.md'), 'utf8');
  for (const id of [t1, t2, t3]) expect(text).toContain(id);
  expect(text).toContain(`marmalade-${tag}`);
  expect(text).toContain(`${tag} lighthouse`);
  const [docx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export thread (DOCX)' }).click()]);
  expect(docx.suggestedFilename()).toBe(`djp-thread-${t1}.docx`);
  await docx.saveAs(join(dir, 'thread.docx'));
  const xml = execFileSync('unzip', ['-p', join(dir, 'thread.docx'), 'word/document.xml'], { encoding: 'utf8' });
  expect(xml).toContain(`marmalade-${tag}`);

  // The artifact lists the file; the follow-ups inherit it.
  const a3 = (await (await page.request.get(`${app.base}/api/runs/${t3}`)).json()) as { attachments: Array<{ name: string; source: string }> };
  expect(a3.attachments).toEqual([expect.objectContaining({ name: `harbour-${tag}.md`, source: 'inherited' })]);

  // Phone width: the thread view and the run form with an attachment, no sideways scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  await app.go(`/threads/${t1}?run=${t2}`);
  await expect(page.getByTestId('thread-summary')).toBeVisible();
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await app.shot('threads-branch-phone');
  await page.goto(`${app.base}/?fresh=${Date.now()}#/`);
  await dropFile(page, 'run-drop', `a-rather-long-file-name-for-a-phone-${tag}.txt`, 'plain text notes');
  await expect(page.getByRole('list', { name: 'Attachments: attached files' })).toBeVisible();
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await app.shot('threads-attachment-phone');
  // Remove takes it off the list.
  await page.getByRole('button', { name: `Remove a-rather-long-file-name-for-a-phone-${tag}.txt` }).click();
  await expect(page.getByRole('list', { name: 'Attachments: attached files' })).toHaveCount(0);
});
