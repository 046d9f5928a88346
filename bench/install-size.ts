// Install-size benchmark: the production install exactly as the container's runtime stage makes it
// (package.json + package-lock.json, `npm ci --omit=dev --omit=optional --ignore-scripts`, then
// scripts/prune-node-modules.mjs), in a temp folder. Prints its size on disk (apparent bytes of every file under node_modules) and the 10 largest
// packages (each package's own files; a package nested under another is listed on its own).
// Target < 100 MB. Prints figures; asserts nothing. Run alone: npx tsx bench/install-size.ts
import { execFileSync } from 'node:child_process';
import { copyFileSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summaryRow, type TargetRow } from './summary.js';
// @ts-expect-error -- a plain .mjs script (the Dockerfile runs it with node), no type declarations
import { pruneNodeModules } from '../scripts/prune-node-modules.mjs';

const root = join(import.meta.dirname, '..');
const TARGET_MB = 100;

export interface InstallFigures {
  /** After scripts/prune-node-modules.mjs (no source maps, no type declarations), as in the image. */
  totalBytes: number;
  /** Straight out of npm ci, before the prune. */
  rawBytes?: number;
  packages: Array<{ name: string; bytes: number }>;
}

/** Bytes of a folder's files, not descending into node_modules (nested packages are counted apart). */
function ownBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') n += ownBytes(p);
    } else n += lstatSync(p).size;
  }
  return n;
}

/** Every package folder under a node_modules folder (scoped ones included), recursively. */
function packagesUnder(nm: string, prefix = ''): Array<{ name: string; dir: string }> {
  const out: Array<{ name: string; dir: string }> = [];
  let entries;
  try {
    entries = readdirSync(nm, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const dirs = e.name.startsWith('@') ? readdirSync(join(nm, e.name), { withFileTypes: true }).filter((s) => s.isDirectory()).map((s) => `${e.name}/${s.name}`) : [e.name];
    for (const name of dirs) {
      const dir = join(nm, name);
      out.push({ name: `${prefix}${name}`, dir });
      out.push(...packagesUnder(join(dir, 'node_modules'), `${prefix}${name} › `));
    }
  }
  return out;
}

export function measureInstall(nodeModules: string): InstallFigures {
  const packages = packagesUnder(nodeModules).map((p) => ({ name: p.name, bytes: ownBytes(p.dir) }));
  // Files directly under node_modules (.package-lock.json) and its .bin links.
  const looseBytes = readdirSync(nodeModules, { withFileTypes: true }).reduce((n, e) => n + (e.isFile() || e.isSymbolicLink() ? lstatSync(join(nodeModules, e.name)).size : e.name === '.bin' ? ownBytes(join(nodeModules, e.name)) : 0), 0);
  return { totalBytes: packages.reduce((a, p) => a + p.bytes, 0) + looseBytes, packages: packages.sort((a, b) => b.bytes - a.bytes) };
}

export function benchInstallSize(): InstallFigures {
  const app = mkdtempSync(join(tmpdir(), 'djp-bench-install-'));
  try {
    copyFileSync(join(root, 'package.json'), join(app, 'package.json'));
    copyFileSync(join(root, 'package-lock.json'), join(app, 'package-lock.json'));
    execFileSync('npm', ['ci', '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: app,
      stdio: 'pipe',
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', npm_config_update_notifier: 'false' },
    });
    const raw = measureInstall(join(app, 'node_modules'));
    pruneNodeModules(join(app, 'node_modules')); // the Dockerfile's next step
    return { ...measureInstall(join(app, 'node_modules')), rawBytes: raw.totalBytes };
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
}

const mb = (b: number) => (b / 1e6).toFixed(1);

export function printInstallFigures(f: InstallFigures): TargetRow[] {
  const met = f.totalBytes / 1e6 < TARGET_MB;
  console.log('install size (npm ci --omit=dev --omit=optional --ignore-scripts, as the container)');
  console.log(`  production node_modules: ${mb(f.totalBytes)} MB in ${f.packages.length} packages (${f.rawBytes ? `${mb(f.rawBytes)} MB from npm ci, then source maps and type declarations pruned as the Dockerfile does` : 'as installed'})  target < ${TARGET_MB} MB  ${met ? 'met' : 'MISSED'}`);
  console.log('  10 largest packages:');
  for (const p of f.packages.slice(0, 10)) console.log(`    ${mb(p.bytes).padStart(6)} MB  ${p.name}`);
  return [summaryRow('install', 'production install (container payload)', `${mb(f.totalBytes)} MB`, `< ${TARGET_MB} MB`, met)];
}

export async function run(): Promise<TargetRow[]> {
  return printInstallFigures(benchInstallSize());
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await run();
