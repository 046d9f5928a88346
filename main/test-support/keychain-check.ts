// Run by main/secrets.test.ts in a child process (inside `dbus-run-session` with gnome-keyring for
// "roundtrip", or with DBUS_SESSION_BUS_ADDRESS pointing nowhere for "unavailable"). Drives the real
// keytar through main/secrets.ts and the provider registry, and prints one JSON line of findings.
// The key comes from DJP_TEST_KEY and is never printed.
import { DjpError } from '../../shared/api/index.js';
import { loadProviderRegistry } from '../../shared/providers/registry.js';
import { KEYCHAIN_SERVICE, createKeychain, loadKeytar } from '../secrets.js';

const mode = process.argv[2];
const key = process.env.DJP_TEST_KEY ?? '';
const keychain = createKeychain();
const source = keychain.secretSource();

async function openaiStatus(env: Record<string, string>) {
  const s = (await loadProviderRegistry(env, source)).statuses().find((p) => p.id === 'openai')!;
  return { configured: s.configured, key_source: s.key_source, json: JSON.stringify(s) };
}

function errorOf(e: unknown) {
  return e instanceof DjpError ? { code: e.code, message: e.message, field: e.field ?? null } : { code: 'not-a-DjpError', message: String(e), field: null };
}

async function roundtrip() {
  const before = await keychain.list();
  await keychain.set('openai', key);
  const readBack = (await source.get('openai')) === key;
  const raw = await (await loadKeytar()).getPassword(KEYCHAIN_SERVICE, 'openai');
  const listed = await keychain.list();
  const fromKeychain = await openaiStatus({});
  const fromEnv = await openaiStatus({ OPENAI_API_KEY: 'sk-env-key-aaaaaaaaaaaa' });
  await keychain.delete('openai');
  const deleteAgain = await keychain.delete('openai').then(() => 'ok', (e: unknown) => errorOf(e));
  const after = await keychain.list();
  const readAfter = await source.get('openai');
  const afterDelete = await openaiStatus({});
  return { before, readBack, rawMatches: raw === key, listed, fromKeychain, fromEnv, deleteAgain, after, readAfterIsNull: readAfter === null, afterDelete };
}

async function unavailable() {
  const list = await keychain.list().then(() => null, (e: unknown) => errorOf(e));
  const set = await keychain.set('openai', key).then(() => null, (e: unknown) => errorOf(e));
  const get = await source.get('openai').then(() => null, (e: unknown) => errorOf(e));
  // The registry treats an unreachable keychain as "no key" and keeps going (offline still works).
  const registry = await openaiStatus({});
  const offlineOnly = (await loadProviderRegistry({}, source)).offlineOnly();
  return { list, set, get, registry, offlineOnly };
}

const result = mode === 'roundtrip' ? await roundtrip() : mode === 'unavailable' ? await unavailable() : { error: `unknown mode ${mode}` };
process.stdout.write(`${JSON.stringify(result)}\n`);
