// A finished run's events leave memory as soon as it is saved (they used to stay 5 minutes, ~47 KB a
// run): reads and replays then come from the store, and a client resuming its event stream gets an
// answer consistent with the live stream it saw (the live numbering has one seq per token delta, the
// replay from the artifact far fewer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { events, readSse } from './http-helpers.js';
import { follow, getArtifact, startRealStack, type RealStack } from './real-service.js';

let fake: FakeLlmServer;
let s: RealStack;
beforeAll(async () => {
  // A long answer in many chunks: the live stream has many draft.delta events (the stream redactor
  // holds back only a short tail), the artifact's replay one per draft.
  const text = JSON.stringify({ answer: 'Server-Sent Events stream text over HTTP. '.repeat(60), evidence: ['MDN'], confidence: 0.7, safety_flags: [] });
  fake = await startFakeLlmServer({ models: { 'gpt-fake': { latencyMs: 150, chunks: 30, text }, 'claude-fake': { latencyMs: 150, chunks: 30, text }, 'judge-fake': { latencyMs: 50 } } });
  s = await startRealStack({
    env: { OPENAI_API_KEY: 'sk-test-finished-000000000000', OPENAI_BASE_URL: fake.openaiBaseURL, ANTHROPIC_API_KEY: 'sk-ant-test-finished-0000000', ANTHROPIC_BASE_URL: fake.anthropicBaseURL },
  });
});
afterAll(async () => {
  await s.close();
  await fake.close();
});

const request = { task: 'Explain SSE.', debaters: [{ provider: 'openai', model: 'gpt-fake' }, { provider: 'anthropic', model: 'claude-fake' }], judge: { provider: 'openai', model: 'judge-fake' } };

describe('a saved run leaves memory', () => {
  it('reads come from the store at once; resuming answers from the artifact with the live stream numbering', async () => {
    const res = await fetch(s.base + '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const live = await follow(s.base, id);
    const final = live.at(-1)!;
    expect(final.type).toBe('run.done');
    expect(live.filter((e) => e.type === 'draft.delta').length).toBeGreaterThan(4);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.service.inFlight()).toBe(0);

    // Another replica changes the stored artifact: this process serves the stored version, not a copy it kept.
    const stored = await s.store.load(id);
    await s.store.update({ ...stored, publish: { ...stored.publish, reason: 'changed by another replica' } });
    expect((await getArtifact(s.base, id)).publish.reason).toBe('changed by another replica');

    // Resume with the live stream's last id: nothing more (204, EventSource stops reconnecting).
    const done = await fetch(`${s.base}/api/runs/${id}/events`, { headers: { 'last-event-id': String(final.seq) } });
    expect(done.status).toBe(204);
    // Resume from the middle of the live stream: the run.done, at its live seq; the UI then loads the artifact.
    const mid = events(await readSse(await fetch(`${s.base}/api/runs/${id}/events`, { headers: { 'last-event-id': '3' } })));
    expect(mid.map((e) => [e.type, e.seq])).toEqual([['run.done', final.seq]]);
    // A full replay comes from the artifact (one delta per draft) and still ends at the live seq.
    const replay = events(await readSse(await fetch(`${s.base}/api/runs/${id}/events`)));
    expect(replay.length).toBeLessThan(live.length);
    expect(replay[0]!.type).toBe('run.started');
    expect(replay.filter((e) => e.type === 'draft.delta')).toHaveLength(2);
    expect([replay.at(-1)!.type, replay.at(-1)!.seq]).toEqual(['run.done', final.seq]);
    // …and a client that got that replay's end resumes to 204 as well.
    expect((await fetch(`${s.base}/api/runs/${id}/events`, { headers: { 'last-event-id': String(replay.at(-1)!.seq) } })).status).toBe(204);
  });

  it('a deleted run is gone for the event stream too', async () => {
    const res = await fetch(s.base + '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    const { id } = (await res.json()) as { id: string };
    await follow(s.base, id);
    expect((await fetch(`${s.base}/api/runs/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${s.base}/api/runs/${id}/events`)).status).toBe(404);
  });
});
