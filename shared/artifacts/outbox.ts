// The local outbox: where an artifact goes when the configured cloud store fails after the SDK's
// retries. One file per run, `<outboxDir>/<run id>.json`, written atomically through the local
// backend, holding an envelope: the artifact plus what to do with it (op), where it was headed
// (target) and why it is here (reason). `RunStore.sync()` pushes entries for its own target and
// removes an entry only once the remote write is confirmed. Entries for another target (the same
// outbox used with a different RUNS_DIR) are left alone until that target is configured again.
import path from 'node:path';
import * as z from 'zod';
import { RunArtifact } from '../api/index.js';
import { StorageError } from '../storage/backend.js';
import { LocalBackend } from '../storage/local.js';
import type { StoreLogger } from './logger.js';
import { ULID_RE } from './layout.js';

export const DEFAULT_OUTBOX_DIR = '.djp-outbox';

export const OutboxEnvelope = z.object({
  outbox_version: z.literal(1),
  /** save = create-only (a new run); update = overwrite (an approval decision). */
  op: z.enum(['save', 'update']),
  /** The store location it was meant for, e.g. s3://bucket/runs. */
  target: z.string(),
  reason: z.string(),
  queued_at: z.string(),
  /**
   * For an update made by RunStore.modify(): the stored version it was computed from. sync() then
   * pushes it as a compare-and-swap, so a decision queued here never overwrites one another replica
   * made meanwhile (such an entry stays, reported as a conflict).
   */
  base_version: z.string().optional(),
  artifact: RunArtifact,
});
export type OutboxEnvelope = z.infer<typeof OutboxEnvelope>;

/** Outbox folder: explicit option, else DJP_OUTBOX_DIR, else ./.djp-outbox (resolved to absolute). */
export function resolveOutboxDir(explicit: string | undefined, env: Record<string, string | undefined>): string {
  return path.resolve(explicit ?? env.DJP_OUTBOX_DIR ?? DEFAULT_OUTBOX_DIR);
}

export class Outbox {
  private readonly backend: LocalBackend;

  constructor(
    readonly dir: string,
    private readonly target: string,
    private readonly logger: StoreLogger,
  ) {
    this.backend = new LocalBackend(dir);
  }

  pathOf(id: string): string {
    return this.backend.uri(`${id}.json`);
  }

  /**
   * Queues `artifact`, replacing a pending entry for the same run (an update queued on top of a
   * pending save becomes an update: it overwrites, so it also lands when the save had half-landed).
   */
  async put(op: 'save' | 'update', artifact: RunArtifact, reason: string, baseVersion?: string): Promise<string> {
    const envelope: OutboxEnvelope = {
      outbox_version: 1,
      op,
      target: this.target,
      reason,
      queued_at: new Date().toISOString(),
      ...(baseVersion !== undefined ? { base_version: baseVersion } : {}),
      artifact,
    };
    await this.backend.write(`${artifact.id}.json`, `${JSON.stringify(envelope, null, 2)}\n`);
    return this.pathOf(artifact.id);
  }

  /** The pending envelope for run `id` in this target, or null. */
  async get(id: string): Promise<OutboxEnvelope | null> {
    let raw: Uint8Array;
    try {
      raw = await this.backend.read(`${id}.json`);
    } catch (e) {
      if (e instanceof StorageError && e.kind === 'not_found') return null;
      throw e;
    }
    const env = this.parse(id, raw);
    return env && env.target === this.target ? env : null;
  }

  async remove(id: string): Promise<void> {
    await this.backend.delete(`${id}.json`);
  }

  /** Run ids with an entry for this target (corrupt entries are reported and left in place). */
  async entries(): Promise<OutboxEnvelope[]> {
    const out: OutboxEnvelope[] = [];
    let token: string | null = null;
    do {
      const page = await this.backend.list({ limit: 1000, ...(token ? { pageToken: token } : {}) });
      for (const key of page.keys) {
        if (key.includes('/') || !key.endsWith('.json')) continue;
        const id = key.slice(0, -'.json'.length);
        if (!ULID_RE.test(id)) continue;
        let raw: Uint8Array;
        try {
          raw = await this.backend.read(key);
        } catch (e) {
          if (e instanceof StorageError && e.kind === 'not_found') continue; // pushed meanwhile
          throw e;
        }
        const env = this.parse(id, raw);
        if (env && env.target === this.target) out.push(env);
      }
      token = page.nextPageToken;
    } while (token);
    return out;
  }

  async count(): Promise<number> {
    return (await this.entries()).length;
  }

  private parse(id: string, raw: Uint8Array): OutboxEnvelope | null {
    try {
      const env = OutboxEnvelope.parse(JSON.parse(Buffer.from(raw).toString('utf8')));
      if (env.artifact.id !== id) throw new Error(`holds run ${env.artifact.id}`);
      return env;
    } catch (e) {
      this.logger.warn({ path: this.pathOf(id), err: e instanceof Error ? e.message : String(e) }, 'outbox entry is corrupt; left in place');
      return null;
    }
  }
}
