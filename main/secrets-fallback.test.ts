// The keychain's fallback: when keytar cannot load or the OS keychain cannot be reached, keys are kept
// in a file under userData, each value encrypted with Electron's safeStorage. Tested under Node with a
// fake safeStorage that really encrypts (AES-256-GCM, a key held in memory), like the OS-backed one.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeychain, encryptedFileStore, type SafeStorageLike } from './secrets.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'djp-keys-fallback-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeSafeStorage(opts: { available?: boolean; backend?: string } = {}): SafeStorageLike {
  const key = randomBytes(32);
  return {
    isEncryptionAvailable: () => opts.available ?? true,
    getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
    encryptString(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(buf) {
      const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const noKeytar = async () => {
  throw Object.assign(new Error("Cannot find package 'keytar'"), { code: 'ERR_MODULE_NOT_FOUND' });
};
const KEY = `sk-fallback-${randomBytes(12).toString('hex')}`;

describe('keychain fallback: safeStorage-encrypted file', () => {
  it('keytar missing → keys go to the encrypted file: stored, read back, listed with the store named, deleted; the file never holds a key in clear', async () => {
    const file = path.join(dir, 'a', 'keys.enc.json');
    const kc = createKeychain({ load: noKeytar, fallback: () => encryptedFileStore(file, fakeSafeStorage()) });
    await kc.set('openai', KEY);
    const raw = readFileSync(file, 'utf8');
    expect(raw).not.toContain(KEY);
    expect(raw).not.toContain(KEY.slice(3, 20));
    expect(raw).not.toContain(Buffer.from(KEY).toString('base64').slice(0, 16));
    expect(JSON.parse(raw)).toMatchObject({ version: 1, service: 'djp-workflow', keys: { openai: expect.any(String) } });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await kc.get('openai')).toBe(KEY);
    expect(await kc.secretSource().get('openai')).toBe(KEY);
    const list = await kc.list();
    expect(list.find((s) => s.provider === 'openai')).toEqual({ provider: 'openai', configured: true, store: 'encrypted_file' });
    expect(list.find((s) => s.provider === 'anthropic')).toEqual({ provider: 'anthropic', configured: false, store: 'encrypted_file' });
    await kc.delete('openai');
    expect(await kc.get('openai')).toBeNull();
    expect(readFileSync(file, 'utf8')).not.toContain(KEY);
  });

  it('the OS keychain unreachable (keytar loads, Secret Service does not answer) → the fallback too', async () => {
    const file = path.join(dir, 'b', 'keys.enc.json');
    const unreachable = async () => ({
      getPassword: async () => null,
      setPassword: async () => undefined,
      deletePassword: async () => false,
      findCredentials: async () => {
        throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY');
      },
    });
    const kc = createKeychain({ load: unreachable, fallback: () => encryptedFileStore(file, fakeSafeStorage()) });
    await kc.set('anthropic', KEY);
    expect((await kc.list()).find((s) => s.provider === 'anthropic')).toEqual({ provider: 'anthropic', configured: true, store: 'encrypted_file' });
  });

  it('a working OS keychain is used first and named os_keychain', async () => {
    const stored = new Map<string, string>();
    const keytar = async () => ({
      getPassword: async (_s: string, a: string) => stored.get(a) ?? null,
      setPassword: async (_s: string, a: string, p: string) => void stored.set(a, p),
      deletePassword: async (_s: string, a: string) => stored.delete(a),
      findCredentials: async () => [...stored].map(([account, password]) => ({ account, password })),
    });
    const file = path.join(dir, 'c', 'keys.enc.json');
    const kc = createKeychain({ load: keytar, fallback: () => encryptedFileStore(file, fakeSafeStorage()) });
    await kc.set('google', KEY);
    expect(stored.get('google')).toBe(KEY);
    expect(existsSync(file)).toBe(false);
    expect((await kc.list()).find((s) => s.provider === 'google')).toEqual({ provider: 'google', configured: true, store: 'os_keychain' });
  });

  it('never plain text: no safeStorage encryption, or Linux basic_text, and nothing is written', async () => {
    for (const ss of [fakeSafeStorage({ available: false }), fakeSafeStorage({ backend: 'basic_text' })]) {
      const file = path.join(dir, `d-${Math.random()}`, 'keys.enc.json');
      const kc = createKeychain({ load: noKeytar, fallback: () => encryptedFileStore(file, ss) });
      await expect(kc.set('openai', KEY)).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/Neither the OS keychain nor the encrypted key file/) });
      await expect(kc.set('openai', KEY)).rejects.not.toMatchObject({ message: expect.stringContaining(KEY) });
      expect(existsSync(file)).toBe(false);
    }
  });
});
