// End-to-end test of the BUILT desktop app in real Electron (Playwright's _electron.launch).
//
// THIS CANNOT RUN ON THE DEVELOPMENT MACHINES: it needs Electron's binary, which is downloaded from
// GitHub (npm run desktop:setup), and those machines cannot reach GitHub. It runs in GitHub Actions
// (.github/workflows/desktop.yml) on Linux (under xvfb-run), macOS and Windows:
//   npm run build && npm run build:main && npx playwright test -c test/desktop/playwright.config.ts
// It is not a vitest file (*.e2e.ts, not *.test.ts). What it covers under plain Node instead:
// main/ipc.test.ts, main/secrets.test.ts, test/desktop/transport.test.ts, test/desktop/packaging.test.ts.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from 'playwright/test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let app: ElectronApplication;
let page: Page;
let tmp: string;
let runsDir: string;

test.beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'djp-electron-e2e-'));
  runsDir = path.join(tmp, 'runs');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/_API_KEY$|_BASE_URL$/.test(k)) env[k] = v;
  // No provider keys in the environment: the labelled offline provider runs (a keychain key on the
  // runner would be used — CI runners have none).
  app = await electron.launch({ args: [root], cwd: root, env: { ...env, RUNS_DIR: runsDir, DJP_OUTBOX_DIR: path.join(tmp, 'outbox') } });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
});

test.afterAll(async () => {
  await app?.close();
  await rm(tmp, { recursive: true, force: true });
});

test('the window opens on the built renderer, isolated from Node, with the preload bridge', async () => {
  await expect(page).toHaveTitle('DJP Workflow');
  expect(page.url()).toMatch(/^file:.*\/dist\/renderer\/index\.html/);
  // contextIsolation + sandbox + no nodeIntegration: no Node in the page, only window.djp.
  expect(await page.evaluate('typeof require')).toBe('undefined');
  expect(await page.evaluate('typeof process')).toBe('undefined');
  expect(await page.evaluate('window.djp && window.djp.version')).toBe(1);
  expect(await page.evaluate('typeof window.djp.keys.list')).toBe('function');
  // The main process runs the packaged entry point from package.json.
  expect(await app.evaluate(({ app: electronApp }) => electronApp.getName())).toBeTruthy();
});

test('an offline run started from the Run screen completes and is saved in RUNS_DIR', async () => {
  await page.evaluate("location.hash = '#/'");
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await expect(run).toBeEnabled({ timeout: 20_000 });
  await page.getByLabel('Task').fill('Give three tips for naming variables.');
  await run.click();
  await expect(page.locator('.run-progress[data-phase="done"], .run-progress[data-phase="error"]').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('.run-progress[data-phase="done"]')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Result' })).toContainText(/Published|Advisory/);
  await expect(page.getByTestId('artifact-location')).toContainText(runsDir);
  const files = (await readdir(runsDir)).filter((f) => f.endsWith('.json'));
  expect(files.length).toBe(1);
});

test('Settings says keys live in the OS keychain; the history lists the run', async () => {
  await page.evaluate("location.hash = '#/settings'");
  await expect(page.getByText('Keys are kept in the OS keychain by the desktop app')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Provider status' })).toContainText('Offline');
  await page.evaluate("location.hash = '#/history'");
  await expect(page.getByRole('table', { name: 'Runs' }).locator('tbody tr')).toHaveCount(1);
});
