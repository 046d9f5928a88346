// What the DJP service needs from the run store (implemented in store.ts over a StorageBackend).
import type { ListRunsQuery, RunArtifact, RunPage } from '../api/index.js';
import type { LiveRuns } from './live.js';

export interface SaveResult {
  /** Path or URI where the artifact now lives. */
  location: string;
  /** Set when the configured store failed and the artifact went to the local outbox instead. */
  outbox: { path: string; reason: string } | null;
}

export interface RunStore {
  readonly kind: 'local' | 's3' | 'gcs';
  readonly location: string;
  /** Records of accepted, unfinished runs (live.ts): written before a start is acknowledged. */
  readonly live: LiveRuns;
  /** Validates against RunArtifact, then writes create-only (a new run) — falls back to the outbox. */
  save(artifact: RunArtifact): Promise<SaveResult>;
  /** Overwrites an existing run unconditionally (last writer wins). Validates first. Decisions use modify(). */
  update(artifact: RunArtifact): Promise<SaveResult>;
  /**
   * Read-modify-write with compare-and-swap on the stored version: `change` gets the run as stored now
   * and returns the new artifact (or throws, e.g. DjpError('conflict') when the change no longer applies).
   * When another writer (another replica) changed the run in between, `change` runs again on that newer
   * version, so of two racing changes exactly one applies to any given version.
   */
  modify(id: string, change: (current: RunArtifact) => RunArtifact): Promise<{ artifact: RunArtifact; saved: SaveResult }>;
  /** Throws DjpError('not_found') when missing. */
  load(id: string): Promise<RunArtifact>;
  delete(id: string): Promise<void>;
  list(query: ListRunsQuery): Promise<RunPage>;
  /** Pushes the outbox to the store; returns counts. */
  sync(): Promise<{ pushed: number; failed: number; remaining: number }>;
  outboxCount(): Promise<number>;
  ping(): Promise<void>;
}
