// Review finding: DNS rebinding. With DJP_AUTH=none on 127.0.0.1, a web page whose host name is
// re-pointed at 127.0.0.1 becomes same-origin with the server and could read every run and start
// new ones. The unauthenticated loopback mode only answers /api requests addressed to a loopback
// host name (localhost, 127.x, [::1]).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authFromEnv } from '../../server/auth/index.js';
import { createMemoryApi } from '../server/memory-api.js';
import { startServer, type Started } from '../server/http-helpers.js';

function getWithHost(base: string, path: string, host: string): Promise<number> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method: 'GET', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('DJP_AUTH=none on loopback and foreign Host names', () => {
  let s: Started;
  let open: Started;
  beforeAll(async () => {
    s = await startServer(createMemoryApi(), { auth: authFromEnv({}, '127.0.0.1') });
    open = await startServer(createMemoryApi(), { auth: authFromEnv({ DJP_ALLOW_UNAUTHENTICATED: '1' }, '0.0.0.0') });
  });
  afterAll(async () => {
    await s.close();
    await open.close();
  });

  it('refuses /api requests for a non-loopback Host; loopback names work', async () => {
    const port = new URL(s.base).port;
    expect(await getWithHost(s.base, '/api/runs', `rebind.evil.example:${port}`)).toBe(403);
    expect(await getWithHost(s.base, '/api/whoami', `10.0.0.5:${port}`)).toBe(403);
    for (const h of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'localhost']) {
      expect(await getWithHost(s.base, '/api/runs', h), h).toBe(200);
    }
    // Health probes stay open.
    expect(await getWithHost(s.base, '/healthz', `rebind.evil.example:${port}`)).toBe(200);
  });

  it('DJP_ALLOW_UNAUTHENTICATED=1 on a public address does not check the Host', async () => {
    expect(await getWithHost(open.base, '/api/runs', 'djp.internal.example')).toBe(200);
  });
});
