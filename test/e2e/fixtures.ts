// Shared Playwright fixtures: the server address from the global setup, a console-error guard on
// every page, a screenshot helper (test-results/screenshots/<name>.png) and small UI helpers.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test as base, type Page } from 'playwright/test';

export const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

export interface App {
  base: string;
  runsDir: string;
  /** Key strings the server was given; none may ever appear in the page. */
  secrets: string[];
  go(hashPath: string): Promise<void>;
  /** Console errors matching this are expected in the current test (e.g. the 404 of a deleted run). */
  allowConsoleError(pattern: RegExp): void;
  shot(name: string): Promise<void>;
}

export const test = base.extend<{ app: App }>({
  app: async ({ page }, use) => {
    const baseUrl = process.env.E2E_BASE_URL;
    if (!baseUrl) throw new Error('E2E_BASE_URL is not set: run through `npm run test:e2e` (the global setup starts the server)');
    const problems: string[] = [];
    // No console error is tolerated unless a test says so: a live run is never asked for its artifact
    // (that would be a 409 "still running", logged by the browser) — live-run.spec.ts proves it.
    const allowed: RegExp[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    mkdirSync(SCREENSHOTS, { recursive: true });
    await use({
      base: baseUrl,
      runsDir: process.env.E2E_RUNS_DIR ?? '',
      secrets: JSON.parse(process.env.E2E_SECRETS ?? '[]') as string[],
      go: async (hashPath) => {
        await page.goto(`${baseUrl}/#${hashPath}`);
      },
      allowConsoleError: (pattern) => void allowed.push(pattern),
      shot: async (name) => {
        await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
      },
    });
    expect(problems.filter((p) => !allowed.some((a) => a.test(p))), 'the page logged errors').toEqual([]);
  },
});

export { expect };

/** Fills the Run form and starts a run; returns its id (from the URL). */
export async function startRun(
  page: Page,
  opts: { task: string; debaters?: Array<{ label: string; model?: string }>; requireApproval?: boolean; keyboard?: boolean },
): Promise<string> {
  // A full navigation (not just a hash change), so the form starts empty.
  await page.goto(`${process.env.E2E_BASE_URL}/?fresh=${Date.now()}#/`);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  await page.getByLabel('Task').fill(opts.task);
  for (const [i, d] of (opts.debaters ?? []).entries()) {
    await page.getByRole('button', { name: 'Add debater' }).click();
    await page.getByLabel(`Debater ${i + 1} provider`, { exact: true }).selectOption({ label: d.label });
    if (d.model) await page.getByLabel(`Debater ${i + 1} model`, { exact: true }).fill(d.model);
  }
  if (opts.requireApproval) await page.getByLabel('Require approval before publishing').check();
  if (opts.keyboard) {
    await page.getByLabel('Task').press('Control+Enter');
  } else {
    await page.getByRole('button', { name: 'Run', exact: true }).click();
  }
  await expect(page).toHaveURL(/run=[0-9A-Z]{26}/);
  return /run=([0-9A-Z]{26})/.exec(page.url())![1]!;
}

/** Waits until the live run view says the run finished. */
export async function waitFinished(page: Page): Promise<void> {
  await expect(page.locator('.run-progress[data-phase="done"], .run-progress[data-phase="error"]').first()).toBeVisible({ timeout: 45_000 });
}
