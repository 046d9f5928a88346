// The compiled Electron main process (dist/main/main.js, built here into a temp dir with
// tsconfig.main.json + the esbuild preload bundle) run under plain Node with a fake `electron`
// module (test/desktop/fake-electron). Real Electron cannot run on these machines; this checks the
// wiring main.ts is responsible for: the window's security options, the preload and renderer paths
// relative to the build, the real core behind IPC (runs saved under userData/runs, identity of the
// OS user, surface 'desktop'), the keychain reported as unavailable without D-Bus, the trusted-frame
// check and the navigation guards. The Electron end-to-end test is test/desktop/electron.e2e.ts.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Inside the repo so the build resolves node_modules and "type": "module" like dist/ does.
const out = path.join(root, 'dist', `.main-process-test-${process.pid}`);
let userData: string;

beforeAll(async () => {
  userData = await mkdtemp(path.join(os.tmpdir(), 'djp-main-process-'));
  await rm(out, { recursive: true, force: true });
  await run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.main.json'), '--outDir', out, '--sourceMap', 'false'], { cwd: root });
  // The same bundle options as package.json "build:main".
  await build({ entryPoints: [path.join(root, 'main', 'preload.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node22', external: ['electron'], outfile: path.join(out, 'main', 'preload.cjs'), logLevel: 'warning' });
  await mkdir(path.join(out, 'renderer'), { recursive: true });
  await writeFile(path.join(out, 'renderer', 'index.html'), '<!doctype html><html><head><title>DJP Workflow</title></head><body></body></html>');
  // build:main's next step: the page main.ts loads, with the desktop CSP.
  await run(process.execPath, [path.join(out, 'main', 'write-desktop-page.js')], { cwd: root });
}, 120_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
  await rm(userData, { recursive: true, force: true });
});

describe('Electron main process (compiled, fake electron module)', () => {
  it('the preload bundle is one CommonJS file that requires only electron (what a sandboxed preload may do)', async () => {
    const src = await readFile(path.join(out, 'main', 'preload.cjs'), 'utf8');
    const requires = [...src.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(requires).toEqual(['electron']);
    expect(src).not.toMatch(/^\s*(import|export)\s/m);
    expect(src).toContain('exposeInMainWorld("djp"');
    expect(src).toContain('djp:subscribe');
    expect(src).toContain('djp:pickFiles');
  });

  it('opens a locked-down window on the built renderer and serves the real core over IPC', async () => {
    await writeFile(path.join(userData, 'picked.md'), '# Picked\n');
    const env: NodeJS.ProcessEnv = { ...process.env, FAKE_USER_DATA: userData, FAKE_PICK_FILE: path.join(userData, 'picked.md'), DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(userData, 'no-bus')}` };
    for (const k of Object.keys(env)) if (/_API_KEY$|_BASE_URL$|^RUNS_DIR$|^DJP_OUTBOX_DIR$/.test(k)) delete env[k];
    const { stdout } = await run(process.execPath, ['--import', path.join(root, 'test', 'desktop', 'fake-electron', 'register.mjs'), path.join(out, 'main', 'main.js')], {
      cwd: root,
      env,
      timeout: 60_000,
    });
    const line = stdout.split('\n').find((l) => l.startsWith('FAKE-ELECTRON-REPORT '));
    expect(line, stdout).toBeDefined();
    const r = JSON.parse(line!.slice('FAKE-ELECTRON-REPORT '.length));
    expect(r.error).toBeUndefined();

    expect(r.windows).toHaveLength(1);
    const w = r.windows[0];
    expect(w.webPreferences).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true, disableBlinkFeatures: 'Auxclick' });
    expect(w.webPreferences.preload).toBe(path.join(out, 'main', 'preload.cjs'));
    expect(w.preloadExists).toBe(true);
    expect(w.loadFile).toBe(path.join(out, 'renderer', 'desktop.html'));
    expect(w.fileExists).toBe(true);
    // A file:// page gets no CSP header: the page carries it, first thing in <head>.
    expect(w.html).toMatch(/<head>\s*<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'[^"]*connect-src 'none'/);
    expect(r.handlers.sort()).toEqual(['djp:call', 'djp:keys', 'djp:pickFiles', 'djp:subscribe', 'on:djp:unsubscribe']);
    // The attachments' file dialog: main's own, over the window, for the accepted types; bytes come back.
    expect(r.dialog).toMatchObject({ withWindow: true, options: { properties: ['openFile', 'multiSelections'], filters: [{ extensions: ['md', 'markdown', 'txt', 'pdf', 'csv', 'json'] }] } });
    expect(r.calls.picked).toEqual({ ok: true, value: [{ name: 'picked.md', bytes: 9, isBytes: true }] });
    expect(r.calls.pickUntrusted).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const c = r.calls;
    expect(c.info).toMatchObject({ ok: true, value: { surface: 'desktop', storage: { kind: 'local' } } });
    expect(c.info.value.storage.location).toContain(path.join(userData, 'runs'));
    expect(c.providers.ok).toBe(true);
    // No D-Bus here: the keychain form gets a clear error; the app keeps working.
    expect(c.keys).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    // …and no encrypted-file fallback either (the fake safeStorage cannot encrypt): nothing stored in clear.
    expect(c.keys.error.message).toMatch(/Neither the OS keychain nor the encrypted key file can be used/);
    expect(c.invalid).toMatchObject({ ok: false, error: { code: 'invalid', field: 'task' } });
    expect(c.untrusted).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(c.started.ok).toBe(true);
    expect(c.subscribed).toEqual({ ok: true });
    expect(r.events[0]).toBe('run.started');
    expect(r.events.at(-2)).toBe('run.done');
    expect(r.events.at(-1)).toBe('end:null');
    expect(c.run.ok).toBe(true);
    expect(c.run.value.provenance.runtime.surface).toBe('desktop');
    expect(c.run.value.provenance.identity).toEqual({ user: os.userInfo().username, source: 'local' });
    const saved = (await readdir(path.join(userData, 'runs'))).filter((f) => f.endsWith('.json'));
    expect(saved).toEqual([`${c.started.value.id}.json`]);

    expect(r.navigation).toEqual({ externalPrevented: true, internalAllowed: true, windowOpen: { action: 'deny' } });
    expect(r.security).toEqual({ webviewPrevented: true, permissionRequests: [false, false, false, false], permissionCheck: false });
  }, 90_000);
});
