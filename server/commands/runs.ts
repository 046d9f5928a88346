// `djp runs list` and `djp runs show ID`: browse saved runs (RUNS_DIR).
import { InvalidArgumentError, type Command } from 'commander';
import type { ListRunsQuery } from '../../shared/api/index.js';
import { cliService, fmtScore, modelName, printJson, summaryText } from './cli-service.js';

interface ListFlags {
  status?: string;
  provider?: string;
  q?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
  json?: boolean;
}

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`--limit must be an integer (got "${v}")`);
  return n;
};

/** A value as one shell word (quoted only when it needs to be). */
export function shellWord(v: string): string {
  return /^[A-Za-z0-9_.,:/@%+=-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

/** The command for the next page: the same filters and page size, the new cursor. */
export function nextPageCommand(f: ListFlags, cursor: string): string {
  const parts = ['djp runs list'];
  for (const k of ['status', 'provider', 'q', 'from', 'to', 'limit'] as const) if (f[k] !== undefined) parts.push(`--${k} ${shellWord(String(f[k]))}`);
  parts.push(`--cursor ${shellWord(cursor)}`);
  return parts.join(' ');
}

export function register(program: Command): void {
  const runs = program.command('runs').description('Browse saved runs');
  runs
    .command('list')
    .description('List runs, newest first')
    .option('--status <status>', 'published, advisory_only, none or pending_approval')
    .option('--provider <id>', 'only runs that used this provider')
    .option('--q <text>', 'search task text')
    .option('--from <date>', 'created on or after (ISO date/time)')
    .option('--to <date>', 'created on or before (ISO date/time)')
    .option('--limit <n>', 'page size, 1–100 (default 20)', int)
    .option('--cursor <cursor>', 'next page (printed after a full page)')
    .option('--json', 'print the page as JSON')
    .action(async (f: ListFlags) => {
      const query: ListRunsQuery = {};
      for (const k of ['status', 'provider', 'q', 'from', 'to', 'limit', 'cursor'] as const) if (f[k] !== undefined) (query as Record<string, unknown>)[k] = f[k];
      const page = await cliService().listRuns(query);
      if (f.json) return printJson(page);
      if (page.runs.length === 0) process.stdout.write('no runs\n');
      for (const r of page.runs) {
        const winner = r.winner ? modelName(r.winner) : '—';
        process.stdout.write(`${r.id}  ${r.created_at.slice(0, 19).replace('T', ' ')}Z  ${r.status.padEnd(16)}  ${winner.padEnd(28)}  ${r.task.replace(/\s+/g, ' ').slice(0, 60)}\n`);
      }
      if (page.skipped) process.stdout.write(`(${page.skipped} unreadable artifact(s) skipped)\n`);
      if (page.next_cursor) process.stdout.write(`more: ${nextPageCommand(f, page.next_cursor)}\n`);
    });
  runs
    .command('show <id>')
    .description('Show one run')
    .option('--json', 'print the whole artifact as JSON')
    .action(async (id: string, f: { json?: boolean }) => {
      const a = await cliService().getRun(id);
      if (f.json) return printJson(a);
      process.stdout.write(summaryText(a, null));
      process.stdout.write(`\ntask: ${a.task}\n`);
      const scores = a.judge.scores.map((s) => `${s.draft_id}=${s.status === 'scored' ? fmtScore(s.score) : s.status}`).join(' ');
      if (scores) process.stdout.write(`scores: ${scores}${a.judge.margin !== null ? ` (margin ${fmtScore(a.judge.margin)})` : ''}\n`);
      if (a.approval.required) process.stdout.write(`approval: ${a.approval.state}${a.approval.decided_by ? ` by ${a.approval.decided_by} at ${a.approval.decided_at}` : ''}${a.approval.reason ? ` — ${a.approval.reason}` : ''}\n`);
    });
}
