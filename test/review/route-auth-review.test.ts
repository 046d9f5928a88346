// Review guard: every /api route requires a verified identity; the only routes open without one are
// the health probes and the OpenAPI document (static UI files are public by design: see server.ts).
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../server/http/routes.js';

describe('route table auth', () => {
  it('every /api route needs auth; only /healthz, /readyz and /openapi.json do not', () => {
    for (const r of ROUTES) if (r.path.startsWith('/api/') || r.path === '/api') expect(r.auth, `${r.method} ${r.path}`).toBe(true);
    const open = ROUTES.filter((r) => !r.auth).map((r) => `${r.method} ${r.path}`).sort();
    expect(open).toEqual(['GET /healthz', 'GET /openapi.json', 'GET /readyz']);
  });
});
