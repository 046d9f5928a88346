// Approvals: a pending run approved (published) or rejected (advisory only), once.
import { Decision, DjpError, RejectDecision, parseOrInvalid, type CallContext, type RunArtifact } from '../../api/index.js';
import { defineModule } from './registry.js';

export const approvalsModule = defineModule('approvals', (ctx) => {
  const { store, now, log } = ctx;
  // Decisions are a compare-and-swap on the stored artifact (RunStore.modify): of two racing decisions
  // — in this process or on another replica — exactly one applies; the other re-reads, finds the run
  // decided and gets a conflict naming who decided. In this process they are also taken one at a time,
  // which saves the loser a round trip.
  const deciding = new Map<string, Promise<unknown>>();
  function decide(runId: string, callCtx: CallContext, approve: boolean, reason: string | null): Promise<RunArtifact> {
    const prev = deciding.get(runId) ?? Promise.resolve();
    const next = prev.then(
      () => decideNow(runId, callCtx, approve, reason),
      () => decideNow(runId, callCtx, approve, reason),
    );
    deciding.set(runId, next);
    const forget = () => {
      if (deciding.get(runId) === next) deciding.delete(runId);
    };
    next.then(forget, forget);
    return next;
  }

  async function decideNow(runId: string, callCtx: CallContext, approve: boolean, reason: string | null): Promise<RunArtifact> {
    const live = ctx.active.get(runId);
    if (live && !live.finished) throw new DjpError('conflict', `run ${runId} is still running`, 'id');
    const who = callCtx.identity.user;
    const { artifact: next, saved } = await store.modify(runId, (a) => {
      if (a.status !== 'pending_approval' || a.approval.state !== 'pending') {
        const decided = a.approval.decided_by
          ? `already ${a.approval.state} by ${a.approval.decided_by}${a.approval.decided_at ? ` at ${a.approval.decided_at}` : ''}`
          : `not awaiting approval (status ${a.status}, approval ${a.approval.state})`;
        throw new DjpError('conflict', `run ${runId} was ${decided}`, 'id');
      }
      const at = now().toISOString();
      return {
        ...a,
        status: approve ? 'published' : 'advisory_only',
        publish: {
          ...a.publish,
          status: approve ? 'published' : 'advisory_only',
          text: approve ? a.publish.text : null,
          reason: approve ? `approved by ${who}${reason ? `: ${reason}` : ''}` : `rejected by ${who}: ${reason}`,
        },
        approval: { required: true, state: approve ? 'approved' : 'rejected', decided_by: who, decided_at: at, reason },
      };
    });
    if (next.thread && next.thread.turn > 1) await ctx.recordThread([next], runId);
    log?.info({ run_id: runId, decision: approve ? 'approved' : 'rejected', by: who, outbox: saved.outbox?.path ?? null }, 'approval decided');
    ctx.announce({ type: 'run.decided', run_id: runId, decision: approve ? 'approved' : 'rejected', by: who, reason });
    return next;
  }

  return {
    async approveRun(runId: string, decision: unknown, callCtx: CallContext) {
      const d = parseOrInvalid(Decision, decision ?? {});
      return decide(runId, callCtx, true, d.reason?.trim() || null);
    },

    async rejectRun(runId: string, decision: unknown, callCtx: CallContext) {
      const d = parseOrInvalid(RejectDecision, decision ?? {});
      return decide(runId, callCtx, false, d.reason);
    },
  };
});
