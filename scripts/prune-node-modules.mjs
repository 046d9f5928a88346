#!/usr/bin/env node
// Removes what a production node_modules never runs: source maps (*.map) and type declarations
// (*.d.ts, *.d.mts, *.d.cts) — 46 MB of the 109 MB production install. Used by the Dockerfile's
// runtime stage and by bench/install-size.ts, which measures the same payload.
// Usage: node scripts/prune-node-modules.mjs <node_modules folder>
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const UNUSED = /\.(map|d\.ts|d\.mts|d\.cts)$/;

export function pruneNodeModules(dir) {
  let removed = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) removed += pruneNodeModules(p);
    else if (e.isFile() && UNUSED.test(e.name)) {
      rmSync(p);
      removed++;
    }
  }
  return removed;
}

if (import.meta.filename === process.argv[1]) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node scripts/prune-node-modules.mjs <node_modules folder>\n');
    process.exit(2);
  }
  process.stdout.write(`pruned ${pruneNodeModules(dir)} files (source maps, type declarations) under ${dir}\n`);
}
