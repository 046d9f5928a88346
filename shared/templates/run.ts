// A run request that names a template becomes a plain RunRequest here, before the service resolves
// parameters or calls any provider: the template is looked up (latest unless a version is named), the
// variables are checked (errors name the variable: vars.<name>), the body is rendered, and the
// template's defaults fill the options the request leaves unset (request > template > preset > default).
import { DjpError, parseOrInvalid, TemplateRunRequest, type RunParameters, type TemplatePreview, type TemplateRef, type TemplateUse } from '../api/index.js';
import { requestFromParameters } from '../config/params.js';
import type { TemplateCatalog } from './catalog.js';
import { renderTemplate } from './render.js';

export interface ExpandedRequest {
  /** A RunRequest-shaped object (the service validates it as usual). */
  request: unknown;
  template: TemplateUse | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Looks a template up for a run: unknown ids and versions are request errors (400 / exit 2). */
async function lookup(catalog: TemplateCatalog, id: string, version: number | undefined) {
  try {
    return await catalog.get(id, version);
  } catch (e) {
    if (e instanceof DjpError && e.code === 'not_found') throw new DjpError('invalid', e.message, e.field, { cause: e });
    throw e;
  }
}

/** Renders a template for a preview (errors as for a run); the caller adds the cost projection. */
export async function renderTemplateRef(catalog: TemplateCatalog, ref: TemplateRef): Promise<Omit<TemplatePreview, 'projection'>> {
  const parsed = parseOrInvalid(TemplateRunRequest.shape.template, ref, { prefix: ['template'] });
  const t = await lookup(catalog, parsed.id, parsed.version);
  const r = renderTemplate(t, parsed.vars);
  return { id: t.id, version: t.version, task: r.task, vars: r.vars };
}

export async function expandTemplateRequest(catalog: TemplateCatalog, request: unknown): Promise<ExpandedRequest> {
  if (!isObject(request) || request.template === undefined) return { request, template: null };
  if (request.task !== undefined) throw new DjpError('invalid', 'task: give either task or template, not both (the template renders the task)', 'task');
  const { template: ref, ...options } = parseOrInvalid(TemplateRunRequest, request);
  const t = await lookup(catalog, ref.id, ref.version);
  const { task, vars } = renderTemplate(t, ref.vars);
  const use: TemplateUse = { id: t.id, version: t.version, source: t.source, vars };
  return { request: { ...t.defaults, ...options, task }, template: use };
}

/** The request that replays a templated run: the same template version and values, re-rendered. */
export function replayTemplateRequest(use: TemplateUse, params: RunParameters): Record<string, unknown> {
  const { task: _task, ...options } = requestFromParameters('', params);
  void _task;
  return { ...options, template: { id: use.id, version: use.version, vars: use.vars } };
}
