// `djp serve` refuses to start on bad configuration, with a message naming the variable and exit 2.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanEnv } from './child-server.js';

const root = join(import.meta.dirname, '..', '..');

function serve(args: string[], env: Record<string, string>): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'serve', ...args], {
    cwd: root,
    env: cleanEnv({ RUNS_DIR: join(root, 'runs-never-created'), ...env }),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stderr: r.stderr };
}

describe('djp serve configuration errors', () => {
  it('refuses a non-loopback address without authentication', () => {
    const r = serve(['--host', '0.0.0.0', '--port', '0'], {});
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('refusing to listen on 0.0.0.0 without authentication');
    expect(r.stderr).toContain('DJP_ALLOW_UNAUTHENTICATED');
  });

  it('refuses an incomplete SSO mode and names the missing variable', () => {
    const r = serve(['--port', '0'], { DJP_AUTH: 'alb', HOST: '0.0.0.0' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('DJP_AUTH_ALB_ARN is required when DJP_AUTH=alb');
  });

  it('refuses bad numbers and names them', () => {
    expect(serve(['--port', 'eighty'], {}).stderr).toContain('PORT="eighty" must be an integer');
    const r = serve(['--port', '0'], { DJP_SHUTDOWN_DEADLINE_S: '-1' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('DJP_SHUTDOWN_DEADLINE_S');
    expect(serve(['--port', '0'], { DJP_LOG_LEVEL: 'loud' }).stderr).toContain('DJP_LOG_LEVEL="loud" is not one of');
  });
});
