#!/usr/bin/env node
// The `djp` command. Each command lives in server/commands/<name>.ts and exports register(program).
// .env is loaded here (never in library code), without overriding the environment.
//
// Start-up is kept short (bench/cli-start.ts): only the module of the command named on the command
// line is imported (all of them only for help or an unknown command), and the error reporting below
// loads what it needs only when there is an error.
import { Command, CommanderError } from 'commander';
import { loadDotEnv } from '../shared/config/env.js';
import { appVersion } from '../shared/service/provenance.js';

loadDotEnv();

// `djp runs show ID | head -1`: the reader has gone away. Stop quietly, like other Unix tools, instead
// of dying with an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const args = (() => {
  const end = process.argv.indexOf('--');
  return end === -1 ? process.argv.slice(2) : process.argv.slice(2, end);
})();
/** --json was asked for: an error is also printed on stdout, as {"error": {code, message, field?}}. */
const wantsJson = args.includes('--json');

interface CommandModule {
  register(program: Command): void;
}
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  run: () => import('./commands/run.js'),
  runs: () => import('./commands/runs.js'),
  replay: () => import('./commands/replay.js'),
  approve: () => import('./commands/approve.js'),
  cost: () => import('./commands/cost.js'),
  batch: () => import('./commands/batch.js'),
  serve: () => import('./commands/serve.js'),
  sync: () => import('./commands/sync.js'),
  templates: () => import('./commands/templates.js'),
  export: () => import('./commands/export.js'),
  threads: () => import('./commands/threads.js'),
};

const program = new Command('djp')
  .description('DJP Workflow: several LLMs draft, a judge scores, guardrails decide what is published')
  .version(appVersion())
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride(); // usage errors reach fail() below (exit 2); inherited by every command added next

interface Failure {
  code: string;
  message: string;
  field?: string;
  exit: number;
  /** Printed on stderr after the message (DJP_DEBUG stack, or the hint to set it). */
  more?: string;
}

async function describeFailure(e: unknown): Promise<Failure> {
  const [{ isDjpError }, { redactSecrets: redact }, { CliError }, { StorageError }] = await Promise.all([
    import('../shared/api/errors.js'),
    // The one credential scrubber (API keys, AWS keys, JWTs, PEM blocks, bearer tokens, URL credentials).
    import('../shared/guardrails/redaction.js'),
    import('./commands/cli-service.js'),
    import('../shared/storage/backend.js'),
  ]);
  if (isDjpError(e)) return { code: e.code, message: redact(e.message), ...(e.field ? { field: e.field } : {}), exit: e.code === 'invalid' ? 2 : 1 };
  if (e instanceof CliError) return { code: e.exitCode === 2 ? 'invalid' : 'failed', message: redact(e.message), exit: e.exitCode };
  // e.g. RUNS_DIR=azure://… — a configuration error, not an unexpected one.
  if (e instanceof StorageError) return { code: `storage_${e.kind}`, message: redact(e.message), exit: e.kind === 'invalid_location' || e.kind === 'invalid_key' ? 2 : 1 };
  const msg = e instanceof Error ? e.message : String(e);
  const stack = process.env.DJP_DEBUG && e instanceof Error && e.stack ? redact(e.stack) : '(set DJP_DEBUG=1 for details)';
  return { code: 'internal', message: `unexpected error: ${redact(msg)}`, exit: 1, more: stack };
}

async function fail(e: unknown): Promise<never> {
  let f: Failure;
  if (e instanceof CommanderError) {
    // Commander has already printed its message; a usage error exits 2, help/version exit 0.
    if (e.exitCode === 0) process.exit(0);
    f = { code: 'usage', message: e.message.replace(/^error: /, ''), exit: 2 };
  } else {
    f = await describeFailure(e);
    process.stderr.write(`djp: ${f.message}\n${f.more ? `${f.more}\n` : ''}`);
  }
  if (wantsJson) process.stdout.write(`${JSON.stringify({ error: { code: f.code, message: f.message, ...(f.field ? { field: f.field } : {}) } })}\n`);
  process.exit(f.exit);
}

async function main(): Promise<void> {
  const named = args.find((a) => !a.startsWith('-'));
  const load = named && COMMANDS[named] && !args.includes('--help') && !args.includes('-h') ? [COMMANDS[named]] : Object.values(COMMANDS);
  for (const mod of await Promise.all(load.map((l) => l()))) mod.register(program);
  await program.parseAsync(process.argv);
  // Commands that do not keep a server open are done: exit soon even if an SDK keeps a socket alive
  // (an unref'd timer never holds the process open by itself; stdout has flushed by then).
  if (named !== 'serve') setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
}

main().catch(fail);
