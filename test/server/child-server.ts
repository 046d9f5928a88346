// Starts `djp serve` as a child process (tsx from source, or node on a built dist/) and waits for
// its "listening on URL" line. For SIGTERM and payload tests, and the server bench.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildServer {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  stdout: () => string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

export async function startChildServer(opts: { cwd: string; args: string[]; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ChildServer> {
  const child = spawn(process.execPath, opts.args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | string>((r) => child.on('exit', (code, signal) => r(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${opts.timeoutMs ?? 20000} ms:\n${err}\n${out}`)), opts.timeoutMs ?? 20000);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${err}\n${out}`));
    });
  });
  return { child, url, stderr: () => err, stdout: () => out, exited };
}

/** Environment for a child server: no real provider keys leak in from the developer's shell. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT', 'USER']) if (process.env[k]) env[k] = process.env[k];
  return { ...env, NODE_ENV: 'production', ...extra };
}
