// Templates: the gallery (search, tag filter), and for the chosen template a form generated from its
// inputs with field-level errors, a live preview of the rendered task with its projected cost, and Run.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { TemplateInput, TemplatePreview, TemplateRecord, TemplateSummary } from '../../../shared/api/index.js';
import { errorMessage } from '../api/client.js';
import { ErrorAlert, Loading } from '../components/Status.js';
import { useApp, useLoad } from '../context.js';
import { formatUsd } from '../lib/format.js';
import { navigate, useRoute } from '../router.js';
import { fieldOfError, formErrors, initialValues, inputLabel, varsFromForm, type FormValues } from './templateForm.js';

function Gallery({ onPick }: { onPick: (id: string) => void }) {
  const { client } = useApp();
  const [q, setQ] = useState('');
  const [tag, setTag] = useState('');
  const [query, setQuery] = useState({ q: '', tag: '' });
  useEffect(() => {
    const t = setTimeout(() => setQuery({ q: q.trim(), tag }), 200);
    return () => clearTimeout(t);
  }, [q, tag]);
  const all = useLoad(() => client.listTemplates({}), [client]);
  const list = useLoad(() => client.listTemplates({ ...(query.q ? { q: query.q } : {}), ...(query.tag ? { tag: query.tag } : {}) }), [client, query.q, query.tag]);
  const tags = useMemo(() => [...new Set((all.data?.templates ?? []).flatMap((t) => t.tags))].sort(), [all.data]);
  return (
    <section aria-label="Template gallery">
      <div className="row">
        <label htmlFor="template-q">Search</label>
        <input id="template-q" type="search" value={q} placeholder="title, description, tags or body" onChange={(e) => setQ(e.target.value)} />
        <label htmlFor="template-tag">Tag</label>
        <select id="template-tag" value={tag} onChange={(e) => setTag(e.target.value)}>
          <option value="">All tags</option>
          {tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      {list.loading && !list.data && <Loading>Loading templates…</Loading>}
      {list.error && <ErrorAlert>Could not load templates: {list.error}</ErrorAlert>}
      {list.data && list.data.templates.length === 0 && <p className="muted">No template matches.</p>}
      <ul className="template-list" aria-label="Templates">
        {(list.data?.templates ?? []).map((t: TemplateSummary) => (
          <li key={t.id} className="card" data-template={t.id}>
            <div className="row spread">
              <strong>{t.title}</strong>
              <span className="muted small">
                v{t.version} · {t.source === 'builtin' ? 'built-in' : t.source === 'store' ? 'team' : 'folder'}
              </span>
            </div>
            <p className="small">{t.description}</p>
            <div className="row">
              {t.tags.map((g) => (
                <button key={g} type="button" className="chip small" aria-pressed={tag === g} onClick={() => setTag(tag === g ? '' : g)}>
                  #{g}
                </button>
              ))}
              <button type="button" className="primary" aria-label={`Use ${t.title}`} onClick={() => onPick(t.id)}>
                Use
              </button>
            </div>
          </li>
        ))}
      </ul>
      {list.data && list.data.problems.length > 0 && (
        <details className="small">
          <summary>{list.data.problems.length} template file(s) could not be used</summary>
          <ul>
            {list.data.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function Field({ input, value, error, onChange }: { input: TemplateInput; value: FormValues[string]; error: string | undefined; onChange: (v: FormValues[string]) => void }) {
  const id = `tv-${input.name}`;
  const describedBy = [error ? `${id}-error` : null, input.help ? `${id}-help` : null].filter(Boolean).join(' ') || undefined;
  const common = { id, name: input.name, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy, 'aria-required': input.required || undefined } as const;
  let control;
  switch (input.type) {
    case 'text':
      control = <textarea {...common} rows={5} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'bool':
      control = <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
      break;
    case 'enum':
      control = (
        <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
          {!input.required || input.default === undefined ? <option value="">—</option> : null}
          {input.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'multiselect': {
      const chosen = Array.isArray(value) ? value : [];
      control = (
        <fieldset {...common} className="row">
          <legend className="sr-only">{inputLabel(input)}</legend>
          {input.options.map((o) => (
            <label key={o} className="small">
              <input type="checkbox" checked={chosen.includes(o)} onChange={(e) => onChange(e.target.checked ? [...chosen, o] : chosen.filter((x) => x !== o))} /> {o}
            </label>
          ))}
        </fieldset>
      );
      break;
    }
    default: {
      // Text-typed on purpose for numbers too: the shared checks give the error words, not the browser.
      const type = input.type === 'date' ? 'date' : input.type === 'email' ? 'email' : input.type === 'url' ? 'url' : 'text';
      control = <input {...common} type={type} inputMode={input.type === 'int' ? 'numeric' : input.type === 'float' ? 'decimal' : undefined} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
    }
  }
  return (
    <div className="field" data-field={input.name}>
      <label htmlFor={id}>
        {inputLabel(input)}
        {input.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {control}
      {input.help && (
        <p className="muted small" id={`${id}-help`}>
          {input.help}
        </p>
      )}
      {error && (
        <p className="error" role="alert" id={`${id}-error`}>
          {inputLabel(input)}: {error}
        </p>
      )}
    </div>
  );
}

function TemplateRunner({ id }: { id: string }) {
  const { client } = useApp();
  const loaded = useLoad(() => client.getTemplate(id, {}), [client, id]);
  const t: TemplateRecord | null = loaded.data;
  const [values, setValues] = useState<FormValues>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [preview, setPreview] = useState<{ data: TemplatePreview | null; error: string | null }>({ data: null, error: null });
  const [starting, setStarting] = useState(false);
  useEffect(() => {
    if (t) setValues(initialValues(t));
  }, [t]);

  // Preview (rendered task + projected cost) whenever the form is valid; nothing runs.
  useEffect(() => {
    if (!t) return;
    if (Object.keys(formErrors(t, values)).length) return setPreview({ data: null, error: null });
    let live = true;
    const timer = setTimeout(() => {
      client.previewTemplate({ id: t.id, version: t.version, vars: varsFromForm(t, values) }).then(
        (p) => live && setPreview({ data: p, error: null }),
        (e: unknown) => live && setPreview({ data: null, error: errorMessage(e) }),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, t, values]);

  if (loaded.loading && !t) return <Loading>Loading template…</Loading>;
  if (loaded.error || !t) return <ErrorAlert>Could not load template {id}: {loaded.error}</ErrorAlert>;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const found = formErrors(t, values);
    setErrors(found);
    if (Object.keys(found).length) {
      document.getElementById(`tv-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    setStarting(true);
    try {
      const { id: runId } = await client.startRun({ template: { id: t.id, version: t.version, vars: varsFromForm(t, values) } });
      navigate('/', { run: runId });
    } catch (err) {
      const field = fieldOfError((err as { field?: string }).field);
      if (field) setErrors({ [field]: errorMessage(err).replace(/^vars\.[a-z0-9_]+: /, '') });
      else setFormError(errorMessage(err));
    } finally {
      setStarting(false);
    }
  };

  return (
    <section aria-label={`Template ${t.title}`}>
      <div className="row spread">
        <h3>
          {t.title} <span className="muted small">v{t.version}</span>
        </h3>
        <button type="button" onClick={() => navigate('/templates')}>
          Back to gallery
        </button>
      </div>
      <p className="small">{t.description}</p>
      {t.example && (
        <p>
          <button type="button" onClick={() => (setValues(initialValues(t, t.example)), setErrors({}))}>
            Fill with example
          </button>
        </p>
      )}
      <form aria-label={`Run ${t.title}`} onSubmit={onSubmit} noValidate>
        {t.inputs.map((i) => (
          <Field
            key={i.name}
            input={i}
            value={values[i.name] ?? ''}
            error={errors[i.name]}
            onChange={(v) => {
              setValues((s) => ({ ...s, [i.name]: v }));
              setErrors(({ [i.name]: _gone, ...rest }) => rest);
            }}
          />
        ))}
        {formError && <ErrorAlert>{formError}</ErrorAlert>}
        <div className="row">
          <button type="submit" className="primary" disabled={starting}>
            {starting ? 'Starting…' : 'Run template'}
          </button>
          {preview.data && (
            <span className="muted small" data-testid="template-cost">
              Projected cost ≤ {formatUsd(preview.data.projection.total_usd)} · {preview.data.projection.total_tokens} tokens
            </span>
          )}
        </div>
      </form>
      <section aria-label="Preview" className="card">
        <h4>Task preview</h4>
        {preview.error && <ErrorAlert>{preview.error}</ErrorAlert>}
        {preview.data ? <pre className="task-preview" data-testid="template-preview">{preview.data.task}</pre> : <p className="muted small">Fill the required fields to see the task.</p>}
      </section>
    </section>
  );
}

export function TemplatesScreen() {
  const route = useRoute();
  const id = route.params.get('id');
  return (
    <div className="screen templates-screen">
      <h2>Templates</h2>
      {id ? <TemplateRunner key={id} id={id} /> : <Gallery onPick={(t) => navigate('/templates', { id: t })} />}
    </div>
  );
}

export default TemplatesScreen;
