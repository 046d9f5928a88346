import { describe, expect, it } from 'vitest';
import { DjpError, type RunEvent } from '../../../shared/api/index.js';
import { createBridgeClient, detectBridge, type BridgeError, type BridgeResult, type DjpBridge } from './bridge.js';
import { KEYCHAIN_PROVIDERS, type BridgeOperation, type DjpKeysBridge, type KeychainProvider } from '../../../shared/api/index.js';
import { EVENTS, PROVIDERS, RUN_ID, sampleArtifact } from './testdata.js';

/** A fake preload bridge: records calls, answers from a table, streams given events. */
function fakeBridge(answers: Partial<Record<BridgeOperation, BridgeResult>>, events: unknown[] = [], end: BridgeError | null = null) {
  const calls: Array<{ op: BridgeOperation; args: unknown[] }> = [];
  const subs: Array<{ runId: string; afterSeq: number | null; stopped: boolean }> = [];
  const bridge: DjpBridge = {
    version: 1,
    async call(op, args) {
      calls.push({ op, args });
      return answers[op] ?? { ok: false, error: { code: 'internal', message: `no answer for ${op}` } };
    },
    subscribe(runId, afterSeq, onEvent, onEnd) {
      const sub = { runId, afterSeq, stopped: false };
      subs.push(sub);
      queueMicrotask(() => {
        for (const e of events) if (!sub.stopped) onEvent(e);
        if (!sub.stopped) onEnd(end);
      });
      return () => {
        sub.stopped = true;
      };
    },
  };
  return { bridge, calls, subs };
}

describe('bridge transport', () => {
  it('detects only a well-formed window.djp', () => {
    expect(detectBridge({})).toBeNull();
    expect(detectBridge({ djp: { version: 2, call() {}, subscribe() {} } })).toBeNull();
    const { bridge } = fakeBridge({});
    expect(detectBridge({ djp: bridge })).toBe(bridge);
  });

  it('passes operation names and arguments through and validates results', async () => {
    const art = sampleArtifact();
    const { bridge, calls } = fakeBridge({
      startRun: { ok: true, value: { id: RUN_ID } },
      getRun: { ok: true, value: art },
      listProviders: { ok: true, value: PROVIDERS },
      approveRun: { ok: true, value: art },
      listRuns: { ok: true, value: { runs: [], next_cursor: null, skipped: 0 } },
    });
    const client = createBridgeClient(bridge);
    expect(client.transport).toBe('bridge');
    expect(await client.startRun({ task: 'Say hi', offline: true })).toEqual({ id: RUN_ID });
    expect((await client.getRun(RUN_ID)).task).toBe('Say hi');
    expect((await client.listProviders())[0]?.id).toBe('offline');
    await client.approveRun(RUN_ID, { reason: 'ok' });
    await client.listRuns({ q: 'hi', limit: 5 });
    expect(calls).toEqual([
      { op: 'startRun', args: [{ task: 'Say hi', offline: true }] },
      { op: 'getRun', args: [RUN_ID] },
      { op: 'listProviders', args: [] },
      { op: 'approveRun', args: [RUN_ID, { reason: 'ok' }] },
      { op: 'listRuns', args: [{ q: 'hi', limit: 5 }] },
    ]);
  });

  it('turns an error envelope back into a DjpError with its code and field', async () => {
    const { bridge } = fakeBridge({ startRun: { ok: false, error: { code: 'invalid', message: 'task: task must not be empty', field: 'task' } } });
    const err = await createBridgeClient(bridge).startRun({ task: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DjpError);
    expect((err as DjpError).code).toBe('invalid');
    expect((err as DjpError).field).toBe('task');
    expect((err as DjpError).httpStatus).toBe(400);
  });

  it('rejects a result that does not match the contract, naming the field', async () => {
    const { bridge } = fakeBridge({ getRun: { ok: true, value: { ...sampleArtifact(), status: 'bogus' } } });
    const err = await createBridgeClient(bridge).getRun(RUN_ID).catch((e: unknown) => e);
    expect((err as DjpError).field).toBe('status');
  });

  it('delivers events in order, drops malformed and repeated ones, stops at run.done', async () => {
    const stream = [EVENTS[0], { junk: true }, EVENTS[1], EVENTS[1], EVENTS[2], EVENTS[3], { ...EVENTS[2], seq: 9 }];
    const { bridge, subs } = fakeBridge({}, stream);
    const got: RunEvent[] = [];
    const client = createBridgeClient(bridge);
    await new Promise<void>((resolve) => {
      client.subscribe(RUN_ID, (e) => {
        got.push(e);
        if (e.type === 'run.done') resolve();
      });
    });
    expect(got.map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    expect(subs[0]).toMatchObject({ runId: RUN_ID, afterSeq: null, stopped: true });
  });

  it('resumes after a seq and reports a stream that ends with an error', async () => {
    const { bridge, subs } = fakeBridge({}, EVENTS.slice(2, 3), { code: 'not_found', message: 'no run 123' });
    const got: number[] = [];
    const err = await new Promise<DjpError>((resolve) => {
      createBridgeClient(bridge).subscribe(RUN_ID, (e) => got.push(e.seq), { afterSeq: 1, onError: resolve });
    });
    expect(subs[0]?.afterSeq).toBe(1);
    expect(got).toEqual([2]);
    expect(err.code).toBe('not_found');
    expect(err.message).toBe('no run 123');
  });
});

/** A fake keychain bridge: an in-memory store, every call recorded, optionally failing. */
function fakeKeys(fail?: BridgeError) {
  const store = new Map<KeychainProvider, string>();
  const calls: string[] = [];
  const keys: DjpKeysBridge = {
    async list() {
      calls.push('list');
      if (fail) return { ok: false, error: fail };
      return { ok: true, value: KEYCHAIN_PROVIDERS.map((provider) => ({ provider, configured: store.has(provider) })) };
    },
    async set(provider, key) {
      calls.push(`set ${provider}`);
      if (fail) return { ok: false, error: fail };
      if (!key.trim()) return { ok: false, error: { code: 'invalid', message: 'key must not be empty', field: 'key' } };
      store.set(provider, key.trim());
      return { ok: true };
    },
    async delete(provider) {
      calls.push(`delete ${provider}`);
      if (fail) return { ok: false, error: fail };
      store.delete(provider);
      return { ok: true };
    },
  };
  return { keys, store, calls };
}

describe('bridge transport: keychain capability', () => {
  it('is absent without bridge.keys (older preload) and on a malformed one', () => {
    expect(createBridgeClient(fakeBridge({}).bridge).keys).toBeUndefined();
    const bridge = { ...fakeBridge({}).bridge, keys: { list: async () => ({ ok: true }) } as unknown as DjpKeysBridge };
    expect(createBridgeClient(bridge).keys).toBeUndefined();
  });

  it('lists, sets and deletes through bridge.keys; list says configured, never the key', async () => {
    const { keys, store, calls } = fakeKeys();
    const client = createBridgeClient({ ...fakeBridge({}).bridge, keys });
    expect(client.keys).toBeDefined();
    const k = client.keys!;
    expect(await k.list()).toEqual(KEYCHAIN_PROVIDERS.map((provider) => ({ provider, configured: false })));
    await k.set('openai', 'sk-test-secret-123456');
    expect(store.get('openai')).toBe('sk-test-secret-123456');
    const listed = await k.list();
    expect(listed.find((s) => s.provider === 'openai')).toEqual({ provider: 'openai', configured: true });
    expect(JSON.stringify(listed)).not.toContain('sk-test');
    await k.delete('openai');
    expect(store.size).toBe(0);
    expect(calls).toEqual(['list', 'set openai', 'list', 'delete openai']);
  });

  it('turns error envelopes into DjpErrors with code and field', async () => {
    const message = 'The OS keychain is not available (storing a key failed: no D-Bus). Provider keys can still be set in the environment.';
    const down = createBridgeClient({ ...fakeBridge({}).bridge, keys: fakeKeys({ code: 'unavailable', message }).keys }).keys!;
    const e = await down.set('anthropic', 'sk-x').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DjpError);
    expect(e).toMatchObject({ code: 'unavailable', message });
    await expect(down.list()).rejects.toMatchObject({ code: 'unavailable' });
    await expect(down.delete('google')).rejects.toMatchObject({ code: 'unavailable' });

    const up = createBridgeClient({ ...fakeBridge({}).bridge, keys: fakeKeys().keys }).keys!;
    await expect(up.set('openai', '   ')).rejects.toMatchObject({ code: 'invalid', field: 'key' });
  });

  it('rejects a keychain list that does not match the contract, and a preload that throws', async () => {
    const keys: DjpKeysBridge = {
      list: async () => ({ ok: true, value: [{ provider: 'openai', configured: 'yes' }] }),
      set: () => Promise.reject(new Error('ipc gone')),
      delete: async () => undefined as unknown as BridgeResult,
    };
    const k = createBridgeClient({ ...fakeBridge({}).bridge, keys }).keys!;
    await expect(k.list()).rejects.toMatchObject({ code: 'internal', field: '0.configured' });
    await expect(k.set('openai', 'sk-x')).rejects.toMatchObject({ code: 'internal', message: 'ipc gone' });
    await expect(k.delete('openai')).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('keys.delete') });
  });
});
