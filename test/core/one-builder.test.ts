// One place builds the run store and the service: shared/service/build.ts (buildService). `djp
// serve`, the CLI commands (djp sync included) and the desktop app call it; none of server/ or main/
// builds its own store or service.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const BUILDS = /\b(createRunStore|createDjpService)\s*\(/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const p = join(dir, name);
    if (statSync(join(root, p)).isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

describe('one place builds the service', () => {
  it('the check finds a store or service built by hand (it can fail)', () => {
    expect(BUILDS.test('const store = createRunStore(flags.runsDir, { env });')).toBe(true);
    expect(BUILDS.test('const svc = createDjpService({ store, env, surface: "cli" });')).toBe(true);
    expect(BUILDS.test("import { buildService } from '../../shared/service/build.js';")).toBe(false);
  });

  it('no file of server/ or main/ builds a store or a service; shared/service/build.ts does', () => {
    const files = [...sources('server'), ...sources('main')];
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((f) => BUILDS.test(readFileSync(join(root, f), 'utf8'))).map((f) => relative(root, join(root, f)));
    expect(offenders).toEqual([]);
    expect(readFileSync(join(root, 'shared/service/build.ts'), 'utf8')).toMatch(BUILDS);
  });
});
