import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { isRunId, newRunId, pooledRandom } from '../../shared/artifacts/ids.js';

describe('run ids', () => {
  it('draw their random part from the pooled OS bytes: every character equally likely, across pool refills', () => {
    // 12,000 ids made in different milliseconds (no monotonic increment): 192,000 random characters,
    // drawn through ~47 refills of the 4 KiB pool.
    const counts = new Map<string, number>();
    for (let i = 0; i < 12_000; i++) for (const c of newRunId(1_700_000_000_000 + i).slice(10)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (12_000 * 16) / 32;
    // chi-square with 31 degrees of freedom: 99.99th percentile ≈ 70; a PRNG stuck on part of the
    // alphabet (or a biased byte → character map) is far above it
    const chi = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    expect(chi).toBeLessThan(70);
    const xs = Array.from({ length: 10_000 }, () => pooledRandom());
    expect(xs.every((x) => x >= 0 && x < 1 && Number.isInteger(x * 256))).toBe(true);
    expect(new Set(xs).size).toBe(256);
  });

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
