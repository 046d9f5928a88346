// Batches over real HTTP with the real service and a real local run store: the routes the operation
// table derives for createBatch / listBatches / getBatch / getBatchResults, their status codes and
// the 400 naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchDetail, BatchInfo, BatchResultsFile } from '../../shared/api/index.js';
import { startRealStack, type RealStack } from './real-service.js';

let s: RealStack;

beforeAll(async () => {
  s = await startRealStack({ env: {} }); // no keys: the offline provider
});
afterAll(async () => {
  await s.close();
});

const json = (method: string, path: string, body?: unknown) =>
  fetch(s.base + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

describe('batches over HTTP', () => {
  it('POST /api/batches → 202; GET the batch until done; results as CSV; listed', async () => {
    const res = await json('POST', '/api/batches', { source: 'key,task\nq1,Name a river\nq2,Name a mountain\n', name: 'geo.csv', concurrency: 2 });
    expect(res.status, await res.clone().text()).toBe(202);
    const created = BatchInfo.parse(await res.json());
    expect(created).toMatchObject({ rows: 2, name: 'geo.csv', running: true });
    let d = BatchDetail.parse(await (await json('GET', `/api/batches/${created.id}`)).json());
    for (let i = 0; i < 200 && !d.complete; i++) {
      await new Promise((r) => setTimeout(r, 50));
      d = BatchDetail.parse(await (await json('GET', `/api/batches/${created.id}`)).json());
    }
    expect(d.complete).toBe(true);
    expect(d.row_results.map((r) => [r.row, r.key, r.status])).toEqual([
      [2, 'q1', 'published'],
      [3, 'q2', 'published'],
    ]);
    const run = await json('GET', `/api/runs/${d.row_results[0]!.run_id}`);
    expect(run.status).toBe(200);
    const file = BatchResultsFile.parse(await (await json('GET', `/api/batches/${created.id}/results?format=csv`)).json());
    expect(file.content_type).toBe('text/csv; charset=utf-8');
    expect(Buffer.from(file.base64, 'base64').toString('utf8').split('\n')[1]).toMatch(/^2,q1,1,[0-9A-Z]{26},published,offline\//);
    const list = (await (await json('GET', '/api/batches')).json()) as BatchInfo[];
    expect(list.map((b) => b.id)).toContain(created.id);
  });

  it('bad input: 400 naming the field; unknown batch 404; bad results format 400', async () => {
    const bad = await json('POST', '/api/batches', { source: 'key,task\nk1,\n' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; message: string; field?: string } };
    expect(body.error.message).toBe('row 2, column "task": must not be empty');
    expect(body.error.field).toBe('task');
    const unknownField = await json('POST', '/api/batches', { source: 'a\n', format: 'txt', bogus: 1 });
    expect(unknownField.status).toBe(400);
    const conc = await json('POST', '/api/batches', { source: 'a\n', format: 'txt', concurrency: 0 });
    expect(((await conc.json()) as { error: { field?: string } }).error.field).toBe('concurrency');
    expect((await json('GET', '/api/batches/no-such-batch')).status).toBe(404);
    expect((await json('GET', '/api/batches/bad%20id')).status).toBe(400);
    const created = BatchInfo.parse(await (await json('POST', '/api/batches', { rows: [{ task: 'x' }], dry_run: true })).json());
    expect(created.dry_run).toBe(true);
    expect((await json('GET', `/api/batches/${created.id}`)).status).toBe(404); // a dry run stores nothing
  });
});
