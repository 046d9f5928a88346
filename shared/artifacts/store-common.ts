// Helpers every part of the run store shares (writes.ts, listing.ts, maintenance.ts, store.ts):
// artifact validation and (de)serialisation, StorageError → DjpError, bounded parallel maps.
import { DjpError, RunArtifact, invalidFromZod } from '../api/index.js';
import { StorageError, type StorageBackend } from '../storage/backend.js';
import { ULID_RE, artifactKey } from './layout.js';

/** An artifact and the exact body written for it. */
export type Envelope = { artifact: RunArtifact; body: string };

export function serialize(artifact: RunArtifact): string {
  return `${JSON.stringify(artifact, null, 2)}\n`;
}

export function envelope(artifact: RunArtifact): Envelope {
  return { artifact, body: serialize(artifact) };
}

export function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** StorageError → DjpError for callers of the RunStore. */
export function toDjpError(e: unknown, what: string): DjpError {
  if (e instanceof DjpError) return e;
  if (e instanceof StorageError) {
    switch (e.kind) {
      case 'not_found':
        return new DjpError('not_found', `${what}: not found`, undefined, { cause: e });
      case 'conflict':
        return new DjpError('conflict', `${what}: already exists`, undefined, { cause: e });
      case 'invalid_key':
      case 'invalid_location':
        return new DjpError('invalid', e.message, undefined, { cause: e });
      case 'access_denied':
      case 'unavailable':
        return new DjpError('unavailable', `${what}: ${e.message}`, undefined, { cause: e });
    }
  }
  return new DjpError('internal', `${what}: ${describe(e)}`, undefined, { cause: e });
}

export function isNotFound(e: unknown): boolean {
  return e instanceof StorageError && e.kind === 'not_found';
}

export function checkId(id: string): void {
  if (typeof id !== 'string' || !ULID_RE.test(id)) {
    throw new DjpError('invalid', `id: run id must be a 26-character ULID, got ${JSON.stringify(String(id).slice(0, 40))}`, 'id');
  }
}

export function validate(artifact: unknown): RunArtifact {
  const r = RunArtifact.safeParse(artifact);
  if (!r.success) {
    const err = invalidFromZod(r.error.issues);
    throw new DjpError('invalid', `artifact is not a valid RunArtifact: ${err.message}`, err.field);
  }
  return r.data;
}

/** Parses a stored artifact; a clear 'internal' error naming where it is when it is not one. */
export function parseArtifact(backend: StorageBackend, id: string, raw: Uint8Array): RunArtifact {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (e) {
    throw new DjpError('internal', `run ${id} at ${backend.uri(artifactKey(id))} is not valid JSON: ${describe(e)}`);
  }
  const r = RunArtifact.safeParse(data);
  if (!r.success) {
    const err = invalidFromZod(r.error.issues);
    throw new DjpError('internal', `run ${id} at ${backend.uri(artifactKey(id))} does not match the artifact schema: ${err.message}`);
  }
  return r.data;
}

/** Runs `fn` over `items` with at most `n` at a time, keeping the order of the results. */
export async function mapLimit<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/**
 * Waits for every promise (nulls are skipped) and then throws the first failure, if any: unlike
 * Promise.all, nothing is still in flight when the caller goes on (to its outbox fallback, say).
 */
export async function allSettledOrThrow(work: Array<Promise<unknown> | null>): Promise<void> {
  const settled = await Promise.allSettled(work.filter((w): w is Promise<unknown> => w !== null));
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
}

export function sameJson(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}
