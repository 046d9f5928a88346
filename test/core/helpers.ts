// Shared helpers for the core tests: a provider registry pointed at the fake LLM server, and a
// one-call pipeline run.
import type { RunArtifact, RunEventInput, RunRequest } from '../../shared/api/index.js';
import { resolveRunParams } from '../../shared/config/params.js';
import { loadPolicy } from '../../shared/config/policy.js';
import { runPipeline } from '../../shared/djp/pipeline.js';
import { loadProviderRegistry, type Env } from '../../shared/providers/registry.js';
import type { FakeLlmServer } from '../fakes/llm-server.js';

export function fakeEnv(fake: FakeLlmServer, which: Array<'openai' | 'anthropic' | 'google'> = ['openai', 'anthropic', 'google']): Env {
  const env: Env = {};
  if (which.includes('openai')) Object.assign(env, { OPENAI_API_KEY: 'sk-test-openai-000000000000', OPENAI_BASE_URL: fake.openaiBaseURL });
  if (which.includes('anthropic')) Object.assign(env, { ANTHROPIC_API_KEY: 'sk-ant-test-000000000000', ANTHROPIC_BASE_URL: fake.anthropicBaseURL });
  if (which.includes('google')) Object.assign(env, { GOOGLE_API_KEY: 'AIza-test-google-0000000000000000', GOOGLE_BASE_URL: fake.openaiBaseURL });
  return env;
}

export const PROVENANCE: RunArtifact['provenance'] = {
  app_version: '0.0.0-test',
  git_sha: null,
  runtime: { node: process.version, platform: process.platform, arch: process.arch, surface: 'test' },
  identity: { user: 'tester', source: 'local' },
  replay_of: null,
};

let counter = 0;
export function testRunId(): string {
  // 26 Crockford base32 characters.
  const n = String(++counter).padStart(6, '0');
  return `01JTEST0000000000000${n}`.slice(0, 26);
}

export async function runWith(env: Env, req: RunRequest, opts: { signal?: AbortSignal } = {}): Promise<{ artifact: RunArtifact; events: RunEventInput[] }> {
  const registry = await loadProviderRegistry(env);
  const params = resolveRunParams(req, { registry });
  const policy = loadPolicy(params.policy);
  const events: RunEventInput[] = [];
  const artifact = await runPipeline({
    runId: testRunId(),
    task: req.task,
    params,
    policy,
    providerFor: (id) => registry.create(id),
    provenance: PROVENANCE,
    emit: (e) => events.push(e),
    signal: opts.signal,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  return { artifact, events };
}
