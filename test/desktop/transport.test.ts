// The whole desktop transport end to end under plain Node: the renderer's bridge client
// (renderer/src/api/bridge.ts) → the preload's window.djp (preload-bridge.ts) → fake Electron IPC
// (structured clone) → main/ipc.ts → the real core with the offline provider. Plus the Settings
// keychain operations over the same path (keytar replaced by an in-memory store here; the real
// Secret Service is exercised in secrets.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DjpError, type KeychainStatus, type RunEvent } from '../../shared/api/index.js';
import type { DjpService } from '../../shared/service/index.js';
import { createBridgeClient, detectBridge } from '../../renderer/src/api/bridge.js';
import { createDesktopService } from '../../main/desktop-service.js';
import { registerIpc, type IpcRegistration } from '../../main/ipc.js';
import { createPreloadBridge } from '../../main/preload-bridge.js';
import { createKeychain, type KeytarLike } from '../../main/secrets.js';
import { createFakeIpc, type FakeSender } from '../../main/test-support/fake-ipc.js';

function memoryKeytar(): KeytarLike & { store: Map<string, string> } {
  const store = new Map<string, string>();
  const k = (s: string, a: string) => `${s}/${a}`;
  return {
    store,
    getPassword: async (s, a) => store.get(k(s, a)) ?? null,
    setPassword: async (s, a, p) => void store.set(k(s, a), p),
    deletePassword: async (s, a) => store.delete(k(s, a)),
    findCredentials: async (s) => [...store].filter(([key]) => key.startsWith(`${s}/`)).map(([key, password]) => ({ account: key.slice(s.length + 1), password })),
  };
}

let userData: string;
let service: DjpService;
let reg: IpcRegistration;
let win: FakeSender;
let keytar: ReturnType<typeof memoryKeytar>;

beforeEach(async () => {
  userData = await mkdtemp(path.join(os.tmpdir(), 'djp-desktop-preload-'));
  keytar = memoryKeytar();
  const keychain = createKeychain({ load: async () => keytar });
  ({ service } = createDesktopService({ userDataDir: userData, env: {}, secrets: keychain.secretSource() }));
  const ipc = createFakeIpc();
  reg = registerIpc(ipc.ipcMain, service, { identity: { user: 'tester', source: 'local' }, keys: keychain });
  win = ipc.createSender();
});

afterEach(async () => {
  reg.dispose();
  await service.drain(5_000);
  await rm(userData, { recursive: true, force: true });
});

describe('renderer client ↔ preload bridge ↔ main IPC ↔ core', () => {
  it('runs the pipeline through the renderer client: start, live events, artifact, history, errors', async () => {
    const bridge = createPreloadBridge(win.ipcRenderer);
    expect(detectBridge({ djp: bridge })).toBe(bridge);
    const client = createBridgeClient(bridge);

    const providers = await client.listProviders();
    expect(providers.find((p) => p.id === 'offline')?.configured).toBe(true);
    expect(providers.filter((p) => p.id !== 'offline' && p.id !== 'openai_compatible').every((p) => p.key_source === 'none')).toBe(true);
    const projection = await client.projectCost({ task: 'Summarise the water cycle.' });
    expect(projection.currency).toBe('USD');

    const { id } = await client.startRun({ task: 'Summarise the water cycle.' });
    const events: RunEvent[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe(
        id,
        (e) => {
          events.push(e);
          if (e.type === 'run.done' || e.type === 'run.error') resolve();
        },
        { onError: reject },
      );
    });
    expect(events[0]?.type).toBe('run.started');
    expect(events.at(-1)?.type).toBe('run.done');
    const run = await client.getRun(id);
    expect(run.id).toBe(id);
    expect(run.provenance.runtime.surface).toBe('desktop');
    const page = await client.listRuns({});
    expect(page.runs[0]?.id).toBe(id);

    // A replay is a new run with the old one's parameters.
    const replay = await client.replayRun(id);
    expect(replay.id).not.toBe(id);

    // Errors arrive as DjpError with code and field, never as a rejected IPC call.
    const invalid = await client.startRun({ task: '' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(DjpError);
    expect((invalid as DjpError).code).toBe('invalid');
    expect((invalid as DjpError).field).toBe('task');
    const missing = await client.getRun('01JAAAAAAAAAAAAAAAAAAAAAAA').catch((e: unknown) => e);
    expect((missing as DjpError).code).toBe('not_found');
    const subErr = await new Promise<unknown>((resolve) => client.subscribe('01JAAAAAAAAAAAAAAAAAAAAAAA', () => resolve('event?'), { onError: resolve }));
    expect((subErr as DjpError).code).toBe('not_found');
    await new Promise((r) => setTimeout(r, 50));
    expect(reg.subscriptions()).toBe(0);
  });

  it('a stop() from the renderer ends the main-side subscription', async () => {
    const client = createBridgeClient(createPreloadBridge(win.ipcRenderer));
    const { id } = await client.startRun({ task: 'One word for happy.' });
    let first!: () => void;
    const gotOne = new Promise<void>((r) => (first = r));
    const stop = client.subscribe(id, () => first());
    await gotOne;
    stop();
    await new Promise((r) => setTimeout(r, 20));
    expect(reg.subscriptions()).toBe(0);
  });

  it('keeps keys in the keychain: set → configured (key_source keychain) → delete; the key never crosses to the renderer', async () => {
    const bridge = createPreloadBridge(win.ipcRenderer);
    const keys = bridge.keys!;
    const client = createBridgeClient(bridge);
    const secret = 'sk-desktop-test-0123456789abcdef';

    const before = await keys.list();
    expect(before).toEqual({ ok: true, value: [
      { provider: 'openai', configured: false, store: 'os_keychain' },
      { provider: 'anthropic', configured: false, store: 'os_keychain' },
      { provider: 'google', configured: false, store: 'os_keychain' },
      { provider: 'openai_compatible', configured: false, store: 'os_keychain' },
    ] });
    expect(await keys.set('anthropic', `  ${secret}\n`)).toEqual({ ok: true });
    expect(keytar.store.get('djp-workflow/anthropic')).toBe(secret);
    const listed = (await keys.list()) as { ok: true; value: KeychainStatus[] };
    expect(listed.value.find((s) => s.provider === 'anthropic')).toEqual({ provider: 'anthropic', configured: true, store: 'os_keychain' });

    const anthropic = (await client.listProviders()).find((p) => p.id === 'anthropic');
    expect(anthropic).toMatchObject({ configured: true, key_source: 'keychain' });

    // Invalid input names the field and never echoes the key.
    const badProvider = await keys.set('openai2' as 'openai', secret);
    expect(badProvider).toMatchObject({ ok: false, error: { code: 'invalid', field: 'provider' } });
    const badKey = await keys.set('openai', `sk-with space ${secret}`);
    expect(badKey).toMatchObject({ ok: false, error: { code: 'invalid', field: 'key' } });
    expect(await keys.set('openai', '   ')).toMatchObject({ ok: false, error: { code: 'invalid', field: 'key' } });

    expect(await keys.delete('anthropic')).toEqual({ ok: true });
    expect(keytar.store.size).toBe(0);
    expect((await client.listProviders()).find((p) => p.id === 'anthropic')).toMatchObject({ configured: false, key_source: 'none' });

    // The same round trip through the renderer client's keys capability (what Settings uses).
    expect(client.keys).toBeDefined();
    await client.keys!.set('openai', secret);
    expect((await client.keys!.list()).find((s) => s.provider === 'openai')).toEqual({ provider: 'openai', configured: true, store: 'os_keychain' });
    expect((await client.listProviders()).find((p) => p.id === 'openai')).toMatchObject({ configured: true, key_source: 'keychain' });
    await expect(client.keys!.set('openai', 'with space')).rejects.toMatchObject({ code: 'invalid', field: 'key' });
    await client.keys!.delete('openai');
    expect(keytar.store.size).toBe(0);

    // Everything main sent to this window — replies and events — is free of the key.
    const wire = JSON.stringify([win.replies, win.sent]);
    expect(wire).not.toContain(secret);
    expect(wire).not.toContain('0123456789abcdef');
  });

  it('reports an unavailable keychain as an envelope, and runs still work (offline)', async () => {
    const ipc = createFakeIpc();
    const keychain = createKeychain({
      load: async () => {
        throw Object.assign(new Error("Cannot find package 'keytar'"), { code: 'ERR_MODULE_NOT_FOUND' });
      },
    });
    const { service: svc } = createDesktopService({ userDataDir: userData, env: {}, secrets: keychain.secretSource() });
    const r = registerIpc(ipc.ipcMain, svc, { identity: { user: 'tester', source: 'local' }, keys: keychain });
    const w = ipc.createSender();
    const bridge = createPreloadBridge(w.ipcRenderer);
    const listed = await bridge.keys!.list();
    expect(listed.ok).toBe(false);
    const err = (listed as { ok: false; error: { code: string; message: string } }).error;
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/keychain is not available.*keytar module is not installed/);
    expect(err.message).toContain('OPENAI_API_KEY');
    await expect(createBridgeClient(bridge).keys!.set('openai', 'sk-x')).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/keychain is not available/) });
    const providers = await createBridgeClient(bridge).listProviders();
    expect(providers.find((p) => p.id === 'openai')?.key_source).toBe('none');
    const { id } = await createBridgeClient(bridge).startRun({ task: 'still works' });
    expect(id).toMatch(/^[0-9A-Z]{26}$/);
    await svc.drain(5_000);
    r.dispose();
  });

  it('a main process without handlers gives an envelope, not a rejection', async () => {
    const ipc = createFakeIpc();
    const bridge = createPreloadBridge(ipc.createSender().ipcRenderer);
    const r = await bridge.call('info', []);
    expect(r).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const ended = await new Promise((resolve) => bridge.subscribe('x', null, () => {}, resolve));
    expect(ended).toMatchObject({ code: 'unavailable' });
  });
});
