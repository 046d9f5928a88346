// The template form's state and checks: one text/choice value per input, checked with the same code
// the service runs (shared/api/template-vars.ts), so each error appears at its field before anything
// is sent — and an error the server still finds (vars.<name>) lands on the same field.
import { checkVars, type TemplateInput, type TemplateRecord, type VarValue } from '../../../shared/api/index.js';

/** Form values as the inputs hold them: strings, booleans (checkbox) and string lists (multiselect). */
export type FormValues = Record<string, string | boolean | string[]>;

export function initialValues(t: Pick<TemplateRecord, 'inputs'>, example?: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const i of t.inputs) {
    const v = example?.[i.name] ?? i.default;
    if (i.type === 'bool') out[i.name] = v === true;
    else if (i.type === 'multiselect') out[i.name] = Array.isArray(v) ? v.map(String) : [];
    else out[i.name] = v === undefined || v === null ? '' : String(v);
  }
  return out;
}

/** What the request carries: empty fields left out (the service fills defaults / reports required). */
export function varsFromForm(t: Pick<TemplateRecord, 'inputs'>, values: FormValues): Record<string, VarValue> {
  const out: Record<string, VarValue> = {};
  for (const i of t.inputs) {
    const v = values[i.name];
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[i.name] = v;
  }
  return out;
}

/** Field-level errors by input name (empty when the form is valid). */
export function formErrors(t: Pick<TemplateRecord, 'id' | 'inputs'>, values: FormValues): Record<string, string> {
  const { issues } = checkVars(t, varsFromForm(t, values));
  return Object.fromEntries(issues.map((i) => [i.name, i.message]));
}

/** The input name a server error is about ("vars.timeline" → "timeline"), or null. */
export function fieldOfError(field: string | undefined): string | null {
  const m = /^(?:template\.)?vars\.([a-z][a-z0-9_]*)$/.exec(field ?? '');
  return m?.[1] ?? null;
}

export function inputLabel(i: TemplateInput): string {
  return i.label ?? i.name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}
