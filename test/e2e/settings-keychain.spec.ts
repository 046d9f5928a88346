// Settings' keychain form, in the browser. The desktop form appears only when the preload offers
// window.djp.keys; Electron cannot run here, so these tests put a fake preload bridge into the
// page (an in-memory keychain; listProviders reports key_source 'keychain' for stored keys) and
// drive the real renderer the server serves. The web build (no window.djp) must keep its
// read-only status and no form.
import type { Page } from 'playwright/test';
import { expect, test } from './fixtures.js';

const SECRET = 'sk-e2e-keychain-secret-7f3a9c';

/** Installs window.djp before the app loads. `down`: every keychain call fails as without D-Bus. */
async function fakeDesktop(page: Page, down: boolean): Promise<void> {
  await page.addInitScript(
    ({ down }) => {
      const store = new Map<string, string>();
      const w = globalThis as unknown as { djp: unknown; __keychainCalls: string[] };
      w.__keychainCalls = [];
      const unavailable = {
        ok: false,
        error: {
          code: 'unavailable',
          message:
            'The OS keychain is not available (storing a key failed: Cannot autolaunch D-Bus without X11 $DISPLAY). On Linux the keychain is the Secret Service on the D-Bus session bus: run a desktop session with GNOME Keyring or KWallet. Provider keys can still be set in the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY).',
        },
      };
      const provider = (id: string, label: string) => ({
        id,
        label,
        configured: store.has(id),
        key_source: store.has(id) ? 'keychain' : 'none',
        base_url: null,
        default_model: `${id}-model`,
        judge_model: `${id}-judge`,
        models: [`${id}-model`],
      });
      const answers: Record<string, () => unknown> = {
        listProviders: () => [
          provider('openai', 'OpenAI'),
          provider('anthropic', 'Anthropic'),
          { id: 'offline', label: 'Offline', configured: true, key_source: 'not_needed', base_url: null, default_model: 'offline-1', judge_model: 'offline-judge', models: ['offline-1'] },
        ],
        info: () => ({ app_version: '0.0.0-test', storage: { kind: 'local', location: '/home/me/runs' }, outbox_pending: 0, auth: 'local user', surface: 'desktop' }),
      };
      w.djp = {
        version: 1,
        call: async (op: string) => (answers[op] ? { ok: true, value: answers[op]!() } : { ok: false, error: { code: 'internal', message: `fake bridge: no ${op}` } }),
        subscribe: (_id: string, _after: number | null, _onEvent: unknown, onEnd: (e: unknown) => void) => {
          onEnd({ code: 'internal', message: 'fake bridge: no runs' });
          return () => {};
        },
        keys: {
          list: async () => {
            w.__keychainCalls.push('list');
            return down ? unavailable : { ok: true, value: ['openai', 'anthropic', 'google', 'openai_compatible'].map((p) => ({ provider: p, configured: store.has(p), store: 'encrypted_file' })) };
          },
          set: async (p: string, key: string) => {
            w.__keychainCalls.push(`set ${p} (${key.length} chars)`);
            if (down) return unavailable;
            if (!key.trim()) return { ok: false, error: { code: 'invalid', message: 'key must not be empty', field: 'key' } };
            store.set(p, key.trim());
            return { ok: true };
          },
          delete: async (p: string) => {
            w.__keychainCalls.push(`delete ${p}`);
            if (down) return unavailable;
            store.delete(p);
            return { ok: true };
          },
        },
      };
    },
    { down },
  );
}

test('settings keychain form (desktop): store a key, see key_source keychain, remove it; the key is never shown', async ({ page, app }) => {
  const logged: string[] = [];
  page.on('console', (m) => logged.push(m.text()));
  await fakeDesktop(page, false);
  await app.go('/settings');
  const form = page.getByRole('form', { name: 'OpenAI key' });
  await expect(form.getByTestId('keychain-openai')).toHaveText('no key stored');
  await expect(page.getByLabel('Anthropic API key')).toHaveAttribute('type', 'password');
  await expect(page.getByLabel('OpenAI-compatible endpoint API key')).toBeVisible();
  await expect(form.getByRole('button', { name: 'Remove OpenAI key' })).toBeDisabled();

  const input = page.getByLabel('OpenAI API key');
  await expect(input).toHaveAttribute('type', 'password');
  // The form says where keys go (here: the safeStorage-encrypted file, as when no OS keychain answers).
  await expect(page.getByTestId('keychain-store')).toContainText('encrypted with the system’s key (Electron safeStorage), never as plain text');
  await input.fill(SECRET);
  await form.getByRole('button', { name: 'Save OpenAI key' }).click();
  await expect(form.getByRole('status')).toHaveText('Saved the OpenAI key in the OS keychain.');
  await expect(input).toHaveValue('');
  await expect(form.getByTestId('keychain-openai')).toHaveText('key stored');
  const row = page.getByRole('table', { name: 'Provider status' }).locator('tr[data-provider="openai"]');
  await expect(row).toContainText('key stored in the OS keychain');
  await expect(row).toContainText('configured');
  await app.shot('settings-desktop-keychain');
  expect(await page.content()).not.toContain(SECRET);

  await form.getByRole('button', { name: 'Remove OpenAI key' }).click();
  await expect(form.getByRole('status')).toHaveText('Removed the OpenAI key from the OS keychain.');
  await expect(form.getByTestId('keychain-openai')).toHaveText('no key stored');
  await expect(row).toContainText('no key');

  // An empty field is refused at the form, before the keychain is asked.
  await form.getByRole('button', { name: 'Save OpenAI key' }).click();
  await expect(form.getByRole('alert')).toHaveText('Paste the OpenAI API key first.');

  const calls = await page.evaluate(() => (globalThis as unknown as { __keychainCalls: string[] }).__keychainCalls);
  expect(calls).toEqual(['list', `set openai (${SECRET.length} chars)`, 'list', 'delete openai', 'list']);
  expect(logged.join('\n')).not.toContain(SECRET);
});

test('settings keychain form (desktop): an unavailable keychain is explained at the form', async ({ page, app }) => {
  await fakeDesktop(page, true);
  await app.go('/settings');
  const group = page.getByRole('group', { name: 'API keys in the OS keychain' });
  await expect(group.getByRole('alert').first()).toContainText('Could not read the OS keychain. The OS keychain is not available');
  const form = page.getByRole('form', { name: 'Anthropic key' });
  await page.getByLabel('Anthropic API key').fill(SECRET);
  await form.getByRole('button', { name: 'Save Anthropic key' }).click();
  const alert = form.getByRole('alert');
  await expect(alert).toContainText('Could not save the Anthropic key. The OS keychain is not available');
  await expect(alert).toContainText('GNOME Keyring');
  await expect(alert).toContainText('ANTHROPIC_API_KEY');
  await app.shot('settings-desktop-keychain-unavailable');
  expect(await page.content()).not.toContain(SECRET);
});

test('settings in the web build: read-only provider status, no keychain form', async ({ page, app }) => {
  await app.go('/settings');
  await expect(page.getByRole('table', { name: 'Provider status' })).toBeVisible();
  await expect(page.getByText('API keys are set in its environment')).toBeVisible();
  await expect(page.getByLabel('OpenAI API key')).toHaveCount(0);
  await expect(page.getByRole('group', { name: 'API keys in the OS keychain' })).toHaveCount(0);
});
