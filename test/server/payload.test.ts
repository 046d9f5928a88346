// The container, proven without Docker (no engine runs here): both Dockerfile stages are replayed
// word for word in temporary folders. Build stage: the build context as `docker build .` would send
// it (.dockerignore applied), `npm ci --ignore-scripts`, `npm run build`. Runtime stage: package.json
// + package-lock.json + the built dist, `npm ci --omit=dev --omit=optional --ignore-scripts`, then
// `node dist/server/cli.js serve` must answer /healthz, serve the UI, run a run, and pass the
// HEALTHCHECK command. Slow (two npm installs): one test.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv, startChildServer } from './child-server.js';
import { copyDockerContext } from './docker-context.js';
import { events, readSse } from './http-helpers.js';

const root = join(import.meta.dirname, '..', '..');
const npmEnv = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_prefer_offline: 'true' };

describe('container payload', () => {
  it('the Dockerfile stages, replayed without Docker, give an image payload that starts and answers /healthz', async () => {
    // --- build stage ---
    const ctx = mkdtempSync(join(tmpdir(), 'djp-docker-context-'));
    const files = copyDockerContext(root, ctx);
    expect(files).toContain('package-lock.json');
    expect(files.some((f) => f.startsWith('node_modules/') || f.startsWith('.git/') || f.endsWith('.test.ts') || f === '.env')).toBe(false);
    execFileSync('npm', ['ci', '--ignore-scripts'], { cwd: ctx, stdio: 'pipe', env: npmEnv });
    execFileSync('npm', ['run', 'build'], { cwd: ctx, stdio: 'pipe', env: npmEnv });
    const uiBuilt = existsSync(join(ctx, 'dist', 'renderer', 'index.html'));
    expect(uiBuilt, 'npm run build writes dist/renderer').toBe(true);

    // --- runtime stage ---
    const app = mkdtempSync(join(tmpdir(), 'djp-payload-'));
    cpSync(join(ctx, 'package.json'), join(app, 'package.json'));
    cpSync(join(ctx, 'package-lock.json'), join(app, 'package-lock.json'));
    execFileSync('npm', ['ci', '--omit=dev', '--omit=optional', '--ignore-scripts'], { cwd: app, stdio: 'pipe', env: npmEnv });
    // The Dockerfile then prunes source maps and type declarations: the server below runs on what is left.
    execFileSync(process.execPath, [join(ctx, 'scripts', 'prune-node-modules.mjs'), join(app, 'node_modules')], { stdio: 'pipe' });
    expect(existsSync(join(app, 'node_modules', 'zod', 'index.d.ts'))).toBe(false);
    cpSync(join(ctx, 'dist'), join(app, 'dist'), { recursive: true });
    expect(existsSync(join(app, 'node_modules', 'vitest'))).toBe(false); // dev dependencies are not there
    expect(existsSync(join(app, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'keytar'))).toBe(false); // nor the optional desktop keychain

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
      expect(await home.text()).toMatch(/<!doctype html>/i);
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
  }, 420_000);
});
