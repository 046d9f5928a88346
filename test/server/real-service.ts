// The real stack for server tests: createDjpService (with guardrails and cost wired as `djp serve`
// wires them) over a real local run store in a temp folder, behind createServer on 127.0.0.1:0.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunStore, silentLogger } from '../../shared/artifacts/index.js';
import { createCostMeter } from '../../shared/cost/meter.js';
import { loadPricing } from '../../shared/cost/pricing.js';
import { projectCost } from '../../shared/cost/projection.js';
import { createGuardrails } from '../../shared/guardrails/index.js';
import { createDjpService, type DjpService } from '../../shared/service/index.js';
import type { RunArtifact, RunEvent } from '../../shared/api/index.js';
import type { RunStore } from '../../shared/artifacts/types.js';
import type { Authenticator } from '../../server/auth/index.js';
import type { ServerOptions } from '../../server/http/index.js';
import { events, readSse, startServer, type Started } from './http-helpers.js';

export interface RealStack extends Started {
  service: DjpService;
  store: RunStore;
  runsDir: string;
}

export async function startRealStack(opts: { env?: Record<string, string | undefined>; auth?: Authenticator; server?: Partial<ServerOptions> } = {}): Promise<RealStack> {
  const runsDir = mkdtempSync(join(tmpdir(), 'djp-server-runs-'));
  const env = { ...(opts.env ?? {}) };
  const store = createRunStore(runsDir, { env, logger: silentLogger });
  const pricing = loadPricing(null, env);
  const service = createDjpService({
    store,
    env,
    surface: 'test',
    auth: opts.auth?.mode ?? 'none',
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    makeGuardrails: (params, extra) => createGuardrails(params, { allowedRoots: [], ...extra }),
    makeCostMeter: (params, projection) => createCostMeter(params, projection, { pricing }),
    projectCost: (task, params) => projectCost(task, params, pricing),
  });
  const started = await startServer(service, { ...(opts.auth ? { auth: opts.auth } : {}), ready: () => store.ping(), ...opts.server });
  return { ...started, service, store, runsDir };
}

/** Follows a run's SSE stream to its end and returns the events. */
export async function follow(base: string, id: string, headers: Record<string, string> = {}): Promise<RunEvent[]> {
  const res = await fetch(`${base}/api/runs/${id}/events`, { headers });
  if (res.status !== 200) throw new Error(`events: HTTP ${res.status} ${await res.text()}`);
  return events(await readSse(res));
}

export async function getArtifact(base: string, id: string, headers: Record<string, string> = {}): Promise<RunArtifact> {
  const res = await fetch(`${base}/api/runs/${id}`, { headers });
  if (res.status !== 200) throw new Error(`get: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as RunArtifact;
}
