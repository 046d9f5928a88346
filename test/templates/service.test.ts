// The template and export operations of the service (what the CLI, HTTP and IPC carry).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DjpError, type RunEvent } from '../../shared/api/index.js';
import { createRunStore } from '../../shared/artifacts/index.js';
import { createDjpService } from '../../shared/service/index.js';

const dir = mkdtempSync(join(tmpdir(), 'djp-tpl-svc-'));
const env = { RUNS_DIR: join(dir, 'runs') };
const svc = createDjpService({ store: createRunStore(env.RUNS_DIR, { env }), env, surface: 'test' });
const ctx = { identity: { user: 'carol@example.com', source: 'proxy' as const } };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reject = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as DjpError);

describe('service: templates and export', () => {
  it('previewTemplate renders with the values and projects the cost with the template defaults', async () => {
    const quick = await svc.previewTemplate({ id: 'release-notes', vars: { product: 'Acme', version: '2.4.0', changes: 'feat: saved searches for agents' } });
    expect(quick.task).toContain('Write release notes for Acme 2.4.0 for end users.');
    expect(quick.vars).toMatchObject({ audience: 'end users', docs_url: '' });
    // release-notes uses preset quick: two debaters plus the judge, drafts capped at 600 tokens.
    expect(quick.projection.calls.filter((c) => c.stage === 'debate')).toHaveLength(2);
    expect(quick.projection.calls.find((c) => c.stage === 'debate')?.output_tokens).toBe(600);
    const thorough = await svc.previewTemplate({ id: 'code-review', vars: { code: 'let x = 1;' } });
    expect(thorough.projection.calls.filter((c) => c.stage === 'debate').length).toBeGreaterThan(2);
    expect((await reject(svc.previewTemplate({ id: 'release-notes', vars: { product: 'Acme', version: 'two', changes: 'feat: something new' } })))?.field).toBe('vars.version');
  });

  it('listTemplates, getTemplate, saveTemplate (saved_by is the caller)', async () => {
    expect((await svc.listTemplates({ tag: 'support' })).templates.map((t) => t.id)).toEqual(['customer-reply']);
    const saved = await svc.saveTemplate({ id: 'hello', title: 'Hello', inputs: [{ name: 'name', type: 'string', required: true }], body: 'Say hello to {{ name }}' }, ctx);
    expect(saved).toMatchObject({ id: 'hello', version: 1, saved_by: 'carol@example.com' });
    expect((await svc.getTemplate('hello')).body).toBe('Say hello to {{ name }}');
    expect((await svc.getTemplate('code-review', { version: 1 })).version).toBe(1);
    expect((await reject(svc.getTemplate('code-review', { version: 0 })))?.field).toBe('version');
    expect((await reject(svc.listTemplates({ tag: 'x', nope: 1 } as never)))?.code).toBe('invalid');
  });

  it('exportRun: md/html/docx of a saved run; a bad format names the field; an unknown run is not_found', async () => {
    const { id } = await svc.startRun({ template: { id: 'hello', vars: { name: 'Ada' } } }, ctx);
    await new Promise<RunEvent>((resolve) => void svc.subscribe(id, (e) => (e.type === 'run.done' || e.type === 'run.error') && resolve(e)));
    const md = await svc.exportRun(id, { format: 'md' });
    expect(Buffer.from(md.base64, 'base64').toString()).toContain('> Say hello to Ada');
    const docx = await svc.exportRun(id, { format: 'docx' });
    expect(docx.filename).toBe(`djp-run-${id}.docx`);
    expect(Buffer.from(docx.base64, 'base64').subarray(0, 2).toString()).toBe('PK');
    expect(docx.content_type).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(await reject(svc.exportRun(id, { format: 'pdf' } as never))).toMatchObject({ code: 'invalid', field: 'format' });
    expect((await reject(svc.exportRun('01JZZZZZZZZZZZZZZZZZZZZZZZ', { format: 'md' })))?.code).toBe('not_found');
  });
});
