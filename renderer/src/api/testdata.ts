// Sample contract values for the transport tests (built to pass the shared/api schemas).
import type { ProviderStatus, RunArtifact, RunEvent } from '../../../shared/api/index.js';

export const RUN_ID = '01JD0000000000000000000000';

export function sampleArtifact(over: Partial<RunArtifact> = {}): RunArtifact {
  const call = { provider: 'offline' as const, model: 'offline-1', response_model: null, usage: { input_tokens: 10, output_tokens: 20, total_tokens: 30 }, latency_ms: 5, attempts: [], cost_usd: 0 };
  const stage = { usd: 0, input_tokens: 10, output_tokens: 20 };
  return {
    schema_version: 1,
    id: RUN_ID,
    created_at: '2026-11-25T10:00:00.000Z',
    finished_at: '2026-11-25T10:00:01.000Z',
    task: 'Say hi',
    parameters: {
      preset: null, debaters: [{ provider: 'offline', model: 'offline-1' }], judge: { provider: 'offline', model: 'offline-judge' },
      max_tokens: 100, temperature: 0, policy: 'none', fastpath: false, max_debaters: 6, timeout_s: 60, margin_threshold: 2, seed: 0,
      offline: true, require_citations: 0, grounded_corpus: null, grounded_required: 0, redact: true, redaction_rules: null,
      require_approval: false, budget_usd: null, budget_tokens: null,
      judge_passes: 'auto', judge_max_tokens: null, max_answer_chars: null, publish: 'verbatim', chairman: null, redact_outbound: false,
    },
    status: 'published',
    interrupted: null,
    drafts: [{ ...call, id: 'd1', status: 'ok', raw: '{"answer":"hi"}', answer: 'hi', evidence: [], confidence: 0.9, safety_flags: [], parse: 'json', parse_error: null, error: null }],
    judge: {
      status: 'ok', reason: null, model: { provider: 'offline', model: 'offline-judge' }, passes: [],
      scores: [{ draft_id: 'd1', status: 'scored', score: 8, subscores: { task_fit: 3, support: 3, clarity: 2 }, reasons: 'fine', pass_scores: [8] }],
      ranking: ['d1'], margin: null, swap_pass: false,
    },
    publish: { status: 'published', draft_id: 'd1', provider: 'offline', model: 'offline-1', text: 'hi', reason: 'best draft', passed_over: [] },
    guardrails: { checks: [], redaction: { enabled: true, rules_file: null, events: [] }, grounding: null },
    approval: { required: false, state: 'not_required', decided_by: null, decided_at: null, reason: null },
    cost: { currency: 'USD', projected_usd: 0, projected_tokens: 30, debate: stage, judge: stage, total: stage, unpriced_models: [], budget: { usd: null, tokens: null, exceeded: false, detail: null } },
    provenance: { app_version: '0.1.0', git_sha: null, runtime: { node: 'v20', platform: 'linux', arch: 'x64', surface: 'test' }, identity: { user: 'me', source: 'local' }, replay_of: null },
    timings_ms: { debate: 1, judge: 1, publish: 1, total: 3 },
    ...over,
  };
}

export const PROVIDERS: ProviderStatus[] = [
  { id: 'offline', label: 'Offline (labelled)', configured: true, key_source: 'not_needed', base_url: null, default_model: 'offline-1', judge_model: 'offline-judge', models: ['offline-1'] },
];

const at = '2026-11-25T10:00:00.000Z';
export const EVENTS: RunEvent[] = [
  { run_id: RUN_ID, seq: 0, at, type: 'run.started', task: 'Say hi', drafts: [{ draft_id: 'd1', provider: 'offline', model: 'offline-1' }], judge: { provider: 'offline', model: 'offline-judge' }, projected_usd: 0 },
  { run_id: RUN_ID, seq: 1, at, type: 'draft.started', draft_id: 'd1' },
  { run_id: RUN_ID, seq: 2, at, type: 'draft.delta', draft_id: 'd1', text: 'hi' },
  { run_id: RUN_ID, seq: 3, at, type: 'run.done', status: 'published', artifact: 'runs/x.json', outbox: null },
];
