// Desktop packaging files, checked without the network: electron-builder.yml against electron-builder's
// own configuration schema, its file list against what the app loads at run time, and
// .github/workflows/desktop.yml with action-validator. (Building installers needs GitHub downloads:
// that runs in the desktop workflow.)
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

type Validate = (config: unknown, logger: unknown) => Promise<void>;
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration: Validate };
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const yaml = require('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asarUnpack: string[];
  linux: { target: Array<{ target: string; arch: string[] }> };
  mac: { target: Array<{ target: string; arch: string[] }>; identity?: unknown; hardenedRuntime?: boolean };
  win: { target: Array<{ target: string; arch: string[] }> };
  publish: { provider: string } | null;
}

async function loadConfig(): Promise<BuilderConfig> {
  return yaml.load(await readFile(path.join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's configuration schema (and the schema check can fail)", async () => {
    const cfg = await loadConfig();
    await expect(validateConfiguration(cfg, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...cfg, linux: { target: 42, bogus: true } }, new DebugLogger(false))).rejects.toThrow(/configuration/i);
  });

  it('names the product, targets every platform and packs what the app loads', async () => {
    const cfg = await loadConfig();
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { main: string; optionalDependencies?: Record<string, string> };
    expect(cfg.productName).toBe('DJP Workflow');
    expect(cfg.appId).toMatch(/^[a-z0-9.-]+\.[a-z0-9-]+$/);
    // Every installer for x64 and arm64.
    const targets = (t: Array<{ target: string; arch: string[] }>) => Object.fromEntries(t.map((x) => [x.target, [...x.arch].sort()]));
    expect(targets(cfg.linux.target)).toEqual({ AppImage: ['arm64', 'x64'], deb: ['arm64', 'x64'] });
    expect(targets(cfg.mac.target)).toEqual({ dmg: ['arm64', 'x64'], zip: ['arm64', 'x64'] });
    expect(targets(cfg.win.target)).toEqual({ nsis: ['arm64', 'x64'] });
    // Signing from the environment when present (identity null would turn it off for good).
    expect(cfg.mac).not.toHaveProperty('identity');
    expect(cfg.mac.hardenedRuntime).toBe(true);
    // Releases on GitHub for electron-updater.
    expect(cfg.publish).toEqual({ provider: 'github' });
    // main.js, its preload, the shared core it imports, the renderer it loads, package.json.
    expect(pkg.main).toBe('dist/main/main.js');
    const covered = (file: string) => cfg.files.some((p) => !p.startsWith('!') && (p === file || (p.endsWith('/**/*') && file.startsWith(p.slice(0, -4)))));
    for (const f of [pkg.main, 'dist/main/preload.cjs', 'dist/shared/service/index.js', 'dist/renderer/index.html', 'package.json']) expect(covered(f), f).toBe(true);
    expect(covered('server/cli.ts')).toBe(false);
    // keytar: optional dependency with a native module that must stay outside the asar.
    expect(pkg.optionalDependencies?.keytar).toBeDefined();
    expect(cfg.asarUnpack).toContain('node_modules/keytar/**/*');
  });
});

describe('.github/workflows/desktop.yml', () => {
  it('passes action-validator, downloads Electron, runs the e2e test under xvfb and uploads installers', async () => {
    const file = path.join(root, '.github', 'workflows', 'desktop.yml');
    await expect(run(path.join(root, 'node_modules', '.bin', 'action-validator'), [file])).resolves.toBeDefined();
    const text = await readFile(file, 'utf8');
    const wf = yaml.load(text) as { jobs: Record<string, { strategy: { matrix: { os: string[] } }; env?: Record<string, string>; steps: Array<{ run?: string; uses?: string }> }> };
    const job = Object.values(wf.jobs)[0]!;
    expect(job.strategy.matrix.os).toEqual(expect.arrayContaining(['ubuntu-latest', 'macos-latest', 'windows-latest']));
    expect(job.env?.ELECTRON_SKIP_BINARY_DOWNLOAD).toBeUndefined();
    const runs = job.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npm run desktop:setup');
    expect(runs).toMatch(/xvfb-run .*playwright test -c test\/desktop\/playwright\.config\.ts/);
    expect(runs).toContain('electron-builder --config electron-builder.yml');
    expect(job.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true);
  });

  it('action-validator rejects a broken workflow', async () => {
    const bad = path.join(root, 'test', 'desktop', 'fixtures', 'bad-workflow.yml');
    await expect(run(path.join(root, 'node_modules', '.bin', 'action-validator'), [bad])).rejects.toBeDefined();
  });
});
