// Runs the real `djp` CLI as a subprocess, the way a user would, and collects its exit code and output.
// Only the environment given is passed (plus PATH). Under Vitest that is the bundled command package.json's
// "bin" installs (built once per run by test/setup/cli-global.ts, path in DJP_TEST_CLI); elsewhere the
// sources under tsx.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  cwd: string;
  env: Record<string, string>;
  /** Run as this user/group (a test that needs permissions to apply, when the suite runs as root). */
  uid?: number;
  gid?: number;
  /** Close our end of stdout after the first chunk, like `| head -1`. */
  closeStdoutEarly?: boolean;
}

export function runCli(args: string[], opts: RunCliOptions): Promise<CliResult> {
  return new Promise((res) => {
    const built = process.env.DJP_TEST_CLI;
    const [cmd, first] = built ? [process.execPath, built] : [tsx, join(root, 'server/cli.ts')];
    const p = spawn(cmd, [first, ...args], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH ?? '', ...opts.env },
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (opts.closeStdoutEarly) p.stdout.destroy();
    });
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}
