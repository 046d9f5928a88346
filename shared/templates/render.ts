// Rendering a template with user input: check the variables (naming any bad one), then render.
import { DjpError, type Template, type VarValue } from '../api/index.js';
import { BodyError, renderBody } from './engine.js';
import { resolveVars } from './vars.js';

export const MAX_TASK_CHARS = 50_000;

export interface Rendered {
  task: string;
  /** The full scope used: given values coerced to their types, defaults and empty values filled in. */
  vars: Record<string, VarValue>;
}

export function renderTemplate(template: Template, raw: Record<string, unknown>): Rendered {
  const vars = resolveVars(template, raw);
  let task: string;
  try {
    task = renderBody(template.body, vars).trim();
  } catch (e) {
    const msg = e instanceof BodyError ? e.message : String(e);
    throw new DjpError('invalid', `template ${template.id} v${template.version} failed to render: ${msg}`, 'template');
  }
  if (task === '') throw new DjpError('invalid', `template ${template.id} v${template.version} rendered an empty task with these values`, 'template.vars');
  if (task.length > MAX_TASK_CHARS) throw new DjpError('invalid', `template ${template.id} v${template.version}: the rendered task is ${task.length} characters, more than ${MAX_TASK_CHARS}`, 'template.vars');
  return { task, vars };
}
