// Team templates in the run store, over a local folder and an S3-protocol server (s3rver): versions
// are immutable and numbered across sources, the latest is used unless one is named, a run records
// the template id/version/values and replay re-renders them; bad input fails before any provider call.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DjpError, type RunEvent } from '../../shared/api/index.js';
import { BackendRunStore } from '../../shared/artifacts/index.js';
import { createDjpService, type DjpService } from '../../shared/service/index.js';
import type { StorageBackend } from '../../shared/storage/backend.js';
import { LocalBackend } from '../../shared/storage/local.js';
import { S3Backend } from '../../shared/storage/s3.js';
import { BUILTIN_TEMPLATES, createTemplateCatalog, templateKey, type TemplateCatalog } from '../../shared/templates/index.js';
import { fakeEnv } from '../core/helpers.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { startS3rver, type S3rverHandle } from '../fakes/s3.js';

const ctx = { identity: { user: 'alice@example.com', source: 'local' as const } };
const tmp = mkdtempSync(join(tmpdir(), 'djp-tpl-'));
let s3: S3rverHandle;
let llm: FakeLlmServer;
const closers: Array<() => Promise<void> | void> = [];
let n = 0;

beforeAll(async () => {
  [s3, llm] = await Promise.all([startS3rver(), startFakeLlmServer()]);
});
afterAll(async () => {
  for (const c of closers) await c();
  await Promise.all([s3?.stop(), llm?.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

const summary = BUILTIN_TEMPLATES.find((t) => t.id === 'executive-summary')!;

function finished(svc: DjpService, id: string): Promise<RunEvent> {
  return new Promise((resolve, reject) => {
    void svc.subscribe(id, (e) => {
      if (e.type === 'run.done' || e.type === 'run.error') resolve(e);
    }).catch(reject);
  });
}

async function rejection(p: Promise<unknown>): Promise<DjpError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(DjpError);
  return e as DjpError;
}

const stores: Array<[string, () => StorageBackend]> = [
  ['local', () => new LocalBackend(join(tmp, `local-${++n}`))],
  [
    's3 (s3rver)',
    () => {
      const b = new S3Backend({ bucket: s3.bucket, prefix: `tpl${++n}/runs`, env: s3.env });
      closers.push(() => b.close());
      return b;
    },
  ],
];

describe.each(stores)('team templates over %s', (_name, makeBackend) => {
  let backend: StorageBackend;
  let catalog: TemplateCatalog;
  let svc: DjpService;

  beforeAll(() => {
    backend = makeBackend();
    catalog = createTemplateCatalog({ backend, dir: null });
    svc = createDjpService({ store: new BackendRunStore(backend), env: {}, surface: 'test' });
  });

  it('lists the built-ins; searches title/description/tags/body; filters by tag', async () => {
    const all = await catalog.list();
    expect(all.templates.map((t) => t.id).sort()).toEqual(BUILTIN_TEMPLATES.map((t) => t.id).sort());
    expect(all.problems).toEqual([]);
    expect((await catalog.list({ tag: 'incident' })).templates.map((t) => t.id)).toEqual(['incident-postmortem']);
    // "five whys" only occurs in the postmortem body.
    expect((await catalog.list({ q: 'FIVE whys' })).templates.map((t) => t.id)).toEqual(['incident-postmortem']);
    expect((await catalog.list({ q: 'review', tag: 'code' })).templates.map((t) => t.id)).toEqual(['code-review']);
    expect((await catalog.list({ q: 'no-such-word-anywhere' })).templates).toEqual([]);
  });

  it('clone a built-in, edit, save: immutable versions 2 and 3; latest unless a version is named', async () => {
    const v2 = await catalog.save({ ...summary, title: 'Executive summary (team)', body: `${summary.body}\nUse British spelling.` }, 'alice@example.com');
    expect(v2).toMatchObject({ id: 'executive-summary', version: 2, source: 'store', saved_by: 'alice@example.com', versions: [1, 2] });
    const stored = JSON.parse(Buffer.from(await backend.read(templateKey('executive-summary', 2))).toString('utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ id: 'executive-summary', version: 2, title: 'Executive summary (team)', saved_by: 'alice@example.com' });
    const v3 = await catalog.save({ ...summary, version: 1, title: 'Executive summary v3' }, 'bob');
    expect(v3.version).toBe(3); // the number in the file is not trusted: the store assigns the next
    expect((await catalog.get('executive-summary')).title).toBe('Executive summary v3');
    expect((await catalog.get('executive-summary', 2)).title).toBe('Executive summary (team)');
    expect((await catalog.get('executive-summary', 1))).toMatchObject({ source: 'builtin', title: 'Executive summary', versions: [1, 2, 3] });
    const listed = (await catalog.list({ q: 'executive' })).templates;
    expect(listed).toEqual([expect.objectContaining({ id: 'executive-summary', version: 3, versions: [1, 2, 3], source: 'store' })]);
    // Another process (a second replica) sees the same versions through the store alone.
    const other = createTemplateCatalog({ backend, dir: null });
    expect((await other.get('executive-summary', 2)).body).toContain('British spelling');
  });

  it('a new id starts at version 1; invalid documents are refused naming the field', async () => {
    const doc = { id: 'team-standup', title: 'Standup', tags: ['team'], inputs: [{ name: 'yesterday', type: 'text', required: true }], body: 'Summarise: {{ yesterday }}' };
    expect((await catalog.save(doc, 'alice')).version).toBe(1);
    expect((await catalog.save(doc, 'alice')).version).toBe(2);
    const bad = await rejection(catalog.save({ ...doc, inputs: [{ name: 'yesterday', type: 'text', pattern: '(' }] }, 'alice'));
    expect(bad.code).toBe('invalid');
    expect(bad.field).toBe('inputs[0].pattern');
    const undef = await rejection(catalog.save({ ...doc, body: '{{ yesterday }} {{ today }}' }, 'alice'));
    expect(undef.message).toContain('"today"');
    expect(await backend.exists(templateKey('team-standup', 3))).toBe(false);
  });

  it('unknown ids and versions are not_found naming the field', async () => {
    expect(await rejection(catalog.get('no-such-template'))).toMatchObject({ code: 'not_found', field: 'template.id' });
    expect(await rejection(catalog.get('code-review', 7))).toMatchObject({ code: 'not_found', field: 'template.version' });
  });

  it('a run records template id, version and values; replay re-renders that version', async () => {
    const vars = { document: 'Revenue grew 12% and churn rose to 3.4%; the board must decide on pricing by 30 September.', audience: 'board' };
    const { id } = await svc.startRun({ template: { id: 'executive-summary', version: 2, vars }, max_tokens: 700 }, ctx);
    expect((await finished(svc, id)).type).toBe('run.done');
    const a = await svc.getRun(id);
    expect(a.template).toEqual({ id: 'executive-summary', version: 2, source: 'store', vars: { ...vars, max_words: 250, focus: ['decisions', 'risks'] } });
    expect(a.task).toContain('Use British spelling.');
    expect(a.task).toContain('for board, in at most 250 words');
    expect(a.parameters).toMatchObject({ preset: 'quick', max_tokens: 700 }); // the request wins over the template's 900
    // A later version exists (3), but replay uses version 2 and the same values.
    const { id: replayId } = await svc.replayRun(id, ctx);
    expect((await finished(svc, replayId)).type).toBe('run.done');
    const r = await svc.getRun(replayId);
    expect(r.provenance.replay_of).toBe(id);
    expect(r.template).toEqual(a.template);
    expect(r.task).toBe(a.task);
    // Without a version the latest (3) is used.
    const { id: latestId } = await svc.startRun({ template: { id: 'executive-summary', vars } }, ctx);
    await finished(svc, latestId);
    expect((await svc.getRun(latestId)).template?.version).toBe(3);
  });
});

describe('racing saves on a store with create-only writes (local)', () => {
  it('eight concurrent saves of one id get eight different versions; none is overwritten', async () => {
    const backend = new LocalBackend(join(tmp, 'race'));
    const doc = (i: number) => ({ id: 'race', title: `Race ${i}`, body: `Say ${i}` });
    // Separate catalogs: like separate processes, no shared cache.
    const saved = await Promise.all(Array.from({ length: 8 }, (_, i) => createTemplateCatalog({ backend, dir: null }).save(doc(i), `u${i}`)));
    expect(saved.map((s) => s.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const fresh = createTemplateCatalog({ backend, dir: null });
    for (const s of saved) expect((await fresh.get('race', s.version)).title).toBe(s.title);
  });
});

describe('templates from DJP_TEMPLATES_DIR', () => {
  it('serves valid files, reports invalid ones, and a store version follows the folder version', async () => {
    const dir = join(tmp, 'folder');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'triage.yaml'), 'id: bug-triage\ntitle: Bug triage\ntags: [engineering]\nversion: 4\ninputs:\n  - name: report\n    type: text\n    required: true\nbody: |\n  Triage this bug report: {{ report }}\n');
    writeFileSync(join(dir, 'broken.yaml'), 'id: broken\ntitle: Broken\ninputs:\n  - name: a\n    type: int\n    min: 9\n    max: 1\nbody: "{{ a }}"\n');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const backend = new LocalBackend(join(tmp, 'folder-store'));
    const catalog = createTemplateCatalog({ backend, dir });
    const list = await catalog.list({ tag: 'engineering' });
    expect(list.templates.find((t) => t.id === 'bug-triage')).toMatchObject({ version: 4, source: 'folder' });
    expect(list.problems).toEqual([expect.stringMatching(/broken\.yaml: .*inputs\[0\]\.min: min \(9\) is greater than max \(1\)/)]);
    const saved = await catalog.save({ id: 'bug-triage', title: 'Bug triage', inputs: [{ name: 'report', type: 'text', required: true }], body: 'Triage, with severity: {{ report }}' }, 'alice');
    expect(saved.version).toBe(5);
    // The service reads the same folder through DJP_TEMPLATES_DIR.
    const svc = createDjpService({ store: new BackendRunStore(backend), env: { DJP_TEMPLATES_DIR: dir }, surface: 'test' });
    expect((await (await svc.templateCatalog()).get('bug-triage', 4)).source).toBe('folder');
  });
});

describe('bad template input fails before any provider is called', () => {
  it('missing, wrong-typed, unknown variables and unknown templates/versions are invalid naming the field', async () => {
    const backend = new LocalBackend(join(tmp, 'bad-input'));
    const svc = createDjpService({ store: new BackendRunStore(backend), env: fakeEnv(llm, ['openai']), surface: 'test' });
    const before = llm.requests.length;
    const cases: Array<[unknown, string, RegExp]> = [
      [{ template: { id: 'incident-postmortem', vars: { service: 'api', severity: 'SEV2', incident_date: '2026-10-14' } } }, 'vars.timeline', /vars\.timeline: is required/],
      [{ template: { id: 'incident-postmortem', vars: { service: 'api', severity: 'SEV9', incident_date: '2026-10-14', timeline: 'x'.repeat(40) } } }, 'vars.severity', /one of SEV1, SEV2, SEV3, SEV4/],
      [{ template: { id: 'executive-summary', vars: { document: 'x'.repeat(60), max_words: 'lots' } } }, 'vars.max_words', /whole number \(got "lots"\)/],
      [{ template: { id: 'executive-summary', vars: { document: 'x'.repeat(60), colour: 'red' } } }, 'vars.colour', /no input "colour"/],
      [{ template: { id: 'no-such-template', vars: {} } }, 'template.id', /not found/],
      [{ template: { id: 'code-review', version: 9, vars: {} } }, 'template.version', /no version 9/],
      [{ template: { id: 'code-review', vars: { code: 'x = 1 + 1' } }, task: 'also a task' }, 'task', /either task or template/],
      [{ template: { id: 'code-review', vars: { code: [1] } } }, 'template.vars.code', /./],
    ];
    for (const [request, field, message] of cases) {
      const e = await rejection(svc.startRun(request as never, ctx));
      expect(e.code, JSON.stringify(request)).toBe('invalid');
      expect(e.field, JSON.stringify(request)).toBe(field);
      expect(e.message).toMatch(message);
      expect((await rejection(svc.projectCost(request as never))).field).toBe(field);
    }
    expect(llm.requests.length).toBe(before);
  });

  it('a templated run through real providers (fake OpenAI server) sends the rendered task', async () => {
    const backend = new LocalBackend(join(tmp, 'real-provider'));
    const svc = createDjpService({ store: new BackendRunStore(backend), env: fakeEnv(llm, ['openai']), surface: 'test', retry: { baseDelayMs: 5, maxDelayMs: 10 } });
    const before = llm.requests.length;
    const { id } = await svc.startRun({ template: { id: 'meeting-actions', vars: { notes: 'Lee will ship the fix by Friday.', meeting_date: '2026-11-02' } } }, ctx);
    expect((await finished(svc, id)).type).toBe('run.done');
    const sent = llm.requests.slice(before).map((r) => JSON.stringify(r));
    expect(sent.some((s) => s.includes('Lee will ship the fix by Friday.') && s.includes('held on 2026-11-02'))).toBe(true);
  });
});
