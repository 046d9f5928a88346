import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { isRunId, newRunId } from '../../shared/artifacts/ids.js';

describe('run ids', () => {
  it('never collide in the same millisecond and sort in creation order', () => {
    const t = Date.now();
    const ids = Array.from({ length: 5000 }, () => newRunId(t));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every(isRunId)).toBe(true);
  });

  it('stay unique under concurrency (many async producers)', async () => {
    const batches = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i % 3));
        return Array.from({ length: 100 }, () => newRunId());
      }),
    );
    const all = batches.flat();
    expect(new Set(all).size).toBe(all.length);
    for (const b of batches) expect([...b].sort()).toEqual(b);
  });

  it('stay unique across threads making ids in the same millisecond (each with its own factory)', async () => {
    const at = Date.now();
    // The worker loads the TypeScript module through tsx's loader API (workers do not inherit vitest's).
    const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const boot = `const { register } = await import(${JSON.stringify(tsxApi)}); register(); await import(${JSON.stringify(new URL('./ids-worker.ts', import.meta.url).href)});`;
    const worker = () =>
      new Promise<string[]>((resolve, reject) => {
        const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: { count: 2000, at } });
        w.once('message', resolve);
        w.once('error', reject);
      });
    const lists = await Promise.all([worker(), worker(), worker(), worker()]);
    lists.push(Array.from({ length: 2000 }, () => newRunId(at)));
    const all = lists.flat();
    expect(all).toHaveLength(10_000);
    expect(new Set(all).size).toBe(all.length);
    // all carry the same time prefix: uniqueness comes from the random part, not the clock
    expect(new Set(all.map((id) => id.slice(0, 10))).size).toBe(1);
  }, 60_000);

  it('are time-sortable across milliseconds', () => {
    const a = newRunId(Date.parse('2026-01-01T00:00:00Z'));
    const b = newRunId(Date.parse('2026-01-01T00:00:01Z'));
    expect(a < b).toBe(true);
  });
});
