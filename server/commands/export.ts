// `djp export ID --format md|html|docx [--out FILE]`: a saved run as a document (shared/export).
// Markdown and HTML go to stdout without --out; DOCX needs --out (or goes to djp-run-<id>.docx).
import { renameSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, cliService } from './cli-service.js';

export function register(program: Command): void {
  program
    .command('export <id>')
    .description('Export a saved run as Markdown, HTML or DOCX: task, published answer, scores, costs, provenance')
    .option('--format <format>', 'md, html or docx', 'md')
    .option('--out <file>', 'write to this file (default: stdout for md/html, djp-run-<id>.docx for docx)')
    .action(async (id: string, f: { format: string; out?: string }) => {
      const { parseExportFormat } = await import('../../shared/export/index.js');
      const format = parseExportFormat(f.format, '--format');
      const exported = await cliService().exportRun(id, { format });
      const out = { ...exported, body: Buffer.from(exported.base64, 'base64') };
      const file = f.out ?? (format === 'docx' ? out.filename : null);
      if (file === null || file === '-') {
        process.stdout.write(out.body);
        return;
      }
      // Written beside the target and renamed: a reader never sees half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        writeFileSync(tmp, out.body);
        renameSync(tmp, file);
      } catch (e) {
        throw new CliError(`--out ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 2);
      }
      process.stderr.write(`wrote ${file} (${format}, ${out.body.length} bytes)\n`);
    });
}
