// `djp threads list` and `djp threads show ID`: conversations (runs that follow up runs), docs/THREADS.md.
import { InvalidArgumentError, type Command } from 'commander';
import { writeFileSync } from 'node:fs';
import type { ListThreadsQuery } from '../../shared/api/index.js';
import { CliError, cliService, printJson } from './cli-service.js';

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`--limit must be an integer (got "${v}")`);
  return n;
};
const line = (s: string, n: number) => s.replace(/\s+/g, ' ').trim().slice(0, n);

export function register(program: Command): void {
  const threads = program.command('threads').description('Browse threads: runs that follow up earlier runs');
  threads
    .command('list')
    .description('List threads, newest activity first')
    .option('--q <text>', 'search the task of any turn')
    .option('--limit <n>', 'page size, 1–100 (default 20)', int)
    .option('--cursor <cursor>', 'next page (printed after a full page)')
    .option('--json', 'print the page as JSON')
    .action(async (f: { q?: string; limit?: number; cursor?: string; json?: boolean }) => {
      const query: ListThreadsQuery = {};
      if (f.q !== undefined) query.q = f.q;
      if (f.limit !== undefined) query.limit = f.limit;
      if (f.cursor !== undefined) query.cursor = f.cursor;
      const page = await cliService().listThreads(query);
      if (f.json) return printJson(page);
      if (page.threads.length === 0) process.stdout.write('no threads\n');
      for (const t of page.threads)
        process.stdout.write(`${t.id}  ${t.updated_at.slice(0, 19).replace('T', ' ')}Z  ${String(t.turns).padStart(3)} turns  ${String(t.branches).padStart(2)} br  ${t.last_status.padEnd(16)}  ${line(t.task, 60)}\n`);
      if (page.next_cursor) process.stdout.write(`more: djp threads list${f.q ? ` --q '${f.q.replace(/'/g, `'\\''`)}'` : ''}${f.limit ? ` --limit ${f.limit}` : ''} --cursor ${page.next_cursor}\n`);
    });
  threads
    .command('show <id>')
    .description('Show one thread: its turns and branches (--markdown/--html/--docx: the whole thread as a document)')
    .option('--json', 'print the thread as JSON')
    .option('--markdown', 'the whole thread as Markdown (every turn, its answer, scores and drafts)')
    .option('--html', 'the whole thread as a standalone HTML page (escaped, no scripts)')
    .option('--docx', 'the whole thread as a Word document (needs --out)')
    .option('--out <file>', 'with --markdown/--html/--docx: write the document to this file instead of stdout')
    .action(async (id: string, f: { json?: boolean; markdown?: boolean; html?: boolean; docx?: boolean; out?: string }) => {
      const formats = (['markdown', 'html', 'docx'] as const).filter((k) => f[k]);
      if (formats.length > 1) throw new CliError(`choose one of --markdown, --html, --docx (got ${formats.map((k) => `--${k}`).join(' ')})`, 2);
      if (f.out && formats.length === 0) throw new CliError('--out needs --markdown, --html or --docx', 2);
      if (f.docx && !f.out) throw new CliError('--docx needs --out FILE (a Word document is not printed to the terminal)', 2);
      const svc = cliService();
      if (formats.length) {
        const format = formats[0] === 'markdown' ? 'md' : formats[0]!;
        const bytes = Buffer.from((await svc.exportThread(id, { format })).base64, 'base64');
        if (f.out) {
          writeFileSync(f.out, bytes);
          process.stdout.write(`wrote ${f.out}\n`);
        } else process.stdout.write(bytes);
        return;
      }
      const view = await svc.getThread(id);
      if (f.json) return printJson(view);
      process.stdout.write(`thread ${view.id}: ${view.turns.length} turns, ${view.branches.length} branch${view.branches.length === 1 ? '' : 'es'}\n`);
      const depth = new Map<string, number>();
      for (const t of view.turns) {
        const d = t.parent_id ? (depth.get(t.parent_id) ?? 0) + 1 : 0;
        depth.set(t.run_id, d);
        process.stdout.write(`${'  '.repeat(d)}${t.turn}. ${t.run_id}  ${t.status.padEnd(16)}  ${line(t.task, 70)}\n`);
      }
      view.branches.forEach((b, i) => process.stdout.write(`branch ${i + 1}/${view.branches.length}: ${b.join(' → ')}\n`));
    });
}
