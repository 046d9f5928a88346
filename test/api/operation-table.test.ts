// The operation table drives every transport: a trivial operation (`shout`) declared only in a test
// fixture's table — one entry plus its service method — is carried over real HTTP (route, body
// validation, status, /openapi.json), over the desktop IPC (renderer bridge client → preload bridge
// → fake Electron IPC → main/ipc.ts) and in-process, typed end to end, with no transport code for it.
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import http from 'node:http';
import {
  Bytes,
  DjpError,
  OPERATIONS,
  RawFile,
  invokeOperation,
  parseArgs,
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

// The fixture: the product's table plus two entries — a JSON one (shout) and a raw one (mirror:
// raw bytes in with a name in a header, a file out).
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
  mirror: {
    summary: 'Returns the uploaded bytes reversed, as a file named after the upload (test fixture).',
    tag: 'service',
    args: [
      { name: 'label', schema: z.string({ error: 'label is required' }).min(1, 'label is required').max(200) },
      { name: 'data', schema: Bytes },
    ],
    result: RawFile,
    label: 'mirrored file',
    context: true,
    http: {
      method: 'POST',
      path: '/api/mirror',
      status: 200,
      description: 'the bytes reversed',
      headers: { label: 'X-File-Name' },
      raw: { arg: 'data', limitEnv: 'DJP_TEST_MIRROR_MAX_BYTES', defaultLimit: 1000, field: 'data' },
      file: true,
    },
  },
} as const satisfies OperationTable;

// The service method: the only other thing the operation needs.
type ShoutApi = Pick<ApiMethodsOf<typeof TABLE>, 'shout'>;
const shout: ShoutApi['shout'] = async (note, ctx: CallContext) => ({ text: note.text.toUpperCase(), by: ctx.identity.user });
type MirrorApi = Pick<ApiMethodsOf<typeof TABLE>, 'mirror'>;
const mirror: MirrorApi['mirror'] = async (label, data, ctx) => ({
  filename: `${label}.reversed`,
  content_type: 'application/x-test; by=' + ctx.identity.user,
  data: Uint8Array.from(data).reverse(),
});
function api() {
  const calls: string[] = [];
  const base = createMemoryApi();
  return {
    ...base,
    calls,
    shout: async (...a: Parameters<typeof shout>) => (calls.push(JSON.stringify(a[0])), shout(...a)),
    // Records what arrived: the label, the bytes' type (a Uint8Array on every transport) and length.
    mirror: async (...a: Parameters<typeof mirror>) => (calls.push(`mirror ${a[0]} ${a[1] instanceof Uint8Array} ${a[1].byteLength}`), mirror(...a)),
  };
}

const BYTES = Uint8Array.from([0, 1, 2, 250, 255, 10, 13]);

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

  it('raw bodies and file results: HTTP carries the bytes, a header argument, Content-Disposition and OpenAPI binary', async () => {
    const service = api();
    const s = await startServer(service, { operations: TABLE });
    try {
      const client: ClientMethodsOf<typeof TABLE> = operationClient(TABLE, createHttpInvoke(TABLE, { baseUrl: s.base }));
      // A non-ASCII name travels percent-encoded and comes back in Content-Disposition's filename*.
      const out = await client.mirror('Öl "notes"', BYTES);
      expect(out).toEqual({ filename: 'Öl "notes".reversed', content_type: 'application/x-test; by=tester', data: Uint8Array.from(BYTES).reverse() });
      expect(service.calls).toEqual(['mirror Öl "notes" true 7']);
      // On the wire: the bytes as the body, any content type; the answer is bytes with a safe header.
      const res = await fetch(`${s.base}/api/mirror`, { method: 'POST', headers: { 'x-file-name': '../etc/pass"wd', 'content-type': 'text/plain' }, body: 'abc' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="pass_wd.reversed"; filename*=UTF-8''pass%22wd.reversed`);
      expect(await res.text()).toBe('cba');
      // The header argument is required and named, before the body is read.
      const noName = await fetch(`${s.base}/api/mirror`, { method: 'POST', body: 'abc' });
      expect(noName.status).toBe(400);
      expect(await noName.json()).toMatchObject({ error: { code: 'invalid', field: 'label', message: 'label: the X-File-Name header is required' } });
      // OpenAPI: a binary request body, the header parameter, a binary response.
      const doc = (await (await fetch(`${s.base}/openapi.json`)).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
      const op = doc.paths['/api/mirror']!['post']!;
      expect(op['requestBody']).toMatchObject({ required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } });
      expect(op['parameters']).toEqual([expect.objectContaining({ name: 'X-File-Name', in: 'header', required: true })]);
      expect(op['responses']).toMatchObject({ '200': { content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, '413': {} });
    } finally {
      await s.close();
    }
  });

  it('a raw body over its limit is refused with 413 naming the limit while it streams in, never buffered whole', async () => {
    const service = api();
    const s = await startServer(service, { operations: TABLE, env: { DJP_TEST_MIRROR_MAX_BYTES: '65536' } });
    try {
      // Declared too large: refused before a byte is read.
      const big = await fetch(`${s.base}/api/mirror`, { method: 'POST', headers: { 'x-file-name': 'a' }, body: new Uint8Array(65537) });
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({ error: { code: 'too_large', field: 'data', message: 'the upload is over the limit of 65536 bytes (DJP_TEST_MIRROR_MAX_BYTES)' } });
      // No Content-Length (chunked) and no end: the client keeps sending until the answer comes.
      // The 413 arrives while the body is still streaming, after little more than the limit.
      const { status, sent, body } = await new Promise<{ status: number; sent: number; body: string }>((resolve, reject) => {
        const url = new URL(`${s.base}/api/mirror`);
        const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'x-file-name': 'endless', 'transfer-encoding': 'chunked' } });
        let sent = 0;
        let answered = false;
        const chunk = Buffer.alloc(16 * 1024, 7);
        const pump = () => {
          while (!answered && sent < 64 * 1024 * 1024) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          if (!answered) reject(new Error('64 MB sent and no answer: the body was buffered'));
        };
        req.on('response', (res) => {
          answered = true;
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, sent, body: text });
            req.destroy();
          });
        });
        req.on('error', (e) => (answered ? undefined : reject(e)));
        pump();
      });
      expect(status).toBe(413);
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'too_large', field: 'data' } });
      expect(sent).toBeLessThan(16 * 1024 * 1024);
      expect(service.calls).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('IPC and in-process: raw bytes travel as Uint8Array, the file result comes back whole', async () => {
    const service = api();
    const fake = createFakeIpc();
    const reg = registerIpc(fake.ipcMain, service, { identity: { user: 'desk', source: 'local' }, operations: TABLE });
    try {
      const bridge = createPreloadBridge(fake.createSender().ipcRenderer);
      const client = operationClient(TABLE, createBridgeInvoke(bridge));
      expect(await client.mirror('x.bin', BYTES)).toEqual({ filename: 'x.bin.reversed', content_type: 'application/x-test; by=desk', data: Uint8Array.from(BYTES).reverse() });
      // A Node Buffer is a Uint8Array too; anything else is refused naming the argument.
      expect(await client.mirror('buf', Buffer.from('hey'))).toMatchObject({ data: Uint8Array.from(Buffer.from('yeh')) });
      await expect(client.mirror('s', 'not bytes' as unknown as Uint8Array)).rejects.toMatchObject({ code: 'invalid', field: 'data' });
      await expect(client.mirror('', BYTES)).rejects.toMatchObject({ code: 'invalid', field: 'label' });
      // In-process (the CLI's way): the same table checks, then the method.
      const args = parseArgs('mirror', TABLE.mirror, ['local', BYTES]);
      expect(await invokeOperation(service, 'mirror', TABLE.mirror, args, { identity: { user: 'cli', source: 'local' } })).toMatchObject({ filename: 'local.reversed', content_type: 'application/x-test; by=cli' });
      expect(service.calls).toEqual(['mirror x.bin true 7', 'mirror buf true 3', 'mirror local true 7']);
    } finally {
      reg.dispose();
    }
  });

  it('a table entry that a transport cannot carry fails at start, naming the operation', async () => {
    const broken = { ...OPERATIONS, lost: { ...TABLE.shout, http: { ...TABLE.shout.http, body: undefined, path: '/api/lost' } } } as unknown as OperationTable;
    await expect(startServer(api(), { operations: broken })).rejects.toThrow(/operation lost: argument note is carried neither/);
    const twice = { ...OPERATIONS, again: { ...OPERATIONS.getRun } } as OperationTable;
    await expect(startServer(api(), { operations: twice })).rejects.toThrow(/two routes for GET \/api\/runs\/:id/);
    // A raw body without a custom header would be a cross-site-form-postable upload: refused.
    const open = { ...OPERATIONS, open: { ...TABLE.mirror, args: [TABLE.mirror.args[1]], http: { ...TABLE.mirror.http, headers: undefined } } } as unknown as OperationTable;
    await expect(startServer(api(), { operations: open })).rejects.toThrow(/operation open: a raw body needs a custom request header/);
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
