// Live-run records: a run is durable from the moment it is accepted, not only once it has finished.
//
//   .live/<inv-id>.json   LiveRecord: who accepted the run (replica), when, the (redacted) task and the
//                         resolved parameters; rewritten by the owner as a heartbeat while the run goes.
//
// The service writes the record BEFORE it answers 202 (create-only; on a cloud failure it goes to the
// local outbox's live/ folder instead; if neither can be written the start fails, 503). When the run's
// artifact is saved the record is deleted. A record whose run has no artifact and whose owner stopped
// heartbeating (a crash, kill -9, a lost container) is turned into an interrupted artifact by recovery
// (shared/service/recover.ts): on a server's start for its own replica id and for anyone's stale
// records, and by hand with `djp sync --recover`. Every replica lists the records, so history shows
// in-progress runs from all of them, and a replica asked for a run another one is executing follows it
// through the store until its artifact appears.
import * as z from 'zod';
import { RunParameters, Provenance } from '../api/index.js';
import { StorageError, type StorageBackend } from '../storage/backend.js';
import { LocalBackend } from '../storage/local.js';
import { ULID_RE, invertId } from './layout.js';
import type { StoreLogger } from './logger.js';

export const LIVE_PREFIX = '.live/';

export const LiveRecord = z.object({
  v: z.literal(1),
  id: z.string().regex(ULID_RE),
  created_at: z.string(),
  /** The task after the run's redaction (secrets never reach the store). */
  task: z.string(),
  parameters: RunParameters,
  provenance: Provenance,
  /** The replica executing the run (DJP_REPLICA_ID, else host and port/pid). */
  replica: z.string(),
  heartbeat_at: z.string(),
});
export type LiveRecord = z.infer<typeof LiveRecord>;

export function liveKey(id: string): string {
  return `${LIVE_PREFIX}${invertId(id)}.json`;
}

function idOfLiveKey(key: string): string | null {
  const m = /^\.live\/([0-9A-HJKMNP-TV-Z]{26})\.json$/.exec(key);
  return m ? invertId(m[1] as string) : null;
}

/** Live records in the store, plus those kept in the local outbox when the store could not take them. */
export class LiveRuns {
  private readonly local: LocalBackend | null;

  constructor(
    private readonly backend: StorageBackend,
    /** The outbox folder (cloud stores), or null. */
    outboxDir: string | null,
    private readonly logger: StoreLogger,
  ) {
    this.local = outboxDir ? new LocalBackend(outboxDir) : null;
  }

  private body(r: LiveRecord): string {
    return JSON.stringify(LiveRecord.parse(r));
  }

  /**
   * Makes the accepted run durable: create-only in the store, else (cloud failure) in the outbox.
   * Throws when neither holds it. Returns where it went.
   */
  async accept(r: LiveRecord): Promise<{ location: string; outbox: boolean }> {
    try {
      await this.backend.create(liveKey(r.id), this.body(r), { contentType: 'application/json' });
      return { location: this.backend.uri(liveKey(r.id)), outbox: false };
    } catch (e) {
      const retryable = e instanceof StorageError && (e.kind === 'unavailable' || e.kind === 'access_denied');
      if (!this.local || !retryable) throw e;
      await this.local.write(`live/${r.id}.json`, this.body(r));
      this.logger.warn({ run_id: r.id, err: e.message }, 'store unreachable: accepted-run record kept in the local outbox');
      return { location: this.local.uri(`live/${r.id}.json`), outbox: true };
    }
  }

  /** Rewrites the record with a fresh heartbeat (best effort: a missed beat is retried next time). */
  async heartbeat(r: LiveRecord): Promise<void> {
    const next = { ...r, heartbeat_at: new Date().toISOString() };
    try {
      await this.backend.write(liveKey(r.id), this.body(next), { contentType: 'application/json' });
    } catch {
      if (this.local && (await this.local.exists(`live/${r.id}.json`).catch(() => false))) await this.local.write(`live/${r.id}.json`, this.body(next)).catch(() => undefined);
    }
  }

  /**
   * Takes over a stale record for recovery by compare-and-swap: rewrites its heartbeat only if the
   * record is still exactly the one read (its owner did not beat meanwhile, no other replica claimed
   * it first). True when this caller holds it now; false when someone else does (or it is gone). A
   * record only the local outbox holds is this process's own: true.
   */
  async claim(r: LiveRecord, now: Date): Promise<boolean> {
    let stored;
    try {
      stored = await this.backend.readVersioned(liveKey(r.id));
    } catch (e) {
      if (e instanceof StorageError && e.kind === 'not_found') return this.local ? this.local.exists(`live/${r.id}.json`).catch(() => false) : false;
      throw e;
    }
    const current = this.parse(liveKey(r.id), stored.data);
    if (!current || current.heartbeat_at !== r.heartbeat_at || current.replica !== r.replica) return false;
    try {
      await this.backend.writeIfMatch(liveKey(r.id), this.body({ ...current, heartbeat_at: now.toISOString() }), stored.version, { contentType: 'application/json' });
      return true;
    } catch (e) {
      if (e instanceof StorageError && (e.kind === 'conflict' || e.kind === 'not_found')) return false;
      throw e;
    }
  }

  /** Removes the run's record (its artifact is saved, or it was recovered). */
  async finish(id: string): Promise<void> {
    await this.local?.delete(`live/${id}.json`).catch(() => undefined);
    await this.backend.delete(liveKey(id));
  }

  async get(id: string): Promise<LiveRecord | null> {
    for (const [b, key] of [
      [this.backend, liveKey(id)],
      ...(this.local ? ([[this.local, `live/${id}.json`]] as const) : []),
    ] as const) {
      try {
        return this.parse(key, await b.read(key));
      } catch (e) {
        if (e instanceof StorageError && e.kind === 'not_found') continue;
        throw e;
      }
    }
    return null;
  }

  /** Every live record (store and outbox), newest first. Records are few: bounded by the runs in flight. */
  async list(): Promise<LiveRecord[]> {
    const out = new Map<string, LiveRecord>();
    let token: string | null = null;
    do {
      const page = await this.backend.list({ prefix: LIVE_PREFIX, limit: 1000, ...(token ? { pageToken: token } : {}) });
      const records = await Promise.all(
        page.keys.map(async (key) => {
          if (!idOfLiveKey(key)) return null;
          try {
            return this.parse(key, await this.backend.read(key));
          } catch (e) {
            if (e instanceof StorageError && e.kind === 'not_found') return null; // finished meanwhile
            throw e;
          }
        }),
      );
      for (const r of records) if (r) out.set(r.id, r);
      token = page.nextPageToken;
    } while (token);
    for (const r of await this.listLocal()) if (!out.has(r.id)) out.set(r.id, r);
    return [...out.values()].sort((a, b) => (a.id < b.id ? 1 : -1));
  }

  /** The records only the local outbox holds (readable while the store is down). */
  async listLocal(): Promise<LiveRecord[]> {
    if (!this.local) return [];
    const page = await this.local.list({ prefix: 'live/' });
    const out: LiveRecord[] = [];
    for (const key of page.keys) {
      try {
        const r = this.parse(key, await this.local.read(key));
        if (r) out.push(r);
      } catch {
        /* removed meanwhile */
      }
    }
    return out.sort((a, b) => (a.id < b.id ? 1 : -1));
  }

  private parse(key: string, raw: Uint8Array): LiveRecord | null {
    try {
      return LiveRecord.parse(JSON.parse(Buffer.from(raw).toString('utf8')));
    } catch (e) {
      this.logger.warn({ key, err: e instanceof Error ? e.message : String(e) }, 'live-run record failed to parse; skipped');
      return null;
    }
  }
}
