// startS3rver(): an S3-compatible server (s3rver) on 127.0.0.1 for tests and benchmarks.
//
// s3rver runs in a CHILD process started with `node --openssl-legacy-provider` (its pagination tokens
// use a cipher that OpenSSL 3 only has in the legacy provider), on port 0 (the OS picks a free port),
// storing objects in a fresh temp folder, with the requested buckets created. The child reports its
// address on stdout; stop() kills it and removes the folder. Credentials: S3RVER / S3RVER.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface S3rverHandle {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  bucket: string;
  directory: string;
  /** Environment for the AWS SDK / `djp` pointing at this server. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const CHILD = `
const S3rver = require(process.env.S3RVER_MODULE);
const buckets = JSON.parse(process.env.S3RVER_BUCKETS);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: process.env.S3RVER_DIR,
  configureBuckets: buckets.map((name) => ({ name })),
});
server.run().then(
  (addr) => process.stdout.write(JSON.stringify({ port: addr.port }) + '\\n'),
  (err) => { process.stderr.write(String(err && err.stack || err)); process.exit(1); },
);
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
`;

export async function startS3rver(opts: { buckets?: string[] } = {}): Promise<S3rverHandle> {
  const buckets = opts.buckets ?? ['djp-test'];
  const directory = mkdtempSync(path.join(tmpdir(), 'djp-s3rver-'));
  const require = createRequire(import.meta.url);
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD], {
    env: {
      PATH: process.env.PATH ?? '',
      S3RVER_MODULE: require.resolve('s3rver'),
      S3RVER_DIR: directory,
      S3RVER_BUCKETS: JSON.stringify(buckets),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within 20 s: ${stderr}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { port: number }).port);
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with code ${code}: ${stderr}`));
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    bucket: buckets[0] as string,
    directory,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
