// Attachments over real HTTP through the real service (routes from the operation table's raw-body and
// file-response options): POST /api/attachments (raw body, X-File-Name) → 201 {id, sha256, name,
// bytes, media_type}; 413 naming DJP_ATTACHMENT_MAX_BYTES; 415; GET /api/attachments/{id} → the bytes
// as a download; the CSRF rule for uploads; the same auth as the runs; a run grounded on the upload.
import { createHash } from 'node:crypto';
import { BlockList } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunArtifact, UploadedAttachment } from '../../shared/api/index.js';
import { createProxyAuthenticator } from '../../server/auth/proxy.js';
import type { FakeLlmServer } from '../fakes/llm-server.js';
import { makePdf } from '../fixtures/make-pdf.mjs';
import { follow, startRealStack, type RealStack } from '../server/real-service.js';
import { startEchoLlm } from './helpers.js';

const LIMIT = 4096;
let fake: FakeLlmServer;
let s: RealStack;
beforeAll(async () => {
  fake = await startEchoLlm();
  const env = { OPENAI_API_KEY: 'sk-test-attach-openai-000000000', OPENAI_BASE_URL: fake.openaiBaseURL, DJP_ATTACHMENT_MAX_BYTES: String(LIMIT) };
  s = await startRealStack({ env, server: { env } });
});
afterAll(async () => {
  await s?.close();
  await fake?.close();
});

const upload = (name: string | null, body: Uint8Array | string, headers: Record<string, string> = {}) =>
  fetch(`${s.base}/api/attachments`, { method: 'POST', headers: { ...(name === null ? {} : { 'x-file-name': name }), ...headers }, body });

describe('POST /api/attachments and GET /api/attachments/{id}', () => {
  it('stores the raw bytes under their sha256 and serves them back as a download', async () => {
    const notes = Buffer.from('# Tide notes\n\nThe Pellwick tide gauge read 4.2 metres at noon.\n');
    const res = await upload('tide notes.md', notes, { 'content-type': 'application/octet-stream' });
    expect(res.status, await res.clone().text()).toBe(201);
    const up = (await res.json()) as UploadedAttachment;
    expect(up).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), sha256: createHash('sha256').update(notes).digest('hex'), name: 'tide notes.md', bytes: notes.byteLength, media_type: 'text/markdown', outbox: false });
    // Same bytes and name again: the same id (dedup); a declared content type is not trusted.
    expect(((await (await upload('tide notes.md', notes, { 'content-type': 'application/pdf' })).json()) as UploadedAttachment).id).toBe(up.id);
    // A non-ASCII name, percent-encoded in the header as the UI sends it.
    const uni = (await (await upload(encodeURIComponent('Gezeiten-Übersicht.txt'), 'Ebbe und Flut')).json()) as UploadedAttachment;
    expect(uni.name).toBe('Gezeiten-Übersicht.txt');

    const got = await fetch(`${s.base}/api/attachments/${up.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(got.headers.get('content-disposition')).toBe(`attachment; filename="tide notes.md"; filename*=UTF-8''tide%20notes.md`);
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await got.arrayBuffer()).equals(notes)).toBe(true);
    const gotUni = await fetch(`${s.base}/api/attachments/${uni.id}`);
    expect(gotUni.headers.get('content-disposition')).toBe(`attachment; filename="Gezeiten-Ubersicht.txt"; filename*=UTF-8''Gezeiten-%C3%9Cbersicht.txt`);

    const pdf = makePdf(['The Pellwick gauge was installed in 1911.']);
    const p = (await (await upload('gauge.pdf', pdf)).json()) as UploadedAttachment;
    expect(p.media_type).toBe('application/pdf');
    expect((await fetch(`${s.base}/api/attachments/${p.id}`)).headers.get('content-type')).toBe('application/pdf');

    // A run grounded on the upload, over HTTP.
    const started = await fetch(`${s.base}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'What did the Pellwick gauge read at noon?', attachments: [up.id] }) });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    await follow(s.base, id);
    const artifact = (await (await fetch(`${s.base}/api/runs/${id}`)).json()) as RunArtifact;
    expect(artifact.attachments).toEqual([{ id: up.id, sha256: up.sha256, name: up.name, bytes: up.bytes, media_type: up.media_type, source: 'request', used: true, warning: null }]);
    expect(fake.requests.some((r) => r.prompt.includes('4.2 metres at noon'))).toBe(true);
  }, 60_000);

  it('refuses what it cannot store: 413 naming the limit, 415, 400 naming the field, 404', async () => {
    const big = await upload('big.txt', Buffer.alloc(LIMIT + 1, 'a'));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'too_large', field: 'file', message: expect.stringContaining('DJP_ATTACHMENT_MAX_BYTES') } });
    const png = await upload('photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.status).toBe(415);
    expect(await png.json()).toMatchObject({ error: { code: 'unsupported_type', field: 'file' } });
    const liar = await upload('report.pdf', 'only text');
    expect(liar.status).toBe(415);
    const noName = await upload(null, 'hello');
    expect(noName.status).toBe(400);
    expect(await noName.json()).toMatchObject({ error: { code: 'invalid', field: 'file_name', message: 'file_name: the X-File-Name header is required' } });
    const empty = await upload('empty.txt', '');
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ error: { field: 'file' } });
    expect((await fetch(`${s.base}/api/attachments/nope`)).status).toBe(400);
    const missing = await fetch(`${s.base}/api/attachments/${'0'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found', field: 'id' } });
  });

  it('CSRF: a cross-site upload is refused; a same-origin one with X-File-Name passes', async () => {
    const cross = await upload('x.txt', 'hello', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' });
    expect(cross.status).toBe(403);
    const noSite = await upload('x.txt', 'hello', { origin: 'https://evil.example', 'content-type': 'text/plain' });
    expect(noSite.status).toBe(403);
    // What an HTML form can send cross-site (no custom header) is refused even from a "same-site" page.
    const form = await upload(null, 'file=hello', { 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(400);
    const same = await upload('x.txt', 'hello', { 'sec-fetch-site': 'same-origin', origin: s.base });
    expect(same.status).toBe(201);
  });

  it('the same auth as the runs: no identity, no upload and no download (401)', async () => {
    const trusted = new BlockList();
    trusted.addAddress('10.9.9.9'); // the test client (127.0.0.1) is not the trusted proxy
    const locked = await startRealStack({ auth: createProxyAuthenticator(trusted) });
    try {
      const up = await fetch(`${locked.base}/api/attachments`, { method: 'POST', headers: { 'x-file-name': 'a.txt', 'x-auth-request-email': 'eve@example.com' }, body: 'hello' });
      expect(up.status).toBe(401);
      expect((await fetch(`${locked.base}/api/attachments/${'0'.repeat(32)}`)).status).toBe(401);
      expect((await fetch(`${locked.base}/api/runs`)).status).toBe(401);
    } finally {
      await locked.close();
    }
  });
});
