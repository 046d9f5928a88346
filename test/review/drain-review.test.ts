// Review finding: SIGTERM while a POST /api/runs is being prepared (accepted before draining began,
// not yet registered as running) — drain() must wait for it too, not return at once and let the
// process exit with an accepted run neither finished nor saved.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { createDjpService } from '../../shared/service/index.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { fakeEnv } from '../core/helpers.js';

const ctx: CallContext = { identity: { user: 'alice', source: 'local' } };
let dir: string;
let fake: FakeLlmServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'djp-drain-review-'));
  fake = await startFakeLlmServer();
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('drain and runs still starting', () => {
  it('drain waits for a run whose start began before it, and cancels it at the deadline', async () => {
    fake.setModel('drain-review-hang', { faults: [{ kind: 'hang' }] });
    const store = createRunStore(join(dir, 'runs'), { logger: silentLogger, env: {} });
    const svc = createDjpService({ store, env: fakeEnv(fake, ['openai']), surface: 'test', retry: { baseDelayMs: 10 } });
    const starting = svc.startRun({ task: 't', debaters: [{ provider: 'openai', model: 'drain-review-hang' }], judge: { provider: 'openai', model: 'drain-review-hang' }, timeout_s: 60 }, ctx);
    await svc.drain(300); // SIGTERM arrives while the start is still being prepared
    const { id } = await starting;
    expect(svc.inFlight()).toBe(0);
    expect((await svc.getRun(id)).interrupted).toMatch(/shutdown/);
    expect((await store.load(id)).interrupted).toMatch(/shutdown/);
  });

  it('drain with nothing running or starting returns at once', async () => {
    const store = createRunStore(join(dir, 'runs2'), { logger: silentLogger, env: {} });
    const svc = createDjpService({ store, env: {}, surface: 'test' });
    const t = Date.now();
    await svc.drain(5000);
    expect(Date.now() - t).toBeLessThan(1000);
  });
});
