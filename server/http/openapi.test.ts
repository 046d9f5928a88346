// /openapi.json is a valid OpenAPI 3.1 document (checked against the official 3.1 schema by
// @seriousme/openapi-schema-validator), every $ref points at a schema, and the validator rejects a
// broken one.
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from './openapi.js';

describe('OpenAPI document', () => {
  it('validates as OpenAPI 3.1 with all references resolved', async () => {
    const doc = buildOpenApi('1.2.3');
    const v = new Validator();
    const res = await v.validate(doc as unknown as Parameters<Validator["validate"]>[0]);
    expect(res.errors ?? [], JSON.stringify(res.errors, null, 1)?.slice(0, 2000)).toEqual([]);
    expect(res.valid).toBe(true);
    expect(v.version).toBe('3.1');
    // Every $ref points at a schema that exists.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    const schemas = (doc as { components: { schemas: Record<string, unknown> } }).components.schemas;
    for (const r of new Set(refs)) {
      expect(r, r).toMatch(/^#\/components\/schemas\//);
      expect(schemas[r.replace('#/components/schemas/', '')], r).toBeDefined();
    }
  });

  it('the validator does fail a broken document', async () => {
    const doc = buildOpenApi('1.2.3') as { paths: Record<string, Record<string, { responses?: unknown }>> };
    doc.paths['/api/runs']!['post']!.responses = 'accepted';
    const res = await new Validator().validate(doc as unknown as Parameters<Validator["validate"]>[0]);
    expect(res.valid).toBe(false);
  });
});
