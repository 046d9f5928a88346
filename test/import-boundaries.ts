// The rule behind test/import-boundaries.test.ts, kept separate so the test can prove it fails.
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const IMPORT_RE = /(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

export function findViolations(root: string, file: string, source: string): string[] {
  const out: string[] = [];
  const norm = file.split(sep).join('/');
  const inShared = norm.startsWith('shared/');
  const inApi = norm.startsWith('shared/api/');
  const inRenderer = norm.startsWith('renderer/');
  for (const m of source.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec) continue;
    const isNode = NODE_BUILTINS.has(spec) || spec.startsWith('node:');
    let target: string | null = null;
    if (spec.startsWith('.')) target = relative(root, join(root, dirname(norm), spec)).split(sep).join('/');
    if (inShared && target && /^(server|main|renderer)\//.test(target)) out.push(`${file}: shared/ must not import ${spec}`);
    if ((inApi || inRenderer) && isNode) out.push(`${file}: browser-safe code must not import Node module ${spec}`);
    if (inApi && target && !target.startsWith('shared/api/')) out.push(`${file}: shared/api must only import shared/api, not ${spec}`);
    if (inRenderer && target && target.startsWith('shared/') && !target.startsWith('shared/api/'))
      out.push(`${file}: renderer/ may import shared/api only, not ${spec}`);
    if (inRenderer && target && /^(server|main)\//.test(target)) out.push(`${file}: renderer/ must not import ${spec}`);
  }
  return out;
}
