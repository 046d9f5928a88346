// Playwright config for the Electron end-to-end test (test/desktop/electron.e2e.ts). Runs only where
// Electron's binary is installed (GitHub Actions: .github/workflows/desktop.yml).
import { defineConfig } from 'playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.e2e.ts',
  outputDir: '../../test-results/desktop',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
});
