// "Nothing is lost" when the run store itself fails: a cloud store already falls back to the local
// outbox (shared/artifacts/outbox.ts), but a local RUNS_DIR has no outbox, and the outbox write can
// fail too (disk not writable). Then the finished artifact is written, atomically, to a clearly named
// fallback folder — DJP_FALLBACK_DIR when set, else <os tmpdir>/djp-unsaved-runs — as the plain
// artifact JSON `<id>.json`, the same file the store keeps, so copying it into RUNS_DIR and running
// `djp sync --reindex` puts it back into history.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { RunArtifact } from '../api/index.js';

export const FALLBACK_DIR_NAME = 'djp-unsaved-runs';

export function fallbackDirs(env: Record<string, string | undefined>): string[] {
  const dirs = [env.DJP_FALLBACK_DIR ? resolve(env.DJP_FALLBACK_DIR) : null, join(tmpdir(), FALLBACK_DIR_NAME)].filter((d): d is string => !!d);
  return [...new Set(dirs)];
}

/**
 * Writes the artifact to the first fallback folder that accepts it; returns its path.
 * Throws (naming every folder tried) only when none does.
 */
export function keepUnsaved(artifact: RunArtifact, env: Record<string, string | undefined>): string {
  return keepUnsavedJson(`${artifact.id}.json`, artifact, env);
}

/**
 * The record of an accepted run when neither the store nor the outbox could take it (a local RUNS_DIR
 * that cannot be written): `<fallback>/accepted/<id>.json`, removed once the run's artifact is kept.
 * A file left there names a run accepted by a process that died before finishing it.
 */
export function keepAccepted(id: string, record: unknown, env: Record<string, string | undefined>): string {
  return keepUnsavedJson(join('accepted', `${id}.json`), record, env);
}

export function dropAccepted(id: string, env: Record<string, string | undefined>): void {
  for (const dir of fallbackDirs(env)) rmSync(join(dir, 'accepted', `${id}.json`), { force: true });
}

function keepUnsavedJson(name: string, value: unknown, env: Record<string, string | undefined>): string {
  const errors: string[] = [];
  for (const base of fallbackDirs(env)) {
    const file = join(base, name);
    const dir = dirname(file);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, file);
      return file;
    } catch (e) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        /* the folder itself is unusable: nothing was written */
      }
      errors.push(`${base}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no fallback folder could be written (${errors.join('; ')})`);
}
