// `djp approve ID [--reason]` and `djp reject ID --reason`: decide a run that is pending_approval.
import type { Command } from 'commander';
import type { RunArtifact } from '../../shared/api/index.js';
import { cliService, localIdentity, printJson } from './cli-service.js';

function report(a: RunArtifact, json?: boolean): void {
  if (json) return printJson({ id: a.id, status: a.status, approval: a.approval, run: a });
  process.stdout.write(`run ${a.id}: ${a.approval.state} by ${a.approval.decided_by} — status now ${a.status}\n`);
  if (a.status === 'published' && a.publish.text) process.stdout.write(`\n${a.publish.text}\n`);
}

export function register(program: Command): void {
  program
    .command('approve <id>')
    .description('Approve a run awaiting approval: its winner is published')
    .option('--reason <text>', 'why (recorded in the artifact)')
    .option('--json', 'print JSON')
    .action(async (id: string, f: { reason?: string; json?: boolean }) => {
      report(await cliService().approveRun(id, f.reason !== undefined ? { reason: f.reason } : {}, localIdentity()), f.json);
    });
  program
    .command('reject <id>')
    .description('Reject a run awaiting approval: it becomes advisory only')
    .requiredOption('--reason <text>', 'why (required; recorded in the artifact)')
    .option('--json', 'print JSON')
    .action(async (id: string, f: { reason: string; json?: boolean }) => {
      report(await cliService().rejectRun(id, { reason: f.reason }, localIdentity()), f.json);
    });
}
