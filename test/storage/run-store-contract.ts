// RunStore behaviour suite, run over the local, S3 and GCS backends.
import { describe, expect, it } from 'vitest';
import { DjpError, type RunArtifact } from '../../shared/api/index.js';
import { BackendRunStore } from '../../shared/artifacts/store.js';
import { INDEX_PREFIX, indexIdPrefix, indexKey } from '../../shared/artifacts/layout.js';
import type { StorageBackend } from '../../shared/storage/backend.js';
import type { StoreLogger } from '../../shared/artifacts/logger.js';
import { makeArtifact } from '../fakes/artifact.js';

export type StoreFactory = (opts?: { logger?: StoreLogger }) => Promise<{
  store: BackendRunStore;
  backend: StorageBackend;
  /** s3rver ignores If-Match: racing compare-and-swaps can both win there (and nowhere else). */
  ignoresConditionals?: boolean;
}>;

/** The decision change the service makes: applies only to a pending run, else a conflict naming who decided. */
function decision(by: string, approve: boolean): (a: RunArtifact) => RunArtifact {
  return (a) => {
    if (a.approval.state !== 'pending') throw new DjpError('conflict', `run ${a.id} was already ${a.approval.state} by ${a.approval.decided_by}`, 'id');
    return {
      ...a,
      status: approve ? 'published' : 'advisory_only',
      publish: { ...a.publish, status: approve ? 'published' : 'advisory_only' },
      approval: { required: true, state: approve ? 'approved' : 'rejected', decided_by: by, decided_at: new Date().toISOString(), reason: approve ? null : 'no' },
    };
  };
}

async function djpCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DjpError);
    return (e as DjpError).code;
  }
  return 'resolved';
}

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

export function runStoreContract(name: string, factory: StoreFactory): void {
  describe(`RunStore: ${name}`, () => {
    it('saves, loads and lists a run', async () => {
      const { store, backend } = await factory();
      const a = makeArtifact({ task: 'Write a haiku about storage' });
      const res = await store.save(a);
      expect(res.outbox).toBeNull();
      expect(res.location).toBe(backend.uri(`${a.id}.json`));
      expect(await store.load(a.id)).toEqual(a);
      const page = await store.list({});
      expect(page.runs.map((r) => r.id)).toEqual([a.id]);
      expect(page.runs[0]).toMatchObject({ task: 'Write a haiku about storage', status: 'published', providers: ['offline'] });
      expect(page.next_cursor).toBeNull();
      expect(page.skipped).toBe(0);
      expect(await backend.exists(indexKey(a))).toBe(true);
    });

    it('rejects an invalid artifact before writing anything', async () => {
      const { store, backend } = await factory();
      const bad = { ...makeArtifact(), status: 'bogus' } as unknown as RunArtifact;
      const err = await store.save(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DjpError);
      expect((err as DjpError).code).toBe('invalid');
      expect((err as DjpError).message).toContain('status');
      expect((await backend.list({})).keys).toEqual([]);
    });

    it('a second save of the same id is a conflict; the first stays', async () => {
      const { store } = await factory();
      const a = makeArtifact({ task: 'first' });
      await store.save(a);
      expect(await djpCode(store.save({ ...a, task: 'second' }))).toBe('conflict');
      expect((await store.load(a.id)).task).toBe('first');
    });

    it('saving the identical artifact again is idempotent (a retried write that had landed)', async () => {
      const { store, backend } = await factory();
      const a = makeArtifact();
      await store.save(a);
      expect((await store.save(a)).outbox).toBeNull();
      expect((await store.list({})).runs.map((r) => r.id)).toEqual([a.id]);
      expect((await backend.list({ prefix: INDEX_PREFIX })).keys).toHaveLength(1);
    });

    it('load: unknown id → not_found, malformed id → invalid', async () => {
      const { store } = await factory();
      expect(await djpCode(store.load(makeArtifact().id))).toBe('not_found');
      expect(await djpCode(store.load('../../etc/passwd'))).toBe('invalid');
    });

    it('lists newest first with an opaque cursor across pages', async () => {
      const { store } = await factory();
      const runs = Array.from({ length: 7 }, (_, i) => makeArtifact({ at: T0 + i * HOUR, task: `task ${i}` }));
      for (const r of runs) await store.save(r);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.list({ limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.runs.map((r) => r.id));
        cursor = page.next_cursor ?? undefined;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual(runs.map((r) => r.id).reverse());
      expect(pages).toBe(3);
      expect(await djpCode(store.list({ cursor: 'not-a-cursor' }))).toBe('invalid');
    });

    it('filters by status, provider, date range and task text (case-insensitive)', async () => {
      const { store } = await factory();
      const a = makeArtifact({ at: T0, task: 'Compare Postgres and MySQL', providers: ['openai', 'anthropic'] });
      const b = makeArtifact({ at: T0 + 24 * HOUR, task: 'Draft a release note', status: 'advisory_only', providers: ['anthropic'] });
      const c = makeArtifact({ at: T0 + 48 * HOUR, task: 'postgres vacuum tuning', status: 'pending_approval', providers: ['offline'] });
      const d = makeArtifact({ at: T0 + 72 * HOUR, task: `${'x'.repeat(300)} needle beyond the summary`, providers: ['google'] });
      for (const r of [a, b, c, d]) await store.save(r);
      const ids = async (q: Parameters<BackendRunStore['list']>[0]) => (await store.list(q)).runs.map((r) => r.id);
      expect(await ids({ status: 'advisory_only' })).toEqual([b.id]);
      expect(await ids({ status: 'pending_approval' })).toEqual([c.id]);
      expect(await ids({ provider: 'anthropic' })).toEqual([b.id, a.id]);
      expect(await ids({ provider: 'openai_compatible' })).toEqual([]);
      expect(await ids({ q: 'POSTGRES' })).toEqual([c.id, a.id]);
      expect(await ids({ q: 'needle' })).toEqual([d.id]);
      expect(await ids({ from: '2026-03-02', to: '2026-03-03' })).toEqual([c.id, b.id]);
      expect(await ids({ from: '2026-03-02T12:00:00Z' })).toEqual([d.id, c.id, b.id]);
      expect(await ids({ to: '2026-03-02T11:59:59Z' })).toEqual([a.id]);
      expect(await ids({ q: 'postgres', provider: 'openai', status: 'published' })).toEqual([a.id]);
      expect(await djpCode(store.list({ status: 'bogus' as never }))).toBe('invalid');
      const summary = (await store.list({ q: 'needle' })).runs[0];
      expect(summary?.task.length).toBe(200);
    });

    it('filtered pagination returns every match exactly once', async () => {
      const { store } = await factory();
      const runs = Array.from({ length: 12 }, (_, i) =>
        makeArtifact({ at: T0 + i * HOUR, status: i % 3 === 0 ? 'advisory_only' : 'published', task: i % 2 ? 'odd task' : 'even task' }),
      );
      for (const r of runs) await store.save(r);
      const collect = async (q: { status?: 'advisory_only'; q?: string }) => {
        const out: string[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 20; i++) {
          const page = await store.list({ ...q, limit: 2, ...(cursor ? { cursor } : {}) });
          out.push(...page.runs.map((r) => r.id));
          if (!page.next_cursor) break;
          cursor = page.next_cursor;
        }
        return out;
      };
      expect(await collect({ status: 'advisory_only' })).toEqual(runs.filter((_, i) => i % 3 === 0).map((r) => r.id).reverse());
      expect(await collect({ q: 'ODD' })).toEqual(runs.filter((_, i) => i % 2).map((r) => r.id).reverse());
    });

    it('skips and counts index entries that fail to parse, with a warning', async () => {
      const warnings: string[] = [];
      const { store, backend } = await factory({
        logger: { warn: (_f, m) => void warnings.push(m), info: () => undefined },
      });
      const good = [makeArtifact({ at: T0 }), makeArtifact({ at: T0 + HOUR })];
      for (const r of good) await store.save(r);
      const broken = makeArtifact({ at: T0 + 2 * HOUR });
      await backend.write(indexKey(broken), '{ not json');
      const wrongShape = makeArtifact({ at: T0 + 3 * HOUR });
      await backend.write(indexKey(wrongShape), JSON.stringify({ v: 1, id: wrongShape.id }));
      await backend.write(`${INDEX_PREFIX}garbage.json`, '{}');
      const page = await store.list({});
      expect(page.runs.map((r) => r.id)).toEqual(good.map((r) => r.id).reverse());
      expect(page.skipped).toBe(3);
      expect(warnings.length).toBeGreaterThanOrEqual(3);
    });

    it('load of a corrupt artifact is a clear error; reindex skips it and rebuilds missing entries', async () => {
      const { store, backend } = await factory();
      const ok = makeArtifact({ at: T0 });
      await backend.write(`${ok.id}.json`, JSON.stringify(ok)); // artifact without an index entry
      const corrupt = makeArtifact({ at: T0 + HOUR });
      await backend.write(`${corrupt.id}.json`, '{"schema_version":1,"id":"torn');
      const err = await store.load(corrupt.id).catch((e: unknown) => e);
      expect((err as DjpError).code).toBe('internal');
      expect((err as DjpError).message).toContain(corrupt.id);
      expect((await store.list({})).runs).toEqual([]);
      expect(await store.reindex()).toEqual({ indexed: 1, skipped: 1 });
      expect((await store.list({})).runs.map((r) => r.id)).toEqual([ok.id]);
    });

    it('update rewrites the artifact and moves its index entry (approval)', async () => {
      const { store, backend } = await factory();
      const a = makeArtifact({ status: 'pending_approval' });
      await store.save(a);
      const approved: RunArtifact = {
        ...a,
        status: 'published',
        approval: { required: true, state: 'approved', decided_by: 'lead@example.com', decided_at: new Date().toISOString(), reason: null },
        publish: { ...a.publish, status: 'published' },
      };
      const res = await store.update(approved);
      expect(res.outbox).toBeNull();
      expect((await store.load(a.id)).approval.state).toBe('approved');
      expect((await store.list({ status: 'pending_approval' })).runs).toEqual([]);
      expect((await store.list({ status: 'published' })).runs.map((r) => r.id)).toEqual([a.id]);
      const entries = (await backend.list({ prefix: INDEX_PREFIX })).keys;
      expect(entries).toEqual([indexKey(approved)]);
      expect(await djpCode(store.update(makeArtifact()))).toBe('not_found');
      expect(await djpCode(store.update({ ...approved, status: 'nope' } as unknown as RunArtifact))).toBe('invalid');
    });

    it('modify is a compare-and-swap: a change computed from a stale version is re-applied to the new one', async () => {
      const { store, backend } = await factory();
      const a = makeArtifact({ status: 'pending_approval', approval: { required: true, state: 'pending', decided_by: null, decided_at: null, reason: null } });
      await store.save(a);
      const first = await store.modify(a.id, decision('bob@example.com', true));
      expect(first.saved.outbox).toBeNull();
      expect(first.artifact.approval.decided_by).toBe('bob@example.com');
      // A second decision sees the stored (decided) run and is refused, naming who decided.
      const err = await store.modify(a.id, decision('eve@example.com', false)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DjpError);
      expect((err as DjpError).code).toBe('conflict');
      expect((err as DjpError).message).toContain('approved by bob@example.com');
      expect((await store.load(a.id)).approval.decided_by).toBe('bob@example.com');
      expect((await backend.list({ prefix: INDEX_PREFIX })).keys).toEqual([indexKey(first.artifact)]);
      // A writer that changed the run behind our back (another replica) is seen, not overwritten.
      await backend.write(`${a.id}.json`, `${JSON.stringify({ ...first.artifact, task: 'changed elsewhere' }, null, 2)}\n`);
      let calls = 0;
      const after = await store.modify(a.id, (cur) => {
        calls++;
        return { ...cur, task: `${cur.task} + note` };
      });
      expect(calls).toBe(1);
      expect(after.artifact.task).toBe('changed elsewhere + note');
      expect(await djpCode(store.modify(makeArtifact().id, (x) => x))).toBe('not_found');
      expect(await djpCode(store.modify(a.id, (x) => ({ ...x, status: 'nope' }) as unknown as RunArtifact))).toBe('invalid');
    });

    it('racing decisions from two stores on one location: exactly one applies, history keeps the run once', async () => {
      const { store, backend, ignoresConditionals } = await factory();
      const other = new BackendRunStore(backend);
      let bothWon = 0;
      for (let i = 0; i < 5; i++) {
        const a = makeArtifact({ status: 'pending_approval', approval: { required: true, state: 'pending', decided_by: null, decided_at: null, reason: null } });
        await store.save(a);
        const results = await Promise.allSettled([store.modify(a.id, decision('bob', true)), other.modify(a.id, decision('eve', false))]);
        const won = results.filter((r) => r.status === 'fulfilled');
        // s3rver neither honours If-Match nor overwrites atomically (a read racing a PUT can see a torn
        // body there), so only servers that honour conditionals are held to "the loser gets a conflict".
        if (!ignoresConditionals) for (const r of results) if (r.status === 'rejected') expect((r.reason as DjpError).code).toBe('conflict');
        if (won.length === 2) bothWon++;
        if (ignoresConditionals) continue; // s3rver: no guarantees for racing writers (see above)
        expect(won.length).toBeGreaterThanOrEqual(1);
        const stored = await store.load(a.id);
        if (won.length === 1) {
          const winner = (won[0] as PromiseFulfilledResult<{ artifact: RunArtifact }>).value.artifact;
          expect(stored.approval.decided_by).toBe(winner.approval.decided_by);
          const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
          expect((loser?.reason as Error).message).toContain(`by ${winner.approval.decided_by}`);
        }
        // Whatever happened, the run is in history exactly once, with the stored status.
        const keys = (await backend.list({ prefix: INDEX_PREFIX })).keys.filter((k) => k.startsWith(indexIdPrefix(a.id)));
        expect(keys).toEqual([indexKey(stored)]);
      }
      if (!ignoresConditionals) expect(bothWon).toBe(0);
      expect((await store.list({})).runs).toHaveLength(5);
    });

    it('delete removes the artifact and its index entry', async () => {
      const { store, backend } = await factory();
      const a = makeArtifact();
      const b = makeArtifact();
      await store.save(a);
      await store.save(b);
      await store.delete(a.id);
      expect(await djpCode(store.load(a.id))).toBe('not_found');
      expect((await store.list({})).runs.map((r) => r.id)).toEqual([b.id]);
      expect(await backend.exists(`${a.id}.json`)).toBe(false);
      expect(await backend.exists(indexKey(a))).toBe(false);
      expect(await djpCode(store.delete(a.id))).toBe('not_found');
      expect(await djpCode(store.delete('..'))).toBe('invalid');
    });

    it('ping and outbox count on a healthy store', async () => {
      const { store } = await factory();
      await store.ping();
      expect(await store.outboxCount()).toBe(0);
      expect(await store.sync()).toEqual({ pushed: 0, failed: 0, remaining: 0 });
    });
  });
}
