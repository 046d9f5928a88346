// Every built-in template: validates with no warnings, renders its example, and runs offline through
// the real service (real pipeline, offline provider, a local run store), recording the template.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../api/index.js';
import { createRunStore } from '../artifacts/index.js';
import { createDjpService } from '../service/index.js';
import { BUILTIN_TEMPLATES, checkTemplate, renderTemplate } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'djp-gallery-'));
const env = { RUNS_DIR: join(dir, 'runs') };
const svc = createDjpService({ store: createRunStore(env.RUNS_DIR, { env }), env, surface: 'test' });
const ctx = { identity: { user: 'tester', source: 'local' as const } };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function finished(id: string): Promise<RunEvent> {
  return new Promise((resolve, reject) => {
    void svc.subscribe(id, (e) => {
      if (e.type === 'run.done' || e.type === 'run.error') resolve(e);
    }).catch(reject);
  });
}

describe('built-in gallery', () => {
  it('has at least ten templates with distinct ids, each tagged and described', () => {
    const ids = BUILTIN_TEMPLATES.map((t) => t.id);
    expect(ids.length).toBeGreaterThanOrEqual(10);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of BUILTIN_TEMPLATES) {
      expect(t.tags?.length, t.id).toBeGreaterThan(0);
      expect(t.description?.length, t.id).toBeGreaterThan(40);
      expect(t.example, t.id).toBeDefined();
    }
  });

  for (const doc of BUILTIN_TEMPLATES) {
    it(`${doc.id}: validates, uses every input, renders its example, runs offline`, async () => {
      const r = checkTemplate(doc);
      expect(r.issues).toEqual([]);
      expect(r.warnings).toEqual([]);
      const t = r.template!;
      const rendered = renderTemplate(t, t.example ?? {});
      // Every string value given in the example reaches the task.
      for (const v of Object.values(t.example ?? {})) if (typeof v === 'string') expect(rendered.task).toContain(v);
      expect(rendered.task).not.toMatch(/\{\{|\{%/);

      const { id } = await svc.startRun({ template: { id: t.id, vars: t.example ?? {} } }, ctx);
      const done = await finished(id);
      expect(done.type).toBe('run.done');
      const a = await svc.getRun(id);
      expect(a.task).toBe(rendered.task);
      expect(a.template).toEqual({ id: t.id, version: 1, source: 'builtin', vars: rendered.vars });
      expect(a.drafts.length).toBeGreaterThan(0);
      expect(a.drafts.every((d) => d.provider === 'offline')).toBe(true);
      // The template's defaults became the run's parameters (unless the request set them).
      for (const [k, v] of Object.entries(t.defaults)) expect((a.parameters as Record<string, unknown>)[k], `${t.id} ${k}`).toEqual(v);
      if (t.defaults.require_approval) expect(a.status).toBe('pending_approval');
    });
  }
});
