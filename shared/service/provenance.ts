// Provenance facts: app version (package.json), git sha (GIT_SHA, else .git/HEAD read directly —
// no process is spawned), runtime.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Provenance } from '../api/index.js';

/** The folder holding the app's package.json (works from the sources and from dist/). */
export function findAppRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string };
        if (pkg.name === 'djp-workflow') return dir;
      } catch {
        /* keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

export function appVersion(root: string | null = findAppRoot()): string {
  if (!root) return '0.0.0-unknown';
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0-unknown';
  } catch {
    return '0.0.0-unknown';
  }
}

export function gitSha(env: Record<string, string | undefined>, root: string | null = findAppRoot()): string | null {
  const fromEnv = env.GIT_SHA?.trim();
  if (fromEnv) return fromEnv;
  if (!root) return null;
  try {
    const gitDir = join(root, '.git');
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return null;
    const loose = join(gitDir, ref);
    if (existsSync(loose)) return readFileSync(loose, 'utf8').trim() || null;
    const packed = readFileSync(join(gitDir, 'packed-refs'), 'utf8');
    for (const line of packed.split('\n')) {
      const [sha, name] = line.split(' ');
      if (name === ref && sha && /^[0-9a-f]{40}$/.test(sha)) return sha;
    }
  } catch {
    /* not a checkout */
  }
  return null;
}

export function runtimeInfo(surface: Provenance['runtime']['surface']): Provenance['runtime'] {
  return { node: process.version, platform: process.platform, arch: process.arch, surface };
}
