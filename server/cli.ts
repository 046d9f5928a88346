#!/usr/bin/env node
// The `djp` command. Each command lives in server/commands/<name>.ts and exports register(program).
// .env is loaded here (never in library code), without overriding the environment.
import { Command, CommanderError } from 'commander';
import { isDjpError } from '../shared/api/index.js';
import { loadDotEnv } from '../shared/config/env.js';
import { redactSecrets as redactCredentials } from '../shared/guardrails/index.js';
import { redactSecrets as redactProviderSecrets } from '../shared/providers/errors.js';
import { appVersion } from '../shared/service/provenance.js';
import { CliError } from './commands/cli-service.js';
import { StorageError } from '../shared/storage/backend.js';
import * as approveCmd from './commands/approve.js';
import * as costCmd from './commands/cost.js';
import * as replayCmd from './commands/replay.js';
import * as runCmd from './commands/run.js';
import * as runsCmd from './commands/runs.js';
import * as serveCmd from './commands/serve.js';
import * as syncCmd from './commands/sync.js';

loadDotEnv();

/** Error text on stderr: both credential scrubbers (API keys, AWS keys, JWTs, PEM blocks, bearer tokens, URL keys). */
const redactSecrets = (s: string): string => redactCredentials(redactProviderSecrets(s));

const program = new Command('djp')
  .description('DJP Workflow: several LLMs draft, a judge scores, guardrails decide what is published')
  .version(appVersion())
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride(); // usage errors reach fail() below (exit 2); inherited by every command added next

runCmd.register(program);
runsCmd.register(program);
replayCmd.register(program);
approveCmd.register(program);
costCmd.register(program);
serveCmd.register(program);
syncCmd.register(program);

function fail(e: unknown): never {
  // Commander has already printed its message; a usage error exits 2, help/version exit 0.
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  const debug = !!process.env.DJP_DEBUG;
  if (isDjpError(e)) {
    process.stderr.write(`djp: ${redactSecrets(e.message)}\n`);
    process.exit(e.code === 'invalid' ? 2 : 1);
  }
  if (e instanceof CliError) {
    process.stderr.write(`djp: ${redactSecrets(e.message)}\n`);
    process.exit(e.exitCode);
  }
  if (e instanceof StorageError) {
    // e.g. RUNS_DIR=azure://… — a configuration error, not an unexpected one.
    process.stderr.write(`djp: ${redactSecrets(e.message)}\n`);
    process.exit(e.kind === 'invalid_location' || e.kind === 'invalid_key' ? 2 : 1);
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`djp: unexpected error: ${redactSecrets(msg)}\n${debug && e instanceof Error && e.stack ? `${redactSecrets(e.stack)}\n` : '(set DJP_DEBUG=1 for details)\n'}`);
  process.exit(1);
}

program.parseAsync(process.argv).then(
  () => {
    // Commands that do not keep a server open are done: exit soon even if an SDK keeps a socket alive
    // (an unref'd timer never holds the process open by itself; stdout has flushed by then).
    if (process.argv[2] !== 'serve') setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
  },
  fail,
);
