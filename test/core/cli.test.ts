// The `djp` CLI as a subprocess (tsx), offline, against a temp RUNS_DIR.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../fakes/cli.js';
import { RunArtifact } from '../../shared/api/index.js';
import { startFakeLlmServer } from '../fakes/llm-server.js';

let dir: string;

function djp(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const env: Record<string, string> = { HOME: dir, RUNS_DIR: join(dir, 'runs'), ...extraEnv };
  return runCli(args, { cwd: dir, env });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'djp-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// Subprocesses are slow on a loaded machine: generous per-test timeouts.
const SLOW = 120_000;

describe('djp CLI', () => {
  it('these tests run the installed command: the bundle package.json\'s "bin" names (test/setup/cli-global.ts)', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { bin: { djp: string } };
    expect(pkg.bin.djp).toBe('dist/cli/djp.mjs');
    expect(process.env.DJP_TEST_CLI).toMatch(/djp-cli-test-[^/]+\/djp\.mjs$/);
    expect(existsSync(process.env.DJP_TEST_CLI!)).toBe(true);
  });

  it('run --json prints one JSON object and saves a valid artifact; runs list/show find it', async () => {
    const r = await djp(['run', '--task', 'Plan a picnic', '--json', '--max_tokens', '300', '--require_approval']);
    expect(r.stderr).toContain('djp: run ');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; status: string; artifact: string; run: unknown };
    expect(Object.keys(out)).toEqual(['id', 'status', 'artifact', 'run']);
    expect(out.status).toBe('pending_approval');
    const artifact = RunArtifact.parse(out.run);
    expect(artifact.parameters.max_tokens).toBe(300);
    expect(artifact.provenance.runtime.surface).toBe('cli');
    expect(artifact.provenance.identity.source).toBe('local');
    expect(existsSync(out.artifact)).toBe(true);
    expect(RunArtifact.safeParse(JSON.parse(readFileSync(out.artifact, 'utf8'))).success).toBe(true);

    const list = await djp(['runs', 'list', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { runs: Array<{ id: string }> }).runs.map((x) => x.id)).toContain(out.id);

    const approve = await djp(['approve', out.id, '--reason', 'fine']);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toMatch(/approved by .* status now published/);

    const show = await djp(['runs', 'show', out.id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('status:   published');
    expect(show.stdout).toContain('approval: approved');
  }, SLOW);

  it('a human summary without --json; clear errors without stack traces', async () => {
    const r = await djp(['run', '--task', 'Name three rivers', '--policy', 'none']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/status:\s+advisory_only/);
    expect(r.stdout).toMatch(/artifact: .*runs\/[0-9A-Z]{26}\.json/);

    const bad = await djp(['run', '--task', 'x', '--policy', 'nonsense']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('policy: unknown policy "nonsense"');
    expect(bad.stderr).not.toMatch(/\bat .*\.ts:\d+/);

    const usage = await djp(['run', '--task', 'x', '--max_tokens', 'lots']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--max_tokens must be a number');

    const missing = await djp(['runs', 'show', '01JZZZZZZZZZZZZZZZZZZZZZZZ']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/);

    const mixed = await djp(['run', '--task', 'x', '--debaters', 'openai:gpt-5.4-mini']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/debaters.0/);
  }, SLOW);

  it('runs real providers (fake server) as a subprocess and exits when done', async () => {
    const fake = await startFakeLlmServer();
    try {
      const env = {
        OPENAI_API_KEY: 'sk-test-cli-1234567890',
        OPENAI_BASE_URL: fake.openaiBaseURL,
        ANTHROPIC_API_KEY: 'sk-ant-test-cli-1234567890',
        ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
      };
      const r = await djp(['run', '--task', 'Two facts about otters', '--debaters', 'openai:cli-a,anthropic:cli-b', '--judge', 'anthropic:cli-j', '--policy', 'all', '--margin_threshold', '0', '--json'], env);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { status: string; run: { drafts: Array<{ provider: string; usage: unknown }> } };
      expect(out.status).toBe('published');
      expect(out.run.drafts.map((d) => d.provider)).toEqual(['openai', 'anthropic']);
      expect(out.run.drafts.every((d) => d.usage !== null)).toBe(true);
      expect(r.stdout + r.stderr).not.toContain('sk-test-cli');
      expect(fake.requests.map((q) => q.model).sort()).toEqual(['cli-a', 'cli-b', 'cli-j']);
    } finally {
      await fake.close();
    }
  }, SLOW);

  it('a RUNS_DIR that cannot be written: exit 0, the artifact is kept in the fallback folder and the CLI says where', async () => {
    const { writeFileSync } = await import('node:fs');
    const notADir = join(dir, 'runs-file');
    writeFileSync(notADir, 'not a folder');
    const fallback = join(dir, 'unsaved');
    const r = await djp(['run', '--task', 'keep this run', '--json', '--quiet'], { RUNS_DIR: notADir, DJP_FALLBACK_DIR: fallback });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; artifact: string };
    expect(out.artifact).toBe(join(fallback, `${out.id}.json`));
    expect(RunArtifact.safeParse(JSON.parse(readFileSync(out.artifact, 'utf8'))).success).toBe(true);
    expect(r.stderr).toMatch(/warning: saving to .*runs-file failed .*written to .*unsaved/);
    const human = await djp(['run', '--task', 'keep this run too'], { RUNS_DIR: notADir, DJP_FALLBACK_DIR: fallback });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`artifact: ${fallback}`);
  }, SLOW);

  it('.env in the working directory is loaded without overriding the environment', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, '.env'), `DJP_OFFLINE_JUDGE_MODEL=offline/dotenv-judge\nRUNS_DIR=${join(dir, 'dotenv-runs')}\n`);
    try {
      const r = await djp(['run', '--task', 'dotenv check', '--json', '--quiet']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { artifact: string; run: { judge: { model: { model: string } } } };
      expect(out.run.judge.model.model).toBe('offline/dotenv-judge');
      expect(out.artifact.startsWith(join(dir, 'runs'))).toBe(true);
    } finally {
      rmSync(join(dir, '.env'));
    }
  }, SLOW);
});
