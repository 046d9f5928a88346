// Builds the in-process DjpService the CLI commands use: the store from RUNS_DIR, the real
// guardrails and cost meter, and the local OS user as identity. Also the CLI's error type and
// output helpers.
import { userInfo } from 'node:os';
import type { CallContext, RunArtifact } from '../../shared/api/index.js';
import { refName } from '../../shared/djp/publish.js';
import { buildService, type BuiltService } from '../../shared/service/build.js';
import type { DjpService } from '../../shared/service/index.js';

export type { Env } from '../../shared/config/env.js';
import type { Env } from '../../shared/config/env.js';

/** A user error: printed without a stack trace, exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function localIdentity(env: Env = process.env): CallContext {
  let user = env.USER || env.USERNAME || 'unknown';
  try {
    user = userInfo().username || user;
  } catch {
    /* no passwd entry (containers): keep the env value */
  }
  return { identity: { user, source: 'local' } };
}

export function cliService(env: Env = process.env): DjpService {
  // The service's defaults are the real guardrails, cost meter and priced projection; the pricing
  // table (DJP_PRICING_FILE) is read on first use, so a bad pricing file only fails cost/run.
  return buildService({ env, surface: 'cli' }).service;
}

/**
 * The service for commands that start runs (run, replay, batch): it also notifies (DJP_NOTIFY_*,
 * docs/NOTIFICATIONS.md), and the command waits for those deliveries before it exits.
 */
export function cliRunService(env: Env = process.env): Pick<BuiltService, 'service' | 'notifications'> {
  const { service, notifications } = buildService({ env, surface: 'cli', notify: true });
  return { service, notifications };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** provider/model, without repeating the provider when the model name already carries it (offline/*). */
export const modelName = refName;

export function fmtScore(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : Number.isInteger(x) ? `${x}` : x.toFixed(2);
}

const usdText = (usd: number | null) => (usd === null ? 'unpriced' : `$${usd.toFixed(4)}`);

/** Content checks, redaction and grounding at a glance (for the run summary). */
export function guardrailLines(g: RunArtifact['guardrails']): string[] {
  const failed = g.checks.filter((c) => !c.passed);
  const redacted = g.redaction.events.reduce((n, e) => n + e.count, 0);
  const out = [
    `checks:   ${g.checks.length - failed.length}/${g.checks.length} drafts passed${failed.length ? ` (${failed.map((c) => `${c.draft_id}: ${c.failures.map((f) => f.check).join(', ')}`).join('; ')})` : ''}` +
      ` · ${redacted} item(s) redacted${g.redaction.enabled ? '' : ' (personal-data redaction off; credentials only)'}`,
  ];
  if (g.grounding) {
    const gr = g.grounding;
    const valid = gr.citations.filter((c) => c.valid).length;
    out.push(`grounding: ${gr.outcome} · ${gr.corpus.files.length} file(s), ${gr.retrieved.length} passage(s) retrieved · ${valid}/${gr.citations.length} citations valid, ${gr.required} required`);
  }
  return out;
}

/** Actual and projected cost, unpriced models and budget state (for the run summary). */
export function costLines(c: RunArtifact['cost']): string[] {
  const tokens = c.total.input_tokens + c.total.output_tokens;
  // null with every model priced: a call was cut off (timeout/cancel) before it reported usage.
  const actual = (usd: number | null) => (usd === null && c.unpriced_models.length === 0 ? 'unknown' : usdText(usd));
  const out = [
    `cost:     ${actual(c.total.usd)} actual (debate ${actual(c.debate.usd)}, judge ${actual(c.judge.usd)}) · ${tokens} tokens`,
    `          projected ≤ ${usdText(c.projected_usd)} · ≤ ${c.projected_tokens} tokens`,
  ];
  if (c.unpriced_models.length) out.push(`unpriced: ${c.unpriced_models.join(', ')} (add prices with DJP_PRICING_FILE)`);
  if (c.budget.usd !== null || c.budget.tokens !== null) {
    const limits = [c.budget.usd !== null ? `$${c.budget.usd}` : null, c.budget.tokens !== null ? `${c.budget.tokens} tokens` : null].filter(Boolean).join(', ');
    out.push(`budget:   ${limits}${c.budget.exceeded ? ` — EXCEEDED: ${c.budget.detail}` : ' — within budget'}`);
  }
  return out;
}

/** A short human summary of a run: status, winner, scores, where the artifact is. */
export function summaryText(a: RunArtifact, location: string | null): string {
  const lines: string[] = [];
  lines.push(`run:      ${a.id}${a.provenance.replay_of ? ` (replay of ${a.provenance.replay_of})` : ''}`);
  lines.push(`status:   ${a.status}${a.interrupted ? ` (interrupted: ${a.interrupted})` : ''}`);
  const win = a.publish.draft_id ? a.drafts.find((d) => d.id === a.publish.draft_id) : null;
  const winScore = win ? a.judge.scores.find((s) => s.draft_id === win.id)?.score : null;
  if (win) {
    const label = a.status === 'published' || a.status === 'pending_approval' ? 'winner:   ' : 'best:     ';
    lines.push(`${label}${win.id} ${modelName(win)}${winScore !== null && winScore !== undefined ? ` (score ${fmtScore(winScore)}/10)` : ''}`);
  }
  lines.push(`reason:   ${a.publish.reason}`);
  const scoreOf = (id: string) => a.judge.scores.find((s) => s.draft_id === id);
  lines.push(`judge:    ${modelName(a.judge.model)} — ${a.judge.status}${a.judge.reason ? ` (${a.judge.reason})` : ''}${a.judge.swap_pass ? ', swap pass run' : ''}`);
  lines.push('drafts:');
  for (const d of a.drafts) {
    const s = scoreOf(d.id);
    const score = s ? (s.status === 'scored' ? `${fmtScore(s.score)}/10 (fit ${fmtScore(s.subscores?.task_fit)}, support ${fmtScore(s.subscores?.support)}, clarity ${fmtScore(s.subscores?.clarity)})` : s.status) : d.status === 'ok' ? 'not judged' : '';
    const extra = d.status === 'ok' ? (d.parse === 'raw' ? ' [unparsed text]' : '') : ` ${d.status}${d.error ? `: ${d.error}` : ''}`;
    lines.push(`  ${d.id} ${modelName(d)}  ${score}${extra}`);
  }
  for (const w of a.warnings ?? []) lines.push(`warning:  ${w}`);
  lines.push(...guardrailLines(a.guardrails));
  lines.push(...costLines(a.cost));
  lines.push(`time:     ${(a.timings_ms.total / 1000).toFixed(1)} s`);
  if (location) lines.push(`artifact: ${location}`);
  if (a.publish.text && a.status === 'published') lines.push('', a.publish.text);
  return `${lines.join('\n')}\n`;
}
