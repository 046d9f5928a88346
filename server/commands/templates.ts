// `djp templates list|show|validate|save|preview`: the template gallery from the command line
// (built-ins, DJP_TEMPLATES_DIR, and team templates saved under templates/ in RUNS_DIR). The logic is
// in shared/templates; this file parses flags and prints.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DjpError, type TemplateDocument, type TemplateRecord } from '../../shared/api/index.js';
import { CliError, cliService, localIdentity, printJson } from './cli-service.js';
import { projectionText } from './cost.js';
import { addTemplateOptions, templateFromFlags, type RunFlags } from './run.js';

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, 2);
  }
}

/** An unknown template or version is the user's mistake: exit 2 like any other bad input. */
async function userLookup<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof DjpError && e.code === 'not_found') throw new DjpError('invalid', e.message, e.field);
    throw e;
  }
}

function warn(lines: string[]): void {
  for (const l of lines) process.stderr.write(`djp: warning: ${l}\n`);
}

/** The template as a file again (what `save` takes): for clone → edit → save. */
async function asYaml(t: TemplateRecord): Promise<string> {
  const { source: _s, saved_at: _a, saved_by: _b, versions: _v, ...doc } = t;
  const { stringify } = await import('yaml');
  return stringify(doc, { lineWidth: 0 });
}

function inputLine(i: TemplateRecord['inputs'][number]): string {
  const bits: string[] = [i.type];
  if ('options' in i) bits.push(`one of ${i.options.join('|')}`);
  if ('min' in i && i.min !== undefined) bits.push(`min ${i.min}`);
  if ('max' in i && i.max !== undefined) bits.push(`max ${i.max}`);
  if ('pattern' in i && i.pattern !== undefined) bits.push(`pattern ${i.pattern}`);
  if (i.default !== undefined) bits.push(`default ${Array.isArray(i.default) ? i.default.join(',') : String(i.default)}`);
  return `  ${i.name}${i.required ? ' (required)' : ''}: ${bits.join(', ')}${i.help ? ` — ${i.help}` : ''}`;
}

export function register(program: Command): void {
  const cmd = program.command('templates').description('The template gallery: list, show, validate, save, preview');

  cmd
    .command('list')
    .description('List templates (latest version of each), by title')
    .option('--tag <tag>', 'only templates with this tag')
    .option('--q <text>', 'words that must all appear in the title, description, tags or body')
    .option('--json', 'print {templates, problems} as JSON')
    .action(async (f: { tag?: string; q?: string; json?: boolean }) => {
      const list = await cliService().listTemplates({ ...(f.tag ? { tag: f.tag } : {}), ...(f.q ? { q: f.q } : {}) });
      if (f.json) return printJson(list);
      warn(list.problems);
      if (list.templates.length === 0) return void process.stdout.write('no templates match\n');
      const rows = list.templates.map((t) => [t.id, `v${t.version}`, t.source, t.tags.join(','), t.title]);
      const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) process.stdout.write(`${r.map((v, i) => (i < 4 ? v.padEnd(widths[i]!) : v)).join('  ')}\n`);
    });

  cmd
    .command('show <id>')
    .description('Show a template: inputs, defaults and body (--yaml: as a file to edit and save)')
    .option('--template_version <n>', 'that version (default: the latest)', (v: string) => Number(v))
    .option('--yaml', 'print the template as YAML, ready to edit and `djp templates save`')
    .option('--json', 'print the template record as JSON')
    .action(async (id: string, f: { template_version?: number; yaml?: boolean; json?: boolean }) => {
      if (f.template_version !== undefined && (!Number.isInteger(f.template_version) || f.template_version < 1)) throw new CliError('--template_version must be a whole number ≥ 1', 2);
      const t = await userLookup(cliService().getTemplate(id, f.template_version !== undefined ? { version: f.template_version } : {}));
      if (f.json) return printJson(t);
      if (f.yaml) return void process.stdout.write(await asYaml(t));
      const lines = [
        `${t.id} v${t.version} (${t.source}${t.saved_by ? `, saved by ${t.saved_by} at ${t.saved_at}` : ''}) — versions ${t.versions.join(', ')}`,
        t.title,
        ...(t.description ? [t.description] : []),
        `tags:     ${t.tags.join(', ') || 'none'}`,
        `defaults: ${Object.keys(t.defaults).length ? JSON.stringify(t.defaults) : 'none'}`,
        'inputs:',
        ...(t.inputs.length ? t.inputs.map(inputLine) : ['  none']),
        'body:',
        ...t.body.split('\n').map((l) => `  ${l}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });

  cmd
    .command('validate <file>')
    .description('Check a template file (YAML or JSON): every problem, with its field path')
    .option('--json', 'print {ok, issues, warnings} as JSON')
    .action(async (file: string, f: { json?: boolean }) => {
      const { checkTemplate, parseTemplateDocument } = await import('../../shared/templates/index.js');
      const r = checkTemplate(parseTemplateDocument(readFile(file), file));
      if (f.json) printJson({ ok: r.template !== null, template: r.template ? { id: r.template.id, version: r.template.version } : null, issues: r.issues, warnings: r.warnings });
      else {
        warn(r.warnings);
        if (r.template) process.stdout.write(`ok: ${r.template.id} v${r.template.version} — ${r.template.inputs.length} input(s)\n`);
        else for (const i of r.issues) process.stderr.write(`${file}: ${i.path ? `${i.path}: ` : ''}${i.message}\n`);
      }
      if (!r.template) process.exitCode = 2;
    });

  cmd
    .command('save <file>')
    .description('Validate a template file and save it as the next version of its id in the store (RUNS_DIR)')
    .option('--json', 'print the saved template record as JSON')
    .action(async (file: string, f: { json?: boolean }) => {
      const { parseTemplateDocument } = await import('../../shared/templates/index.js');
      const svc = cliService();
      const saved = await svc.saveTemplate(parseTemplateDocument(readFile(file), file) as TemplateDocument, localIdentity());
      if (f.json) return printJson(saved);
      process.stdout.write(`saved ${saved.id} v${saved.version} to ${(await svc.templateCatalog()).location} (versions ${saved.versions.join(', ')})\n`);
    });

  addTemplateOptions(
    cmd
      .command('preview <id>')
      .description('Render a template with values and project the run’s cost, without calling any model'),
  )
    .option('--json', 'print {preview, projection} as JSON')
    .action(async (id: string, f: RunFlags & { json?: boolean }) => {
      const svc = cliService();
      const ref = templateFromFlags({ ...f, template: id });
      const preview = await svc.previewTemplate(ref!);
      if (f.json) return printJson(preview);
      process.stdout.write(`${preview.id} v${preview.version} — task:\n\n${preview.task}\n\n${projectionText(preview.projection)}`);
    });
}
