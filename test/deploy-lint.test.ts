// The container and CI files: both linters pass (dockerfile-utils for the Dockerfile, action-validator
// for the workflows), and the Dockerfile / workflows keep the properties the deployment relies on.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OUTBOX_DIR } from '../shared/artifacts/outbox.js';

const root = join(import.meta.dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const read = (p: string) => readFileSync(join(root, p), 'utf8');

function lint(tool: string, file: string): { ok: boolean; out: string } {
  try {
    const out = execFileSync(bin(tool), tool === 'dockerfile-utils' ? ['lint', file] : [file], { encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, out };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('Dockerfile', () => {
  const df = read('Dockerfile');

  it('passes dockerfile-utils lint, and the linter does catch a broken Dockerfile', () => {
    const good = lint('dockerfile-utils', join(root, 'Dockerfile'));
    expect(good.ok, good.out).toBe(true);
    const bad = join(mkdtempSync(join(tmpdir(), 'djp-lint-')), 'Dockerfile');
    writeFileSync(bad, df.replace('HEALTHCHECK --interval=30s', 'HEALTHCHECK --interval=soon'));
    expect(lint('dockerfile-utils', bad).ok).toBe(false);
  });

  it('is multi-stage on a current LTS slim image, non-root, with health check, port and CMD', () => {
    const froms = [...df.matchAll(/^FROM\s+(?:--platform=\S+\s+)?(\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(df).toMatch(/^ARG NODE_VERSION=24\.\d+\.\d+$/m); // an exact Node 24 LTS release
    for (const f of froms) expect(f).toBe('node:${NODE_VERSION}-slim');
    expect(df).toMatch(/^USER node$/m);
    expect(df).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(df).toMatch(/^EXPOSE 8080$/m);
    expect(df).toMatch(/HOST=0\.0\.0\.0/);
    // Everything the server writes locally (runs, outbox) is under /data, owned by the runtime user.
    expect(df).toMatch(/RUNS_DIR=\/data\/runs/);
    expect(df).toMatch(/DJP_OUTBOX_DIR=\/data\/outbox/);
    expect(df).toMatch(/chown -R node:node \/data/);
    expect(df).toContain('npm ci --omit=dev --omit=optional');
    expect(df).toContain('CMD ["node", "dist/server/cli.js", "serve"]');
    expect(df).toContain('RUN npm run build');
    // No secrets baked in: no ENV/ARG that looks like a credential.
    expect(df).not.toMatch(/^(ENV|ARG)[^\n]*(KEY|TOKEN|SECRET|PASSWORD)\s*=/im);
    // The CMD's entry point and the UI are what `npm run build` produces.
    expect(read('tsconfig.build.json')).toContain('server/**/*.ts');
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['build']).toContain('tsc -p tsconfig.build.json');
    expect(scripts['build']).toContain('build:renderer');
  });

  it('.dockerignore keeps secrets, git history and local state out of the build context', () => {
    const ignore = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['.git', 'node_modules', 'dist', '.env', 'runs', DEFAULT_OUTBOX_DIR]) expect(ignore).toContain(entry);
  });
});

describe('GitHub workflows', () => {
  const workflows = readdirSync(join(root, '.github/workflows')).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'));
  it('covers every workflow file, ours and others', () => {
    expect(workflows).toEqual(expect.arrayContaining(['ci.yml', 'docker-build.yml']));
  });
  for (const wf of workflows) {
    it(`${wf} passes action-validator`, () => {
      const r = lint('action-validator', join(root, '.github/workflows', wf));
      expect(r.ok, r.out).toBe(true);
    });
  }

  it('action-validator rejects a broken workflow', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'djp-lint-')), 'bad.yml');
    writeFileSync(bad, read('.github/workflows/ci.yml').replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest'));
    expect(lint('action-validator', bad).ok).toBe(false);
  });

  it('ci runs every check once (npm test covers type-check, lint:deploy, Vitest, Playwright) on Node 22 and 24, and audits production dependencies', () => {
    const ci = read('.github/workflows/ci.yml');
    expect(ci).toMatch(/node: \['22', '24'\]/);
    for (const step of ['npm ci', 'npm test']) expect(ci).toContain(step);
    // npm test already runs these: a separate step would run them twice.
    for (const twice of ['npm run typecheck', 'npm run lint:deploy', 'npm run test:e2e']) expect(ci).not.toContain(twice);
    expect(ci).toContain('npm audit --omit=dev --audit-level=high');
  });

  it('every action is pinned by a full commit SHA with its release in a comment; no workflow-wide write permission', () => {
    for (const wf of workflows) {
      const text = read(`.github/workflows/${wf}`);
      const uses = [...text.matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/gm)];
      expect(uses.length, wf).toBeGreaterThan(0);
      for (const [, ref, rest] of uses) {
        expect(ref, `${wf}: ${ref}`).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(rest, `${wf}: ${ref}`).toMatch(/^ # v\d+\.\d+\.\d+$/);
      }
      expect(text, wf).toMatch(/^permissions: \{\}$/m);
    }
    // packages: write only in the docker job that runs on push, never on pull requests.
    const d = read('.github/workflows/docker-build.yml');
    const jobs = d.split(/^  (?=\w[\w-]*:\n)/m).slice(1);
    for (const job of jobs) if (job.includes('packages: write')) expect(job).toContain("if: github.event_name == 'push'");
    expect(jobs.some((j) => j.includes('packages: write'))).toBe(true);
    expect(d).toContain('sbom: true');
    expect(d).toContain('provenance: mode=max');
  });

  it('dependabot watches npm, github-actions and docker', () => {
    const dep = read('.github/dependabot.yml');
    for (const eco of ['npm', 'github-actions', 'docker']) expect(dep).toContain(`package-ecosystem: ${eco}`);
  });

  it('docker-build pushes multi-arch to GHCR only outside pull requests, with branch/semver/sha tags and cache', () => {
    const d = read('.github/workflows/docker-build.yml');
    expect(d).toContain('platforms: linux/amd64,linux/arm64');
    expect(d).toContain('push: true');
    expect(d).toContain("if: github.event_name == 'pull_request'");
    expect(d).toContain('registry: ghcr.io');
    for (const t of ['type=ref,event=branch', 'type=semver,pattern={{version}}', 'type=sha']) expect(d).toContain(t);
    expect(d).toContain('cache-from: type=gha');
    expect(d).toContain('GIT_SHA=${{ github.sha }}'); // provenance in containers
    expect(d).toMatch(/tags: \['v\*'\]/);
    for (const a of ['docker/setup-qemu-action', 'docker/setup-buildx-action', 'docker/login-action', 'docker/metadata-action', 'docker/build-push-action']) expect(d).toContain(a);
  });
});
