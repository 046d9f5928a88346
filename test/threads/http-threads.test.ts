// Threads over real HTTP through the real service (the routes come from the operation table):
// POST /api/runs with follow_up_of, 404 naming the field, GET /api/threads (?q= any turn),
// GET /api/threads/{id} with branches, GET /api/threads/{id}/export as Markdown.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportedFile, RunArtifact, ThreadPage, ThreadView } from '../../shared/api/index.js';
import type { FakeLlmServer } from '../fakes/llm-server.js';
import { follow, startRealStack, type RealStack } from '../server/real-service.js';
import { startEchoLlm } from './helpers.js';

let fake: FakeLlmServer;
let s: RealStack;
beforeAll(async () => {
  fake = await startEchoLlm();
  s = await startRealStack({ env: { OPENAI_API_KEY: 'sk-test-threads-openai-000000000', OPENAI_BASE_URL: fake.openaiBaseURL } });
});
afterAll(async () => {
  await s?.close();
  await fake?.close();
});

const post = (path: string, body: unknown) => fetch(s.base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function run(body: Record<string, unknown>): Promise<RunArtifact> {
  const res = await post('/api/runs', body);
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await follow(s.base, id);
  return (await (await fetch(`${s.base}/api/runs/${id}`)).json()) as RunArtifact;
}

describe('threads over HTTP', () => {
  it('follow-ups, a branch, the thread list, search, view and Markdown export', async () => {
    const t1 = await run({ task: 'What is a lighthouse lens called?' });
    const t2 = await run({ task: 'Who invented the Fresnel design?', follow_up_of: t1.id });
    const t3 = await run({ task: 'When was it first installed?', follow_up_of: t2.id });
    const b = await run({ task: 'How bright is it?', follow_up_of: t1.id });
    expect([t2, t3, b].map((a) => a.thread)).toMatchObject([{ id: t1.id, turn: 2 }, { id: t1.id, turn: 3 }, { id: t1.id, turn: 2 }]);

    const missing = await post('/api/runs', { task: 'x', follow_up_of: '01J00000000000000000000000' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found', field: 'follow_up_of' } });
    const bad = await post('/api/runs', { task: 'x', follow_up_of: 'x' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid', field: 'follow_up_of' } });

    const list = await fetch(`${s.base}/api/threads?q=fresnel`);
    expect(list.status).toBe(200);
    expect(((await list.json()) as ThreadPage).threads.map((t) => [t.id, t.turns, t.branches])).toEqual([[t1.id, 4, 2]]);
    expect(((await (await fetch(`${s.base}/api/threads?q=submarine`)).json()) as ThreadPage).threads).toEqual([]);
    const view = (await (await fetch(`${s.base}/api/threads/${t1.id}`)).json()) as ThreadView;
    expect(view.branches).toEqual([
      [t1.id, t2.id, t3.id],
      [t1.id, b.id],
    ]);
    const exp = await fetch(`${s.base}/api/threads/${t1.id}/export`);
    expect(exp.status).toBe(200);
    const file = (await exp.json()) as ExportedFile;
    expect(file).toMatchObject({ format: 'md', filename: `djp-thread-${t1.id}.md` });
    const md = Buffer.from(file.base64, 'base64').toString('utf8');
    expect(md).toContain(`## Turn 3 — ${t3.id} (follows up ${t2.id})`);
    expect(md).toContain('> Who invented the Fresnel design?');

    // ?format=html / docx: the same thread through the run export's HTML and DOCX renderers.
    const html = (await (await fetch(`${s.base}/api/threads/${t1.id}/export?format=html`)).json()) as ExportedFile;
    expect(html).toMatchObject({ format: 'html', filename: `djp-thread-${t1.id}.html`, content_type: 'text/html; charset=utf-8' });
    const page = Buffer.from(html.base64, 'base64').toString('utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain(`<h2>Turn 3 — ${t3.id} (follows up ${t2.id})</h2>`);
    expect(page).not.toContain('<script');
    const docx = (await (await fetch(`${s.base}/api/threads/${t1.id}/export?format=docx`)).json()) as ExportedFile;
    expect(docx.filename).toBe(`djp-thread-${t1.id}.docx`);
    const dir = mkdtempSync(join(tmpdir(), 'djp-thread-docx-'));
    writeFileSync(join(dir, 't.docx'), Buffer.from(docx.base64, 'base64'));
    const xml = execFileSync('unzip', ['-p', join(dir, 't.docx'), 'word/document.xml'], { encoding: 'utf8' });
    expect(xml).toContain('Who invented the Fresnel design?');
    const badFormat = await fetch(`${s.base}/api/threads/${t1.id}/export?format=pdf`);
    expect(badFormat.status).toBe(400);
    expect(await badFormat.json()).toMatchObject({ error: { code: 'invalid', field: 'format' } });

    expect((await fetch(`${s.base}/api/threads/nope`)).status).toBe(400);
    const none = await fetch(`${s.base}/api/threads/01J00000000000000000000000`);
    expect(none.status).toBe(404);
    const spec = (await (await fetch(`${s.base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/threads', '/api/threads/{id}', '/api/threads/{id}/export']));
  }, 60_000);
});
