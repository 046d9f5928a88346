// `djp sync`: pushes the local outbox (artifacts whose cloud write failed) to the configured store.
// Prints the counts; exits 0 when the outbox is empty afterwards, 1 when entries remain, 2 on a
// configuration error (e.g. an unsupported RUNS_DIR scheme). --recover also turns accepted runs whose
// server died before they finished (live records without a heartbeat for --stale-after seconds) into
// interrupted artifacts; --reindex rebuilds every index from the artifacts: the per-run entries, the
// history segments and the thread index (.threads/).
import type { Command } from 'commander';
import { silentLogger, stderrLogger } from '../../shared/artifacts/index.js';
import type { ReindexReport } from '../../shared/artifacts/maintenance.js';
import { loadDotEnv } from '../../shared/config/env.js';
import { StorageError } from '../../shared/storage/backend.js';
import { buildService } from '../../shared/service/build.js';

export interface SyncFlags {
  runsDir?: string;
  outbox?: string;
  json?: boolean;
  quiet?: boolean;
  /** Also rebuild missing/stale history index entries from the artifacts. */
  reindex?: boolean;
  /** Also save as interrupted the accepted runs whose process died (no heartbeat for staleAfter s). */
  recover?: boolean;
  staleAfter?: string;
}

export interface SyncOutput {
  out(text: string): void;
  err(text: string): void;
}

const stdio: SyncOutput = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** The command's logic, without commander or process.exit: returns the exit code. */
export async function runSync(flags: SyncFlags, env: Record<string, string | undefined> = process.env, io: SyncOutput = stdio): Promise<number> {
  let built;
  try {
    // The one place that builds the store and the service (shared/service/build.ts); sync pushes the
    // outbox itself (no background push) and starts no run (no notifications).
    built = buildService({
      env,
      surface: 'cli',
      ...(flags.runsDir ? { runsDir: flags.runsDir } : {}),
      ...(flags.outbox ? { outboxDir: flags.outbox } : {}),
      storeLogger: flags.quiet ? silentLogger : stderrLogger,
    });
  } catch (e) {
    if (e instanceof StorageError) {
      io.err(`djp sync: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const { store, service } = built;
  const reindex = async (): Promise<ReindexReport | null> => {
    if (!flags.reindex) return null;
    const r = await store.reindexAll();
    if (!flags.json) {
      io.out(`index ${store.location}: ${r.indexed} entr${r.indexed === 1 ? 'y' : 'ies'} rebuilt, ${r.skipped} unreadable artifact(s) skipped\n`);
      io.out(`history ${store.location}: ${r.rows} run(s) in ${r.segments ?? '?'} segment(s)${r.segments === null ? ' (another replica kept compacting; run again)' : ''}; threads: ${r.threads} thread(s), ${r.thread_entries} entr${r.thread_entries === 1 ? 'y' : 'ies'}; ${r.removed} stale entr${r.removed === 1 ? 'y' : 'ies'} removed\n`);
    }
    return r;
  };
  let staleMs = 150_000;
  if (flags.staleAfter !== undefined) {
    const n = Number(flags.staleAfter);
    if (!Number.isFinite(n) || n < 0) {
      io.err(`djp sync: --stale-after must be a number of seconds, got ${JSON.stringify(flags.staleAfter)}\n`);
      return 2;
    }
    staleMs = n * 1000;
  }
  const recover = async (): Promise<{ interrupted: number; cleaned: number; live: number; failed: number } | null> => {
    if (!flags.recover) return null;
    const r = await service.recover({ own: false, staleMs });
    const out = { interrupted: r.interrupted.length, cleaned: r.cleaned.length, live: r.live, failed: r.failed.length };
    if (!flags.json) {
      io.out(`recover ${store.location}: ${out.interrupted} unfinished run(s) saved as interrupted, ${out.cleaned} finished record(s) removed, ${out.live} still running elsewhere, ${out.failed} failed\n`);
      for (const f of r.failed) io.err(`djp sync: recover ${f.id}: ${f.error}\n`);
    }
    return out;
  };
  if (!store.outboxDir) {
    const recovered = await recover();
    const index = await reindex();
    const result = { store: store.location, outbox: null, pushed: 0, failed: 0, remaining: 0, ...reindexJson(index), ...(recovered ? { recover: recovered } : {}) };
    io.out(flags.json ? `${JSON.stringify(result)}\n` : `RUNS_DIR is local (${store.location}); there is no outbox to sync.\n`);
    return 0;
  }
  const r = await store.sync();
  const recovered = await recover();
  const index = await reindex();
  if (flags.json) {
    io.out(`${JSON.stringify({ store: store.location, outbox: store.outboxDir, ...r, ...reindexJson(index), ...(recovered ? { recover: recovered } : {}) })}\n`);
  } else {
    io.out(`outbox ${store.outboxDir} → ${store.location}: pushed ${r.pushed}, failed ${r.failed}, remaining ${r.remaining}\n`);
    if (r.remaining > 0) io.err(`djp sync: ${r.remaining} run(s) still in the outbox; run \`djp sync\` again once the store is reachable.\n`);
  }
  return r.remaining > 0 ? 1 : 0;
}

/** JSON: `reindex` keeps its two counts; what else was rebuilt is under `rebuilt`. */
function reindexJson(r: ReindexReport | null): Record<string, unknown> {
  if (!r) return {};
  const { indexed, skipped, ...rebuilt } = r;
  return { reindex: { indexed, skipped }, rebuilt };
}

export function register(program: Command): void {
  program
    .command('sync')
    .description('Push runs waiting in the local outbox (failed cloud writes) to the configured store (RUNS_DIR)')
    .option('--runs-dir <location>', 'store to push to (default: RUNS_DIR or ./runs)')
    .option('--outbox <dir>', 'outbox folder (default: DJP_OUTBOX_DIR or ./.djp-outbox)')
    .option('--json', 'print the counts as JSON')
    .option('--quiet', 'do not log per-entry warnings')
    .option('--reindex', 'also rebuild every index (history entries and segments, threads) from the stored artifacts')
    .option('--recover', 'also save as interrupted the accepted runs whose server died before they finished')
    .option('--stale-after <seconds>', 'with --recover: a run counts as abandoned after this long without a heartbeat (default 150)')
    .action(async (flags: SyncFlags) => {
      loadDotEnv();
      process.exitCode = await runSync(flags);
    });
}
