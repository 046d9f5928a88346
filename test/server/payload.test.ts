// The container's payload, proven without Docker: build the app (tsc → dist/, Vite → dist/renderer),
// copy package.json + package-lock.json + dist into a temporary folder, install production
// dependencies only exactly as the Dockerfile does, start `node dist/server/cli.js serve` and check
// /healthz, the UI and the API. Slow (an npm install): one test.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, startChildServer } from './child-server.js';
import { events, readSse } from './http-helpers.js';

const root = join(import.meta.dirname, '..', '..');

describe('container payload', () => {
  it('a clean `npm ci --omit=dev` of the built app starts with node and answers /healthz', async () => {
    const app = mkdtempSync(join(tmpdir(), 'djp-payload-'));
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    execFileSync(tsc, ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { cwd: root, stdio: 'pipe' });
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const uiBuilt = Boolean(scripts['build:renderer']);
    if (uiBuilt) {
      const vite = join(root, 'node_modules', '.bin', 'vite');
      execFileSync(vite, ['build', '--config', join(root, 'renderer', 'vite.config.ts'), '--outDir', join(app, 'dist', 'renderer'), '--emptyOutDir', '--logLevel', 'error'], { cwd: root, stdio: 'pipe' });
    }
    cpSync(join(root, 'package.json'), join(app, 'package.json'));
    cpSync(join(root, 'package-lock.json'), join(app, 'package-lock.json'));
    // The Dockerfile's runtime install, word for word.
    execFileSync('npm', ['ci', '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, stdio: 'pipe', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } });
    expect(existsSync(join(app, 'node_modules', 'vitest'))).toBe(false); // dev dependencies are not there
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);

    // The Dockerfile's compile-cache warm-up step runs this; it must work on the production install.
    const version = execFileSync(process.execPath, ['dist/server/cli.js', '--version'], { cwd: app, encoding: 'utf8' }).trim();
    expect(version).toBe((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);

    const srv = await startChildServer({
      cwd: app,
      args: ['dist/server/cli.js', 'serve', '--port', '0'],
      env: cleanEnv({ RUNS_DIR: join(app, 'runs') }),
      timeoutMs: 30_000,
    });
    try {
      const health = await fetch(`${srv.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
      const home = await fetch(`${srv.url}/`);
      if (uiBuilt) expect(await home.text()).toMatch(/<div id="root">|<!doctype html>/i);
      // The Dockerfile's HEALTHCHECK command, run as Docker would run it (exec form), answers 0.
      const hc = /HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/.exec(readFileSync(join(root, 'Dockerfile'), 'utf8'));
      expect(hc, 'HEALTHCHECK exec form in the Dockerfile').not.toBeNull();
      const [cmd, ...args] = JSON.parse(hc![1]!) as string[];
      expect(cmd).toBe('node');
      const port = new URL(srv.url).port;
      const healthy = spawnSync(process.execPath, args, { env: { ...process.env, PORT: port }, timeout: 10_000 });
      expect(healthy.status).toBe(0);
      const wrongPort = spawnSync(process.execPath, args, { env: { ...process.env, PORT: '1' }, timeout: 10_000 });
      expect(wrongPort.status).toBe(1);

      const run = await fetch(`${srv.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'payload check', offline: true }) });
      expect(run.status, await run.clone().text()).toBe(202);
      const { id } = (await run.json()) as { id: string };
      const evs = events(await readSse(await fetch(`${srv.url}/api/runs/${id}/events`)));
      expect(evs.at(-1)?.type, JSON.stringify(evs.at(-1))).toBe('run.done');
      const saved = await fetch(`${srv.url}/api/runs/${id}`);
      expect(((await saved.json()) as { provenance: { runtime: { surface: string } } }).provenance.runtime.surface).toBe('server');
    } finally {
      srv.child.kill('SIGTERM');
      expect(await srv.exited).toBe(0);
    }
  }, 240_000);
});
