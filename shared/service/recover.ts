// Recovery of accepted runs whose process died (crash, kill -9, a lost container) before the run's
// artifact was saved: each such live record (shared/artifacts/live.ts) becomes an artifact marked
// `interrupted` with the reason, so the run is visible in history and by id — never a 404 — and its
// record is removed. The artifact comes from the real pipeline run with an already-aborted signal (no
// provider is called), so it has the same shape as any cancelled run.
import { DEFAULT_PARAMETERS, isDjpError, type RunArtifact } from '../api/index.js';
import type { LiveRecord } from '../artifacts/live.js';
import type { RunStore } from '../artifacts/types.js';
import { BUILTIN_POLICIES, loadPolicy } from '../config/policy.js';
import { runPipeline } from '../djp/pipeline.js';

export interface RecoverOptions {
  /** This process's replica id: its own records are stale by definition (it is just starting). */
  replica: string | null;
  /** Other replicas' records count as abandoned once their heartbeat is this old (ms). */
  staleMs: number;
  /** Runs this process is executing right now (never touched). */
  running: (id: string) => boolean;
  /** Who is recovering, for the reason text. */
  by: string;
  now?: () => Date;
  allowPolicyFiles?: boolean;
}

export interface RecoverResult {
  /** Runs saved as interrupted. */
  interrupted: string[];
  /** Records removed because the run's artifact was already stored. */
  cleaned: string[];
  /** Records left alone: their owner is alive (recent heartbeat), or another replica claimed them first. */
  live: number;
  failed: Array<{ id: string; error: string }>;
}

export async function interruptedArtifact(r: LiveRecord, reason: string, now: () => Date, allowPolicyFiles: boolean): Promise<RunArtifact> {
  let policy;
  try {
    policy = loadPolicy(r.parameters.policy, { allowFiles: allowPolicyFiles });
  } catch {
    policy = BUILTIN_POLICIES[DEFAULT_PARAMETERS.policy as keyof typeof BUILTIN_POLICIES];
  }
  const artifact = await runPipeline({
    runId: r.id,
    task: r.task,
    params: r.parameters,
    policy,
    providerFor: () => {
      throw new Error('no provider is called for an interrupted run');
    },
    provenance: r.provenance,
    emit: () => undefined,
    signal: AbortSignal.abort(reason),
    now,
  });
  // The run began when it was accepted, not now.
  return { ...artifact, created_at: r.created_at };
}

export interface RecoveryTimer {
  stop(): Promise<void>;
}

/**
 * Recovery every `everyMs` in a long-running server (`djp serve`): other replicas' records whose
 * heartbeat stopped become interrupted runs without waiting for a restart or `djp sync --recover`.
 * One round at a time; failures are reported, never thrown.
 */
export function startPeriodicRecovery(recover: () => Promise<RecoverResult>, everyMs: number, report: (r: RecoverResult | Error) => void): RecoveryTimer {
  let running: Promise<void> | null = null;
  const round = () => {
    running ??= recover()
      .then(
        (r) => report(r),
        (e: unknown) => report(e instanceof Error ? e : new Error(String(e))),
      )
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(round, Math.max(10, everyMs));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export async function recoverLiveRuns(store: RunStore, opts: RecoverOptions): Promise<RecoverResult> {
  const now = opts.now ?? (() => new Date());
  const result: RecoverResult = { interrupted: [], cleaned: [], live: 0, failed: [] };
  for (const r of await store.live.list()) {
    if (opts.running(r.id)) continue;
    const mine = opts.replica !== null && r.replica === opts.replica;
    const age = now().getTime() - Date.parse(r.heartbeat_at);
    if (!mine && !(age > opts.staleMs)) {
      result.live++;
      continue;
    }
    try {
      // Compare-and-swap on the record: of two replicas recovering at once, one claims it, the other
      // leaves it (and an owner that was only slow, and beat meanwhile, keeps it).
      if (!(await store.live.claim(r, now()))) {
        result.live++;
        continue;
      }
      const saved = await store.load(r.id).then(
        () => true,
        (e: unknown) => {
          if (isDjpError(e) && e.code === 'not_found') return false;
          throw e;
        },
      );
      if (!saved) {
        const why = mine
          ? `the server (replica ${r.replica}) stopped before the run finished (crash or kill); marked on its restart`
          : `replica ${r.replica} stopped before the run finished (no heartbeat since ${r.heartbeat_at}); marked by ${opts.by}`;
        const artifact = await interruptedArtifact(r, why, now, opts.allowPolicyFiles ?? false);
        try {
          await store.save(artifact);
        } catch (e) {
          // Saved meanwhile by the owner after all (create-only): keep what it saved.
          if (!(isDjpError(e) && e.code === 'conflict')) throw e;
        }
        result.interrupted.push(r.id);
      } else {
        result.cleaned.push(r.id);
      }
      await store.live.finish(r.id);
    } catch (e) {
      result.failed.push({ id: r.id, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return result;
}
