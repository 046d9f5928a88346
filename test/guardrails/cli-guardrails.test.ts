// `djp cost`, budget abort before a run, and the guardrail flags of `djp run`, through the CLI as a
// subprocess (offline provider: no network, priced at $0 explicitly).
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../fakes/cli.js';
import { CostProjection, RunArtifact } from '../../shared/api/index.js';

const CORPUS = resolve(import.meta.dirname, '../fixtures/corpus');
let dir: string;

function djp(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const env: Record<string, string> = { HOME: dir, RUNS_DIR: join(dir, 'runs'), ...extraEnv };
  return runCli(args, { cwd: dir, env });
}

const runsSaved = () => (existsSync(join(dir, 'runs')) ? readdirSync(join(dir, 'runs')).filter((f) => /^[0-9A-Z]{26}\.json$/.test(f)).length : 0);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'djp-cli-guardrails-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const SLOW = 120_000;

describe('djp cost', () => {
  it('prints the projection (human and --json), priced from the table', async () => {
    const human = await djp(['cost', '--task', 'Explain spring tides', '--offline']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^debate\s+offline\/alpha\s+\d+\s+1200\s+\$0\.0000$/m);
    expect(human.stdout).toMatch(/^total:\s+\$0\.0000 · \d+ tokens · 7 calls$/m);

    const json = await djp(['cost', '--task', 'Explain spring tides', '--offline', '--max_tokens', '100', '--json']);
    expect(json.code).toBe(0);
    const p = CostProjection.parse(JSON.parse(json.stdout));
    expect(p.calls.filter((c) => c.stage === 'debate').every((c) => c.output_tokens === 100 && c.usd === 0)).toBe(true);
    expect(p).toMatchObject({ total_usd: 0, within_budget: true, unpriced_models: [] });
  }, SLOW);

  it('a user pricing file (DJP_PRICING_FILE) overrides the table', async () => {
    const file = join(dir, 'prices.json');
    writeFileSync(file, JSON.stringify({ models: { 'offline/*': { input: 1000, output: 1000 } } }));
    const r = await djp(['cost', '--task', 'x', '--offline', '--json'], { DJP_PRICING_FILE: file });
    const p = CostProjection.parse(JSON.parse(r.stdout));
    expect(p.total_usd).toBeCloseTo(p.total_tokens / 1000, 6);
    writeFileSync(file, '{"models": {"x": {"input": "free"}}}');
    const bad = await djp(['cost', '--task', 'x', '--offline'], { DJP_PRICING_FILE: file });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/djp: pricing file .*prices\.json: models\.x\.input/);
  }, SLOW);

  it('over budget: exit 1 and says the run would be refused', async () => {
    const r = await djp(['cost', '--task', 'x', '--offline', '--budget_tokens', '1000']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/budget:\s+EXCEEDED — budget_tokens: projected \d+ tokens exceed the budget of 1000; djp run would refuse this run/);
  }, SLOW);
});

describe('djp run: budgets and guardrail flags', () => {
  it('aborts before the run when the projection exceeds the budget, naming the field; nothing is saved', async () => {
    const before = runsSaved();
    const r = await djp(['run', '--task', 'x', '--offline', '--budget_tokens', '1000']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^djp: budget_tokens: projected \d+ tokens exceed the budget of 1000$/m);
    expect(runsSaved()).toBe(before);
  }, SLOW);

  it('a missing corpus folder or rules file is an input error (exit 2) naming the field', async () => {
    const c = await djp(['run', '--task', 'x', '--offline', '--grounded_corpus', join(dir, 'nope')]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/djp: grounded_corpus: folder not found/);
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, '{"rules":[{"name":"x","pattern":"(unclosed"}]}');
    const r = await djp(['run', '--task', 'x', '--offline', '--redaction_rules', rules]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/djp: redaction_rules: .*rules\.json: rules\[0\]\.pattern: invalid regular expression/);
  }, SLOW);

  it('grounded run with the offline provider: corpus recorded, too few citations → advisory_only with the reason; summary shows costs', async () => {
    const r = await djp(['run', '--task', 'How often does the fog horn sound?', '--offline', '--grounded_corpus', CORPUS, '--grounded_required', '1', '--budget_usd', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^status:\s+advisory_only$/m);
    expect(r.stdout).toMatch(/^reason:\s+.*grounding: draft d\d has 0 valid citations of 1 required/m);
    expect(r.stdout).toMatch(/^cost:\s+\$0\.0000 actual \(debate \$0\.0000, judge \$0\.0000\) · \d+ tokens$/m);
    expect(r.stdout).toMatch(/^\s+projected ≤ \$0\.0000 · ≤ \d+ tokens$/m);
    expect(r.stdout).toMatch(/^budget:\s+\$1 — within budget$/m);
    const path = /^artifact:\s+(\S+)$/m.exec(r.stdout)?.[1];
    const { readFileSync } = await import('node:fs');
    const a = RunArtifact.parse(JSON.parse(readFileSync(path!, 'utf8')));
    expect(a.guardrails.grounding).toMatchObject({ outcome: 'failed', required: 1, corpus: { path: CORPUS } });
    expect(a.guardrails.grounding?.retrieved[0]?.file).toBe('lighthouse-notes.md');
    expect(a.parameters).toMatchObject({ grounded_corpus: CORPUS, grounded_required: 1, budget_usd: 1 });
  }, SLOW);

  it('--require_citations disqualifies drafts with too few evidence items; --redact off keeps personal data', async () => {
    const r = await djp(['run', '--task', 'Reply to ops@example.org', '--offline', '--require_citations', '3', '--redact', 'off', '--json', '--quiet']);
    expect(r.code).toBe(0);
    const a = RunArtifact.parse((JSON.parse(r.stdout) as { run: unknown }).run);
    // offline drafts carry one evidence item each
    expect(a.judge.scores.every((s) => s.status === 'disqualified' && s.score === 0)).toBe(true);
    expect(a.status).not.toBe('published');
    expect(a.task).toBe('Reply to ops@example.org');
    expect(a.guardrails.redaction.enabled).toBe(false);
  }, SLOW);
});
