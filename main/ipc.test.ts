// The desktop IPC transport (main/ipc.ts) against the REAL core (createDesktopService: offline
// provider, temp userData dir) through a fake Electron IPC that structured-clones like the real one.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DjpError, RunEvent, type BridgeResult, type DjpApi, type RunArtifact } from '../shared/api/index.js';
import type { DjpService } from '../shared/service/index.js';
import { IPC_CHANNELS, type SubscriptionMessage } from './channels.js';
import { createDesktopService } from './desktop-service.js';
import { registerIpc, type IpcRegistration } from './ipc.js';
import { createFakeIpc, type FakeSender } from './test-support/fake-ipc.js';

const identity = { user: 'tester', source: 'local' as const };

let userData: string;
let service: DjpService;
let ipc: ReturnType<typeof createFakeIpc>;
let reg: IpcRegistration;
let win: FakeSender;

beforeEach(async () => {
  userData = await mkdtemp(path.join(os.tmpdir(), 'djp-desktop-ipc-'));
  ({ service } = createDesktopService({ userDataDir: userData, env: {} }));
  ipc = createFakeIpc();
  reg = registerIpc(ipc.ipcMain, service, { identity });
  win = ipc.createSender();
});

afterEach(async () => {
  reg.dispose();
  await service.drain(5_000);
  await rm(userData, { recursive: true, force: true });
});

const call = (op: string, args: unknown) => win.ipcRenderer.invoke(IPC_CHANNELS.call, op, args) as Promise<BridgeResult>;

function messagesFor(sender: FakeSender, subId: string): SubscriptionMessage[] {
  return sender.sent.filter((m) => m.channel === IPC_CHANNELS.event && m.args[0] === subId).map((m) => m.args[1] as SubscriptionMessage);
}

async function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('desktop IPC over the real core', () => {
  it('streams a run started over the bridge to the sender; its artifact is then retrievable and listed', async () => {
    const started = await call('startRun', [{ task: 'Name three uses of a paperclip.', seed: 7 }]);
    expect(started.ok).toBe(true);
    const id = (started as { ok: true; value: { id: string } }).value.id;
    expect(id).toMatch(/^[0-9A-Z]{26}$/);

    const sub = await win.ipcRenderer.invoke(IPC_CHANNELS.subscribe, 'sub-1', id, null);
    expect(sub).toEqual({ ok: true });
    await waitFor(() => messagesFor(win, 'sub-1').some((m) => m.type === 'end'), 'the end of the stream');

    const msgs = messagesFor(win, 'sub-1');
    expect(msgs.at(-1)).toEqual({ type: 'end', error: null });
    const events = msgs.filter((m) => m.type === 'event').map((m) => RunEvent.parse((m as { event: unknown }).event));
    expect(events[0]?.type).toBe('run.started');
    expect(events.at(-1)?.type).toBe('run.done');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.every((e) => e.run_id === id)).toBe(true);
    expect(events.some((e) => e.type === 'draft.done')).toBe(true);
    const done = events.at(-1) as Extract<RunEvent, { type: 'run.done' }>;
    // Runs go to <userData>/runs when RUNS_DIR is not set.
    expect(path.resolve(done.artifact).startsWith(path.join(userData, 'runs'))).toBe(true);
    expect(reg.subscriptions()).toBe(0);

    const got = await call('getRun', [id]);
    expect(got.ok).toBe(true);
    const artifact = (got as { ok: true; value: RunArtifact }).value;
    expect(artifact.id).toBe(id);
    expect(artifact.status).toBe(done.status);
    expect(artifact.provenance.runtime.surface).toBe('desktop');
    expect(artifact.provenance.identity).toEqual(identity);

    const list = (await call('listRuns', [{ limit: 5 }])) as { ok: true; value: { runs: Array<{ id: string }> } };
    expect(list.ok).toBe(true);
    expect(list.value.runs.map((r) => r.id)).toContain(id);

    const info = (await call('info', [])) as { ok: true; value: { surface: string; storage: { kind: string; location: string } } };
    expect(info.value.surface).toBe('desktop');
    expect(info.value.storage.kind).toBe('local');

    // A late subscriber after seq 2 of a saved run: its events left memory once the artifact was saved
    // (issue 11: a finished run's events are not kept), so it gets the end of the run at its live
    // number — never an event it already had — and reads the artifact for the rest.
    await win.ipcRenderer.invoke(IPC_CHANNELS.subscribe, 'sub-2', id, 2);
    await waitFor(() => messagesFor(win, 'sub-2').some((m) => m.type === 'end'), 'the replayed stream');
    const replayed = messagesFor(win, 'sub-2').filter((m) => m.type === 'event').map((m) => RunEvent.parse((m as { event: unknown }).event));
    expect(replayed.length).toBeGreaterThan(0);
    expect(replayed.every((e) => e.seq > 2 && e.run_id === id)).toBe(true);
    expect(replayed.at(-1)).toMatchObject({ type: 'run.done', seq: done.seq, status: done.status });
  });

  it('answers invalid input with {code:"invalid", field} and never calls the core with it', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['startRun', [{ task: '   ' }], 'task'],
      ['startRun', [{ task: 'ok', max_tokens: -5 }], 'max_tokens'],
      ['startRun', [{ task: 'ok', debaters: [{ provider: 'nope', model: 'x' }] }], 'debaters.0.provider'],
      ['startRun', ['not an object'], 'args'],
      ['projectCost', [{}], 'task'],
      ['getRun', [42], 'id'],
      ['getRun', [''], 'id'],
      ['cancelRun', [], 'id'],
      ['rejectRun', ['01JZZZZZZZZZZZZZZZZZZZZZZZ', {}], 'reason'],
      ['approveRun', ['01JZZZZZZZZZZZZZZZZZZZZZZZ', { reason: 'x', extra: 1 }], ''],
      ['listRuns', [{ limit: 1000 }], 'limit'],
      ['getRun', 'not-an-array', 'args'],
      ['info', [1, 2], 'args'],
      ['dropDatabase', [], 'op'],
    ];
    for (const [op, args, field] of cases) {
      const r = await call(op, args);
      expect(r.ok, `${op} ${JSON.stringify(args)}`).toBe(false);
      const err = (r as { ok: false; error: { code: string; field?: string; message: string } }).error;
      expect(err.code, `${op} ${JSON.stringify(args)}`).toBe('invalid');
      if (field) expect(err.field, `${op} ${JSON.stringify(args)}`).toBe(field);
      expect(err.message.length).toBeGreaterThan(3);
    }
    const badSub = (await win.ipcRenderer.invoke(IPC_CHANNELS.subscribe, 'x', 17, null)) as BridgeResult;
    expect(badSub).toMatchObject({ ok: false, error: { code: 'invalid', field: 'id' } });
    // The subscribe channel checks the run id with the one pattern (RunId), as HTTP and djp:call do.
    const looseId = (await win.ipcRenderer.invoke(IPC_CHANNELS.subscribe, 'x', 'run-a', null)) as BridgeResult;
    expect(looseId).toMatchObject({ ok: false, error: { code: 'invalid', field: 'id', message: 'id: "run-a" is not a run id (a 26-character ULID)' } });
    const badSeq = (await win.ipcRenderer.invoke(IPC_CHANNELS.subscribe, 'x', '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'soon')) as BridgeResult;
    expect(badSeq).toMatchObject({ ok: false, error: { code: 'invalid', field: 'afterSeq' } });
    // Nothing was started or saved.
    const list = (await call('listRuns', [])) as { ok: true; value: { runs: unknown[] } };
    expect(list.value.runs).toEqual([]);
    expect(service.inFlight()).toBe(0);
  });

  it('maps core errors to their codes: unknown run → not_found on call and on subscribe', async () => {
    const missing = '01JAAAAAAAAAAAAAAAAAAAAAAA';
    expect(await call('getRun', [missing])).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await win.ipcRenderer.invoke(IPC_CHANNELS.subscribe, 's', missing, null)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(reg.subscriptions()).toBe(0);
  });
});

describe('desktop IPC error handling and lifetime (stub core)', () => {
  function stubApi(overrides: Partial<DjpApi>): DjpApi {
    const fail = async () => {
      throw new Error('not in this stub');
    };
    return {
      startRun: fail,
      subscribe: fail,
      cancelRun: fail,
      getRun: fail,
      listRuns: fail,
      deleteRun: fail,
      approveRun: fail,
      rejectRun: fail,
      replayRun: fail,
      listProviders: fail,
      projectCost: fail,
      info: fail,
      ...overrides,
    } as DjpApi;
  }

  it('never rejects: thrown Errors, non-Error throws and DjpErrors all come back as envelopes, keys redacted', async () => {
    const fake = createFakeIpc();
    const w = fake.createSender();
    const r = registerIpc(
      fake.ipcMain,
      stubApi({
        info: async () => {
          throw new Error('upstream said: invalid key sk-proj-abcdefghijklmnop1234');
        },
        listProviders: () => {
          throw 'a bare string';
        },
        getRun: async () => {
          throw new DjpError('conflict', 'run is busy', 'id');
        },
      }),
      { identity },
    );
    const c = (op: string, args: unknown[]) => w.ipcRenderer.invoke(IPC_CHANNELS.call, op, args);
    const info = (await c('info', [])) as { ok: false; error: { code: string; message: string } };
    expect(info.ok).toBe(false);
    expect(info.error.code).toBe('internal');
    expect(info.error.message).toContain('upstream said');
    expect(info.error.message).not.toContain('abcdefghijklmnop1234');
    expect(await c('listProviders', [])).toEqual({ ok: false, error: { code: 'internal', message: 'a bare string' } });
    expect(await c('getRun', ['01JAAAAAAAAAAAAAAAAAAAAAAA'])).toEqual({ ok: false, error: { code: 'conflict', message: 'run is busy', field: 'id' } });
    // subscribe throwing synchronously inside the core
    expect(await w.ipcRenderer.invoke(IPC_CHANNELS.subscribe, 's', '01ARZ3NDEKTSV4RRFFQ69G5FAV', null)).toMatchObject({ ok: false, error: { code: 'internal' } });
    r.dispose();
    expect(fake.handlerCount()).toBe(0);
  });

  it('stops core subscriptions on unsubscribe and when the window is destroyed; refuses untrusted frames', async () => {
    const RUN = { a: '01ARZ3NDEKTSV4RRFFQ69G5FA1', b: '01ARZ3NDEKTSV4RRFFQ69G5FB2', c: '01ARZ3NDEKTSV4RRFFQ69G5FC3', x: '01ARZ3NDEKTSV4RRFFQ69G5FD4' };
    const stopped: string[] = [];
    const listeners = new Map<string, (e: RunEvent) => void>();
    const fake = createFakeIpc();
    let trusted = true;
    const r = registerIpc(
      fake.ipcMain,
      stubApi({
        subscribe: async (runId, listener) => {
          listeners.set(runId, listener);
          return () => stopped.push(runId);
        },
      }),
      { identity, isTrusted: () => trusted },
    );
    const w1 = fake.createSender();
    const w2 = fake.createSender();
    expect(await w1.ipcRenderer.invoke(IPC_CHANNELS.subscribe, 'a', RUN.a, null)).toEqual({ ok: true });
    expect(await w1.ipcRenderer.invoke(IPC_CHANNELS.subscribe, 'b', RUN.b, null)).toEqual({ ok: true });
    expect(await w2.ipcRenderer.invoke(IPC_CHANNELS.subscribe, 'a', RUN.c, null)).toEqual({ ok: true });
    expect(await w1.ipcRenderer.invoke(IPC_CHANNELS.subscribe, 'a', RUN.x, null)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(r.subscriptions()).toBe(3);

    listeners.get(RUN.a)!({ type: 'warning', message: 'hello', run_id: RUN.a, seq: 0, at: new Date().toISOString() });
    await waitFor(() => messagesFor(w1, 'a').length === 1, 'the event forwarded');
    expect(messagesFor(w2, 'a')).toHaveLength(0);

    w1.ipcRenderer.send(IPC_CHANNELS.unsubscribe, 'a');
    await waitFor(() => stopped.includes(RUN.a), 'unsubscribe');
    expect(r.subscriptions()).toBe(2);
    // An event after unsubscribe is not forwarded.
    listeners.get(RUN.a)!({ type: 'warning', message: 'late', run_id: RUN.a, seq: 1, at: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 20));
    expect(messagesFor(w1, 'a')).toHaveLength(1);

    w1.destroy();
    expect(stopped).toEqual([RUN.a, RUN.b]);
    expect(r.subscriptions()).toBe(1);
    // A window that went away is never sent to (Electron would throw).
    listeners.get(RUN.b)!({ type: 'warning', message: 'gone', run_id: RUN.b, seq: 0, at: new Date().toISOString() });

    trusted = false;
    expect(await w2.ipcRenderer.invoke(IPC_CHANNELS.call, 'info', [])).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await w2.ipcRenderer.invoke(IPC_CHANNELS.keys, 'list')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    r.dispose();
    expect(stopped).toEqual([RUN.a, RUN.b, RUN.c]);
  });
});
