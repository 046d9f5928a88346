// main/secrets.ts against a REAL Secret Service: a private D-Bus session (dbus-run-session) with
// gnome-keyring-daemon unlocked, keytar built from source against libsecret. Needs the Debian
// packages dbus, dbus-x11, gnome-keyring and libsecret-1-dev (.ci/run installs them).
// The checks run in a child process (test-support/keychain-check.ts) because the D-Bus session
// exists only inside dbus-run-session.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DjpError } from '../shared/api/index.js';
import { createKeychain } from './secrets.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(root, 'main', 'test-support', 'keychain-check.ts');
const KEY = `sk-keychain-test-${Math.random().toString(36).slice(2)}${Date.now()}`;

let home: string;
beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'djp-keyring-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // A private HOME/XDG dirs: the test keyring never touches the user's.
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_RUNTIME_DIR: home, DJP_TEST_KEY: KEY, ...extra };
  delete env.OPENAI_API_KEY;
  return env;
}

async function check(mode: string, cmd: string, args: string[], extraEnv: Record<string, string>) {
  const { stdout } = await run(cmd, args, { cwd: root, env: childEnv(extraEnv), timeout: 60_000 });
  expect(stdout).not.toContain(KEY);
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return { json: JSON.parse(line) as Record<string, unknown>, stdout, mode };
}

describe('keychain secrets (keytar)', () => {
  it('sets, reads back, lists and deletes a key in a real Secret Service; registry precedence env > keychain > none', async () => {
    const inner = `echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec node --import tsx ${JSON.stringify(script)} roundtrip`;
    const { json: r } = await check('roundtrip', 'dbus-run-session', ['--', 'sh', '-c', inner], {});
    const none = ['openai', 'anthropic', 'google', 'openai_compatible'].map((provider) => ({ provider, configured: false, store: 'os_keychain' }));
    expect(r.before).toEqual(none);
    expect(r.readBack).toBe(true);
    expect(r.rawMatches).toBe(true); // stored under service "djp-workflow", account "openai"
    expect(r.listed).toEqual(none.map((s) => (s.provider === 'openai' ? { provider: 'openai', configured: true, store: 'os_keychain' } : s)));
    expect(r.fromKeychain).toMatchObject({ configured: true, key_source: 'keychain' });
    expect((r.fromKeychain as { json: string }).json).not.toContain(KEY);
    expect(r.fromEnv).toMatchObject({ configured: true, key_source: 'env' });
    expect(r.deleteAgain).toBe('ok');
    expect(r.after).toEqual(none);
    expect(r.readAfterIsNull).toBe(true);
    expect(r.afterDelete).toMatchObject({ configured: false, key_source: 'none' });
  });

  it('without D-Bus, every keychain operation fails with a clear "unavailable" error and the registry carries on', async () => {
    const { json: r } = await check('unavailable', process.execPath, ['--import', 'tsx', script, 'unavailable'], {
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(home, 'no-such-bus')}`,
    });
    for (const op of ['list', 'set', 'get'] as const) {
      const e = r[op] as { code: string; message: string };
      expect(e.code, op).toBe('unavailable');
      expect(e.message, op).toMatch(/OS keychain is not available/);
      expect(e.message, op).toMatch(/Secret Service on the D-Bus session bus/);
      expect(e.message, op).toContain('OPENAI_API_KEY');
      expect(e.message, op).not.toContain(KEY);
    }
    expect(r.registry).toMatchObject({ configured: false, key_source: 'none' });
    expect(r.offlineOnly).toBe(true);
  });

  it('without keytar installed, says so (and loads it only once)', async () => {
    let loads = 0;
    const kc = createKeychain({
      load: async () => {
        loads++;
        throw Object.assign(new Error("Cannot find package 'keytar' imported from /app/main/secrets.js"), { code: 'ERR_MODULE_NOT_FOUND' });
      },
      platform: 'linux',
    });
    const e1 = await kc.list().catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(DjpError);
    expect((e1 as DjpError).code).toBe('unavailable');
    expect((e1 as DjpError).message).toMatch(/optional keytar module is not installed/);
    await expect(kc.set('openai', 'sk-aaaaaaaaaaaaaaaa')).rejects.toMatchObject({ code: 'unavailable' });
    await expect(kc.secretSource().get('openai')).rejects.toMatchObject({ code: 'unavailable' });
    expect(loads).toBe(1);
  });

  it('validates provider and key before touching the keychain, without echoing the key', async () => {
    let touched = false;
    const kc = createKeychain({
      load: async () => {
        touched = true;
        throw new Error('should not load');
      },
    });
    const secret = 'sk-abc def-0123456789';
    const e = await kc.set('openai', secret).catch((x: unknown) => x as DjpError);
    expect(e).toMatchObject({ code: 'invalid', field: 'key' });
    expect((e as DjpError).message).not.toContain('0123456789');
    await expect(kc.set('mistral' as 'openai', 'sk-aaaaaaaaaaaa')).rejects.toMatchObject({ code: 'invalid', field: 'provider' });
    await expect(kc.delete('' as 'openai')).rejects.toMatchObject({ code: 'invalid', field: 'provider' });
    await expect(kc.set('openai', 'x'.repeat(5000))).rejects.toMatchObject({ code: 'invalid', field: 'key' });
    // The offline provider has no key to look up.
    expect(await kc.get('offline')).toBeNull();
    expect(touched).toBe(false);
  });
});
