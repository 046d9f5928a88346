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

  it('are time-sortable across milliseconds', () => {
    const a = newRunId(Date.parse('2026-01-01T00:00:00Z'));
    const b = newRunId(Date.parse('2026-01-01T00:00:01Z'));
    expect(a < b).toBe(true);
  });
});
