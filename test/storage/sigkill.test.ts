// A process killed with SIGKILL in the middle of writes leaves no torn artifact: every file that
// exists parses, and every index entry lists a loadable run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RunArtifact } from '../../shared/api/index.js';
import { LocalBackend } from '../../shared/storage/local.js';
import { BackendRunStore } from '../../shared/artifacts/store.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

async function killDuringWrites(root: string, delayMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'kill-writer.ts'), root], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`writer exited early (${code}): ${err}`)));
  });
  await new Promise((r) => setTimeout(r, delayMs));
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, sig) => r(sig)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

describe('SIGKILL during writes', () => {
  it('leaves only complete files (temp files are never visible as keys)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'djp-kill-'));
    for (const delay of [37, 91, 143]) await killDuringWrites(root, delay);

    const files = walk(root);
    const visible = files.filter((f) => !f.endsWith('.djp-tmp'));
    const artifacts = visible.filter((f) => /[0-9A-Z]{26}\.json$/.test(f) && path.dirname(f) === root);
    expect(artifacts.length).toBeGreaterThan(3);
    for (const f of visible) {
      const text = readFileSync(f, 'utf8');
      expect(() => JSON.parse(text), `torn file ${f}`).not.toThrow();
    }
    for (const f of artifacts) expect(RunArtifact.safeParse(JSON.parse(readFileSync(f, 'utf8'))).success).toBe(true);

    const backend = new LocalBackend(root);
    const keys = (await backend.list({})).keys;
    expect(keys.some((k) => k.endsWith('.djp-tmp'))).toBe(false);
    const store = new BackendRunStore(backend);
    const page = await store.list({ limit: 100 });
    expect(page.skipped).toBe(0);
    for (const run of page.runs) expect((await store.load(run.id)).id).toBe(run.id);
  });
});
