// `djp run --task "…"`: one DJP run. Progress goes to stderr while drafts stream; with --json,
// stdout gets ONE JSON object {"id","status","artifact","run"}; otherwise a short human summary.
import { InvalidArgumentError, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isDjpError, JUDGE_PASSES, PRESET_NAMES, PROVIDER_IDS, PUBLISH_MODES, type JudgePasses, type ModelRef, type PublishMode, type RunRequest, type StartRunRequest, type TemplateRef } from '../../shared/api/index.js';
import type { DjpService } from '../../shared/service/index.js';
import type { RunNotifications } from '../../shared/notify/subscribe.js';
import { CliError, cliRunService, localIdentity, printJson, summaryText } from './cli-service.js';
import { followRun } from './progress.js';

const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`--${name} must be a number (got "${v}")`);
  return n;
};

const onOff = (name: string) => (v: string) => {
  const s = v.trim().toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(s)) return true;
  if (['off', 'false', 'no', '0'].includes(s)) return false;
  throw new InvalidArgumentError(`--${name} takes on or off (got "${v}")`);
};

const oneOf = <T extends string>(name: string, values: readonly T[]) => (v: string): T => {
  const s = v.trim().toLowerCase();
  if (!(values as readonly string[]).includes(s)) throw new InvalidArgumentError(`--${name} must be one of ${values.join(', ')} (got "${v}")`);
  return s as T;
};

export function parseModelRef(v: string, flag: string): ModelRef {
  const i = v.indexOf(':');
  const provider = i > 0 ? v.slice(0, i).trim() : '';
  const model = i > 0 ? v.slice(i + 1).trim() : '';
  if (!provider || !model) throw new InvalidArgumentError(`${flag} takes provider:model (got "${v}")`);
  if (!(PROVIDER_IDS as readonly string[]).includes(provider)) throw new InvalidArgumentError(`${flag}: unknown provider "${provider}" (one of ${PROVIDER_IDS.join(', ')})`);
  return { provider: provider as ModelRef['provider'], model };
}

export interface RunFlags {
  task?: string;
  template?: string;
  template_version?: number;
  var?: Record<string, string>;
  varsFile?: string;
  preset?: string;
  debaters?: ModelRef[];
  judge?: ModelRef;
  max_tokens?: number;
  temperature?: number;
  policy?: string;
  fastpath?: boolean;
  max_debaters?: number;
  timeout_s?: number;
  margin_threshold?: number;
  judge_passes?: JudgePasses;
  judge_max_tokens?: number;
  max_answer_chars?: number;
  publish?: PublishMode;
  chairman?: ModelRef;
  redact_outbound?: boolean;
  seed?: number;
  offline?: boolean;
  require_citations?: number;
  grounded_corpus?: string;
  grounded_required?: number;
  redact?: boolean;
  redaction_rules?: string;
  require_approval?: boolean;
  budget_usd?: number;
  budget_tokens?: number;
  followUp?: string;
  context_tokens?: number;
  attach?: string[];
  json?: boolean;
  quiet?: boolean;
}

/** --var name=value, repeatable: collects into one object (a later name wins). */
export function collectVar(v: string, prev: Record<string, string> = {}): Record<string, string> {
  const i = v.indexOf('=');
  const name = i > 0 ? v.slice(0, i).trim() : '';
  if (!name) throw new InvalidArgumentError(`--var takes name=value (got "${v}")`);
  return { ...prev, [name]: v.slice(i + 1) };
}

/** The template flags shared by run and cost. */
export function addTemplateOptions(cmd: Command): Command {
  return cmd
    .option('--template <id>', 'render the task from a template (djp templates list) instead of --task')
    .option('--template_version <n>', 'that version of the template (default: the latest)', num('template_version'))
    .option('--var <name=value>', 'a template variable; repeat for each (lists: a,b)', collectVar)
    .option('--vars-file <file.json>', 'template variables from a JSON object (--var wins over it)');
}

/** The template part of a request: vars from --vars-file, then --var. A user error exits 2. */
export function templateFromFlags(f: RunFlags): TemplateRef | null {
  if (f.template === undefined) {
    if (f.template_version !== undefined || f.var || f.varsFile) throw new CliError('--template_version, --var and --vars-file need --template ID', 2);
    if (f.task === undefined) throw new CliError('give --task TEXT, or --template ID with its --var name=value', 2);
    return null;
  }
  if (f.task !== undefined) throw new CliError('give either --task or --template, not both (the template renders the task)', 2);
  let fileVars: Record<string, unknown> = {};
  if (f.varsFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(f.varsFile, 'utf8'));
    } catch (e) {
      throw new CliError(`--vars-file ${f.varsFile}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, 2);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(`--vars-file ${f.varsFile}: must hold one JSON object {"name": value, …}`, 2);
    fileVars = parsed as Record<string, unknown>;
  }
  return { id: f.template, ...(f.template_version !== undefined ? { version: f.template_version } : {}), vars: { ...fileVars, ...(f.var ?? {}) } as TemplateRef['vars'] }; // checked by the service (vars.<name>)
}

/** The run (or cost) request: from --task, or from --template with its variables. */
export function startRequestFromFlags(f: RunFlags): StartRunRequest {
  const template = templateFromFlags(f);
  const req = requestFromFlags(f) as Record<string, unknown>;
  if (!template) return req as RunRequest;
  delete req.task;
  return { ...req, template } as StartRunRequest;
}

/** Only options the user actually gave end up in the request (so presets can fill the rest). */
export function requestFromFlags(f: RunFlags): RunRequest {
  const keys = [
    'preset', 'debaters', 'judge', 'max_tokens', 'temperature', 'policy', 'fastpath', 'max_debaters', 'timeout_s', 'margin_threshold', 'seed', 'offline',
    'require_citations', 'grounded_corpus', 'grounded_required', 'redact', 'redaction_rules', 'require_approval', 'budget_usd', 'budget_tokens',
    'judge_passes', 'judge_max_tokens', 'max_answer_chars', 'publish', 'chairman', 'redact_outbound',
  ] as const;
  const req: Record<string, unknown> = { task: f.task ?? '' };
  for (const k of keys) if (f[k] !== undefined) req[k] = f[k];
  if (f.followUp !== undefined) req.follow_up_of = f.followUp;
  if (f.context_tokens !== undefined) req.context_tokens = f.context_tokens;
  return req as RunRequest;
}

/** How long a one-shot command waits for its notifications (retries included) before it exits. */
export const CLI_NOTIFY_WAIT_MS = 20_000;

/**
 * Waits (bounded) for the notifications a command's runs started, so they are delivered and recorded
 * on the run before the process exits, and says on stderr how each went (unless quiet).
 */
export async function settleNotifications(notifications: RunNotifications | null, flags: { quiet?: boolean }, waitMs = CLI_NOTIFY_WAIT_MS): Promise<void> {
  if (!notifications || notifications.pending() === 0) return;
  const settled = await notifications.settle(waitMs);
  if (flags.quiet) return;
  for (const c of notifications.info().channels) {
    const l = c.last;
    if (!l) continue;
    const tries = `${l.attempts} attempt${l.attempts === 1 ? '' : 's'}`;
    process.stderr.write(`notify:   ${c.channel} (${c.target}) ${l.event} ${l.status === 'sent' ? `sent (${tries})` : `FAILED after ${tries}: ${l.error ?? 'unknown error'}`}\n`);
  }
  if (!settled) process.stderr.write(`notify:   still retrying after ${Math.round(waitMs / 1000)} s; not waiting longer (the run is saved; the unfinished delivery is not recorded on it)\n`);
}

/** Follows a started run and prints the result; shared by run and replay. */
export async function finishRun(svc: DjpService, id: string, flags: { json?: boolean; quiet?: boolean }, notifications: RunNotifications | null = null): Promise<void> {
  const done = await followRun(svc, id, { quiet: flags.quiet });
  await settleNotifications(notifications, flags);
  const artifact = await svc.getRun(id);
  if (flags.json) printJson({ id, status: artifact.status, artifact: done.location, run: artifact });
  else process.stdout.write(summaryText(artifact, done.location));
}

/** The RunRequest options (shared by `djp run` and `djp cost`). */
export function addRequestOptions(cmd: Command): Command {
  return cmd
    .option('--preset <name>', `fill unset options from a preset (${PRESET_NAMES.join(', ')})`)
    .option('--debaters <list>', 'comma-separated provider:model pairs, e.g. openai:gpt-5.4-mini,anthropic:claude-sonnet-4-6 (default: one per configured provider, at most 3; with one provider, two of its models from DJP_<PROVIDER>_MODELS)', (v: string) =>
      v.split(',').filter((s) => s.trim()).map((s) => parseModelRef(s, '--debaters')),
    )
    .option('--judge <provider:model>', 'the judge model (default: the judge model of a configured provider that is not debating, else of the first)', (v: string) => parseModelRef(v, '--judge'))
    .option('--judge_passes <auto|1|2>', 'auto (default): a reversed-order pass when the top two are close; 1; 2: both orders in parallel', oneOf('judge_passes', JUDGE_PASSES))
    .option('--judge_max_tokens <n>', 'output-token cap of each judge call (default: max(4000, 1000 + 500 × drafts))', num('judge_max_tokens'))
    .option('--max_tokens <n>', 'max tokens per draft (default 1200)', num('max_tokens'))
    .option('--max_answer_chars <n>', 'per-call answer cap in characters; past it the stream stops and the draft is truncated (default 50000)', num('max_answer_chars'))
    .option('--publish <verbatim|synthesize>', 'verbatim (default): the top draft word for word; synthesize: a chairman writes the final answer from the top drafts', oneOf('publish', PUBLISH_MODES))
    .option('--chairman <provider:model>', 'the model that writes the synthesis (default: the judge)', (v: string) => parseModelRef(v, '--chairman'))
    .option('--temperature <x>', 'sampling temperature (default 0.3)', num('temperature'))
    .option('--policy <name|file.json>', 'publish policy: all (default: the judge decides), none, openai_only, openai_preferred, or a JSON policy file')
    .option('--fastpath', 'skip the judge when exactly one usable draft exists')
    .option('--max_debaters <n>', 'at most this many debaters, 1–6 (default 3)', num('max_debaters'))
    .option('--timeout_s <s>', 'time budget per model call, retries included (default 60)', num('timeout_s'))
    .option('--margin_threshold <x>', 'judge again in reverse order when the top two are closer than this (default 2)', num('margin_threshold'))
    .option('--seed <n>', 'seed for the judge’s draft order (default 0)', num('seed'))
    .option('--offline', 'use the labelled offline provider even when keys are configured')
    .option('--require_citations <n>', 'drafts need at least n evidence items (else disqualified)', num('require_citations'))
    .option('--grounded_corpus <dir>', 'folder of .md/.txt/.pdf sources for grounded mode')
    .option('--grounded_required <n>', 'valid citations into the corpus required to publish', num('grounded_required'))
    .option('--redact <on|off>', 'redact personal data (e-mail, phone, SSN, cards, IPv4) and custom rules: on (default) or off; keys and tokens are always redacted', onOff('redact'))
    .option('--no-redact', 'same as --redact off')
    .option('--redact_outbound <on|off>', 'send providers the redacted task, passages and judge prompt: on (default with --redact on) or off (raw task sent; storage stays redacted)', onOff('redact_outbound'))
    .option('--redaction_rules <file.json>', 'extra redaction rules')
    .option('--require_approval', 'hold the winner as pending_approval until someone approves it')
    .option('--budget_usd <usd>', 'refuse the run when its projection exceeds this; stop launching calls once spend reaches it', num('budget_usd'))
    .option('--budget_tokens <n>', 'refuse the run when its projection exceeds this; stop launching calls once this many tokens are used', num('budget_tokens'))
    .option('--follow-up <run id>', 'follow up this earlier run: its thread (earlier tasks and answers) goes into the prompts (docs/THREADS.md)')
    .option('--context_tokens <n>', 'token budget for the earlier turns of the thread (default 4000; oldest shortened, then dropped)', num('context_tokens'));
}

/** Uploads each --attach FILE (docs/THREADS.md) and returns the attachment ids; a bad file exits 2 naming it. */
export async function uploadAttachments(svc: DjpService, files: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const file of files) {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CliError(`--attach ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : (e as Error).message}`, 2);
    }
    try {
      ids.push((await svc.uploadAttachment(basename(file), data, localIdentity())).id);
    } catch (e) {
      if (isDjpError(e) && (e.code === 'too_large' || e.code === 'unsupported_type' || e.code === 'invalid')) throw new CliError(`--attach ${file}: ${e.message}`, 2);
      throw e;
    }
  }
  return ids;
}

export function register(program: Command): void {
  const cmd = program
    .command('run')
    .description('Run Debate → Judge → Publish on a task and save the artifact (RUNS_DIR, default ./runs)')
    .option('--task <text>', 'the task to answer');
  addRequestOptions(addTemplateOptions(cmd))
    .option('--attach <file>', 'attach a .md, .txt, .pdf, .csv or .json file as grounding (repeat for more)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print one JSON object {id, status, artifact, run} on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (flags: RunFlags) => {
      const { service: svc, notifications } = cliRunService();
      const request = startRequestFromFlags(flags) as Record<string, unknown>;
      if (flags.attach?.length) request.attachments = await uploadAttachments(svc, flags.attach);
      const { id } = await svc.startRun(request as StartRunRequest, localIdentity()).catch((e: unknown) => {
        // A --follow-up that names no run is the user's mistake: exit 2 like any bad flag.
        throw isDjpError(e) && e.field === 'follow_up_of' && e.code === 'not_found' ? new CliError(`--follow-up: ${e.message}`, 2) : e;
      });
      await finishRun(svc, id, flags, notifications);
    });
}
