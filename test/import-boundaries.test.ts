// Enforces the layering from ../shared/DESIGN.md:
//   shared/ imports nothing from server/, main/, renderer/;
//   shared/api imports nothing from Node (the renderer bundles it);
//   renderer/ imports from shared/ only through shared/api, and nothing from Node.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findViolations } from './import-boundaries.js';

const root = resolve(import.meta.dirname, '..');

function filesUnder(dir: string): string[] {
  const abs = join(root, dir);
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out = out.concat(filesUnder(relative(root, p)));
    else if (/\.(ts|tsx|mts)$/.test(name)) out.push(relative(root, p));
  }
  return out;
}

describe('import boundaries', () => {
  it('the checker catches a violation (it can fail)', () => {
    const v = findViolations(root, 'shared/api/x.ts', "import fs from 'node:fs';\nimport { a } from '../../server/y.js';");
    expect(v.length).toBe(3);
    const r = findViolations(root, 'renderer/src/x.tsx', "import { z } from '../../shared/djp/pipeline.js';\nimport 'path';");
    expect(r.length).toBe(2);
    expect(findViolations(root, 'renderer/src/x.tsx', "import { RunRequest } from '../../shared/api/index.js';")).toEqual([]);
  });

  it('no file in shared/, renderer/ breaks the layering', () => {
    const files = [...filesUnder('shared'), ...filesUnder('renderer')];
    expect(files.length).toBeGreaterThan(5);
    const violations = files.flatMap((f) => findViolations(root, f, readFileSync(join(root, f), 'utf8')));
    expect(violations).toEqual([]);
  });
});

