// Export a run as Markdown, HTML or DOCX (issue 13). One document model (document.ts), three renderings.
import { DjpError, EXPORT_CONTENT_TYPES, EXPORT_FORMATS, type ExportFormat, type ExportedFile, type RunArtifact } from '../api/index.js';
import { exportDocument } from './document.js';

export { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, type ExportFormat };

export interface ExportedRun {
  format: ExportFormat;
  contentType: string;
  /** A file name such as djp-run-01J….docx */
  filename: string;
  body: Uint8Array;
}

export function parseExportFormat(value: unknown, field = 'format'): ExportFormat {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
  const alias = v === 'markdown' ? 'md' : v === 'word' ? 'docx' : v;
  if (typeof alias === 'string' && (EXPORT_FORMATS as readonly string[]).includes(alias)) return alias as ExportFormat;
  throw new DjpError('invalid', `${field}: must be one of ${EXPORT_FORMATS.join(', ')} (got ${JSON.stringify(value)})`, field);
}

/** The export as JSON (bridge, in-process): bytes base64-encoded. */
export function toExportedFile(e: ExportedRun): ExportedFile {
  return { format: e.format, filename: e.filename, content_type: e.contentType, base64: Buffer.from(e.body).toString('base64') };
}

export async function exportRun(artifact: RunArtifact, format: ExportFormat): Promise<ExportedRun> {
  const doc = exportDocument(artifact);
  let body: Uint8Array;
  // Each renderer is loaded when asked for (the DOCX writer is the largest).
  if (format === 'md') body = new TextEncoder().encode((await import('./markdown.js')).toMarkdown(doc));
  else if (format === 'html') body = new TextEncoder().encode((await import('./html.js')).toHtml(doc));
  else body = await (await import('./docx.js')).toDocx(doc);
  return { format, contentType: EXPORT_CONTENT_TYPES[format], filename: `djp-run-${artifact.id}.${format}`, body };
}

export { exportDocument, type ExportDocument, type ExportTable } from './document.js';
