// "Nothing is lost": a guardrail or cost hook that throws, or a run store that cannot write, still
// leaves a validated artifact, with the failure recorded and the result failing closed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunArtifact, type CallContext, type RunEvent, type RunEventInput, type RunRequest } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import type { RunStore } from '../../shared/artifacts/types.js';
import { resolveRunParams } from '../../shared/config/params.js';
import { loadPolicy } from '../../shared/config/policy.js';
import { createCostMeter } from '../../shared/cost/meter.js';
import { loadPricing } from '../../shared/cost/pricing.js';
import type { CostMeter, GuardrailHooks } from '../../shared/djp/hooks.js';
import { runPipeline } from '../../shared/djp/pipeline.js';
import { createGuardrails } from '../../shared/guardrails/index.js';
import { loadProviderRegistry } from '../../shared/providers/registry.js';
import { createDjpService } from '../../shared/service/index.js';
import { PROVENANCE, testRunId } from './helpers.js';

const ctx: CallContext = { identity: { user: 'alice', source: 'local' } };
const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
const EMAIL = 'carol@example.com';
const TASK = `Summarise the plan for ${EMAIL} (key ${SECRET})`;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'djp-lost-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Break = (g: GuardrailHooks) => Partial<GuardrailHooks>;
const boom = (what: string) => () => {
  throw new Error(`${what} exploded near ${SECRET}`);
};

async function runBroken(brk: Break, opts: { cost?: (c: CostMeter) => Partial<CostMeter>; req?: Partial<RunRequest> } = {}) {
  const req: RunRequest = { task: TASK, offline: true, ...opts.req };
  const registry = await loadProviderRegistry({});
  const params = resolveRunParams(req, { registry });
  const real = await createGuardrails(params);
  const guardrails: GuardrailHooks = { ...real, ...brk(real) };
  const meter = createCostMeter(params, null, { pricing: loadPricing(null, {}) });
  const cost: CostMeter = { ...meter, ...(opts.cost?.(meter) ?? {}) };
  const events: RunEventInput[] = [];
  const artifact = await runPipeline({
    runId: testRunId(),
    task: req.task,
    params,
    policy: loadPolicy(params.policy),
    providerFor: (id) => registry.create(id),
    provenance: PROVENANCE,
    emit: (e) => events.push(e),
    guardrails,
    cost,
  });
  expect(RunArtifact.safeParse(artifact).success).toBe(true);
  const text = JSON.stringify(artifact) + JSON.stringify(events);
  expect(text).not.toContain(SECRET);
  const warnings = events.filter((e): e is Extract<RunEventInput, { type: 'warning' }> => e.type === 'warning').map((e) => e.message);
  return { artifact, events, warnings };
}

describe('pipeline: a guardrail hook that throws does not lose the run', () => {
  it('baseline: the same offline run publishes', async () => {
    const { artifact } = await runBroken(() => ({}));
    expect(artifact.status).toBe('published');
  });

  it('checkDraft throws for one draft: that draft is passed over (guardrails_error), another is published', async () => {
    const { artifact, warnings } = await runBroken((g) => ({
      checkDraft: (d, p) => (d.id === 'd1' ? boom('checkDraft')() : g.checkDraft(d, p)),
    }));
    expect(artifact.publish.status).toBe('published');
    expect(artifact.publish.draft_id).not.toBe('d1');
    const c1 = artifact.guardrails.checks.find((c) => c.draft_id === 'd1')!;
    expect(c1.passed).toBe(false);
    expect(c1.failures[0]!.check).toBe('guardrails_error');
    expect(c1.failures[0]!.detail).toMatch(/content checks failed to run: checkDraft exploded/);
    expect(artifact.guardrails.checks.filter((c) => c.passed).length).toBeGreaterThan(0);
    expect(warnings.some((w) => /checkDraft\(d1\) failed/.test(w))).toBe(true);
  });

  it('checkPublish throws: advisory_only with the reason, nothing published', async () => {
    const { artifact, warnings } = await runBroken(() => ({ checkPublish: boom('checkPublish') }));
    expect(artifact.status).toBe('advisory_only');
    expect(artifact.publish.text).toBeNull();
    expect(artifact.publish.reason).toMatch(/publish checks failed to run \(checkPublish exploded near \[REDACTED/);
    expect(warnings.some((w) => /checkPublish failed/.test(w))).toBe(true);
  });

  it('redact throws: the built-in rules redact every text field instead; nothing published; artifact kept', async () => {
    const { artifact } = await runBroken(() => ({ redact: boom('redact') }));
    expect(artifact.status).toBe('advisory_only');
    expect(artifact.publish.text).toBeNull();
    expect(artifact.publish.reason).toMatch(/guardrails failed to run \(redact: redact exploded/);
    expect(artifact.task).not.toContain(EMAIL);
    expect(artifact.task).toContain('[REDACTED:EMAIL]');
    expect(artifact.drafts.length).toBeGreaterThan(0);
    expect(artifact.guardrails.redaction.events.some((e) => e.type === 'email' && e.where === 'task')).toBe(true);
  });

  it('a pending approval fails closed too (approval no longer required)', async () => {
    const { artifact } = await runBroken(() => ({ redact: boom('redact') }), { req: { require_approval: true } });
    expect(artifact.status).toBe('advisory_only');
    expect(artifact.approval.state).toBe('not_required');
  });

  it('redactText throws: events and artifact still carry no secret (built-in scrubber)', async () => {
    const { artifact, events } = await runBroken(() => ({ redactText: boom('redactText') }));
    expect(artifact.id).toBeTruthy();
    const started = events.find((e) => e.type === 'run.started') as Extract<RunEventInput, { type: 'run.started' }>;
    expect(started.task).not.toContain(EMAIL);
  });

  it('summary throws: a summary rebuilt from what was seen; advisory_only', async () => {
    const { artifact } = await runBroken(() => ({ summary: boom('summary') }));
    expect(artifact.status).toBe('advisory_only');
    expect(artifact.guardrails.redaction.enabled).toBe(true);
    expect(artifact.publish.reason).toMatch(/summary: summary exploded/);
  });

  it('the cost meter throws: the run is kept with an unknown (null) cost', async () => {
    const { artifact, warnings } = await runBroken(() => ({}), { cost: () => ({ summary: boom('cost summary'), record: boom('cost record') }) });
    expect(artifact.cost.total.usd).toBeNull();
    expect(artifact.cost.budget.detail).toMatch(/the cost meter failed/);
    expect(artifact.drafts.every((d) => d.status === 'ok')).toBe(true);
    expect(warnings.some((w) => /cost\.record failed/.test(w))).toBe(true);
  });
});

describe('service: a run store that cannot write keeps the artifact in the fallback folder', () => {
  async function finish(store: RunStore, env: Record<string, string>) {
    const svc = createDjpService({ store, env, surface: 'test' });
    const { id } = await svc.startRun({ task: 'keep me', offline: true }, ctx);
    const events: RunEvent[] = [];
    await new Promise<void>((resolve) => {
      void svc.subscribe(id, (e) => {
        events.push(e);
        if (e.type === 'run.done' || e.type === 'run.error') resolve();
      });
    });
    return { svc, id, last: events.at(-1)! };
  }

  it('a guardrail hook that throws: the run still ends in run.done and its artifact is in the store (advisory_only)', async () => {
    const runs = join(dir, 'hook-runs');
    const store = createRunStore(runs, { logger: silentLogger, env: {} });
    const svc = createDjpService({
      store,
      env: {},
      surface: 'test',
      makeGuardrails: async (params) => ({ ...(await createGuardrails(params)), checkPublish: boom('checkPublish') }),
    });
    const { id } = await svc.startRun({ task: TASK, offline: true }, ctx);
    const events: RunEvent[] = [];
    await new Promise<void>((resolve) => {
      void svc.subscribe(id, (e) => {
        events.push(e);
        if (e.type === 'run.done' || e.type === 'run.error') resolve();
      });
    });
    expect(events.at(-1)!.type).toBe('run.done');
    expect(events.some((e) => e.type === 'warning' && /checkPublish failed/.test(e.message))).toBe(true);
    const saved = await createRunStore(runs, { logger: silentLogger, env: {} }).load(id);
    expect(saved.status).toBe('advisory_only');
    expect(saved.publish.reason).toMatch(/publish checks failed to run/);
    expect(JSON.stringify(saved) + JSON.stringify(events)).not.toContain(SECRET);
  });

  it('a local RUNS_DIR that is not writable (a file in its place): run.done names the fallback file, which validates', async () => {
    const notADir = join(dir, 'runs-is-a-file');
    writeFileSync(notADir, 'x');
    const fallback = join(dir, 'fallback');
    const { svc, id, last } = await finish(createRunStore(notADir, { logger: silentLogger, env: {} }), { DJP_FALLBACK_DIR: fallback });
    expect(last.type).toBe('run.done');
    if (last.type !== 'run.done') return;
    expect(last.artifact).toBe(join(fallback, `${id}.json`));
    expect(last.outbox?.path).toBe(last.artifact);
    expect(last.outbox?.reason).toMatch(/saving to .*runs-is-a-file failed .*written to .*djp sync --reindex/);
    const saved = RunArtifact.parse(JSON.parse(readFileSync(last.artifact, 'utf8')));
    expect(saved.id).toBe(id);
    expect((await svc.getRun(id)).id).toBe(id);
  });

  it('falls back to <tmpdir>/djp-unsaved-runs when DJP_FALLBACK_DIR cannot be written either', async () => {
    const badFallback = join(dir, 'fallback-is-a-file');
    writeFileSync(badFallback, 'x');
    const failing: RunStore = Object.assign(Object.create(createRunStore(join(dir, 'ok'), { logger: silentLogger, env: {} })) as RunStore, {
      save: async () => {
        throw new Error('disk full');
      },
    });
    const { id, last } = await finish(failing, { DJP_FALLBACK_DIR: badFallback });
    expect(last.type).toBe('run.done');
    if (last.type !== 'run.done') return;
    expect(last.artifact).toBe(join(tmpdir(), 'djp-unsaved-runs', `${id}.json`));
    expect(last.outbox?.reason).toContain('disk full');
    expect(RunArtifact.parse(JSON.parse(readFileSync(last.artifact, 'utf8'))).id).toBe(id);
    rmSync(last.artifact, { force: true });
  });
});
