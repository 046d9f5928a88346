// Writes of the run store: save (create-only), update (overwrite), modify (compare-and-swap), delete,
// and the outbox fallback when a cloud write fails. Each keeps the run's index entries in step
// (index-entries.ts). Listing never happens here (listing.ts), so history can change without this file.
//
// save():   validate → create-only write of <id>.json → write the index entry. On a cloud backend a
//           failed write (after the SDK's own retries) sends the artifact to the local outbox and the
//           result says where and why; a local RUNS_DIR has no outbox (its errors are thrown).
// update(): validate → overwrite <id>.json → reconcile the run's index entries with the stored artifact.
// modify(): read <id>.json with its version → change → compare-and-swap write (If-Match / generation /
//           lock file) → reconcile the index. A lost race re-reads and re-applies the change; the change
//           itself decides whether it still applies (an approval of a run someone already rejected).
import { DjpError, type RunArtifact } from '../api/index.js';
import { StorageError, type StorageBackend, type VersionedObject } from '../storage/backend.js';
import { artifactKey } from './layout.js';
import type { RunIndexEntries } from './index-entries.js';
import type { StoreLogger } from './logger.js';
import type { Outbox } from './outbox.js';
import { checkId, describe, envelope, parseArtifact, sameJson, toDjpError, validate, type Envelope } from './store-common.js';
import type { SaveResult } from './types.js';

/** Compare-and-swap rounds before modify() gives up on a run that keeps changing. */
const MODIFY_ATTEMPTS = 8;

export class RunWrites {
  constructor(
    private readonly backend: StorageBackend,
    private readonly index: RunIndexEntries,
    private readonly outbox: Outbox | null,
    private readonly logger: StoreLogger,
  ) {}

  private get location(): string {
    return this.backend.location;
  }

  async save(input: RunArtifact): Promise<SaveResult> {
    const env = envelope(validate(input));
    try {
      // A conflict whose remote content is identical is our own write: an SDK retry after a lost
      // response (the first attempt landed, the retry met its precondition).
      await this.pushSaveOrSame(env);
    } catch (e) {
      return this.fallback('save', env, e);
    }
    return { location: this.backend.uri(artifactKey(env.artifact.id)), outbox: null };
  }

  async update(input: RunArtifact): Promise<SaveResult> {
    const env = envelope(validate(input));
    const { artifact } = env;
    const pending = this.outbox ? await this.outbox.get(artifact.id) : null;
    if (!pending) {
      let exists: boolean;
      try {
        exists = await this.backend.exists(artifactKey(artifact.id));
      } catch (e) {
        return this.fallback('update', env, e);
      }
      if (!exists) throw new DjpError('not_found', `run ${artifact.id} not found in ${this.location}`, 'id');
    }
    try {
      // Also when a save of this run is still pending: the run is ours, so overwriting is safe.
      await this.pushUpdate(env);
    } catch (e) {
      return this.fallback('update', env, e);
    }
    if (pending) await this.outbox?.remove(artifact.id);
    return { location: this.backend.uri(artifactKey(artifact.id)), outbox: null };
  }

  async modify(id: string, change: (current: RunArtifact) => RunArtifact): Promise<{ artifact: RunArtifact; saved: SaveResult }> {
    checkId(id);
    const pending = this.outbox ? await this.outbox.get(id) : null;
    if (pending && pending.base_version === undefined) {
      // The run has not reached the store yet (its save is queued here): this process holds the only copy.
      const artifact = validate(change(pending.artifact));
      return { artifact, saved: await this.update(artifact) };
    }
    const key = artifactKey(id);
    for (let attempt = 0; attempt < MODIFY_ATTEMPTS; attempt++) {
      let stored: VersionedObject;
      try {
        stored = await this.backend.readVersioned(key);
      } catch (e) {
        if (e instanceof StorageError && e.kind === 'not_found') throw new DjpError('not_found', `run ${id} not found in ${this.location}`, 'id');
        throw toDjpError(e, `read run ${id} from ${this.location} (a change needs the stored version)`);
      }
      // A change queued here on top of the stored version stays the base as long as that version is current.
      const base = pending && pending.base_version === stored.version ? pending.artifact : parseArtifact(this.backend, id, stored.data);
      const env = envelope(validate(change(base)));
      const { artifact, body } = env;
      try {
        await this.backend.writeIfMatch(key, body, stored.version, { contentType: 'application/json' });
      } catch (e) {
        if (e instanceof StorageError && e.kind === 'conflict') {
          // Either another writer got there first (go round again on its version), or our own write
          // landed and a retry of it met the precondition (the stored body is ours: done).
          const now = await this.backend.read(key).catch(() => null);
          if (now && sameJson(Buffer.from(now).toString('utf8'), body)) {
            await this.index.reconcile(id);
            return { artifact, saved: { location: this.backend.uri(key), outbox: null } };
          }
          continue;
        }
        return { artifact, saved: await this.fallback('update', env, e, stored.version) };
      }
      // The queued change was the base of this one (and is now in the store): it is done.
      if (pending && base === pending.artifact) await this.outbox?.remove(id);
      try {
        await this.index.reconcile(id);
      } catch (e) {
        // The artifact is stored; history repairs itself on the next change or `djp sync --reindex`.
        this.logger.warn({ run_id: id, err: describe(e) }, 'index update failed after a change; `djp sync --reindex` repairs it');
      }
      return { artifact, saved: { location: this.backend.uri(key), outbox: null } };
    }
    throw new DjpError('conflict', `run ${id} kept changing while this change was being applied (${MODIFY_ATTEMPTS} attempts); try again`, 'id');
  }

  async delete(id: string): Promise<void> {
    checkId(id);
    let found = false;
    try {
      found = await this.backend.exists(artifactKey(id));
      found = (await this.index.removeAll(id)) || found;
      await this.backend.delete(artifactKey(id));
    } catch (e) {
      throw toDjpError(e, `delete run ${id} from ${this.location}`);
    }
    if (this.outbox && (await this.outbox.get(id))) {
      await this.outbox.remove(id);
      found = true;
    }
    if (!found) throw new DjpError('not_found', `run ${id} not found in ${this.location}`, 'id');
  }

  /**
   * Create-only write of the artifact, then its index entry. When the artifact already exists with
   * identical content (an earlier attempt that reached the store), that counts as done; different
   * content is a conflict.
   */
  async pushSaveOrSame(env: Envelope): Promise<void> {
    const key = artifactKey(env.artifact.id);
    try {
      await this.backend.create(key, env.body, { contentType: 'application/json' });
    } catch (e) {
      if (!(e instanceof StorageError && e.kind === 'conflict')) throw e;
      const remote = Buffer.from(await this.backend.read(key)).toString('utf8');
      if (!sameJson(remote, env.body)) {
        throw new DjpError('conflict', `run ${env.artifact.id} already exists in ${this.location} with different content`);
      }
    }
    await this.index.write(env.artifact);
  }

  async pushUpdate(env: Envelope): Promise<void> {
    await this.backend.write(artifactKey(env.artifact.id), env.body, { contentType: 'application/json' });
    await this.index.reconcile(env.artifact.id);
  }

  /** A queued modify(): compare-and-swap against the version it was computed from. */
  async pushChange(env: Envelope, baseVersion: string): Promise<void> {
    const key = artifactKey(env.artifact.id);
    try {
      await this.backend.writeIfMatch(key, env.body, baseVersion, { contentType: 'application/json' });
    } catch (e) {
      if (!(e instanceof StorageError && e.kind === 'conflict')) throw e;
      const now = await this.backend.read(key);
      if (!sameJson(Buffer.from(now).toString('utf8'), env.body)) {
        throw new DjpError('conflict', `run ${env.artifact.id} was changed in ${this.location} by another writer since this change was queued; the queued change is kept in the outbox, not applied`);
      }
    }
    await this.index.reconcile(env.artifact.id);
  }

  /** The outbox fallback: a retryable cloud failure keeps the artifact locally (none for a local store). */
  private async fallback(op: 'save' | 'update', env: Envelope, e: unknown, baseVersion?: string): Promise<SaveResult> {
    const what = `${op} run ${env.artifact.id} to ${this.location}`;
    const retryable = e instanceof StorageError && (e.kind === 'unavailable' || e.kind === 'access_denied');
    const unknownFailure = !(e instanceof StorageError) && !(e instanceof DjpError);
    if (!this.outbox || !(retryable || unknownFailure)) throw toDjpError(e, what);
    const reason = `${what} failed: ${describe(e)}`;
    const path = await this.outbox.put(op, env.artifact, reason, baseVersion);
    this.logger.warn({ run_id: env.artifact.id, outbox: path, reason }, 'cloud store write failed; artifact kept in the local outbox');
    return { location: path, outbox: { path, reason } };
  }
}
