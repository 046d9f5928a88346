// `djp replay ID`: a new run with the parameters of an old one (provenance.replay_of records it).
import type { Command } from 'commander';
import { cliRunService, localIdentity } from './cli-service.js';
import { finishRun } from './run.js';

export function register(program: Command): void {
  program
    .command('replay <id>')
    .description('Run again with the task and parameters of a saved run')
    .option('--json', 'print one JSON object {id, status, artifact, run} on stdout')
    .option('--quiet', 'no progress on stderr')
    .action(async (runId: string, flags: { json?: boolean; quiet?: boolean }) => {
      const { service: svc, notifications } = cliRunService();
      const { id } = await svc.replayRun(runId, localIdentity());
      await finishRun(svc, id, flags, notifications);
    });
}
