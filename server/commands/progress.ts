// Follows a run's events to completion, printing progress to stderr (never stdout, so --json output
// stays one clean JSON object). On SIGINT the run is cancelled and saved as interrupted.
import type { Attempt, RunEvent } from '../../shared/api/index.js';
import type { DjpService } from '../../shared/service/index.js';
import { CliError, localIdentity, modelName } from './cli-service.js';

export interface Finished {
  status: string;
  location: string;
  outbox: { path: string; reason: string } | null;
}

/** What went wrong in one attempt, the HTTP status said once ("429 rate limited", not "429 429 …"). */
export function attemptText(a: Pick<Attempt, 'outcome' | 'http_status' | 'error'>): string {
  const err = a.error?.trim() ?? '';
  if (a.http_status !== null && !new RegExp(`^(HTTP )?${a.http_status}\\b`).test(err)) return `${a.http_status}${err ? ` ${err}` : ''}`;
  return err || a.outcome;
}

export async function followRun(svc: DjpService, id: string, opts: { quiet?: boolean } = {}): Promise<Finished> {
  const err = process.stderr;
  const tty = err.isTTY === true && !opts.quiet;
  const say = (s: string) => {
    if (opts.quiet) return;
    if (tty) err.write('\r\x1b[K');
    err.write(`${s}\n`);
  };
  const chars = new Map<string, number>();
  let lastLine = 0;
  const streamLine = () => {
    if (!tty || Date.now() - lastLine < 100) return;
    lastLine = Date.now();
    err.write(`\r\x1b[K  streaming: ${[...chars].map(([d, n]) => `${d} ${n} chars`).join(' · ')}`);
  };
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say('djp: interrupting — saving what exists (Ctrl-C again to quit at once)');
    void svc.cancelRun(id, localIdentity()).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  try {
    return await new Promise<Finished>((resolve, reject) => {
      void svc
        .subscribe(id, (e: RunEvent) => {
          switch (e.type) {
            case 'run.started':
              say(`djp: run ${e.run_id} — ${e.drafts.length} debater(s): ${e.drafts.map((d) => `${d.draft_id} ${modelName(d)}`).join(', ')}; judge ${modelName(e.judge)}`);
              break;
            case 'draft.started':
              chars.set(e.draft_id, 0);
              break;
            case 'draft.delta':
              chars.set(e.draft_id, (chars.get(e.draft_id) ?? 0) + e.text.length);
              streamLine();
              break;
            case 'draft.attempt':
              if (e.attempt.outcome !== 'ok')
                say(`  ${e.draft_id} attempt ${e.attempt.n}: ${attemptText(e.attempt)}${e.attempt.retry_after_ms !== null ? ` — retrying in ${(e.attempt.retry_after_ms / 1000).toFixed(1)} s` : ''}`);
              break;
            case 'draft.done':
              chars.delete(e.draft_id);
              say(`  ${e.draft_id} ${e.status} in ${(e.latency_ms / 1000).toFixed(1)} s${e.usage ? ` · ${e.usage.total_tokens} tokens` : ''}${e.error ? ` — ${e.error}` : ''}`);
              break;
            case 'judge.started':
              say(`  judge pass ${e.pass} (${modelName(e.model)}) …`);
              break;
            case 'judge.done':
              say(`  judge ${e.pass ? `pass ${e.pass} ` : ''}${e.status}${e.error ? ` — ${e.error}` : ''}`);
              break;
            case 'publish.done':
              say(`  publish: ${e.publish.status}`);
              break;
            case 'warning':
              say(`  warning: ${e.message}`);
              break;
            case 'run.done':
              // Outbox (cloud store failed; synced later) or the fallback folder (the reason says what to do).
              if (e.outbox)
                err.write(
                  e.outbox.reason.includes(e.outbox.path)
                    ? `djp: warning: ${e.outbox.reason}\n`
                    : `djp: warning: the store failed (${e.outbox.reason}); the artifact is kept in the outbox at ${e.outbox.path} and will be synced\n`,
                );
              resolve({ status: e.status, location: e.artifact, outbox: e.outbox });
              break;
            case 'run.error':
              reject(new CliError(`run ${e.run_id} failed: ${e.message}`));
              break;
          }
        })
        .catch(reject);
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}
