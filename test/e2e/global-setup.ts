// Playwright global setup: builds the renderer, then starts test/e2e/harness.ts (fake LLM servers +
// the real DJP server on 127.0.0.1, ephemeral ports, runs in a temp folder) in a child process and
// hands its address to the tests through E2E_BASE_URL. Returns the teardown.
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env.E2E_SKIP_BUILD !== '1') {
    execFileSync(join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  }
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'test', 'e2e', 'harness.ts')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'test' },
  });
  const ready = await new Promise<{ base: string; runsDir: string; secrets: string[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the e2e harness did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the e2e harness exited early (code ${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('E2E_READY ')) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice('E2E_READY '.length)) as { base: string; runsDir: string; secrets: string[] });
      }
    });
  });
  process.env.E2E_BASE_URL = ready.base;
  process.env.E2E_RUNS_DIR = ready.runsDir;
  process.env.E2E_SECRETS = JSON.stringify(ready.secrets);
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
}
