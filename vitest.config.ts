import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'server/**/*.test.ts', 'main/**/*.test.ts', 'test/**/*.test.ts', 'renderer/src/**/*.test.ts'],
    exclude: ['node_modules', 'dist', 'test/e2e/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Shares one Ceph RGW between the test files that use it (started on first use): test/fakes/rgw-shared.ts;
    // builds the bundled `djp` command the CLI tests run (test/fakes/cli.ts).
    globalSetup: ['test/setup/rgw-global.ts', 'test/setup/cli-global.ts'],
  },
});
