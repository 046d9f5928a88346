// Settings: providers the server has configured (read-only on the web; keys are never shown or
// sent here; on the desktop, a keychain form stores and removes keys), where runs are stored,
// the notification channels (Slack, Teams, email) and their last delivery, budget defaults for new
// runs, and the theme.
import { useState, type FormEvent } from 'react';
import { TableWrap } from '../components/TableWrap.js';
import { KeychainForm } from '../components/KeychainForm.js';
import { NotificationSettings } from '../components/Notifications.js';
import { useApp, useLoad } from '../context.js';
import { applyTheme, loadBudgets, loadTheme, saveBudgets, type Theme } from '../theme.js';

const KEY_SOURCE: Record<string, string> = {
  env: 'key set in the server environment',
  keychain: 'key stored in the OS keychain',
  none: 'no key',
  not_needed: 'no key needed',
};

export function SettingsScreen() {
  const { client, providers, providersError, reloadProviders } = useApp();
  const info = useLoad(() => client.info(), [client]);
  const [theme, setTheme] = useState<Theme>(loadTheme);
  const initial = loadBudgets();
  const [budget, setBudget] = useState({ usd: initial.usd?.toString() ?? '', tokens: initial.tokens?.toString() ?? '' });
  const [saved, setSaved] = useState<{ ok: boolean; text: string } | null>(null);

  const saveBudget = (e: FormEvent) => {
    e.preventDefault();
    const usd = budget.usd.trim() ? Number(budget.usd) : null;
    const tokens = budget.tokens.trim() ? Number(budget.tokens) : null;
    if (usd !== null && !(usd > 0)) return setSaved({ ok: false, text: 'Default budget (USD) must be a positive number, or empty for no limit.' });
    if (tokens !== null && !(Number.isInteger(tokens) && tokens > 0))
      return setSaved({ ok: false, text: 'Default budget (tokens) must be a positive whole number, or empty for no limit.' });
    saveBudgets({ usd, tokens });
    setSaved({ ok: true, text: 'Saved. New runs start with these budgets.' });
  };

  return (
    <div className="screen">
      <h2>Settings</h2>
      <section className="card" aria-label="Providers">
        <div className="row spread">
          <h3>Providers and models</h3>
          <button type="button" onClick={reloadProviders}>
            Refresh
          </button>
        </div>
        <p className="muted small">
          {client.transport === 'http'
            ? 'Read-only: the server decides which providers are configured (API keys are set in its environment and are never sent to the browser).'
            : client.keys
              ? 'Keys are kept in the OS keychain by the desktop app: store or remove them below. A stored key is never shown here.'
              : 'Keys are kept in the OS keychain by the desktop app and never shown here (this version of the desktop app cannot change them from Settings).'}
        </p>
        {providersError && (
          <p className="error" role="alert">
            {providersError}
          </p>
        )}
        {providers && (
          <TableWrap label="Provider status table">
            <table aria-label="Provider status">
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Status</th>
                  <th scope="col">Key</th>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Default model</th>
                  <th scope="col">Judge model</th>
                  <th scope="col">Models</th>
                </tr>
              </thead>
              <tbody>
                {providers.map((p) => (
                  <tr key={p.id} data-provider={p.id}>
                    <th scope="row">{p.label}</th>
                    <td>
                      <span className={`badge ${p.configured ? 'ok' : 'off'}`}>{p.configured ? 'configured' : 'not configured'}</span>
                    </td>
                    <td>{KEY_SOURCE[p.key_source] ?? p.key_source}</td>
                    <td>{p.base_url ?? 'default'}</td>
                    <td>{p.default_model}</td>
                    <td>{p.judge_model}</td>
                    <td>{p.models.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        {client.keys && <KeychainForm keys={client.keys} onChanged={reloadProviders} />}
      </section>

      <section className="card" aria-label="Storage">
        <h3>Storage</h3>
        {info.loading && <p className="muted">Loading…</p>}
        {info.error && (
          <p className="error" role="alert">
            Could not read the server info: {info.error}
          </p>
        )}
        {info.data && (
          <dl className="params">
            <div>
              <dt>Runs are saved to</dt>
              <dd>
                <code data-testid="storage-location">{info.data.storage.location}</code> ({info.data.storage.kind})
              </dd>
            </div>
            <div>
              <dt>Waiting in the outbox</dt>
              <dd>{info.data.outbox_pending}</dd>
            </div>
            <div>
              <dt>Sign-in</dt>
              <dd>{info.data.auth}</dd>
            </div>
            <div>
              <dt>App version</dt>
              <dd>{info.data.app_version}</dd>
            </div>
          </dl>
        )}
      </section>

      <section className="card" aria-label="Notifications">
        <h3>Notifications</h3>
        {info.data && <NotificationSettings info={info.data.notifications} />}
      </section>

      <section className="card" aria-label="Budgets">
        <h3>Default budgets for new runs</h3>
        <form className="grid" onSubmit={saveBudget} noValidate aria-label="Default budgets">
          <div>
            <label htmlFor="s-budget-usd">Default budget (USD)</label>
            <input id="s-budget-usd" type="number" min={0} step="0.01" placeholder="no limit" value={budget.usd} onChange={(e) => setBudget({ ...budget, usd: e.target.value })} />
          </div>
          <div>
            <label htmlFor="s-budget-tokens">Default budget (tokens)</label>
            <input id="s-budget-tokens" type="number" min={0} step="1" placeholder="no limit" value={budget.tokens} onChange={(e) => setBudget({ ...budget, tokens: e.target.value })} />
          </div>
          <div className="row end">
            <button type="submit">Save budgets</button>
          </div>
        </form>
        {saved &&
          (saved.ok ? (
            <p role="status">{saved.text}</p>
          ) : (
            <p role="alert" className="error">
              {saved.text}
            </p>
          ))}
      </section>

      <section className="card" aria-label="Appearance">
        <h3>Theme</h3>
        <div className="row" role="radiogroup" aria-label="Theme">
          {(['light', 'dark'] as const).map((t) => (
            <label key={t}>
              <input
                type="radio"
                name="theme"
                value={t}
                checked={theme === t}
                onChange={() => {
                  setTheme(t);
                  applyTheme(t, true);
                }}
              />{' '}
              {t === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </div>
      </section>
    </div>
  );
}
