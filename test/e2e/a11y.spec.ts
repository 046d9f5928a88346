// Accessibility as a gate: axe-core (@axe-core/playwright) on every screen, light and dark,
// desktop (1280×800) and phone (390 px): 0 critical and 0 serious violations. Each screen is also
// photographed at both widths (test-results/screenshots/a11y-<screen>-<theme>-<width>.png).
// And a keyboard-only run: start it, watch it, cancel it, open it in History — no mouse.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright/test';
import { expect, test } from './fixtures.js';

const uniq = () => Math.random().toString(36).slice(2, 8);

async function finishedRun(page: Page, base: string, body: Record<string, unknown>): Promise<string> {
  const res = await page.request.post(`${base}/api/runs`, { data: body });
  expect(res.status()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await expect.poll(async () => (await page.request.get(`${base}/api/runs/${id}`)).status(), { timeout: 30_000 }).toBe(200);
  return id;
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

// Runs to show, made once (the tests run serially on one worker): a two-draft run with Markdown
// (table, code), one pending approval, one with a failed debater, and a thread: two follow-ups of the
// Markdown run (a branch at turn 2).
let runs: { md: string; failed: string; followUp: string } | null = null;
async function seedRuns(page: Page, base: string): Promise<{ md: string; failed: string; followUp: string }> {
  if (runs) return runs;
  const md = await finishedRun(page, base, { task: `Axe markdown ${uniq()}`, debaters: [{ provider: 'openai', model: 'md-writer' }, { provider: 'anthropic', model: 'claude-haiku-4-5' }] });
  await finishedRun(page, base, { task: `Axe pending ${uniq()}`, debaters: [{ provider: 'anthropic', model: 'claude-haiku-4-5' }], require_approval: true });
  const failed = await finishedRun(page, base, { task: `Axe failed ${uniq()}`, debaters: [{ provider: 'openai', model: 'gpt-4.1' }, { provider: 'anthropic', model: 'claude-haiku-4-5' }] });
  const followUp = await finishedRun(page, base, { task: `Axe follow-up ${uniq()}`, follow_up_of: md, debaters: [{ provider: 'anthropic', model: 'claude-haiku-4-5' }] });
  await finishedRun(page, base, { task: `Axe branch ${uniq()}`, follow_up_of: md, debaters: [{ provider: 'anthropic', model: 'claude-haiku-4-5' }] });
  runs = { md, failed, followUp };
  return runs;
}

for (const [w, h, wname] of [[1280, 800, 'desktop'], [390, 844, 'phone']] as const) {
  for (const theme of ['light', 'dark'] as const) {
    test(`axe: no critical or serious violations on any screen — ${theme}, ${wname} (${w} px)`, async ({ page, app }) => {
      test.setTimeout(240_000);
      const { md, failed, followUp } = await seedRuns(page, app.base);
      const screens: Array<[string, string]> = [
        ['run', '/'],
        ['run-live', `/?run=${md}`],
        ['history', '/history'],
        ['run-detail', `/runs/${md}`],
        ['run-detail-failed', `/runs/${failed}`],
        ['run-detail-follow-up', `/runs/${followUp}`],
        ['thread', `/threads/${md}?run=${followUp}`],
        ['compare', `/compare?a=${md}:d1&b=${md}:d2`],
        ['approvals', '/approvals'],
        ['insights', '/insights'],
        ['settings', '/settings'],
        ['batch', '/batch'],
        ['templates', '/templates'],
      ];
      await page.setViewportSize({ width: w, height: h });
      const problems: string[] = [];
      for (const [name, path] of screens) {
        await page.goto(`${app.base}/?t=${Date.now()}#${path}`);
        await page.evaluate(`document.documentElement.dataset.theme = ${JSON.stringify(theme)}`);
        await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
        if (name.startsWith('run-')) await expect(page.getByRole('region', { name: 'Result' })).toBeVisible();
        if (name === 'run-detail') await expect(page.locator('.hljs-keyword').first()).toBeVisible();
        if (name === 'history') await expect(page.getByRole('table', { name: 'Runs' })).toBeVisible();
        if (name === 'history') await expect(page.getByRole('region', { name: 'Threads' })).toBeVisible();
        if (name === 'run-detail-follow-up') await expect(page.getByRole('region', { name: 'Thread' })).toBeVisible();
        if (name === 'thread') await expect(page.getByRole('group', { name: 'Branches at turn 2' })).toBeVisible();
        if (name === 'thread') await expect(page.getByTestId('turn-answer').first()).toBeVisible();
        if (name === 'compare') await expect(page.getByLabel('Word diff')).toBeVisible();
        if (name === 'approvals') await expect(page.getByRole('article').first()).toBeVisible();
        if (name === 'insights') await expect(page.locator('.chart').first()).toBeVisible();
        for (const v of await seriousViolations(page)) problems.push(`${name}: ${v}`);
        await app.shot(`a11y-${name}-${theme}-${wname}`);
      }
      expect(problems).toEqual([]);
    });
  }
}

test('keyboard only: start a run, watch it, cancel it, open it in History', async ({ page, app }) => {
  await page.goto(`${app.base}/?fresh=${Date.now()}#/`);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  const task = `Keyboard only ${uniq()}`;
  // Tab from the top of the page to the task box.
  await page.keyboard.press('Tab'); // skip link
  let guard = 0;
  while (!(await page.getByLabel('Task').evaluate((el) => el === el.ownerDocument.activeElement)) && guard++ < 30) await page.keyboard.press('Tab');
  await expect(page.getByLabel('Task')).toBeFocused();
  await page.keyboard.type(task);
  // Tab to "Add debater", press Enter: the new row's provider takes focus; choose OpenAI, Tab to
  // the model field and type the slow model's id.
  guard = 0;
  const add = page.getByRole('button', { name: 'Add debater' });
  while (!(await add.evaluate((el) => el === el.ownerDocument.activeElement)) && guard++ < 30) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  const provider = page.getByLabel('Debater 1 provider', { exact: true });
  await expect(provider).toBeFocused();
  await provider.selectOption('openai'); // a focused <select> takes the choice as a keyboard user's arrows would
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Debater 1 model', { exact: true })).toBeFocused();
  await page.keyboard.type('gpt-5.4-nano');
  await page.keyboard.press('Control+Enter');
  // Watch: focus lands on the live run's heading.
  await expect(page.locator('.live-run h2')).toBeFocused();
  await expect(page.locator('article[data-draft="d1"]')).toHaveAttribute('data-state', /waiting|streaming/);
  // Cancel with Esc.
  await page.keyboard.press('Escape');
  await expect(page.locator('.run-progress')).toContainText('Cancelled', { timeout: 20_000 });
  // Open it in History: Tab to the "Open in history" link and press Enter.
  guard = 0;
  const open = page.getByRole('link', { name: 'Open in history' });
  while (!(await open.evaluate((el) => el === el.ownerDocument.activeElement)) && guard++ < 40) await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/runs\/[0-9A-Z]{26}$/);
  await expect(page.getByRole('link', { name: '← Back to History' })).toBeVisible(); // the run's own page has rendered
  await expect(page.getByRole('heading', { level: 2 })).toBeFocused();
  await expect(page.getByRole('heading', { level: 2 })).toContainText(task);
  await expect(page.locator('.run-progress')).toContainText('Cancelled');
});
