// Helpers for the judgement tests: a real DjpService (guardrails, cost meter, run store) over the
// fake LLM server, and one call that runs a request to the end.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallContext, RunArtifact, RunEvent, RunRequest } from '../../shared/api/index.js';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { createDjpService, type DjpService } from '../../shared/service/index.js';
import type { Env } from '../../shared/providers/registry.js';

export const ctx: CallContext = { identity: { user: 'judge-tester', source: 'local' } };

export function makeService(env: Env, dir = mkdtempSync(join(tmpdir(), 'djp-judge-'))): DjpService {
  return createDjpService({ store: createRunStore(join(dir, 'runs'), { logger: silentLogger, env: {} }), env, surface: 'test', retry: { baseDelayMs: 10, maxDelayMs: 40 } });
}

export async function follow(svc: DjpService, id: string): Promise<{ artifact: RunArtifact; events: RunEvent[] }> {
  const events: RunEvent[] = [];
  await new Promise<void>((resolve) => {
    void svc.subscribe(id, (e) => {
      events.push(e);
      if (e.type === 'run.done' || e.type === 'run.error') resolve();
    });
  });
  const err = events.find((e) => e.type === 'run.error');
  if (err && err.type === 'run.error') throw new Error(err.message);
  return { artifact: await svc.getRun(id), events };
}

export async function run(svc: DjpService, req: Record<string, unknown>): Promise<{ artifact: RunArtifact; events: RunEvent[] }> {
  // Requests are checked by the service (zod), as they are from a transport: tests may send bad ones.
  const { id } = await svc.startRun(req as unknown as RunRequest, ctx);
  return follow(svc, id);
}

export const draft = (answer: string, evidence: string[] = ['e']) => JSON.stringify({ answer, evidence, confidence: 0.5, safety_flags: [] });

export const warningsOf = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
