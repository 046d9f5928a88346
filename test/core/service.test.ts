import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunArtifact, RunEvent, isDjpError, type CallContext, type DjpError } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { createDjpService, type DjpService } from '../../shared/service/index.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { fakeEnv } from './helpers.js';

const ctx: CallContext = { identity: { user: 'alice', source: 'local' } };
let dir: string;
let fake: FakeLlmServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'djp-service-'));
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

function service(env: Record<string, string | undefined> = {}, sub = 'runs'): DjpService {
  return createDjpService({ store: createRunStore(join(dir, sub), { logger: silentLogger, env: {} }), env, surface: 'test', retry: { baseDelayMs: 10 } });
}

async function collect(svc: DjpService, id: string, afterSeq?: number): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  await new Promise<void>((resolve) => {
    void svc.subscribe(
      id,
      (e) => {
        events.push(e);
        if (e.type === 'run.done' || e.type === 'run.error') resolve();
      },
      afterSeq,
    );
  });
  return events;
}

async function expectDjpError(p: Promise<unknown>, code: string, field?: string): Promise<DjpError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(isDjpError(e)).toBe(true);
  expect((e as DjpError).code).toBe(code);
  if (field) expect((e as DjpError).field).toBe(field);
  return e as DjpError;
}

describe('DjpService', () => {
  it('starts an offline run, streams events with seq, saves a valid artifact', async () => {
    const svc = service();
    const { id } = await svc.startRun({ task: 'Write a haiku about tests' }, ctx);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const events = await collect(svc, id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.every((e) => RunEvent.safeParse(e).success && e.run_id === id)).toBe(true);
    expect(events[0]!.type).toBe('run.started');
    const done = events.at(-1)!;
    expect(done.type).toBe('run.done');
    if (done.type === 'run.done') expect(done.artifact).toContain(id);
    const a = await svc.getRun(id);
    expect(RunArtifact.safeParse(a).success).toBe(true);
    expect(a.provenance.identity).toEqual({ user: 'alice', source: 'local' });
    expect(a.provenance.app_version).toBe('0.1.0');
    expect(a.provenance.runtime.surface).toBe('test');
    const page = await svc.listRuns({});
    expect(page.runs.map((r) => r.id)).toContain(id);
    // replay from a given seq, and from a fresh service (synthesized from the artifact). A saved run's
    // events have left memory: resuming mid-stream gets its run.done at the live seq (the artifact has the rest).
    const tail = await collect(svc, id, 2);
    expect(tail.map((e) => [e.type, e.seq])).toEqual([['run.done', done.seq]]);
    const fresh = service();
    const synth = await collect(fresh, id);
    expect(synth[0]!.type).toBe('run.started');
    expect(synth.at(-1)!.type).toBe('run.done');
    expect(synth.every((e) => RunEvent.safeParse(e).success)).toBe(true);
  });

  it('rejects invalid requests naming the field', async () => {
    const svc = service();
    await expectDjpError(svc.startRun({ task: 'x', max_tokens: -1 } as never, ctx), 'invalid', 'max_tokens');
    await expectDjpError(svc.startRun({ task: '   ' }, ctx), 'invalid', 'task');
    await expectDjpError(svc.startRun({ task: 'x', policy: 'nope' }, ctx), 'invalid', 'policy');
    await expectDjpError(svc.startRun({ task: 'x', bogus: 1 } as never, ctx), 'invalid');
    await expectDjpError(svc.getRun('01JZZZZZZZZZZZZZZZZZZZZZZZ'), 'not_found');
  });

  it('approval state machine: pending → approved / rejected; anything else conflicts', async () => {
    const svc = service();
    const { id } = await svc.startRun({ task: 'needs approval', require_approval: true }, ctx);
    await collect(svc, id);
    expect((await svc.getRun(id)).status).toBe('pending_approval');
    await expectDjpError(svc.rejectRun(id, {} as { reason: string }, ctx), 'invalid', 'reason'); // as untyped callers may
    const approved = await svc.approveRun(id, { reason: 'looks right' }, { identity: { user: 'bob@example.com', source: 'proxy' } });
    expect(approved.status).toBe('published');
    expect(approved.publish.status).toBe('published');
    expect(approved.approval).toMatchObject({ state: 'approved', decided_by: 'bob@example.com', reason: 'looks right' });
    const reloaded = await service().getRun(id);
    expect(reloaded.approval.state).toBe('approved');
    await expectDjpError(svc.approveRun(id, {}, ctx), 'conflict');
    await expectDjpError(svc.rejectRun(id, { reason: 'late' }, ctx), 'conflict');

    const { id: id2 } = await svc.startRun({ task: 'reject me', require_approval: true }, ctx);
    await collect(svc, id2);
    const rejected = await svc.rejectRun(id2, { reason: 'not sourced' }, ctx);
    expect(rejected.status).toBe('advisory_only');
    expect(rejected.publish.text).toBeNull();
    expect(rejected.approval).toMatchObject({ state: 'rejected', decided_by: 'alice', reason: 'not sourced' });

    const { id: id3 } = await svc.startRun({ task: 'no approval' }, ctx);
    await collect(svc, id3);
    await expectDjpError(svc.approveRun(id3, {}, ctx), 'conflict');
  });

  it('cancelRun saves what exists with interrupted set', async () => {
    fake.setModel('svc-hang', { faults: [{ kind: 'hang' }] });
    fake.setModel('svc-ok', {});
    const svc = service(fakeEnv(fake, ['openai']));
    const { id } = await svc.startRun(
      { task: 't', debaters: [{ provider: 'openai', model: 'svc-ok' }, { provider: 'openai', model: 'svc-hang' }], judge: { provider: 'openai', model: 'svc-ok' }, timeout_s: 60 },
      ctx,
    );
    const eventsP = collect(svc, id);
    expect(svc.inFlight()).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    await svc.cancelRun(id, ctx);
    const events = await eventsP;
    expect(events.at(-1)!.type).toBe('run.done');
    const a = await svc.getRun(id);
    expect(a.interrupted).toBe('cancelled by alice');
    expect(a.drafts[1]!.status).toBe('cancelled');
    expect(svc.inFlight()).toBe(0);
    await expectDjpError(svc.cancelRun(id, ctx), 'conflict');
  });

  it('a cancelled run whose cut-off draft reported no usage has an unknown (null) cost, not $0', async () => {
    fake.setModel('gpt-5.4-mini', {});
    fake.setModel('gpt-5.4', { faults: [{ kind: 'hang' }] });
    const svc = service(fakeEnv(fake, ['openai']));
    const { id } = await svc.startRun(
      { task: 't', debaters: [{ provider: 'openai', model: 'gpt-5.4-mini' }, { provider: 'openai', model: 'gpt-5.4' }], judge: { provider: 'openai', model: 'gpt-5.4-mini' }, timeout_s: 60 },
      ctx,
    );
    const eventsP = collect(svc, id);
    // Cancel once d1 has finished (not after a fixed delay: a busy machine may take longer).
    await new Promise<void>((resolve) => void svc.subscribe(id, (e) => e.type === 'draft.done' && e.draft_id === 'd1' && resolve()));
    await svc.cancelRun(id, ctx);
    await eventsP;
    const a = await service().getRun(id); // as saved
    expect(a.drafts[0]!.status).toBe('ok');
    expect(a.drafts[0]!.cost_usd).toBeGreaterThan(0); // priced and reported
    expect(a.drafts[1]!.status).toBe('cancelled');
    expect(a.drafts[1]!.usage).toBeNull();
    expect(a.cost.debate.usd).toBeNull();
    expect(a.cost.total.usd).toBeNull();
    expect(a.cost.total.input_tokens).toBe(a.drafts[0]!.usage!.input_tokens);
    expect((await svc.listRuns({})).runs.find((r) => r.id === id)!.cost_usd).toBeNull();
  });

  it('a cancelled draft keeps the text that had streamed, redacted, marked partial — never judged or published', async () => {
    const answer = `Partial answer begins here, mail jane.doe@example.com. ${'More words keep arriving slowly. '.repeat(30)}`;
    fake.setModel('svc-slow-stream', { chunks: 40, chunkDelayMs: 100, text: () => JSON.stringify({ answer, evidence: [], confidence: 0.5, safety_flags: [] }) });
    const svc = service(fakeEnv(fake, ['openai']));
    const { id } = await svc.startRun({ task: 't', debaters: [{ provider: 'openai', model: 'svc-slow-stream' }], judge: { provider: 'openai', model: 'svc-ok' }, timeout_s: 60 }, ctx);
    const eventsP = collect(svc, id);
    // Cancel once some text has streamed (not after a fixed delay).
    let seen = '';
    await new Promise<void>((resolve) =>
      void svc.subscribe(id, (e) => {
        if (e.type === 'draft.delta') seen += e.text;
        if (seen.includes('[REDACTED:EMAIL]')) resolve();
      }),
    );
    await svc.cancelRun(id, ctx);
    const events = await eventsP;
    const a = await service().getRun(id); // as saved
    const d = a.drafts[0]!;
    expect(d.status).toBe('cancelled');
    expect(d.partial).toBe(true);
    expect(d.answer).toBe('');
    expect(d.raw).toContain('Partial answer begins here');
    expect(d.raw).toContain('[REDACTED:EMAIL]');
    expect(d.raw).not.toContain('jane.doe@example.com');
    expect(d.raw.length).toBeLessThan(JSON.stringify({ answer }).length); // only what had streamed
    expect(a.judge.scores).toEqual([]);
    expect(a.publish.draft_id).toBeNull();
    expect(a.publish.text).toBeNull();
    expect(a.status).not.toBe('published');
    // The events a reader saw are all in the saved text.
    const streamedText = events.filter((e) => e.type === 'draft.delta').map((e) => (e as { text: string }).text).join('');
    expect(d.raw.startsWith(streamedText.slice(0, 40))).toBe(true);
  });

  it('drain waits up to the deadline, then cancels the rest (saved as interrupted)', async () => {
    fake.setModel('drain-hang', { faults: [{ kind: 'hang' }] });
    const svc = service(fakeEnv(fake, ['openai']));
    const { id } = await svc.startRun({ task: 't', debaters: [{ provider: 'openai', model: 'drain-hang' }], judge: { provider: 'openai', model: 'drain-hang' }, timeout_s: 60 }, ctx);
    const { id: quick } = await svc.startRun({ task: 'offline one', offline: true }, ctx);
    const t = Date.now();
    await svc.drain(300);
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
    expect(svc.inFlight()).toBe(0);
    expect((await svc.getRun(id)).interrupted).toMatch(/shutdown/);
    expect((await svc.getRun(quick)).interrupted).toBeNull();
  });

  it('replayRun starts a new run with the old parameters and records replay_of', async () => {
    const svc = service();
    const { id } = await svc.startRun({ task: 'replay me', seed: 7, max_tokens: 321, preset: 'deterministic' }, ctx);
    await collect(svc, id);
    const { id: id2 } = await svc.replayRun(id, ctx);
    expect(id2).not.toBe(id);
    expect(id2 > id).toBe(true);
    await collect(svc, id2);
    const [a, b] = [await svc.getRun(id), await svc.getRun(id2)];
    expect(b.parameters).toEqual(a.parameters);
    expect(b.provenance.replay_of).toBe(id);
    expect(b.publish.text).toBe(a.publish.text);
  });

  it('lists providers without keys, from env and from a secret source', async () => {
    const svc = createDjpService({
      store: createRunStore(join(dir, 'p'), { logger: silentLogger, env: {} }),
      env: { OPENAI_API_KEY: 'sk-secret-value-1234567890' },
      surface: 'test',
      secrets: { get: async (p) => (p === 'anthropic' ? 'sk-ant-from-keychain-123456' : null) },
    });
    const list = await svc.listProviders();
    expect(JSON.stringify(list)).not.toMatch(/secret-value|from-keychain/);
    const by = Object.fromEntries(list.map((p) => [p.id, p]));
    expect(by.openai).toMatchObject({ configured: true, key_source: 'env' });
    expect(by.anthropic).toMatchObject({ configured: true, key_source: 'keychain' });
    expect(by.google).toMatchObject({ configured: false, key_source: 'none' });
    expect(by.offline!.configured).toBe(true);
    const info = await svc.info();
    expect(info).toMatchObject({ app_version: '0.1.0', surface: 'test', storage: { kind: 'local' } });
    const proj = await svc.projectCost({ task: 'x' });
    expect(proj.calls.filter((c) => c.stage === 'debate').map((c) => c.provider)).toEqual(['openai', 'anthropic']);
  });
});
