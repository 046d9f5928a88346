// The layer rule behind test/import-boundaries.test.ts, as data (like VS Code's layer table): for
// each top folder, which folders its relative imports may reach and whether it may import Node
// built-ins. A file is held to every rule whose folder contains it (shared/api/x.ts: the shared/
// rule and the stricter shared/api/ rule). Kept apart from the test so the test can prove it fails.
// Tests next to the code (*.test.ts) may also import test/ helpers. README.md (Layout) describes the layers.
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

export interface LayerRule {
  /** Files under this folder (relative to the repository root, with a trailing slash)… */
  readonly layer: string;
  /** …may import, by relative path, only files under these folders. */
  readonly mayImport: readonly string[];
  /** …may import Node built-ins (false: browser-safe code, bundled into the renderer). */
  readonly node: boolean;
  readonly why: string;
}

export const LAYER_RULES: readonly LayerRule[] = [
  { layer: 'shared/', mayImport: ['shared/'], node: true, why: 'the core serves every transport and knows none of them' },
  { layer: 'shared/api/', mayImport: ['shared/api/'], node: false, why: 'the contract is bundled into the renderer' },
  { layer: 'server/', mayImport: ['server/', 'shared/'], node: true, why: 'the server and CLI are one transport; the desktop is another' },
  { layer: 'main/', mayImport: ['main/', 'shared/'], node: true, why: 'the desktop main process is one transport; the server is another' },
  { layer: 'renderer/', mayImport: ['renderer/', 'shared/api/'], node: false, why: 'the UI reaches the core only through the contract and a transport' },
];

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const IMPORT_RE = /(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

export function findViolations(root: string, file: string, source: string, rules: readonly LayerRule[] = LAYER_RULES): string[] {
  const out: string[] = [];
  const norm = file.split(sep).join('/');
  const applying = rules.filter((r) => norm.startsWith(r.layer));
  if (!applying.length) return out;
  // A test next to its code may also use the shared test helpers and fakes.
  const extra = /\.test\.tsx?$/.test(norm) ? ['test/'] : [];
  for (const m of source.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec) continue;
    const isNode = NODE_BUILTINS.has(spec) || spec.startsWith('node:');
    const target = spec.startsWith('.') ? relative(root, join(root, dirname(norm), spec)).split(sep).join('/') : null;
    for (const r of applying) {
      if (isNode && !r.node) out.push(`${file}: ${r.layer} must not import Node module ${spec} (${r.why})`);
      if (target && ![...r.mayImport, ...extra].some((f) => target.startsWith(f))) out.push(`${file}: ${r.layer} may import only ${r.mayImport.join(', ')}, not ${spec} (${r.why})`);
    }
  }
  return out;
}
