// The operation table drives every transport: a trivial operation (`shout`) declared only in a test
// fixture's table — one entry plus its service method — is carried over real HTTP (route, body
// validation, status, /openapi.json), over the desktop IPC (renderer bridge client → preload bridge
// → fake Electron IPC → main/ipc.ts) and in-process, typed end to end, with no transport code for it.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DjpError,
  OPERATIONS,
  type ApiMethodsOf,
  type CallContext,
  type ClientMethodsOf,
  type DjpApi,
  type OperationTable,
} from '../../shared/api/index.js';
import { createBridgeInvoke } from '../../renderer/src/api/bridge.js';
import { operationClient } from '../../renderer/src/api/client.js';
import { createHttpInvoke } from '../../renderer/src/api/http.js';
import { registerIpc } from '../../main/ipc.js';
import { createPreloadBridge } from '../../main/preload-bridge.js';
import { createFakeIpc } from '../../main/test-support/fake-ipc.js';
import { createMemoryApi } from '../server/memory-api.js';
import { startServer } from '../server/http-helpers.js';

// The fixture: the product's table plus one entry.
const Note = z.object({ text: z.string().trim().min(1, 'text must not be empty').max(100) }).strict();
const Shouted = z.object({ text: z.string(), by: z.string() });
const TABLE = {
  ...OPERATIONS,
  shout: {
    summary: 'Echoes a note back in capitals (test fixture).',
    tag: 'service',
    args: [{ name: 'note', schema: Note }],
    result: Shouted,
    label: 'shouted note',
    context: true,
    http: { method: 'POST', path: '/api/shout', status: 200, description: 'the note in capitals', body: 'note' },
  },
} as const satisfies OperationTable;

// The service method: the only other thing the operation needs.
type ShoutApi = Pick<ApiMethodsOf<typeof TABLE>, 'shout'>;
const shout: ShoutApi['shout'] = async (note, ctx: CallContext) => ({ text: note.text.toUpperCase(), by: ctx.identity.user });
function api() {
  const calls: string[] = [];
  const base = createMemoryApi();
  return { ...base, calls, shout: async (...a: Parameters<typeof shout>) => (calls.push(JSON.stringify(a[0])), shout(...a)) };
}

describe('one operation table drives every transport', () => {
  it('HTTP: the route, its body check, its status and its OpenAPI entry come from the table entry', async () => {
    const service = api();
    const s = await startServer(service, { operations: TABLE });
    try {
      const client: ClientMethodsOf<typeof TABLE> = operationClient(TABLE, createHttpInvoke(TABLE, { baseUrl: s.base }));
      expect(await client.shout({ text: 'hello' })).toEqual({ text: 'HELLO', by: 'tester' });
      // Invalid input: 400 naming the field; the service never sees it.
      const err = await client.shout({ text: '  ' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DjpError);
      expect(err).toMatchObject({ code: 'invalid', field: 'text' });
      const extra = await fetch(`${s.base}/api/shout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"a","x":1}' });
      expect(extra.status).toBe(400);
      expect((await fetch(`${s.base}/api/shout`)).status).toBe(405);
      expect(service.calls).toEqual(['{"text":"hello"}']);
      const doc = (await (await fetch(`${s.base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { requestBody?: unknown; summary: string }>> };
      expect(doc.paths['/api/shout']?.['post']?.summary).toBe(TABLE.shout.summary);
      expect(doc.paths['/api/shout']?.['post']?.requestBody).toBeDefined();
      // The product's own operations are still all there.
      expect(Object.keys(doc.paths)).toContain('/api/runs/{id}/replay');
    } finally {
      await s.close();
    }
  });

  it('the product server (no fixture table) has no such route', async () => {
    const s = await startServer(api());
    try {
      expect((await fetch(`${s.base}/api/shout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"a"}' })).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('IPC: djp:call carries it with its argument checks; the bridge client gets typed results', async () => {
    const service = api();
    const fake = createFakeIpc();
    const reg = registerIpc(fake.ipcMain, service, { identity: { user: 'desk', source: 'local' }, operations: TABLE });
    try {
      const bridge = createPreloadBridge(fake.createSender().ipcRenderer);
      const client = operationClient(TABLE, createBridgeInvoke(bridge));
      expect(await client.shout({ text: 'quiet' })).toEqual({ text: 'QUIET', by: 'desk' });
      await expect(client.shout({ text: '' })).rejects.toMatchObject({ code: 'invalid', field: 'text' });
      expect(await bridge.call('shout' as never, [{ text: 'a' }, 'extra'])).toMatchObject({ ok: false, error: { code: 'invalid', field: 'args' } });
      expect(service.calls).toEqual(['{"text":"quiet"}']);
      // The product's IPC (no fixture table) refuses it as an unknown operation.
      const plain = createFakeIpc();
      const reg2 = registerIpc(plain.ipcMain, service, { identity: { user: 'desk', source: 'local' } });
      const r = await createPreloadBridge(plain.createSender().ipcRenderer).call('shout' as never, [{ text: 'a' }]);
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid', field: 'op' } });
      reg2.dispose();
    } finally {
      reg.dispose();
    }
  });

  it('a table entry that a transport cannot carry fails at start, naming the operation', async () => {
    const broken = { ...OPERATIONS, lost: { ...TABLE.shout, http: { ...TABLE.shout.http, body: undefined, path: '/api/lost' } } } as unknown as OperationTable;
    await expect(startServer(api(), { operations: broken })).rejects.toThrow(/operation lost: argument note is carried neither/);
    const twice = { ...OPERATIONS, again: { ...OPERATIONS.getRun } } as OperationTable;
    await expect(startServer(api(), { operations: twice })).rejects.toThrow(/two routes for GET \/api\/runs\/:id/);
  });

  it('types follow the table (compile-time: the expect-errors below fail `npm run typecheck` if they stop erroring)', () => {
    const check = (a: DjpApi, c: ClientMethodsOf<typeof TABLE>) => {
      // @ts-expect-error getRun takes a run id string
      void a.getRun(42);
      // @ts-expect-error rejectRun needs a reason
      void a.rejectRun('01ARZ3NDEKTSV4RRFFQ69G5FAV', {}, { identity: { user: 'u', source: 'local' } });
      // @ts-expect-error shout takes a note object
      void c.shout('loud');
      return c.shout({ text: 'x' }).then((r) => r.by.toUpperCase());
    };
    expect(typeof check).toBe('function');
  });
});
