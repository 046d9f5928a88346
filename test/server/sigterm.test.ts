// SIGTERM draining with the real `djp serve` in a child process (tsx from source), against slow fake
// providers: the server stops accepting, lets the in-flight run finish (or, past the deadline, cancels
// it), saves the artifact and exits 0.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { cleanEnv, startChildServer } from './child-server.js';
import { readSse } from './http-helpers.js';

const root = join(import.meta.dirname, '..', '..');
let fake: FakeLlmServer;

beforeAll(async () => {
  fake = await startFakeLlmServer({ models: {} });
});
afterAll(async () => {
  await fake.close();
});

function findArtifact(dir: string, id: string): string | null {
  if (!existsSync(dir)) return null;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.includes(id) && e.name.endsWith('.json')) return join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
  }
  return null;
}

async function runAndTerm(latencyMs: number, deadlineS: string) {
  const model = `slow-${latencyMs}-${deadlineS}`;
  fake.setModel(model, { latencyMs });
  const runsDir = mkdtempSync(join(tmpdir(), 'djp-sigterm-'));
  const srv = await startChildServer({
    cwd: root,
    args: ['--import', 'tsx', 'server/cli.ts', 'serve', '--port', '0'],
    env: cleanEnv({
      RUNS_DIR: runsDir,
      OPENAI_API_KEY: 'sk-test-sigterm-0000000000',
      OPENAI_BASE_URL: fake.openaiBaseURL,
      DJP_OPENAI_MODEL: model,
      DJP_OPENAI_JUDGE_MODEL: model,
      DJP_SHUTDOWN_DEADLINE_S: deadlineS,
      DJP_STATIC_DIR: join(runsDir, 'no-ui'),
    }),
  });
  const res = await fetch(`${srv.url}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ task: 'drain me', debaters: [{ provider: 'openai', model }], judge: { provider: 'openai', model } }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  // Wait until the run is really in flight (its draft has started), then SIGTERM.
  const events = await fetch(`${srv.url}/api/runs/${id}/events`);
  await readSse(events, (e) => e.event === 'draft.started');
  const t0 = Date.now();
  srv.child.kill('SIGTERM');
  const code = await srv.exited;
  return { code, ms: Date.now() - t0, id, runsDir, stderr: srv.stderr(), stdout: srv.stdout() };
}

describe('djp serve on SIGTERM', () => {
  it('lets the in-flight run finish, saves it and exits 0', async () => {
    const r = await runAndTerm(1500, '20');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const file = findArtifact(r.runsDir, r.id);
    expect(file, `artifact for ${r.id} in ${r.runsDir}`).not.toBeNull();
    const artifact = JSON.parse(readFileSync(file!, 'utf8')) as { interrupted: string | null; drafts: Array<{ status: string }>; provenance: { identity: { source: string } } };
    expect(artifact.interrupted).toBeNull();
    expect(artifact.drafts[0]?.status).toBe('ok');
    expect(artifact.provenance.identity.source).toBe('none');
    expect(r.stdout).toContain('"msg":"drained"');
  }, 60_000);

  it('past the deadline, cancels the run, saves what exists as interrupted and exits 0', async () => {
    const r = await runAndTerm(30_000, '1');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const file = findArtifact(r.runsDir, r.id);
    expect(file, `artifact for ${r.id}`).not.toBeNull();
    const artifact = JSON.parse(readFileSync(file!, 'utf8')) as { interrupted: string | null };
    expect(artifact.interrupted).toBeTruthy();
  }, 60_000);
});
