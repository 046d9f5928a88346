// Threads over the three stores: a 3-turn thread with a branch; turn 3's prompts (every debater and
// the judge, as the fake providers received them through the real SDKs) carry turn 1's task and
// published answer; the artifact's `thread`; the thread index (list, view, branches, search).
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDjpError, RunArtifact } from '../../shared/api/index.js';
import { JUDGE_MARKER } from '../../shared/djp/prompts.js';
import type { FakeLlmServer } from '../fakes/llm-server.js';
import { ctx, makeService, runToEnd, startEchoLlm, startStores, type Stores } from './helpers.js';
import { makeArtifact } from '../fakes/artifact.js';

let fake: FakeLlmServer;
let stores: Stores;

beforeAll(async () => {
  fake = await startEchoLlm();
  stores = await startStores();
}, 60_000);
afterAll(async () => {
  await fake?.close();
  await stores?.stop();
});

describe.each(['local', 's3', 'gcs'] as const)('threads over the %s store', (kind) => {
  it('3 turns and a branch: thread ids, turns, prompts carry the earlier turns, index lists and searches them', async () => {
    const k = stores.kinds.find((x) => x.name === kind)!;
    const backend = k.backend();
    const svc = makeService(fake, k.store(backend, mkdtempSync(join(tmpdir(), 'djp-outbox-'))));
    // an attachment: stored content-addressed under the store's prefix
    const notes = Buffer.from('# Planet notes\n\nJupiter has a great red spot, a storm wider than the Earth, observed since 1831 by the Keswick circle.\n');
    const up = await svc.uploadAttachment('planet-notes.md', notes, ctx);
    expect(up.outbox).toBe(false);
    const { outbox: _o, ...attachment } = up;
    expect(attachment).toMatchObject({ name: 'planet-notes.md', bytes: notes.byteLength, media_type: 'text/markdown', sha256: createHash('sha256').update(notes).digest('hex') });
    expect((await svc.uploadAttachment('planet-notes.md', notes, ctx)).id).toBe(up.id); // dedup
    expect((await backend.list({ prefix: 'attachments/' })).keys.sort()).toEqual([`attachments/meta/${up.id}.json`, `attachments/sha256/${up.sha256}`]);
    expect(backend.uri(`attachments/sha256/${up.sha256}`)).toMatch(kind === 'local' ? /\/attachments\/sha256\/[0-9a-f]{64}$/ : new RegExp(`^${kind === 's3' ? 's3' : 'gs'}://djp-test/t\\d+/runs/attachments/sha256/${up.sha256}$`));

    const t1 = (await runToEnd(svc, { task: 'Name the largest planet in the solar system', attachments: [up.id] })).artifact;
    expect(t1.thread).toEqual({ id: t1.id, parent_id: null, turn: 1, context: null });
    expect(t1.attachments).toEqual([{ ...attachment, source: 'request', used: true, warning: null }]);
    expect(t1.guardrails.grounding?.corpus.files).toEqual([{ path: 'planet-notes.md', sha256: up.sha256, bytes: notes.byteLength, chunks: 1 }]);
    expect(t1.status).toBe('published');
    const t1Answer = t1.publish.text!;
    expect(t1Answer).toContain('largest planet');

    const t2 = (await runToEnd(svc, { task: 'How many moons does it have?', follow_up_of: t1.id })).artifact;
    expect(t2.thread).toMatchObject({ id: t1.id, parent_id: t1.id, turn: 2 });
    expect(t2.thread!.context!.turns).toEqual([{ run_id: t1.id, turn: 1, answer_source: 'published', included: 'full', tokens: expect.any(Number) }]);

    const before = fake.requests.length;
    const t3 = (await runToEnd(svc, { task: 'Which of those moons is the biggest?', follow_up_of: t2.id })).artifact;
    expect(t3.thread).toMatchObject({ id: t1.id, parent_id: t2.id, turn: 3 });
    expect(t3.attachments).toEqual([{ ...attachment, source: 'inherited', used: true, warning: null }]);
    expect(t3.thread!.context!.turns.map((t) => t.run_id)).toEqual([t1.id, t2.id]);
    expect(RunArtifact.safeParse(t3).success).toBe(true);
    const turn3 = fake.requests.slice(before);
    const drafts = turn3.filter((r) => !r.system.startsWith(JUDGE_MARKER));
    const judges = turn3.filter((r) => r.system.startsWith(JUDGE_MARKER));
    expect(drafts.map((r) => r.api).sort()).toEqual(['anthropic', 'openai']);
    expect(judges.length).toBeGreaterThanOrEqual(1);
    for (const r of [...drafts, ...judges]) {
      expect(r.prompt).toContain('Name the largest planet in the solar system');
      expect(r.prompt).toContain(t1Answer);
      expect(r.prompt).toContain('How many moons does it have?');
      expect(r.prompt).toContain(t2.publish.text!);
      expect(r.prompt).toMatch(/TASK:\nWhich of those moons is the biggest\?/);
    }
    for (const r of drafts) expect(r.prompt).toContain('[planet-notes.md#1] # Planet notes Jupiter has a great red spot, a storm wider than the Earth, observed since 1831 by the Keswick circle.');

    // a branch: a second follow-up of turn 1
    const b2 = (await runToEnd(svc, { task: 'And the smallest planet?', follow_up_of: t1.id })).artifact;
    expect(b2.thread).toMatchObject({ id: t1.id, parent_id: t1.id, turn: 2 });
    const branchPrompt = fake.requests.at(-1)!.prompt;
    expect(branchPrompt).not.toContain('How many moons'); // a branch sees its own path only

    const view = await svc.getThread(t1.id);
    expect(view.turns.map((t) => t.run_id)).toEqual([t1.id, t2.id, t3.id, b2.id]);
    expect(view.branches).toEqual([
      [t1.id, t2.id, t3.id],
      [t1.id, b2.id],
    ]);
    const page = await svc.listThreads({});
    expect(page.threads).toEqual([
      expect.objectContaining({ id: t1.id, turns: 4, branches: 2, task: 'Name the largest planet in the solar system', last_status: 'published' }),
    ]);
    expect((await svc.listThreads({ q: 'MOONS does' })).threads.map((t) => t.id)).toEqual([t1.id]); // a word from turn 2
    expect((await svc.listThreads({ q: 'no such words' })).threads).toEqual([]);
    const keys = (await backend.list({ prefix: '.threads/' })).keys.sort();
    expect(keys).toEqual([t1.id, t2.id, t3.id, b2.id].sort().map((id) => `.threads/${t1.id}/${id}.json`));
  }, 60_000);
});

describe('follow-up errors and limits', () => {
  it('unknown follow_up_of is not_found naming the field; a malformed one is invalid', async () => {
    const k = stores.kinds[0]!;
    const svc = makeService(fake, k.store(k.backend(), ''));
    const e = await svc.startRun({ task: 'x', follow_up_of: '01J00000000000000000000000' }, ctx).catch((x: unknown) => x);
    expect(isDjpError(e) && e.code === 'not_found' && e.field === 'follow_up_of').toBe(true);
    expect((e as Error).message).toContain('follow_up_of: run 01J00000000000000000000000 not found');
    const bad = await svc.startRun({ task: 'x', follow_up_of: 'nope' }, ctx).catch((x: unknown) => x);
    expect(isDjpError(bad) && bad.code === 'invalid' && bad.field === 'follow_up_of').toBe(true);
  });

  it('a loop in stored parent links is refused (a thread never forms a cycle)', async () => {
    const k = stores.kinds[0]!;
    const store = k.store(k.backend(), '');
    const a = makeArtifact();
    const b = makeArtifact();
    await store.save({ ...a, thread: { id: a.id, parent_id: b.id, turn: 2, context: null } });
    await store.save({ ...b, thread: { id: a.id, parent_id: a.id, turn: 2, context: null } });
    const svc = makeService(fake, store);
    const e = await svc.startRun({ task: 'x', follow_up_of: b.id }, ctx).catch((x: unknown) => x);
    expect(isDjpError(e) && e.code === 'invalid' && e.field === 'follow_up_of').toBe(true);
    expect((e as Error).message).toContain('forms a cycle');
  });

  it('context_tokens: the oldest turns are shortened, then dropped; the artifact records it', async () => {
    const k = stores.kinds[0]!;
    const svc = makeService(fake, k.store(k.backend(), ''));
    const long = (n: number) => `Turn ${n} question ${'about the history of astronomy '.repeat(40)}`;
    let prev = (await runToEnd(svc, { task: long(1) })).artifact;
    for (let n = 2; n <= 4; n++) prev = (await runToEnd(svc, { task: long(n), follow_up_of: prev.id })).artifact;
    const roomy = (await runToEnd(svc, { task: 'summarise', follow_up_of: prev.id, context_tokens: 100_000 })).artifact.thread!.context!;
    expect(roomy.turns.map((t) => t.included)).toEqual(['full', 'full', 'full', 'full']);
    expect(roomy.dropped).toEqual([]);
    const before = fake.requests.length;
    const tight = (await runToEnd(svc, { task: 'summarise', follow_up_of: prev.id, context_tokens: 700 })).artifact.thread!.context!;
    expect(tight.budget_tokens).toBe(700);
    expect(tight.used_tokens).toBeLessThanOrEqual(700);
    expect(tight.dropped.length).toBeGreaterThan(0);
    expect(tight.turns.at(-1)!.run_id).toBe(prev.id); // the followed-up turn is kept
    expect(tight.turns.every((t) => t.included === 'shortened')).toBe(true);
    const prompt = fake.requests.slice(before).find((r) => !r.system.startsWith(JUDGE_MARKER))!.prompt;
    expect(prompt).not.toContain('Turn 1 question');
    expect(prompt).toContain('Turn 4 question');
    const none = (await runToEnd(svc, { task: 'summarise', follow_up_of: prev.id, context_tokens: 0 })).artifact.thread!.context!;
    expect(none.turns).toEqual([]);
    expect(none.dropped).toHaveLength(4);
  }, 60_000);

  it('the budget check counts the thread section: a follow-up over budget is refused before any call', async () => {
    const k = stores.kinds[0]!;
    const svc = makeService(fake, k.store(k.backend(), ''));
    const t1 = (await runToEnd(svc, { task: `Explain ${'the tides and the moon '.repeat(150)}` })).artifact;
    const bare = await svc.projectCost({ task: 'and why?' });
    const budget = bare.total_tokens + 50;
    const before = fake.requests.length;
    const over = await svc.startRun({ task: 'and why?', follow_up_of: t1.id, budget_tokens: budget }, ctx).catch((x: unknown) => x);
    expect(isDjpError(over) && over.code === 'budget_exceeded' && over.field === 'budget_tokens').toBe(true);
    expect(fake.requests.length).toBe(before);
    // the same budget is fine without the thread, and with a small context budget
    await runToEnd(svc, { task: 'and why?', budget_tokens: budget });
    await runToEnd(svc, { task: 'and why?', follow_up_of: t1.id, budget_tokens: budget, context_tokens: 0 });
  }, 60_000);

  it('an unpublished turn carries its top-ranked draft; budgets and approvals apply per turn', async () => {
    const k = stores.kinds[0]!;
    const svc = makeService(fake, k.store(k.backend(), ''));
    const t1 = (await runToEnd(svc, { task: 'Draft a launch note', require_approval: true })).artifact;
    expect(t1.status).toBe('pending_approval');
    const top = t1.drafts.find((d) => d.id === t1.judge.ranking[0])!.answer;
    const before = fake.requests.length;
    const t2 = (await runToEnd(svc, { task: 'Shorter please', follow_up_of: t1.id, require_approval: true })).artifact;
    expect(t2.thread!.context!.turns[0]!.answer_source).toBe('top_draft');
    expect(t2.status).toBe('pending_approval');
    expect(fake.requests.slice(before)[0]!.prompt).toContain(`Answer (best draft, not published): ${top}`);
    const over = await svc.startRun({ task: 'again', follow_up_of: t2.id, budget_tokens: 5 }, ctx).catch((x: unknown) => x);
    expect(isDjpError(over) && over.code === 'budget_exceeded').toBe(true);
  }, 60_000);
});
