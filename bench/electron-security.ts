// Desktop security benchmark: Electronegativity on the built desktop app (scripts/electronegativity.mjs;
// builds dist/ first when it is missing). Prints every finding; the target is 0 high or critical.
// Run alone: npx tsx bench/electron-security.ts (or npm run bench -- electron)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error -- a plain .mjs script (CI runs it with node), no type declarations
import { scan } from '../scripts/electronegativity.mjs';
import { summaryRow, type TargetRow } from './summary.js';

const root = join(import.meta.dirname, '..');

interface Finding {
  id: string;
  severity: string;
  confidence: string;
  file: string;
  location: string;
}

export async function run(): Promise<TargetRow[]> {
  if (!existsSync(join(root, 'dist', 'renderer', 'index.html'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  execFileSync('npm', ['run', 'build:main'], { cwd: root, stdio: 'inherit' });
  const findings = scan() as Finding[];
  const high = findings.filter((f) => f.severity === 'HIGH' || f.severity === 'CRITICAL');
  console.log(`electron security (Electronegativity on dist/main + dist/renderer/desktop.html): ${findings.length} finding(s); each is answered in docs/DESKTOP.md`);
  for (const f of findings) console.log(`  ${f.severity.padEnd(13)} ${f.confidence.padEnd(9)} ${f.id}  ${f.file}:${f.location}`);
  return [summaryRow('electron', 'Electronegativity high/critical findings', String(high.length), '0', high.length === 0)];
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await run();
