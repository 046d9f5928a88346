// Connection loss. (1) The network between the browser and the server drops mid-run (a TCP proxy
// in front of the real server cuts every connection and refuses new ones for a few seconds): the
// run says "connection lost — reconnecting" within 5 s, resumes with Last-Event-ID when the network
// returns (no text lost or repeated), says it is back, and finishes. (2) The server process is
// killed (SIGKILL) mid-run: the run says the connection is lost within 5 s; other screens say the
// server cannot be reached, with Retry.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, test } from './fixtures.js';

const root = join(import.meta.dirname, '..', '..');
// The slow-stream model's answer (harness.ts): 40 deltas, one a second.
const ANSWER = `Partial answer begins here. ${'More words keep arriving slowly. '.repeat(60)}`;
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

/** A TCP proxy to the server that can cut the line and restore it on the same port. */
async function startProxy(target: string) {
  const t = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((c) => {
        const u = connect(Number(t.port), t.hostname);
        for (const s of [c, u]) sockets.add(s);
        c.pipe(u);
        u.pipe(c);
        const end = () => {
          c.destroy();
          u.destroy();
          sockets.delete(c);
          sockets.delete(u);
        };
        for (const s of [c, u]) s.on('error', end).on('close', end);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    url: () => `http://127.0.0.1:${port}`,
    async cut() {
      const closed = new Promise<void>((r) => server!.close(() => r()));
      for (const s of sockets) s.destroy();
      sockets.clear();
      await closed;
    },
    restore: listen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => (server?.listening ? server.close(() => r()) : r()));
    },
  };
}

test('the network drops mid-run: "connection lost — reconnecting", then resumed with nothing lost or repeated', async ({ page, app }) => {
  test.setTimeout(90_000);
  app.allowConsoleError(/ERR_CONNECTION|ERR_EMPTY_RESPONSE|Failed to load resource|net::/);
  const proxy = await startProxy(app.base);
  try {
    const res = await page.request.post(`${app.base}/api/runs`, { data: { task: `Network drop ${Date.now()}`, debaters: [{ provider: 'openai', model: 'slow-stream' }], redact: false } });
    expect(res.status()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await page.goto(`${proxy.url()}/#/?run=${id}`);
    const text = page.getByRole('region', { name: 'Draft d1 answer' });
    await expect(text).toContainText('Partial answer begins here', { timeout: 20_000 });
    await proxy.cut();
    const cutAt = Date.now();
    await expect(page.locator('[data-connection="lost"]')).toBeVisible({ timeout: 5_000 });
    expect(Date.now() - cutAt).toBeLessThan(5_000);
    await expect(page.locator('[data-connection="lost"]')).toContainText('Connection lost — reconnecting');
    await app.shot('run-connection-lost');
    await page.waitForTimeout(3_000); // deltas keep coming on the server meanwhile
    await proxy.restore();
    await expect(page.locator('[data-connection="back"]')).toBeVisible({ timeout: 15_000 });
    await expect(page.locator('[data-connection="lost"]')).toHaveCount(0);
    // Caught up, in order: what is shown is exactly the start of the answer (a lost or repeated
    // delta would break it), and it keeps growing.
    const shown = norm(await text.innerText());
    expect(norm(ANSWER).startsWith(shown), `shown text is a prefix of the answer:\n${shown}`).toBe(true);
    await expect.poll(async () => norm(await text.innerText()).length, { timeout: 10_000 }).toBeGreaterThan(shown.length);
    expect(norm(ANSWER).startsWith(norm(await text.innerText()))).toBe(true);
  } finally {
    await proxy.close();
  }
});

test('the server is killed mid-run: the run says the connection is lost; other screens say so, with Retry', async ({ page, app }) => {
  test.setTimeout(90_000);
  app.allowConsoleError(/ERR_CONNECTION|ERR_EMPTY_RESPONSE|Failed to load resource|net::/);
  // A server of its own (the shared one stays up for the other tests), as one Node process.
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'e2e', 'harness.ts')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'test' } });
  let tmp: string | null = null;
  try {
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the second harness did not start within 60 s')), 60_000);
      child.once('exit', (code) => reject(new Error(`the second harness exited early (code ${code})`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('E2E_READY ')) {
          clearTimeout(timer);
          const ready = JSON.parse(line.slice('E2E_READY '.length)) as { base: string; runsDir: string };
          tmp = dirname(ready.runsDir);
          resolve(ready.base);
        }
      });
    });
    const res = await page.request.post(`${base}/api/runs`, { data: { task: `Killed server ${Date.now()}`, debaters: [{ provider: 'openai', model: 'slow-stream' }] } });
    expect(res.status()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await page.goto(`${base}/#/?run=${id}`);
    await expect(page.locator('article[data-draft="d1"]')).toHaveAttribute('data-state', 'streaming', { timeout: 20_000 });
    child.kill('SIGKILL');
    const killedAt = Date.now();
    await expect(page.locator('[data-connection="lost"]')).toBeVisible({ timeout: 5_000 });
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    await expect(page.locator('.run-progress')).not.toContainText('Finished');
    // Another screen: a clear offline state with Retry.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Could not load the run history');
    await expect(alert).toContainText('check that the DJP server is running');
    await expect(alert.getByRole('button', { name: 'Retry' })).toBeVisible();
    await app.shot('history-server-down');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    if (tmp) rmSync(tmp, { recursive: true, force: true }); // a killed harness cannot clean up
  }
});
