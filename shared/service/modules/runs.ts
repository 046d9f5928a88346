// Runs this process executes: start (durable acceptance, the pipeline in the background, saving,
// lifecycle events), replay, cancel, read, list, delete, cost projection, drain and recovery.
import { DEFAULT_PARAMETERS, DjpError, type CallContext, type ListRunsQuery, type RunPage, type StartedRun } from '../../api/index.js';
import { newRunId } from '../../artifacts/ids.js';
import type { LiveRecord } from '../../artifacts/live.js';
import type { SaveResult } from '../../artifacts/types.js';
import { loadRunAttachments, type RunAttachments } from '../../attachments/index.js';
import { requestFromParameters } from '../../config/params.js';
import { budgetField } from '../../cost/projection.js';
import type { CostMeter, GuardrailHooks } from '../../djp/hooks.js';
import { runPipeline } from '../../djp/pipeline.js';
import { refName } from '../../djp/publish.js';
import { replayNotes } from '../../djp/replay.js';
import { nextTurn } from '../../djp/turns.js';
import { redactSecrets } from '../../guardrails/redaction.js';
import { quotaKey } from '../../quota/index.js';
import { resolveFollowUp, type ResolvedFollowUp } from '../../threads/index.js';
import { ActiveRun } from '../active-runs.js';
import type { LifecycleInput } from '../context.js';
import { prepareRun } from '../prepare.js';
import { runtimeInfo } from '../provenance.js';
import { recoverLiveRuns } from '../recover.js';
import { dropAccepted, keepAccepted, keepUnsaved } from '../unsaved.js';
import { defineModule } from './registry.js';

export const runsModule = defineModule('runs', (ctx) => {
  const { opts, env, store, now, log, version, sha, replica, active, finished } = ctx;
  const retainMs = opts.retainMs ?? 5 * 60_000;
  // Live records of the runs this process executes, rewritten every heartbeatMs.
  const liveRecords = new Map<string, LiveRecord>();
  let beating: NodeJS.Timeout | null = null;
  const beat = () => {
    for (const r of liveRecords.values()) void store.live.heartbeat(r).catch(() => undefined);
  };

  const running = () => [...active.values()].filter((r) => !r.finished);
  // Starts accepted but not yet registered (still preparing): drain() waits for these too, and once
  // its deadline has passed, a run registered late is cancelled at once (saved as interrupted).
  const starting = new Set<Promise<unknown>>();
  let shutdownReason: string | null = null;

  async function start(request: unknown, callCtx: CallContext, replayOf: string | null, notes: string[] = []): Promise<StartedRun> {
    // A burst of start requests is prepared a turn's budget at a time (shared/djp/turns.ts); the
    // pipeline starts on a turn of its own once the run is accepted (below).
    await nextTurn();
    const { req, registry, params, policy, projection: requestProjection, template } = await prepareRun(ctx, request);
    // A follow-up: the thread's earlier turns (validated before anything is spent).
    const followUp: ResolvedFollowUp | null = req.follow_up_of ? await resolveFollowUp(req.follow_up_of, ctx.loadRun, params.context_tokens ?? DEFAULT_PARAMETERS.context_tokens) : null;
    // Attachments: the thread's earlier ones and the request's, as the run's grounding corpus.
    const requested = req.attachments ?? [];
    let files: RunAttachments | null = null;
    if (requested.length || followUp?.inherited.length) {
      const attachments = ctx.attachments;
      if (!attachments) throw ctx.noAttachments();
      if (params.grounded_corpus) throw new DjpError('invalid', 'attachments: a run grounded in attachments cannot also name grounded_corpus (the attachments are its corpus); drop one', requested.length ? 'attachments' : 'grounded_corpus');
      files = await loadRunAttachments(attachments, requested, followUp?.inherited ?? [], attachments.limits);
    }
    // The budget check counts what the prompts will carry: the thread section (debaters and judge)
    // and, for attachments, retrieved passages as for a grounded_corpus.
    const projection =
      followUp?.section || files?.corpus
        ? ctx.project(followUp?.section ? `${followUp.section}\n\n${req.task}` : req.task, { ...params, grounded_corpus: params.grounded_corpus ?? (files?.corpus ? 'attachments' : null) })
        : requestProjection;
    if (!projection.within_budget) throw new DjpError('budget_exceeded', projection.budget_detail ?? 'the projected cost exceeds the budget', budgetField(projection) ?? (params.budget_usd !== null ? 'budget_usd' : 'budget_tokens'));
    // Quotas (rate_limited → 429) after validation: a malformed request is a 400, not a spent slot.
    const lease = opts.quotas?.admitRun(quotaKey(callCtx), projection.total_usd, callCtx.batch ? 'batch' : 'interactive') ?? null;
    let guardrails: GuardrailHooks;
    let cost: CostMeter;
    try {
      guardrails = await ctx.makeGuardrails(params, { ...(files?.corpus ? { corpus: files.corpus } : {}), rulesContent: req.redaction_rules_content ?? null });
      cost = ctx.makeCostMeter(params, projection);
    } catch (e) {
      lease?.release(0);
      throw e;
    }
    const scrubText = (text: string): string => guardrails.redactText(text);
    const scrub = (e: unknown): string => {
      const text = redactSecrets(e instanceof Error ? e.message : String(e));
      try {
        return guardrails.redactText(text);
      } catch {
        return text;
      }
    };
    const id = newRunId(now().getTime());
    // Durable acceptance: the run is recorded in the store (or the outbox) before the caller hears of it.
    let redactedTask: string;
    try {
      redactedTask = guardrails.redactText(redactSecrets(req.task));
    } catch {
      redactedTask = redactSecrets(req.task);
    }
    const at = now().toISOString();
    const record: LiveRecord = {
      v: 1,
      id,
      created_at: at,
      task: redactedTask,
      parameters: params,
      provenance: { app_version: version, git_sha: sha, runtime: runtimeInfo(opts.surface), identity: callCtx.identity, replay_of: replayOf },
      replica,
      heartbeat_at: at,
    };
    let acceptedAside = false;
    try {
      await store.live.accept(record);
    } catch (e) {
      // Neither the store nor its outbox took it (e.g. a local RUNS_DIR that cannot be written): the
      // fallback folder, like the artifact itself will be. Only when that fails too is the start refused.
      try {
        const path = keepAccepted(id, record, env);
        acceptedAside = true;
        log?.warn({ run_id: id, err: scrub(e), fallback: path }, 'run store failed; accepted-run record kept in the fallback folder');
      } catch (e2) {
        lease?.release(0);
        throw new DjpError('unavailable', `the run could not be accepted: neither ${store.location} nor a local folder could record it (${scrub(e)}; ${scrub(e2)})`);
      }
    }
    liveRecords.set(id, record);
    beating ??= setInterval(beat, ctx.heartbeatMs);
    beating.unref();
    const run = new ActiveRun(id, now);
    active.set(id, run);
    if (shutdownReason) run.controller.abort(shutdownReason);
    log?.info({ run_id: id, surface: opts.surface, debaters: params.debaters.map(refName), user: callCtx.identity.user }, 'run started');
    ctx.announce({ type: 'run.accepted', run_id: id, by: callCtx.identity.user, replay_of: replayOf });
    // Announced once the run is marked finished, so a listener's getRun() already sees it finished.
    const ending: LifecycleInput[] = [];
    // Set once the artifact is in the store (or its outbox) and run.done is out: the run then leaves memory.
    let inStore = false;
    let finalSeq: number | null = null;
    run.done = (async () => {
      try {
        // The acceptance write completes in an I/O callback, many together in a burst: each run's
        // first provider calls (three SDK requests, a few ms under load) go on a budgeted turn
        // (turns.ts), not back to back in that callback with every other request waiting.
        await nextTurn();
        let artifact = await runPipeline({
          runId: id,
          task: req.task,
          params,
          policy,
          providerFor: (p) => registry.create(p),
          provenance: { app_version: version, git_sha: sha, runtime: runtimeInfo(opts.surface), identity: callCtx.identity, replay_of: replayOf, ...(callCtx.batch ? { batch: callCtx.batch } : {}) },
          emit: (e) => {
            run.push(e);
            if (e.type === 'run.started') ctx.announce({ type: 'run.started', run_id: id });
          },
          guardrails,
          cost,
          signal: run.controller.signal,
          now,
          retry: opts.retry,
          ...(followUp ? { thread: { info: followUp.info, section: followUp.section }, retrievalQuery: [...followUp.chain.map((a) => a.task), req.task].join('\n') } : {}),
          ...(files ? { attachments: files.list } : {}),
          warnings: [...notes, ...(files?.warnings ?? [])],
        });
        if (template) {
          // The input values are stored like the task: through the run's redactor.
          const vars = Object.fromEntries(Object.entries(template.vars).map(([k, v]) => [k, typeof v === 'string' ? scrubText(v) : Array.isArray(v) ? v.map(scrubText) : v]));
          artifact = { ...artifact, template: { ...template, vars } };
        }
        run.artifact = artifact;
        let saved: SaveResult;
        try {
          await nextTurn(); // validation, serialisation and the index entry: a slice of their own
          saved = await store.save(artifact);
          inStore = true; // in the store or its outbox: store.load answers for it from now on
        } catch (e) {
          // The store (and its outbox, if any) failed: keep the artifact in the fallback folder.
          const why = scrub(e);
          const path = keepUnsaved(artifact, env);
          const reason = `saving to ${store.location} failed (${why}); the artifact was written to ${path} instead — copy it into RUNS_DIR and run \`djp sync --reindex\` to add it to history`;
          log?.error({ run_id: id, err: why, fallback: path }, 'run store failed; artifact kept in the fallback folder');
          saved = { location: path, outbox: { path, reason } };
        }
        run.location = saved.location;
        if (followUp) await ctx.recordThread([followUp.chain[followUp.chain.length - 1]!, artifact], id);
        liveRecords.delete(id);
        if (acceptedAside) dropAccepted(id, env);
        else await store.live.finish(id).catch((e: unknown) => log?.warn({ run_id: id, err: scrub(e) }, 'live-run record not removed; recovery will find the saved artifact and remove it'));
        const done = run.push({ type: 'run.done', status: artifact.status, artifact: saved.location, outbox: saved.outbox });
        ending.push({ type: 'run.finished', run_id: id, status: artifact.status, interrupted: artifact.interrupted, location: saved.location, outbox: saved.outbox, error: null });
        if (artifact.status === 'pending_approval') ending.push({ type: 'run.pending_approval', run_id: id, task: artifact.task.slice(0, 200) });
        if (inStore) finalSeq = done.seq;
        log?.info({ run_id: id, status: artifact.status, interrupted: artifact.interrupted, location: saved.location, outbox: saved.outbox?.path ?? null }, 'run finished');
      } catch (e) {
        const msg = scrub(e);
        log?.error({ run_id: id, err: msg }, 'run failed');
        liveRecords.delete(id);
        if (acceptedAside) dropAccepted(id, env);
        else await store.live.finish(id).catch(() => undefined);
        const message = run.artifact ? `the run finished but could not be saved anywhere: ${msg}` : msg;
        run.push({ type: 'run.error', message });
        ending.push({ type: 'run.finished', run_id: id, status: 'error', interrupted: run.artifact?.interrupted ?? null, location: null, outbox: null, error: message });
      } finally {
        run.finished = true;
        lease?.release(run.artifact?.cost.total.usd ?? null);
        if (finalSeq !== null) {
          // Saved: drop the events (tens of KB per run) now. A late subscriber gets the run from the
          // store; `finished` remembers only where its live stream ended, so a resuming client is
          // answered consistently (shared/service/active-runs.ts, finishedRuns).
          finished.remember(id, finalSeq);
          if (active.get(id) === run) active.delete(id);
        } else {
          // Not in the store (run.error, or only in the fallback folder): memory is all there is.
          setTimeout(() => {
            if (active.get(id) === run) active.delete(id);
          }, retainMs).unref();
        }
        for (const e of ending) ctx.announce(e);
      }
    })();
    return { id };
  }

  function tracked<T>(p: Promise<T>): Promise<T> {
    starting.add(p);
    const forget = () => starting.delete(p);
    p.then(forget, forget);
    return p;
  }

  return {
    startRun: (request: unknown, callCtx: CallContext) => tracked(start(request, callCtx, null)),

    async replayRun(runId: string, callCtx: CallContext) {
      const a = await ctx.loadRun(runId);
      // A replayed follow-up follows up the same earlier turn (a new branch) with the same attachments.
      // Replay uses the stored policy and rules content, not the files they came from.
      const stored = { policy: a.policy ? { name: a.policy.name, publishes: a.policy.publishes, allow: a.policy.allow, prefer: a.policy.prefer } : null, rules: a.guardrails.redaction.rules_content ?? null };
      const request: Record<string, unknown> = {
        // A templated run is re-rendered from its template version and values.
        ...(a.template ? (await ctx.templatesModule()).replayTemplateRequest(a.template, a.parameters) : requestFromParameters(a.task, a.parameters)),
        ...(stored.policy ? { policy_content: stored.policy } : {}),
        ...(stored.rules ? { redaction_rules_content: stored.rules } : {}),
        ...(a.thread?.parent_id ? { follow_up_of: a.thread.parent_id } : {}),
        ...(a.attachments?.some((x) => x.source === 'request') ? { attachments: a.attachments.filter((x) => x.source === 'request').map((x) => x.id) } : {}),
      };
      return tracked(start(request, callCtx, runId, replayNotes(a)));
    },

    async cancelRun(runId: string, callCtx: CallContext) {
      const a = active.get(runId);
      if (a && !a.finished) {
        a.controller.abort(`cancelled by ${callCtx.identity.user}`);
        await a.done;
        return;
      }
      if (a) throw new DjpError('conflict', `run ${runId} has already finished`, 'id');
      await store.load(runId); // not_found when it does not exist
      throw new DjpError('conflict', `run ${runId} has already finished`, 'id');
    },

    getRun: (runId: string) => ctx.loadRun(runId),

    async listRuns(query?: unknown): Promise<RunPage> {
      // Parsed once, by the store (shared/artifacts/listing.ts): a bad field is DjpError('invalid') naming it.
      return store.list((query ?? {}) as ListRunsQuery);
    },

    async deleteRun(runId: string, callCtx: CallContext) {
      const a = active.get(runId);
      if (a && !a.finished) throw new DjpError('conflict', `run ${runId} is still running; cancel it first`, 'id');
      const threads = ctx.threads;
      const doomed = threads ? await store.load(runId).catch(() => null) : null;
      await store.delete(runId);
      active.delete(runId);
      if (doomed && threads) await threads.remove(doomed).catch((e: unknown) => log?.warn({ run_id: runId, err: (e as Error).message }, 'thread index entry not removed'));
      finished.forget(runId);
      log?.info({ run_id: runId, by: callCtx.identity.user }, 'run deleted');
    },

    async projectCost(request: unknown) {
      return (await prepareRun(ctx, request)).projection;
    },

    inFlight: () => running().length,

    recover: (o: { own?: boolean; staleMs?: number } = {}) =>
      recoverLiveRuns(store, {
        replica: o.own === false ? null : replica,
        staleMs: o.staleMs ?? 5 * ctx.heartbeatMs,
        running: (id) => liveRecords.has(id),
        by: `replica ${replica}`,
        now,
        allowPolicyFiles: opts.surface !== 'server',
      }),

    async drain(deadlineMs: number) {
      // Other modules stop starting new work first (batches start no new rows); runs already in
      // flight are drained below like any other.
      for (const hook of ctx.drainHooks) hook();
      if (running().length === 0 && starting.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), Math.max(0, deadlineMs))));
      // Starts still being prepared first (they become running runs), then every running run.
      const all = Promise.allSettled([...starting]).then(() => Promise.all(running().map((r) => r.done)));
      const timedOut = await Promise.race([all.then(() => false), deadline]);
      clearTimeout(timer);
      if (!timedOut) return;
      shutdownReason = 'shutdown: the drain deadline passed';
      await Promise.allSettled([...starting]);
      const runs = running();
      for (const r of runs) r.controller.abort(shutdownReason);
      await Promise.all(runs.map((r) => r.done));
    },
  };
});
