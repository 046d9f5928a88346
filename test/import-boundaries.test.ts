// Enforces the layer rule (LAYER_RULES in ./import-boundaries.ts; README.md, Layout):
//   shared/ imports nothing from server/, main/, renderer/;
//   shared/api imports only shared/api and nothing from Node (the renderer bundles it);
//   server/ and main/ import shared/ and never each other;
//   renderer/ imports from shared/ only through shared/api, and nothing from Node.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYER_RULES, findViolations } from './import-boundaries.js';

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

  it('server/ and main/ may not import each other; the rule covers every top folder with code', () => {
    expect(findViolations(root, 'server/http/x.ts', "import { a } from '../../main/ipc.js';")).toHaveLength(1);
    expect(findViolations(root, 'main/x.ts', "import { a } from '../server/http/routes.js';\nimport type { B } from '../shared/api/index.js';")).toHaveLength(1);
    expect(findViolations(root, 'main/x.ts', "import { a } from '../renderer/src/api/client.js';")).toHaveLength(1);
    expect(findViolations(root, 'shared/service/x.ts', "import { a } from '../../server/http/routes.js';")).toHaveLength(1);
    const layers = LAYER_RULES.map((r) => r.layer.split('/')[0]);
    for (const top of ['shared', 'server', 'main', 'renderer']) expect(layers, top).toContain(top);
  });

  it('no file in shared/, server/, main/, renderer/ breaks the layering', () => {
    const files = [...filesUnder('shared'), ...filesUnder('server'), ...filesUnder('main'), ...filesUnder('renderer')];
    expect(files.length).toBeGreaterThan(5);
    const violations = files.flatMap((f) => findViolations(root, f, readFileSync(join(root, f), 'utf8')));
    expect(violations).toEqual([]);
  });
});

