// The service is put together from domain modules (shared/service/modules): every operation of the
// table is registered by exactly one module, and a second module registering a name already taken
// fails at start, naming both modules.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { createServiceContext } from '../../shared/service/context.js';
import { createDjpService } from '../../shared/service/index.js';
import { defineModule, registerModules, SERVICE_MODULES } from '../../shared/service/modules/index.js';

const dir = mkdtempSync(join(tmpdir(), 'djp-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const options = () => ({ store: createRunStore(join(dir, 'runs'), { logger: silentLogger, env: {} }), env: {}, surface: 'test' as const });

describe('service modules', () => {
  it('each table operation is registered by exactly one module', () => {
    const ctx = createServiceContext(options());
    const owners = new Map<string, string[]>();
    for (const m of SERVICE_MODULES) for (const k of Object.keys(m.create(ctx))) owners.set(k, [...(owners.get(k) ?? []), m.name]);
    for (const op of Object.keys(OPERATIONS)) expect(owners.get(op), op).toHaveLength(1);
    expect(new Set(SERVICE_MODULES.map((m) => m.name)).size).toBe(SERVICE_MODULES.length);
  });

  it('a duplicate operation name fails at start, naming both modules', () => {
    const ctx = createServiceContext(options());
    const rogue = defineModule('rogue', () => ({ getRun: async () => ({}) as never }));
    expect(() => registerModules(ctx, [...SERVICE_MODULES, rogue])).toThrow(/service modules "runs" and "rogue" both register "getRun"/);
  });

  it('a new module adds its operation to the assembled service', async () => {
    const ctx = createServiceContext(options());
    const extra = defineModule('extra', (c) => ({ ping: async () => `pong from ${c.store.kind}` }));
    const api = registerModules(ctx, [...SERVICE_MODULES, extra]);
    await expect(api.ping()).resolves.toBe('pong from local');
    expect(typeof api.getRun).toBe('function');
  });

  it('createDjpService carries every module and the lifecycle hub', async () => {
    const svc = createDjpService(options());
    expect(svc.lifecycle.size).toBe(0);
    expect(svc.inFlight()).toBe(0);
    expect(typeof svc.replica).toBe('string');
    await expect(svc.info()).resolves.toMatchObject({ surface: 'test', storage: { kind: 'local' } });
  });
});
