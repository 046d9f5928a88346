// Vitest globalSetup: builds the installed `djp` command (scripts/build-cli.mjs: the esbuild bundle that
// package.json's "bin" points at) once per test run, so the CLI subprocess tests (test/fakes/cli.ts) run
// what a user runs, not the sources under tsx. Built inside the repository (node_modules/.cache) so the
// bundle finds the app's package.json as it does from dist/cli; one folder per run, removed at teardown.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export default function setup(): () => void {
  const cache = path.join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(path.join(cache, 'djp-cli-test-'));
  execFileSync(process.execPath, [path.join(root, 'scripts/build-cli.mjs'), dir], { cwd: root, stdio: 'inherit' });
  // Test workers are forked after global setup: they inherit this.
  process.env.DJP_TEST_CLI = path.join(dir, 'djp.mjs');
  return () => rmSync(dir, { recursive: true, force: true });
}
