// Run: compose a run request, start it (button or Ctrl/Cmd+Enter), watch it live, cancel it.
import { useEffect, useMemo, useRef, useState } from 'react';
import { submitHandlers } from '../lib/submit.js';
import { DEFAULT_PARAMETERS, POLICY_NAMES, PRESET_NAMES, type CostProjection, type ProviderId, type ProviderStatus } from '../../../shared/api/index.js';
import { errorMessage } from '../api/client.js';
import { RunStages } from '../components/RunStages.js';
import { useApp } from '../context.js';
import { formatUsd } from '../lib/format.js';
import { navigate, useRoute } from '../router.js';
import { buildRequest, initialForm, MAX_DEBATERS, nextProvider, sharedProviders, usableProvider, type FormState } from '../lib/runForm.js';
import { ModelInput } from '../components/ModelPicker.js';
import { useRun } from '../useRun.js';
import { useRunTitle } from '../lib/title.js';
import { ConnectionNote } from '../components/Status.js';
import { Attachments } from '../components/Attachments.js';
import { FollowUp } from '../components/FollowUp.js';
import { ThreadContextPanel } from '../components/ThreadView.js';
import type { UploadedAttachment } from '../../../shared/api/index.js';

const FIELD_INPUT: Record<string, string> = {
  task: 'task',
  require_citations: 'require-citations',
  grounded_corpus: 'corpus',
  budget_usd: 'budget-usd',
  budget_tokens: 'budget-tokens',
  debaters: 'debaters',
  policy: 'policy',
  preset: 'preset',
  judge: 'judge',
};

/** Fields whose errors show next to their input; others show under the Run button. */
const INLINE_ERRORS = ['task', 'require_citations', 'grounded_corpus', 'budget_usd', 'budget_tokens', 'debaters', 'judge'];

function providerNote(p: ProviderStatus): string {
  if (p.id === 'offline') return 'offline (labelled, no key needed)';
  if (p.configured) return `configured (${p.key_source === 'env' ? 'key from environment' : p.key_source === 'keychain' ? 'key in keychain' : 'no key needed'})`;
  return 'not configured — no key on the server';
}

export function RunScreen() {
  const { client, providers, providersError, reloadProviders } = useApp();
  const route = useRoute();
  const runId = route.params.get('run');
  const [form, setForm] = useState<FormState>(initialForm);
  const [files, setFiles] = useState<UploadedAttachment[]>([]);
  const [fieldError, setFieldError] = useState<{ field: string; message: string } | null>(null);
  const [starting, setStarting] = useState(false);
  const [projection, setProjection] = useState<{ data: CostProjection | null; error: string | null }>({ data: null, error: null });
  // While a run is shown the form folds to a one-line summary (reopened on demand); while it is
  // live, Run is disabled — a second start would replace the view.
  const [formOpen, setFormOpen] = useState(!runId);
  const [live, setLive] = useState(false);
  const nextKey = useRef(1);
  useEffect(() => setFormOpen(!runId), [runId]);

  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setForm((f) => ({ ...f, [k]: v }));

  // Debounced cost projection as the form changes.
  const built = useMemo(() => (providers ? buildRequest(form, providers) : null), [form, providers]);
  useEffect(() => {
    if (!built || !('request' in built)) {
      setProjection({ data: null, error: null });
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      client.projectCost(built.request).then(
        (data) => live && setProjection({ data, error: null }),
        (e: unknown) => live && setProjection({ data: null, error: errorMessage(e) }),
      );
    }, 500);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [client, built]);

  const start = async () => {
    if (!providers || live) return;
    const b = buildRequest(form, providers);
    if (!('request' in b)) {
      setFieldError(b);
      document.getElementById(FIELD_INPUT[b.field] ?? 'task')?.focus();
      return;
    }
    setFieldError(null);
    setStarting(true);
    try {
      const { id } = await client.startRun(files.length ? { ...b.request, attachments: files.map((f) => f.id) } : b.request);
      navigate('/', { run: id });
    } catch (e) {
      const field = (e as { field?: string }).field;
      setFieldError({ field: field ?? 'form', message: `The run did not start: ${errorMessage(e)}` });
    } finally {
      setStarting(false);
    }
  };

  const { onSubmit, onKeyDown } = submitHandlers(start);

  const err = (field: string) =>
    fieldError && fieldError.field === field ? (
      <p className="error" role="alert" id={`${field}-error`}>
        {fieldError.message}
      </p>
    ) : null;

  const judgeOptions = (providers ?? []).filter(usableProvider);
  const judgeProvider = providers?.find((p) => p.id === form.judge.provider);
  const sameProvider = sharedProviders(form.debaters);
  const addDebater = () => {
    if (!providers || form.debaters.length >= MAX_DEBATERS) return;
    const provider = nextProvider(form.debaters, providers);
    if (!provider) return;
    const key = nextKey.current++;
    set('debaters', [...form.debaters, { key, provider, model: '' }]);
    // The new row's provider takes focus (keyboard users continue there).
    setTimeout(() => document.getElementById(`debater-${key}-provider`)?.focus(), 0);
  };

  const debaterCount = form.debaters.length;
  return (
    <div className="screen run-screen">
      <h2>New run</h2>
      {runId && (
        <div className="form-summary row">
          {form.task.trim() && (
            <span className="muted small summary-text">
              {`“${form.task.trim().slice(0, 90)}${form.task.trim().length > 90 ? '…' : ''}”`} ·{' '}
              {debaterCount ? `${debaterCount} debater${debaterCount === 1 ? '' : 's'}` : 'debaters chosen by the server'}
            </span>
          )}
          <button type="button" aria-expanded={formOpen} aria-controls="run-form" onClick={() => setFormOpen((o) => !o)}>
            {formOpen ? 'Hide the form' : 'Edit / new run'}
          </button>
        </div>
      )}
      <form id="run-form" onSubmit={onSubmit} onKeyDown={onKeyDown} aria-label="New run" noValidate hidden={!formOpen}>
        <label htmlFor="task">Task</label>
        <textarea
          id="task"
          rows={4}
          value={form.task}
          placeholder="What should the models answer? (Ctrl/Cmd+Enter to run)"
          onChange={(e) => set('task', e.target.value)}
          aria-invalid={fieldError?.field === 'task'}
          aria-describedby={fieldError?.field === 'task' ? 'task-error' : undefined}
        />
        {err('task')}

        <Attachments id="run" value={files} onChange={setFiles} fieldError={fieldError?.field.startsWith('attachments') ? fieldError.message : null} />

        <fieldset id="debaters" tabIndex={-1}>
          <legend>Debaters</legend>
          {providersError && (
            <p className="error" role="alert">
              {providersError}{' '}
              <button type="button" onClick={reloadProviders}>
                Retry
              </button>
            </p>
          )}
          {!providers && !providersError && <p className="muted">Loading providers…</p>}
          {providers && !form.debaters.length && (
            <p className="muted small">None chosen: the server picks one per configured provider. Add debaters to choose.</p>
          )}
          <div className="debaters">
            {form.debaters.map((row, i) => {
              const p = providers?.find((x) => x.id === row.provider);
              const shared = sameProvider.get(i);
              return (
                <div key={row.key} className="debater" data-provider={row.provider} data-draft={`d${i + 1}`}>
                  <div className="row spread">
                    <strong>d{i + 1}</strong>
                    <button type="button" className="link" aria-label={`Remove debater ${i + 1}`} onClick={() => set('debaters', form.debaters.filter((r) => r.key !== row.key))}>
                      Remove
                    </button>
                  </div>
                  <label htmlFor={`debater-${row.key}-provider`}>Debater {i + 1} provider</label>
                  <select
                    id={`debater-${row.key}-provider`}
                    value={row.provider}
                    onChange={(e) => set('debaters', form.debaters.map((r) => (r.key === row.key ? { ...r, provider: e.target.value as ProviderId, model: '' } : r)))}
                  >
                    {providers?.map((x) => (
                      <option key={x.id} value={x.id} disabled={!usableProvider(x)}>
                        {x.label}
                        {usableProvider(x) ? '' : ' (not configured)'}
                      </option>
                    ))}
                  </select>
                  <ModelInput
                    id={`debater-${row.key}-model`}
                    label={`Debater ${i + 1} model`}
                    provider={p}
                    value={row.model}
                    placeholder={p ? `${p.default_model} (default)` : ''}
                    onChange={(v) => set('debaters', form.debaters.map((r) => (r.key === row.key ? { ...r, model: v } : r)))}
                  />
                  {shared && (
                    <p className="note small" data-testid="same-provider">
                      Same provider as {shared.join(' and ')} ({p?.label ?? row.provider}): these drafts share its account, limits and model family.
                    </p>
                  )}
                </div>
              );
            })}
          </div>
          {providers && (
            <div className="row">
              <button type="button" onClick={addDebater} disabled={form.debaters.length >= MAX_DEBATERS}>
                Add debater
              </button>
              <span className="muted small">
                {form.debaters.length >= MAX_DEBATERS ? `At most ${MAX_DEBATERS} debaters.` : 'Any provider, any model id; several debaters may use one provider.'}
              </span>
            </div>
          )}
          {err('debaters')}
          {providers && (
            <ul className="provider-notes small" aria-label="Providers">
              {providers.map((p) => (
                <li key={p.id} className="debater-status" data-provider={p.id} data-configured={String(p.configured)}>
                  {p.label}: <span className={`badge ${p.id === 'offline' ? 'offline' : p.configured ? 'ok' : 'off'}`}>{providerNote(p)}</span>
                </li>
              ))}
            </ul>
          )}
        </fieldset>

        <div className="grid">
          <div>
            <label htmlFor="preset">Preset</label>
            <select id="preset" value={form.preset} onChange={(e) => set('preset', e.target.value)}>
              <option value="">(none — defaults)</option>
              {PRESET_NAMES.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="judge">Judge provider</label>
            <select id="judge" value={form.judge.provider} onChange={(e) => set('judge', { provider: e.target.value as ProviderId | '', model: '' })}>
              <option value="">(default)</option>
              {judgeOptions.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
            {form.judge.provider && (
              <ModelInput
                id="judge-model"
                label="Judge model"
                provider={judgeProvider}
                value={form.judge.model}
                placeholder={judgeProvider ? `${judgeProvider.judge_model} (default)` : ''}
                onChange={(v) => set('judge', { ...form.judge, model: v })}
              />
            )}
            {err('judge')}
          </div>
          <div>
            <label htmlFor="policy">Policy</label>
            <select id="policy" value={form.policy} onChange={(e) => set('policy', e.target.value)}>
              <option value="">(default: {DEFAULT_PARAMETERS.policy} — the judge's top-ranked draft that passes the guardrails)</option>
              {POLICY_NAMES.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="require-citations">Required citations</label>
            <input id="require-citations" type="number" min={0} max={100} value={form.requireCitations} onChange={(e) => set('requireCitations', e.target.value)} />
            {err('require_citations')}
          </div>
          <div>
            <label htmlFor="budget-usd">Budget (USD)</label>
            <input id="budget-usd" type="number" min={0} step="0.01" placeholder="no limit" value={form.budgetUsd} onChange={(e) => set('budgetUsd', e.target.value)} />
            {err('budget_usd')}
          </div>
          <div>
            <label htmlFor="budget-tokens">Budget (tokens)</label>
            <input id="budget-tokens" type="number" min={0} step="1" placeholder="no limit" value={form.budgetTokens} onChange={(e) => set('budgetTokens', e.target.value)} />
            {err('budget_tokens')}
          </div>
        </div>

        <div className="toggles">
          <label>
            <input type="checkbox" checked={form.redact} onChange={(e) => set('redact', e.target.checked)} /> Redaction (mask secrets and personal data)
          </label>
          <label>
            <input type="checkbox" checked={form.requireApproval} onChange={(e) => set('requireApproval', e.target.checked)} /> Require approval before publishing
          </label>
          <label>
            <input type="checkbox" checked={form.offline} onChange={(e) => set('offline', e.target.checked)} /> Force the offline provider
          </label>
          <label>
            <input type="checkbox" checked={form.grounded} onChange={(e) => set('grounded', e.target.checked)} /> Grounded mode
          </label>
        </div>
        {form.grounded && (
          <div>
            <label htmlFor="corpus">Corpus folder (a path on the server machine)</label>
            <input id="corpus" type="text" value={form.corpus} placeholder="/data/corpus" onChange={(e) => set('corpus', e.target.value)} />
            <p className="muted small">
              {client.transport === 'http'
                ? 'The server reads the corpus from a folder on its own disk, inside the data folder its operator allowed (DJP_SERVER_DATA_DIR); a relative path is taken from there. To use your own files instead, attach them above (a run cannot have both).'
                : 'A folder on this computer holding the documents (text, Markdown, PDF).'}
            </p>
            {err('grounded_corpus')}
          </div>
        )}

        <div className="row">
          <button type="submit" className="primary" disabled={starting || !providers || live} aria-keyshortcuts="Control+Enter Meta+Enter" aria-describedby={live ? 'run-live-note' : undefined}>
            {starting ? 'Starting…' : 'Run'}
          </button>
          {live && (
            <span id="run-live-note" className="muted small">
              A run is in progress below — wait for it or cancel it (Esc) to start another.
            </span>
          )}
          <span className="muted small" aria-live="polite" data-testid="projection">
            {projection.data
              ? `Projected cost ${formatUsd(projection.data.total_usd)} · ${projection.data.total_tokens} tokens${projection.data.within_budget ? '' : ` · over budget: ${projection.data.budget_detail ?? ''}`}`
              : projection.error
                ? `Cost projection unavailable: ${projection.error}`
                : ''}
          </span>
        </div>
        {fieldError && !INLINE_ERRORS.includes(fieldError.field) && !fieldError.field.startsWith('attachments') && (
          <p className="error" role="alert">
            {fieldError.message}
          </p>
        )}
      </form>

      {runId && <LiveRun key={runId} runId={runId} onLive={setLive} />}
    </div>
  );
}

function LiveRun({ runId, onLive }: { runId: string; onLive: (live: boolean) => void }) {
  const { client } = useApp();
  const { view, artifact, loadError, connection } = useRun(runId);
  const [cancel, setCancel] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const running = view.phase !== 'done' && view.phase !== 'error';
  const heading = useRef<HTMLHeadingElement>(null);
  useRunTitle(view.task);

  // The run comes into view and its heading takes focus (screen readers announce it).
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
    heading.current?.scrollIntoView({ block: 'start', behavior: 'instant' });
  }, []);
  useEffect(() => {
    onLive(running);
    return () => onLive(false);
  }, [running, onLive]);
  // Esc cancels the live run (anywhere on the screen).
  const cancelRef = useRef<() => void>(() => {});
  useEffect(() => {
    if (!running) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        cancelRef.current();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [running]);

  const doCancel = async () => {
    if (cancel.busy) return;
    setCancel({ busy: true, error: null });
    try {
      await client.cancelRun(runId);
      setCancel({ busy: false, error: null });
    } catch (e) {
      setCancel({ busy: false, error: `Could not cancel: ${errorMessage(e)}` });
    }
  };
  cancelRef.current = () => void doCancel();
  return (
    <section aria-label="Live run" className="live-run">
      <div className="row spread">
        <h2 ref={heading} tabIndex={-1} className="live-heading">
          {view.task ? `Run: ${view.task.length > 80 ? `${view.task.slice(0, 79)}…` : view.task}` : 'Run'} <code className="small muted">{runId}</code>
        </h2>
        <div className="row">
          {running && (
            <button type="button" className="danger" onClick={doCancel} disabled={cancel.busy} aria-keyshortcuts="Escape">
              {cancel.busy ? 'Cancelling…' : 'Cancel (Esc)'}
            </button>
          )}
          <a href={`#/runs/${runId}`}>Open in history</a>
        </div>
      </div>
      {cancel.error && (
        <p className="error" role="alert">
          {cancel.error}
        </p>
      )}
      {loadError && (
        <p className="error" role="alert">
          {loadError}
        </p>
      )}
      <ConnectionNote state={connection} />
      {artifact?.thread && <ThreadContextPanel artifact={artifact} />}
      <RunStages view={view} artifact={artifact} />
      {artifact && !running && <FollowUp runId={runId} turn={artifact.thread?.turn ?? 1} />}
    </section>
  );
}
