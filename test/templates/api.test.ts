// The template and export operations over real HTTP through the real service (table-driven routes).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportedFile, TemplateList, TemplatePreview, TemplateRecord } from '../../shared/api/index.js';
import { follow, getArtifact, startRealStack, type RealStack } from '../server/real-service.js';

let s: RealStack;
beforeAll(async () => {
  s = await startRealStack();
});
afterAll(async () => {
  await s?.close();
});

const json = { 'content-type': 'application/json' };
const post = (path: string, body: unknown) => fetch(`${s.base}${path}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
const get = (path: string) => fetch(`${s.base}${path}`);

describe('templates API', () => {
  it('GET /api/templates searches and filters; GET /api/templates/{id} (?version); unknown → 404, bad id → 400', async () => {
    const list = TemplateList.parse(await (await get('/api/templates?tag=review&q=security')).json());
    expect(list.templates.map((t) => t.id)).toEqual(['code-review']);
    const one = await get('/api/templates/code-review?version=1');
    expect(one.status).toBe(200);
    expect(TemplateRecord.parse(await one.json())).toMatchObject({ id: 'code-review', version: 1, source: 'builtin' });
    const missing = await get('/api/templates/no-such-template');
    expect(missing.status).toBe(404);
    const badVersion = await get('/api/templates/code-review?version=abc');
    expect(badVersion.status).toBe(400);
    expect(((await badVersion.json()) as { error: { field: string } }).error.field).toBe('version');
    expect((await get('/api/templates/Not_An_Id')).status).toBe(400);
  });

  it('POST /api/templates saves the next version (201); an invalid one is 400 naming inputs[i].field', async () => {
    const doc = { id: 'api-hello', title: 'Hello', inputs: [{ name: 'name', type: 'string', required: true }], body: 'Say hello to {{ name }}' };
    const r1 = await post('/api/templates', doc);
    expect(r1.status).toBe(201);
    expect(TemplateRecord.parse(await r1.json())).toMatchObject({ id: 'api-hello', version: 1, source: 'store', saved_by: expect.any(String) });
    expect(TemplateRecord.parse(await (await post('/api/templates', { ...doc, title: 'Hello 2' })).json()).version).toBe(2);
    const bad = await post('/api/templates', { ...doc, inputs: [{ name: 'name', type: 'string', pattern: '(' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string; message: string } }).error).toMatchObject({ field: 'inputs[0].pattern', message: expect.stringContaining('not a valid regular expression') });
  });

  it('POST /api/templates/preview renders and projects; POST /api/runs with a template runs it; bad vars are 400 naming the variable', async () => {
    const preview = await post('/api/templates/preview', { id: 'api-hello', vars: { name: 'Ada' } });
    expect(preview.status).toBe(200);
    const p = TemplatePreview.parse(await preview.json());
    expect(p).toMatchObject({ id: 'api-hello', version: 2, task: 'Say hello to Ada' });
    expect(p.projection.total_tokens).toBeGreaterThan(0);

    const bad = await post('/api/runs', { template: { id: 'api-hello', vars: {} } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('vars.name');
    const unknown = await post('/api/runs', { template: { id: 'api-hello', version: 9, vars: { name: 'x' } } });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { field: string } }).error.field).toBe('template.version');

    const started = await post('/api/runs', { template: { id: 'api-hello', version: 1, vars: { name: 'Ada' } }, max_tokens: 300 });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    await follow(s.base, id);
    const a = await getArtifact(s.base, id);
    expect(a.template).toEqual({ id: 'api-hello', version: 1, source: 'store', vars: { name: 'Ada' } });
    expect(a.task).toBe('Say hello to Ada');

    // GET /api/runs/{id}/export?format=docx|md; a bad format is 400 naming it.
    const exp = await get(`/api/runs/${id}/export?format=docx`);
    expect(exp.status).toBe(200);
    const file = ExportedFile.parse(await exp.json());
    expect(file).toMatchObject({ format: 'docx', filename: `djp-run-${id}.docx` });
    const path = join(mkdtempSync(join(tmpdir(), 'djp-api-export-')), file.filename);
    writeFileSync(path, Buffer.from(file.base64, 'base64'));
    expect(execFileSync('unzip', ['-p', path, 'word/document.xml'], { encoding: 'utf8' })).toContain('Say hello to Ada');
    const md = ExportedFile.parse(await (await get(`/api/runs/${id}/export?format=md`)).json());
    expect(Buffer.from(md.base64, 'base64').toString()).toContain('- **Template:** api-hello v1 (store)');
    const badFormat = await get(`/api/runs/${id}/export?format=pdf`);
    expect(badFormat.status).toBe(400);
    expect(((await badFormat.json()) as { error: { field: string } }).error.field).toBe('format');
  });

  it('the operations are in /openapi.json', async () => {
    const doc = (await (await get('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/templates'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/api/templates/{id}']?.get).toBeDefined();
    expect(doc.paths['/api/templates/preview']?.post).toBeDefined();
    expect(doc.paths['/api/runs/{id}/export']?.get).toBeDefined();
  });
});
