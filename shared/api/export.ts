// Export of a run as a document (issue 13): the formats and the file an export operation returns.
// Browser-safe. The renderers live in shared/export/.
import * as z from 'zod';

export const EXPORT_FORMATS = ['md', 'html', 'docx'] as const;
export const ExportFormat = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

/** The query of GET /api/runs/{id}/export. */
export const ExportQuery = z.object({ format: ExportFormat }).strict();
export type ExportQuery = z.infer<typeof ExportQuery>;

/** The query of GET /api/threads/{id}/export: the format, Markdown unless named. */
export const ThreadExportQuery = z.object({ format: ExportFormat.default('md') }).strict();
export type ThreadExportQuery = z.input<typeof ThreadExportQuery>;

/** An exported file as JSON (the IPC bridge and in-process callers): the bytes base64-encoded. */
export const ExportedFile = z.object({
  format: ExportFormat,
  filename: z.string(),
  content_type: z.string(),
  base64: z.string(),
});
export type ExportedFile = z.infer<typeof ExportedFile>;
