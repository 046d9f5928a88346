// Three `djp serve` processes (real HTTP, tsx from source) on ONE Ceph RGW bucket — the issue's
// multi-replica acceptance test:
//   - runs started on every replica → every artifact lands, none overwritten, every replica's history agrees;
//   - approve-vs-reject races on two replicas → exactly one 200 and one 409 (naming who decided) each,
//     no run missing from history; a decision made on B is what A serves;
//   - a live run on A is in B's history and B's SSE stream follows it to run.done;
//   - kill -9 right after a 202 → after restart the run is visible as interrupted (not 404);
//   - bucket unreachable (the replica's endpoint is a proxy we stop) → history 200 with store_unreachable.
import { mkdtempSync } from 'node:fs';
import { Socket, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunArtifact, RunPage } from '../../shared/api/index.js';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';
import { sharedRgw, type SharedRgw } from '../fakes/rgw-shared.js';
import { cleanEnv, startChildServer, type ChildServer } from '../server/child-server.js';
import { readSse } from '../server/http-helpers.js';

const root = join(import.meta.dirname, '..', '..');
const RUNS = Number(process.env.DJP_REPLICA_TEST_RUNS ?? 60);
const RACES = Number(process.env.DJP_REPLICA_TEST_RACES ?? 20);
let rgw: SharedRgw;
let fake: FakeLlmServer;
const servers: ChildServer[] = [];
/** Every request comes "through the SSO proxy" (DJP_AUTH=proxy, trusted 127.0.0.1). */
const get = (url: string) => fetch(url, { headers: { 'x-auth-request-email': 'viewer@example.com' } });
const proxies: Server[] = [];

/** A TCP proxy to the gateway that can be cut: "the bucket is unreachable" for one replica only. */
async function proxyTo(target: string): Promise<{ endpoint: string; cut(): void }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const srv = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client).add(upstream);
    upstream.connect(Number(port), hostname, () => {
      client.pipe(upstream).pipe(client);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  proxies.push(srv);
  const addr = srv.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    cut() {
      srv.close();
      for (const s of sockets) s.destroy();
    },
  };
}

function serverEnv(name: string, runsDir: string, endpoint: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    ...rgw.env,
    AWS_ENDPOINT_URL_S3: endpoint,
    RUNS_DIR: runsDir,
    DJP_REPLICA_ID: name,
    DJP_OUTBOX_DIR: mkdtempSync(join(tmpdir(), `djp-replica-${name}-outbox-`)),
    DJP_FALLBACK_DIR: mkdtempSync(join(tmpdir(), `djp-replica-${name}-unsaved-`)),
    DJP_STATIC_DIR: join(tmpdir(), 'djp-no-ui'),
    OPENAI_API_KEY: 'sk-test-replicas-000000000000',
    OPENAI_BASE_URL: fake.openaiBaseURL,
    DJP_AUTH: 'proxy',
    DJP_AUTH_TRUSTED_PROXIES: '127.0.0.1',
    ...extra,
  });
}

async function start(name: string, runsDir: string, endpoint = rgw.endpoint, extra: Record<string, string> = {}): Promise<ChildServer> {
  const srv = await startChildServer({ cwd: root, args: ['--import', 'tsx', 'server/cli.ts', 'serve', '--port', '0'], env: serverEnv(name, runsDir, endpoint, extra), timeoutMs: 60_000 });
  servers.push(srv);
  return srv;
}

async function post(srv: ChildServer, path: string, body: unknown, user = 'tester@example.com'): Promise<Response> {
  return fetch(`${srv.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-request-email': user }, body: JSON.stringify(body) });
}

async function startRun(srv: ChildServer, body: Record<string, unknown>): Promise<string> {
  const res = await post(srv, '/api/runs', body);
  expect(res.status, await res.clone().text()).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function waitDone(srv: ChildServer, id: string): Promise<void> {
  const res = await get(`${srv.url}/api/runs/${id}/events`);
  expect(res.status).toBe(200);
  await readSse(res, (e) => e.event === 'run.done' || e.event === 'run.error');
}

async function history(srv: ChildServer, query = ''): Promise<RunPage['runs']> {
  const out: RunPage['runs'] = [];
  let cursor: string | null = null;
  do {
    const res = await get(`${srv.url}/api/runs?limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as RunPage;
    out.push(...page.runs);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

async function getRun(srv: ChildServer, id: string): Promise<{ status: number; body: RunArtifact & { error?: { code: string; message: string } } }> {
  const res = await get(`${srv.url}/api/runs/${id}`);
  return { status: res.status, body: (await res.json()) as RunArtifact & { error?: { code: string; message: string } } };
}

beforeAll(async () => {
  rgw = await sharedRgw();
  fake = await startFakeLlmServer({ models: {} });
  fake.setModel('slow-model', { latencyMs: 1500 });
}, 180_000);

afterAll(async () => {
  for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.exited));
  for (const p of proxies) p.close();
  await fake?.close();
});

describe('three replicas on one RGW bucket', () => {
  const prefix = () => `s3://${rgw.bucket}/replicas-${process.pid}-${Date.now()}`;

  it(`${RUNS} runs over three replicas → ${RUNS} artifacts, none overwritten, every history agrees; approve-vs-reject races → one 200 + one 409 each`, async () => {
    const runsDir = prefix();
    const [a, b, c] = [await start('A', runsDir), await start('B', runsDir), await start('C', runsDir)];
    const reps = [a!, b!, c!];
    const ids: string[] = [];
    const batch = 10;
    for (let i = 0; i < RUNS; i += batch) {
      const started = await Promise.all(
        Array.from({ length: Math.min(batch, RUNS - i) }, (_, j) => startRun(reps[(i + j) % 3]!, { task: `replica run ${i + j}`, require_approval: (i + j) < RACES })),
      );
      ids.push(...started);
      await Promise.all(started.map((id, j) => waitDone(reps[(i + j) % 3]!, id)));
    }
    expect(new Set(ids).size).toBe(RUNS);
    // Every replica's history lists the same RUNS runs.
    const lists = await Promise.all(reps.map((r) => history(r)));
    for (const l of lists) expect(l.map((r) => r.id).sort()).toEqual([...ids].sort());
    // Every artifact holds its own task (none overwritten by another run).
    for (const [n, id] of ids.entries()) {
      const { status, body } = await getRun(reps[n % 3]!, id);
      expect(status).toBe(200);
      expect(body.task).toBe(`replica run ${n}`);
    }

    // Races: approve on one replica, reject on another, at the same moment.
    let oks = 0;
    let conflicts = 0;
    for (let i = 0; i < RACES; i++) {
      const id = ids[i]!;
      const [x, y] = [reps[i % 3]!, reps[(i + 1) % 3]!];
      const [r1, r2] = await Promise.all([post(x, `/api/runs/${id}/approve`, { reason: 'ok' }, 'bob@example.com'), post(y, `/api/runs/${id}/reject`, { reason: 'no' }, 'eve@example.com')]);
      const statuses = [r1.status, r2.status].sort();
      expect(statuses).toEqual([200, 409]);
      oks++;
      conflicts++;
      const loser = r1.status === 409 ? r1 : r2;
      const winnerUser = r1.status === 200 ? 'bob@example.com' : 'eve@example.com';
      const body = (await loser.json()) as { error: { message: string } };
      expect(JSON.stringify(body)).toContain(`by ${winnerUser}`);
      // All three replicas serve the winning decision.
      for (const r of reps) expect((await getRun(r, id)).body.approval.decided_by).toBe(winnerUser);
    }
    expect([oks, conflicts]).toEqual([RACES, RACES]);
    const after = await Promise.all(reps.map((r) => history(r)));
    for (const l of after) {
      expect(l.map((r) => r.id).sort()).toEqual([...ids].sort()); // 0 runs missing
      expect(l.filter((r) => r.status === 'pending_approval')).toHaveLength(0);
    }
  }, 600_000);

  it('a live run on A shows in B\'s history, and B\'s event stream follows it to run.done', async () => {
    const runsDir = prefix();
    const [a, b] = [await start('LA', runsDir), await start('LB', runsDir)];
    const id = await startRun(a, { task: 'slow live run', debaters: [{ provider: 'openai', model: 'slow-model' }], judge: { provider: 'openai', model: 'slow-model' } });
    const onB = await history(b);
    expect(onB.find((r) => r.id === id)).toMatchObject({ live: { state: 'running', replica: 'LA' } });
    expect((await getRun(b, id)).status).toBe(409); // still running (on replica LA)
    const res = await get(`${b.url}/api/runs/${id}/events`);
    expect(res.status).toBe(200);
    const events = await readSse(res, (e) => e.event === 'run.done' || e.event === 'run.error');
    expect(events.map((e) => e.event)).toContain('run.started');
    expect(events.at(-1)?.event).toBe('run.done');
    expect((await getRun(b, id)).status).toBe(200);
    expect((await history(b)).find((r) => r.id === id)?.live).toBeUndefined();
  }, 120_000);

  it('kill -9 right after a 202 → after a restart the run is visible as interrupted, not 404', async () => {
    const runsDir = prefix();
    const a = await start('KA', runsDir);
    const id = await startRun(a, { task: 'killed mid-run', debaters: [{ provider: 'openai', model: 'slow-model' }], judge: { provider: 'openai', model: 'slow-model' } });
    a.child.kill('SIGKILL');
    await a.exited;
    const again = await start('KA', runsDir); // the same replica id: it recovers its own records
    let got = await getRun(again, id);
    for (let i = 0; i < 40 && got.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      got = await getRun(again, id);
    }
    expect(got.status).toBe(200);
    expect(got.body.interrupted).toMatch(/replica KA.*stopped before the run finished/);
    expect(got.body.task).toBe('killed mid-run');
    expect((await history(again)).map((r) => r.id)).toContain(id);
  }, 120_000);

  it('bucket unreachable → history answers 200 with cached entries and store_unreachable; /readyz is not ready', async () => {
    const runsDir = prefix();
    const proxy = await proxyTo(rgw.endpoint);
    const a = await start('DA', runsDir, proxy.endpoint);
    const id = await startRun(a, { task: 'before the outage' });
    await waitDone(a, id);
    expect((await history(a)).map((r) => r.id)).toEqual([id]);
    proxy.cut();
    const res = await get(`${a.url}/api/runs?limit=100`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as RunPage;
    expect(page.store_unreachable).toBe(true);
    expect(page.runs.map((r) => r.id)).toContain(id);
    expect((await get(`${a.url}/readyz`)).status).toBe(503);
  }, 120_000);
});
