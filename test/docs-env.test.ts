// docs/DEPLOYMENT.md and docs/AUTH.md must match the code: every environment variable they name is read
// somewhere in the code (or by an SDK, listed below with the reason), every `djp <command>` exists as
// server/commands/<command>.ts, and every `npm run <script>` is a package.json script.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register as registerBatch } from '../server/commands/batch.js';

const root = join(import.meta.dirname, '..');
const DOCS = ['docs/DEPLOYMENT.md', 'docs/AUTH.md', 'docs/BATCH.md', 'docs/NOTIFICATIONS.md'];

/** Variables the docs may name that our code does not read itself: the SDKs and platforms do. */
const READ_BY_OTHERS: Record<string, string> = {
  NODE_ENV: 'set by the Dockerfile for Node and libraries',
};

function codeFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name.endsWith('.test.ts')) continue;
    if (statSync(p).isDirectory()) codeFiles(p, out);
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

const code = ['shared', 'server', 'main']
  .filter((d) => existsSync(join(root, d)))
  .flatMap((d) => codeFiles(join(root, d)))
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

/** Names that look like environment variables in the docs: DJP_*, and NAME= / `NAME` forms. */
export function envNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\bDJP_[A-Z0-9_]*[A-Z0-9]\b/g)) names.add(m[0]);
  // `NAME` in backticks, NAME=value, "name": "NAME" (task definitions), - { name: NAME …} (k8s)
  const patterns = [/`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`/g, /\b([A-Z][A-Z0-9]*_[A-Z0-9_]*|PORT|HOST)=/g, /"name": "([A-Z][A-Z0-9_]+)"/g, /name: ([A-Z][A-Z0-9_]+)\b/g, /"([A-Z][A-Z0-9]*_[A-Z0-9_]+)": "/g];
  for (const re of patterns) for (const m of text.matchAll(re)) names.add(m[1]!);
  for (const m of text.matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)) names.add(m[1]!);
  return [...names].sort();
}

function readInCode(name: string): boolean {
  const re = new RegExp(`(env\\.${name}\\b|env\\[['"]${name}['"]\\]|['"]${name}['"])`);
  return re.test(code) || new RegExp(`\\b${name}=`).test(dockerfile);
}

describe('docs match the code', () => {
  for (const doc of DOCS) {
    const text = readFileSync(join(root, doc), 'utf8');

    it(`${doc}: every environment variable it names is read by the code`, () => {
      const names = envNames(text);
      expect(names.length).toBeGreaterThan(5);
      const missing = names.filter((n) => !READ_BY_OTHERS[n] && !readInCode(n));
      expect(missing, `named in ${doc} but not read anywhere in shared/, server/, main/ or the Dockerfile`).toEqual([]);
    });

    it(`${doc}: every djp command and npm script it names exists`, () => {
      const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
      for (const m of text.matchAll(/\bnpm run ([a-z][a-z0-9:-]*)/g)) expect(scripts[m[1]!], `npm run ${m[1]}`).toBeDefined();
      for (const m of text.matchAll(/`djp ([a-z]+)/g)) expect(existsSync(join(root, 'server/commands', `${m[1]}.ts`)), `djp ${m[1]}`).toBe(true);
    });
  }

  it('the extractor finds the forms the docs use (and so can fail)', () => {
    const sample = '| `DJP_FOO` | x |\nset BAR_BAZ=1 and `QUX_QUUX`; { "name": "ZED_ONE", "value": "1" } - { name: KUBE_VAR, value: x }';
    expect(envNames(sample)).toEqual(['BAR_BAZ', 'DJP_FOO', 'KUBE_VAR', 'QUX_QUUX', 'ZED_ONE']);
    expect(readInCode('DJP_NO_SUCH_SETTING_ANYWHERE')).toBe(false);
    expect(readInCode('DJP_AUTH_ALB_ARN')).toBe(true);
  });

  it('docs/BATCH.md: every option in its batch commands (shell, JSON and YAML forms) is an option of djp batch', () => {
    const program = new Command('djp');
    registerBatch(program);
    const batch = program.commands.find((c) => c.name() === 'batch')!;
    const known = new Set([batch, ...batch.commands].flatMap((c) => c.options.map((o) => o.long)));
    const text = readFileSync(join(root, 'docs/BATCH.md'), 'utf8');
    // Command lines: `djp batch …`, --args=dist/server/cli.js,batch,…, ["node", "dist/server/cli.js", "batch", …]
    const lines = text.split('\n').filter((l) => /djp batch|cli\.js,batch|"cli\.js", "batch"|dist\/server\/cli\.js", "batch"/.test(l));
    expect(lines.length).toBeGreaterThan(6);
    // gcloud's own --args= carries the command; what follows it is ours.
    const used = new Set(lines.map((l) => l.replace(/--args=/g, '')).flatMap((l) => [...l.matchAll(/(?<![\w-])(--[a-z][a-z_-]*)/g)].map((m) => m[1]!)));
    expect(used.size).toBeGreaterThan(5);
    const unknown = [...used].filter((f) => !known.has(f) && f !== '--help');
    expect(unknown, 'options named in docs/BATCH.md that djp batch does not have').toEqual([]);
    expect(known.has('--no-such-flag')).toBe(false);
  });
});
