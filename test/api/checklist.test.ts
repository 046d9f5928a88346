// The "adding an operation" checklist (docs/CONTRIBUTING.md), checked: every entry of the operation
// table has a service method, an HTTP route or a stated reason not to, and an OpenAPI entry; the
// checklist states how many files an operation needs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { createDjpService } from '../../shared/service/index.js';
import { buildOpenApi } from '../../server/http/openapi.js';

describe('operation checklist', () => {
  it('every table entry has a service method, a route or a reason, and an OpenAPI entry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'djp-checklist-'));
    try {
      const service = createDjpService({ store: createRunStore(dir, { logger: silentLogger, env: {} }), env: {}, surface: 'test' }) as unknown as Record<string, unknown>;
      const doc = buildOpenApi('0') as { paths: Record<string, Record<string, unknown>> };
      for (const [name, def] of Object.entries(OPERATIONS) as Array<[string, { http?: { method: string; path: string }; noHttp?: string }]>) {
        expect(typeof service[name], `service method ${name}`).toBe('function');
        expect(!!def.http !== !!def.noHttp, `${name}: exactly one of http / noHttp`).toBe(true);
        if (def.http) expect(doc.paths[def.http.path.replace(/:([a-zA-Z]+)/g, '{$1}')]?.[def.http.method.toLowerCase()], `OpenAPI ${name}`).toBeDefined();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('docs/CONTRIBUTING.md states the number of files an operation needs and names the table', () => {
    const text = readFileSync(resolve(import.meta.dirname, '../../docs/CONTRIBUTING.md'), 'utf8');
    expect(text).toMatch(/An operation needs \d+ files/);
    expect(text).toContain('shared/api/operations.ts');
  });
});
