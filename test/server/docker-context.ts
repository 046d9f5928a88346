// Emulates what `docker build .` sends as its context: the working tree minus what .dockerignore
// excludes (Docker's rules: patterns relative to the context root, `*` within a path segment, `**`
// across segments, a matching directory excludes everything under it, `!pattern` re-includes).
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function toRegExp(pattern: string): RegExp {
  let re = '';
  const p = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      i++;
      if (p[i + 1] === '/') i++;
      re += '(?:.*/)?';
      if (i === p.length - 1 && p[i] === '*') re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function dockerignoreMatcher(text: string): (relPath: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => (l.startsWith('!') ? { keep: true, re: toRegExp(l.slice(1)) } : { keep: false, re: toRegExp(l) }));
  return (relPath: string) => {
    const parts = relPath.split('/');
    let excluded = false;
    for (const r of rules) {
      // The path itself or any of its parent directories.
      for (let n = 1; n <= parts.length; n++) {
        if (r.re.test(parts.slice(0, n).join('/'))) {
          excluded = !r.keep;
          break;
        }
      }
    }
    return excluded;
  };
}

/** Copies the build context of `root` into `dest`; returns the relative paths copied. */
export function copyDockerContext(root: string, dest: string): string[] {
  const excluded = dockerignoreMatcher(readFileSync(join(root, '.dockerignore'), 'utf8'));
  const copied: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (excluded(path)) continue;
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) {
        mkdirSync(dirname(join(dest, path)), { recursive: true });
        copyFileSync(join(root, path), join(dest, path));
        copied.push(path);
      }
    }
  };
  walk('');
  return copied;
}
