#!/usr/bin/env node
// Runs Electronegativity (Doyensec's Electron security scanner) on the built desktop app: the compiled
// main process, the preload bundle and the page the window loads (dist/main, dist/renderer/desktop.html;
// run `npm run build && npm run build:main` first). The scanner is installed on first use into its own
// folder (it needs TypeScript 4's compiler API, which the project's TypeScript 7 no longer has), and its
// network calls (release lists, translations) are blocked. Its release-list check is skipped: it only
// works online. Prints the findings, writes electronegativity.csv, exits 1 on any HIGH or CRITICAL.
// Usage: node scripts/electronegativity.mjs [--out file.csv]     (CI: .github/workflows/desktop.yml)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const VERSION = '1.10.3';
const root = resolve(import.meta.dirname, '..');
const outArg = process.argv.indexOf('--out');
const out = resolve(outArg > 0 ? process.argv[outArg + 1] : join(root, 'electronegativity.csv'));

export function scan() {
  const tool = join(tmpdir(), `djp-electronegativity-${VERSION}`);
  const bin = join(tool, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
  if (!existsSync(bin)) {
    mkdirSync(tool, { recursive: true });
    writeFileSync(join(tool, 'package.json'), '{"private":true}\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', `@doyensec/electronegativity@${VERSION}`], { cwd: tool, stdio: 'pipe' });
  }
  const main = join(root, 'dist', 'main');
  const page = join(root, 'dist', 'renderer', 'desktop.html');
  if (!existsSync(join(main, 'main.js')) || !existsSync(page)) throw new Error('build the desktop app first: npm run build && npm run build:main');
  const input = mkdtempSync(join(tmpdir(), 'djp-eneg-input-'));
  try {
    for (const f of readdirSync(main)) if (/\.(js|cjs)$/.test(f)) copyFileSync(join(main, f), join(input, f));
    copyFileSync(page, join(input, 'desktop.html'));
    copyFileSync(join(root, 'package.json'), join(input, 'package.json'));
    // The scanner fetches translations with `got`, which ignores proxy variables and, offline, crashes
    // the process from a retry timer. Replace `got` with a request that fails at once: no network at all.
    const noNetwork = join(input, 'no-network.cjs');
    writeFileSync(
      noNetwork,
      `const Module = require('node:module');
const load = Module._load;
const refuse = () => Object.assign(Promise.reject(new Error('network disabled')), { cancel() {} });
refuse.head = refuse; refuse.get = refuse;
Module._load = function (request, ...rest) { return request === 'got' ? refuse : load.call(this, request, ...rest); };
`,
    );
    rmSync(out, { force: true });
    mkdirSync(dirname(out), { recursive: true });
    const env = { ...process.env, HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1,localhost' };
    execFileSync(process.execPath, ['--require', noNetwork, bin, '-i', input, '-x', 'AvailableSecurityFixesGlobalCheck', '-r', '-o', out], { env, stdio: 'pipe', timeout: 300_000 });
  } finally {
    rmSync(input, { recursive: true, force: true });
  }
  const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1).filter(Boolean);
  return rows.map((line) => {
    const [id, severity, confidence, file, location] = line.split(',').map((c) => c.replace(/^"|"$/g, ''));
    return { id, severity, confidence, file, location };
  });
}

if (import.meta.filename === process.argv[1]) {
  const findings = scan();
  const high = findings.filter((f) => f.severity === 'HIGH' || f.severity === 'CRITICAL');
  process.stdout.write(`electronegativity ${VERSION} on dist/main + dist/renderer/desktop.html: ${findings.length} finding(s), ${high.length} high/critical (CSV: ${out})\n`);
  for (const f of findings) process.stdout.write(`  ${f.severity.padEnd(13)} ${f.confidence.padEnd(9)} ${f.id}  ${f.file}:${f.location}\n`);
  process.exit(high.length ? 1 : 0);
}
