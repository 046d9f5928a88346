// A saved run exported as Markdown, HTML or DOCX (shared/export), the bytes base64-encoded.
import type { ExportQuery } from '../../api/index.js';
import { defineModule } from './registry.js';

export const exportModule = defineModule('export', (ctx) => ({
  async exportRun(runId: string, query?: ExportQuery) {
    const { exportRun, parseExportFormat, toExportedFile } = await import('../../export/index.js');
    const format = parseExportFormat((query as { format?: unknown } | undefined)?.format);
    return toExportedFile(await exportRun(await ctx.loadRun(runId), format));
  },
}));
