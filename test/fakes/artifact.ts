// makeArtifact(overrides): a RunArtifact that validates, for tests in any area.
// The id is a fresh monotonic ULID unless given; created_at matches the id's time unless given.
import { monotonicFactory, decodeTime, ulid } from 'ulid';
import { ARTIFACT_SCHEMA_VERSION, DEFAULT_PARAMETERS, RunArtifact, type ProviderId, type PublishStatus } from '../../shared/api/index.js';

const nextUlid = monotonicFactory();

export interface ArtifactOverrides extends Partial<RunArtifact> {
  /** Shorthand: one ok draft per provider (default ['offline']). */
  providers?: ProviderId[];
  /** Time for the id and created_at (ms since epoch), default now. */
  at?: number;
}

export function makeArtifact(overrides: ArtifactOverrides = {}): RunArtifact {
  const { providers = ['offline'], at, ...rest } = overrides;
  // A monotonic factory ignores a seed time earlier than its last one, so `at` uses plain ulid(at).
  const id = rest.id ?? (at !== undefined ? ulid(at) : nextUlid());
  const created = new Date(decodeTime(id)).toISOString();
  const finished = new Date(decodeTime(id) + 1234).toISOString();
  const status: PublishStatus = rest.status ?? 'published';
  const drafts = providers.map((provider, i) => ({
    id: `d${i + 1}`,
    provider,
    model: `${provider}-model`,
    response_model: null,
    usage: { input_tokens: 10, output_tokens: 20, total_tokens: 30 },
    latency_ms: 12,
    attempts: [
      { n: 1, started_at: created, latency_ms: 12, outcome: 'ok' as const, http_status: 200, error: null, retry_after_ms: null },
    ],
    cost_usd: 0,
    status: 'ok' as const,
    raw: `{"answer":"answer ${i + 1}"}`,
    answer: `answer ${i + 1}`,
    evidence: [],
    confidence: 0.8,
    safety_flags: [],
    parse: 'json' as const,
    parse_error: null,
    error: null,
  }));
  const first = drafts[0];
  const published = status === 'published' && first;
  const artifact: RunArtifact = {
    schema_version: ARTIFACT_SCHEMA_VERSION,
    id,
    created_at: created,
    finished_at: finished,
    task: 'Summarise the quarterly report',
    parameters: {
      preset: null,
      debaters: providers.map((provider) => ({ provider, model: `${provider}-model` })),
      judge: { provider: providers[0] ?? 'offline', model: 'judge-model' },
      ...DEFAULT_PARAMETERS,
      offline: providers.every((p) => p === 'offline'),
      grounded_corpus: null,
      redaction_rules: null,
      judge_max_tokens: null,
      chairman: null,
      require_approval: status === 'pending_approval',
      budget_usd: null,
      budget_tokens: null,
    },
    status,
    interrupted: null,
    drafts,
    judge: {
      status: 'ok',
      reason: null,
      model: { provider: providers[0] ?? 'offline', model: 'judge-model' },
      passes: [],
      scores: drafts.map((d) => ({ draft_id: d.id, status: 'scored' as const, score: 7, subscores: null, reasons: 'fine', pass_scores: [7] })),
      ranking: drafts.map((d) => d.id),
      margin: null,
      swap_pass: false,
    },
    publish: {
      status,
      draft_id: published ? first.id : null,
      provider: published ? first.provider : null,
      model: published ? first.model : null,
      text: published ? first.answer : null,
      reason: published ? 'top-ranked draft passed the guardrails' : 'no draft passed',
      passed_over: [],
    },
    guardrails: { checks: [], redaction: { enabled: true, rules_file: null, events: [] }, grounding: null },
    approval: {
      required: status === 'pending_approval',
      state: status === 'pending_approval' ? 'pending' : 'not_required',
      decided_by: null,
      decided_at: null,
      reason: null,
    },
    cost: {
      currency: 'USD',
      projected_usd: 0,
      projected_tokens: 60,
      debate: { usd: 0, input_tokens: 10, output_tokens: 20 },
      judge: { usd: 0, input_tokens: 0, output_tokens: 0 },
      total: { usd: 0, input_tokens: 10, output_tokens: 20 },
      unpriced_models: [],
      budget: { usd: null, tokens: null, exceeded: false, detail: null },
    },
    provenance: {
      app_version: '0.1.0',
      git_sha: null,
      runtime: { node: process.version, platform: process.platform, arch: process.arch, surface: 'test' },
      identity: { user: 'tester', source: 'local' },
      replay_of: null,
    },
    timings_ms: { debate: 10, judge: 5, publish: 1, total: 16 },
    ...rest,
  };
  return RunArtifact.parse(artifact);
}
