// `djp cost --task "…" [run options] [--json]`: the pre-run cost projection, without running anything.
// Takes the same options as `djp run` (debaters, judge, preset, max_tokens, budgets, …). Exits 1
// when a budget was given and the projection exceeds it (the run would be refused).
import type { Command } from 'commander';
import type { CostProjection } from '../../shared/api/index.js';
import { cliService, modelName, printJson } from './cli-service.js';
import { addRequestOptions, addTemplateOptions, startRequestFromFlags, type RunFlags } from './run.js';

const usd = (x: number | null) => (x === null ? 'unpriced' : x > 0 && x < 0.0001 ? `$${x.toPrecision(2)}` : `$${x.toFixed(4)}`);

export function projectionText(p: CostProjection): string {
  const rows = p.calls.map((c) => [c.stage, modelName(c), String(c.input_tokens), String(c.output_tokens), usd(c.usd)]);
  const head = ['stage', 'model', 'input', 'output', 'usd'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((v, i) => (i >= 2 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const lines = ['Projected cost (an upper bound: every draft at max_tokens):', '', fmt(head), ...rows.map(fmt), ''];
  lines.push(`total:    ${usd(p.total_usd)} · ${p.total_tokens} tokens · ${p.calls.length} calls`);
  if (p.unpriced_models.length) lines.push(`unpriced: ${p.unpriced_models.join(', ')} (add prices with DJP_PRICING_FILE)`);
  lines.push(`budget:   ${p.within_budget ? 'within budget (or none set)' : `EXCEEDED — ${p.budget_detail}; djp run would refuse this run`}`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  const cmd = program
    .command('cost')
    .description('Project the tokens and USD a run would cost, without running it (same options as djp run)')
    .option('--task <text>', 'the task to answer');
  addRequestOptions(addTemplateOptions(cmd))
    .option('--json', 'print the CostProjection as JSON')
    .action(async (flags: RunFlags) => {
      const projection = await cliService().projectCost(startRequestFromFlags(flags));
      if (flags.json) printJson(projection);
      else process.stdout.write(projectionText(projection));
      if (!projection.within_budget) process.exitCode = 1;
    });
}
