// Attachments: type sniffing (415), limits (413), dedup, a PDF as grounding, a PDF that does not parse
// (the run warns and goes on), unknown ids, and the outbox when the cloud store fails.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDjpError, type DjpError } from '../../shared/api/index.js';
import { AttachmentStore, sniffMediaType } from '../../shared/attachments/index.js';
import { BackendRunStore, createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { JUDGE_MARKER } from '../../shared/djp/prompts.js';
import { LocalBackend } from '../../shared/storage/local.js';
import type { FakeLlmServer } from '../fakes/llm-server.js';
import { makePdf } from '../fixtures/make-pdf.mjs';
import { FaultyBackend } from '../storage/faulty-backend.js';
import { ctx, makeService, runToEnd, startEchoLlm } from './helpers.js';

let fake: FakeLlmServer;
let dir: string;
beforeAll(async () => {
  fake = await startEchoLlm();
  dir = mkdtempSync(join(tmpdir(), 'djp-attach-'));
});
afterAll(async () => fake?.close());

const fails = (f: () => unknown, code: string, field?: string): DjpError => {
  let err: unknown = null;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isDjpError(err) && err.code === code).toBe(true);
  if (field) expect((err as DjpError).field).toBe(field);
  return err as DjpError;
};

describe('sniffMediaType: the bytes decide, not the name', () => {
  it('accepts md, txt, csv, json and real PDFs', () => {
    expect(sniffMediaType('a.md', Buffer.from('# hi'))).toBe('text/markdown');
    expect(sniffMediaType('a.txt', Buffer.from('hi'))).toBe('text/plain');
    expect(sniffMediaType('a.csv', Buffer.from('a,b\n1,2\n'))).toBe('text/csv');
    expect(sniffMediaType('a.json', Buffer.from('{"a":1}'))).toBe('application/json');
    expect(sniffMediaType('a.pdf', makePdf(['hello']))).toBe('application/pdf');
  });
  it('refuses what the name lies about and anything binary (415)', () => {
    expect(fails(() => sniffMediaType('a.pdf', Buffer.from('just text')), 'unsupported_type', 'file').message).toContain('not a PDF');
    expect(fails(() => sniffMediaType('a.txt', makePdf(['x'])), 'unsupported_type').message).toContain('the content is a PDF');
    expect(fails(() => sniffMediaType('a.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2])), 'unsupported_type').message).toContain('PNG image');
    expect(fails(() => sniffMediaType('a.json', Buffer.from('{nope')), 'unsupported_type').message).toContain('not JSON');
    expect(fails(() => sniffMediaType('a.txt', Buffer.from([0x61, 0x00, 0x62])), 'unsupported_type').message).toContain('binary');
    expect(fails(() => sniffMediaType('a.exe', Buffer.from('MZ')), 'unsupported_type').message).toContain('executable');
    expect(fails(() => sniffMediaType('a.html', Buffer.from('<p>')), 'unsupported_type').message).toContain('.html');
    expect(fails(() => sniffMediaType('a.txt', Buffer.from([0xc3, 0x28])), 'unsupported_type').message).toContain('binary');
  });
});

describe('attachment limits and bad input', () => {
  it('a file over the per-file limit is too_large (413) naming the limit; over the per-run limit too', async () => {
    const store = new BackendRunStore(new LocalBackend(join(dir, 'limits')), { logger: silentLogger });
    store.attachments = new AttachmentStore(store.backend, { limits: { fileBytes: 1000, runBytes: 1500 } });
    const svc = makeService(fake, store);
    const big = await svc.uploadAttachment('big.txt', Buffer.alloc(1001, 'a'), ctx).catch((e: unknown) => e as DjpError);
    expect(big).toMatchObject({ code: 'too_large', field: 'file', httpStatus: 413 });
    expect((big as DjpError).message).toBe('big.txt: 1001 bytes is over the per-file limit of 1000 bytes (DJP_ATTACHMENT_MAX_BYTES)');
    const a = (await svc.uploadAttachment('a.txt', Buffer.alloc(900, 'a'), ctx));
    const b = (await svc.uploadAttachment('b.txt', Buffer.alloc(900, 'b'), ctx));
    const over = await svc.startRun({ task: 'x', attachments: [a.id, b.id] }, ctx).catch((e: unknown) => e as DjpError);
    expect(over).toMatchObject({ code: 'too_large', field: 'attachments' });
    expect((over as DjpError).message).toContain('DJP_ATTACHMENTS_MAX_RUN_BYTES');
    const t1 = (await runToEnd(svc, { task: 'x', attachments: [a.id] })).artifact;
    // a follow-up inherits a and counts it against the per-run limit
    const inherit = await svc.startRun({ task: 'y', follow_up_of: t1.id, attachments: [b.id] }, ctx).catch((e: unknown) => e as DjpError);
    expect(inherit).toMatchObject({ code: 'too_large', field: 'attachments' });
    const type = await svc.uploadAttachment('x.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]), ctx).catch((e: unknown) => e as DjpError);
    expect(type).toMatchObject({ code: 'unsupported_type', httpStatus: 415 });
    const unknown = await svc.startRun({ task: 'x', attachments: ['0123456789abcdef0123456789abcdef'] }, ctx).catch((e: unknown) => e as DjpError);
    expect(unknown).toMatchObject({ code: 'not_found', field: 'attachments.0' });
    const malformed = await svc.startRun({ task: 'x', attachments: ['../../etc/passwd'] }, ctx).catch((e: unknown) => e as DjpError);
    expect(malformed).toMatchObject({ code: 'invalid', field: 'attachments.0' });
    expect(await svc.uploadAttachment('../../evil.txt', Buffer.from('hi'), ctx)).toMatchObject({ name: 'evil.txt' });
  });

  it('a PDF is read as grounding; a PDF that does not parse: the run says which file and goes on', async () => {
    const store = createRunStore(join(dir, 'pdf'), { logger: silentLogger, env: {} });
    const svc = makeService(fake, store);
    const good = (await svc.uploadAttachment('survey.pdf', makePdf(['The Quillon glacier retreated 40 metres in 2023.']), ctx));
    const broken = (await svc.uploadAttachment('broken.pdf', Buffer.from('%PDF-1.4\nthis is not really a pdf\n'), ctx));
    const before = fake.requests.length;
    const { artifact, events } = await runToEnd(svc, { task: 'How far did the Quillon glacier retreat?', attachments: [good.id, broken.id] });
    expect(artifact.status).toBe('published');
    expect(artifact.attachments!.map((x) => [x.name, x.used])).toEqual([
      ['survey.pdf', true],
      ['broken.pdf', false],
    ]);
    expect(artifact.attachments![1]!.warning).toMatch(/^attachment broken\.pdf \([0-9a-f]{32}\) was left out: it cannot be read/);
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message)).toEqual([artifact.attachments![1]!.warning]);
    const prompt = fake.requests.slice(before).find((r) => !r.system.startsWith(JUDGE_MARKER))!.prompt;
    expect(prompt).toContain('[survey.pdf#1] The Quillon glacier retreated 40 metres in 2023.');
    expect(artifact.guardrails.grounding!.corpus.path).toBe('attachments');
  });
});

describe('a failed cloud write goes through the outbox', () => {
  it('upload succeeds into the outbox, reads come from it, sync pushes it and clears it', async () => {
    const inner = new LocalBackend(join(dir, 'cloud'));
    const faulty = new FaultyBackend(inner, 1, 7); // every write fails
    (faulty as { kind: string }).kind = 's3';
    const outboxDir = join(dir, 'outbox');
    const store = new BackendRunStore(faulty, { logger: silentLogger });
    store.attachments = new AttachmentStore(faulty, { outboxDir, limits: { fileBytes: 1 << 20, runBytes: 1 << 20 } });
    const svc = makeService(fake, store);
    const data = Buffer.from('Lighthouse keepers logged the fog horn at 4 a.m.');
    const r = await svc.uploadAttachment('log.txt', data, ctx);
    expect(r.outbox).toBe(true);
    expect(readdirSync(join(outboxDir, 'attachments', 'sha256'))).toEqual([r.sha256]);
    expect(Buffer.from((await svc.getAttachment(r.id)).data).toString()).toBe(data.toString());
    expect(await store.outboxCount()).toBe(1);
    expect(await store.sync()).toMatchObject({ failed: 1, remaining: 1 }); // still failing: kept
    faulty.enabled = false;
    expect(await store.sync()).toEqual({ pushed: 1, failed: 0, remaining: 0 });
    expect(Buffer.from(await inner.read(`attachments/sha256/${r.sha256}`)).toString()).toBe(data.toString());
    expect(readdirSync(join(outboxDir, 'attachments', 'sha256'))).toEqual([]);
    expect(await svc.getAttachment(r.id)).toMatchObject({ filename: 'log.txt', content_type: 'text/plain; charset=utf-8' });
  });
});
