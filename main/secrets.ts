// Provider API keys in the OS keychain (macOS Keychain, Windows Credential Manager, Secret Service
// on Linux) through keytar, an optional dependency loaded on first use. Service name "djp-workflow",
// one account per provider. Keys flow one way: the Settings form sets them, the core reads them
// through a SecretSource; nothing here returns a key to the renderer (list() says configured or not).
// When keytar cannot load (not installed, ABI mismatch) or the keychain cannot be reached (Linux
// without D-Bus / Secret Service), the keys go to the fallback when one is given: a file in the
// user-data folder whose values are encrypted with Electron's safeStorage (encryptedFileStore below;
// never plain text: no safeStorage encryption, no fallback). Without either, every operation throws
// DjpError('unavailable') saying so; the app keeps running (env keys and the offline provider still work).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DjpError, KEYCHAIN_PROVIDERS, type KeychainProvider, type KeychainStatus, type KeyStore, type ProviderId } from '../shared/api/index.js';
import { redactSecrets } from '../shared/guardrails/redaction.js';
import type { SecretSource } from '../shared/providers/registry.js';
import type { KeyManager } from './ipc.js';

export const KEYCHAIN_SERVICE = 'djp-workflow';
const MAX_KEY_LENGTH = 4096;

/** The part of keytar used here. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

export type KeytarLoader = () => Promise<KeytarLike>;

/** Imports keytar (optionalDependency) at run time; the module name is not a literal so builds
 *  and type checks do not need it. */
export const loadKeytar: KeytarLoader = async () => {
  const name = 'keytar';
  const mod = (await import(name)) as { default?: KeytarLike } & Partial<KeytarLike>;
  const k = (mod.default ?? mod) as Partial<KeytarLike>;
  if (typeof k.getPassword !== 'function' || typeof k.findCredentials !== 'function') throw new Error('keytar did not load (no getPassword/findCredentials)');
  return k as KeytarLike;
};

/** The part of Electron's safeStorage used here (electron.safeStorage in main.ts; a fake in tests). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means no secret store, values obfuscated with a fixed password. */
  getSelectedStorageBackend?(): string;
}

/**
 * A KeytarLike over one JSON file whose values are safeStorage-encrypted (base64): the fallback when
 * the OS keychain cannot be used. Written atomically (temp file + rename), mode 0600. Refuses to work
 * (so nothing is ever written) when safeStorage cannot encrypt, or on Linux's 'basic_text' backend,
 * which is obfuscation with a hard-coded password, not encryption.
 */
export function encryptedFileStore(file: string, safeStorage: SafeStorageLike): KeytarLike {
  const check = () => {
    if (!safeStorage.isEncryptionAvailable()) throw new Error('Electron safeStorage cannot encrypt on this system');
    const backend = safeStorage.getSelectedStorageBackend?.();
    if (backend === 'basic_text') throw new Error('Electron safeStorage has no secret store here (basic_text backend): keys would only be obfuscated');
  };
  type FileShape = { version: 1; service: string; keys: Record<string, string> };
  const read = (service: string): FileShape => {
    try {
      const f = JSON.parse(readFileSync(file, 'utf8')) as FileShape;
      if (f.version === 1 && f.service === service && f.keys && typeof f.keys === 'object') return f;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${path.basename(file)}: ${(e as Error).message}`);
    }
    return { version: 1, service, keys: {} };
  };
  const write = (f: FileShape) => {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(f, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  };
  const decrypt = (v: string) => safeStorage.decryptString(Buffer.from(v, 'base64'));
  return {
    async getPassword(service, account) {
      check();
      const v = read(service).keys[account];
      return v === undefined ? null : decrypt(v);
    },
    async setPassword(service, account, password) {
      check();
      const f = read(service);
      f.keys[account] = safeStorage.encryptString(password).toString('base64');
      write(f);
    },
    async deletePassword(service, account) {
      check();
      const f = read(service);
      if (!(account in f.keys)) return false;
      delete f.keys[account];
      write(f);
      return true;
    },
    async findCredentials(service) {
      check();
      return Object.entries(read(service).keys).map(([account, v]) => ({ account, password: decrypt(v) }));
    },
  };
}

export interface Keychain extends KeyManager {
  /** The key for a provider, or null. For the core only (never sent to the renderer). */
  get(provider: ProviderId): Promise<string | null>;
  /** The SecretSource the provider registry reads (env keys still win over these). */
  secretSource(): SecretSource;
}

export interface KeychainOptions {
  service?: string;
  load?: KeytarLoader;
  platform?: NodeJS.Platform;
  /** Used when keytar cannot load or the OS keychain cannot be reached (encryptedFileStore). */
  fallback?: () => KeytarLike;
}

function describe(e: unknown): string {
  return redactSecrets(e instanceof Error ? e.message : String(e)).trim() || 'unknown error';
}

function platformHint(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'linux':
      return 'On Linux the keychain is the Secret Service on the D-Bus session bus: run a desktop session with GNOME Keyring or KWallet (headless: dbus-run-session plus gnome-keyring-daemon --unlock --components=secrets)';
    case 'darwin':
      return 'On macOS the login keychain must be unlocked';
    case 'win32':
      return 'On Windows the Credential Manager must be reachable';
    default:
      return `No supported keychain on ${platform}`;
  }
}

const ENV_HINT = 'Provider keys can still be set in the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY, GOOGLE_API_KEY, OPENAI_COMPATIBLE_API_KEY).';

export function isKeychainProvider(p: unknown): p is KeychainProvider {
  return typeof p === 'string' && (KEYCHAIN_PROVIDERS as readonly string[]).includes(p);
}

function checkProvider(p: unknown): KeychainProvider {
  if (!isKeychainProvider(p)) throw new DjpError('invalid', `provider must be one of ${KEYCHAIN_PROVIDERS.join(', ')}`, 'provider');
  return p;
}

function checkKey(key: unknown): string {
  // Messages here never include the key (or any part of it).
  if (typeof key !== 'string') throw new DjpError('invalid', 'key must be a string', 'key');
  const k = key.trim();
  if (!k) throw new DjpError('invalid', 'key must not be empty', 'key');
  if (k.length > MAX_KEY_LENGTH) throw new DjpError('invalid', `key is longer than ${MAX_KEY_LENGTH} characters`, 'key');
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(k)) throw new DjpError('invalid', 'key must not contain spaces, line breaks or control characters', 'key');
  return k;
}

export function createKeychain(opts: KeychainOptions = {}): Keychain {
  const service = opts.service ?? KEYCHAIN_SERVICE;
  const load = opts.load ?? loadKeytar;
  const platform = opts.platform ?? process.platform;
  let loaded: Promise<{ k: KeytarLike; store: KeyStore }> | null = null;

  /** keytar when it loads and answers (one listing, nothing read); else the fallback when there is one. */
  async function keytar(): Promise<KeytarLike> {
    return (await chosen()).k;
  }
  function chosen(): Promise<{ k: KeytarLike; store: KeyStore }> {
    loaded ??= (async () => {
      try {
        const k = await osKeychain();
        if (opts.fallback) await k.findCredentials(service); // reachable? (Linux: D-Bus / Secret Service)
        return { k, store: 'os_keychain' as const };
      } catch (e) {
        if (!opts.fallback) throw e;
        return { k: opts.fallback(), store: 'encrypted_file' as const };
      }
    })();
    return loaded;
  }

  function osKeychain(): Promise<KeytarLike> {
    return load().catch((e: unknown) => {
      const code = (e as { code?: string } | null)?.code;
      const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
      throw new DjpError(
        'unavailable',
        missing
          ? `The OS keychain is not available: the optional keytar module is not installed (reinstall with optional dependencies). ${ENV_HINT}`
          : `The OS keychain is not available: keytar failed to load (${describe(e)}). ${ENV_HINT}`,
        undefined,
        { cause: e },
      );
    });
  }

  /** Runs one keychain operation; a failure to reach the keychain becomes a clear 'unavailable'. */
  async function withKeychain<T>(what: string, fn: (k: KeytarLike) => Promise<T>): Promise<T> {
    const k = await keytar();
    try {
      return await fn(k);
    } catch (e) {
      const { store } = await chosen();
      if (store === 'encrypted_file') throw new DjpError('unavailable', `Neither the OS keychain nor the encrypted key file can be used (${what} failed: ${describe(e)}). ${platformHint(platform)}. ${ENV_HINT}`, undefined, { cause: e });
      throw new DjpError('unavailable', `The OS keychain is not available (${what} failed: ${describe(e)}). ${platformHint(platform)}. ${ENV_HINT}`, undefined, { cause: e });
    }
  }

  const kc: Keychain = {
    async get(provider) {
      if (!isKeychainProvider(provider)) return null;
      const v = await withKeychain('reading a key', (k) => k.getPassword(service, provider));
      return v?.trim() || null;
    },
    async set(provider, key) {
      const p = checkProvider(provider);
      const value = checkKey(key);
      await withKeychain('storing a key', (k) => k.setPassword(service, p, value));
    },
    async delete(provider) {
      const p = checkProvider(provider);
      await withKeychain('deleting a key', (k) => k.deletePassword(service, p));
    },
    async list(): Promise<KeychainStatus[]> {
      const accounts = await withKeychain('listing keys', async (k) => {
        const creds = await k.findCredentials(service);
        // Only account names leave this function; the passwords are dropped here.
        return new Set(creds.filter((c) => !!c.password?.trim()).map((c) => c.account));
      });
      const { store } = await chosen();
      return KEYCHAIN_PROVIDERS.map((provider) => ({ provider, configured: accounts.has(provider), store }));
    },
    secretSource: () => ({ get: (provider) => kc.get(provider) }),
  };
  return kc;
}
